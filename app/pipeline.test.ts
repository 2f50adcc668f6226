// requires-services: real Kafka, PostgreSQL and Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startHttpServer } from './http.ts';
import type { Kafka } from 'kafkajs';
import { corpusEvents, countRows, publish, readTopic, startTestPipeline, waitFor } from './testing.ts';
import { AlertCodec, EmailEventCodec, VerdictCode } from '../schemas/contracts.ts';
import { EVENT_LIMITS } from '../schemas/limits.ts';
import { DeadLetterHeader } from '../ingest/index.ts';
import { alertId, ALERT_ID_HEADER } from '../sinks/index.ts';

/** The Kafka timestamp (ms) of the last record of each non-empty partition of `topic`. */
async function lastRecordTimestamps(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high) - 1n]));
  await admin.disconnect();
  const last = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (BigInt(message.offset) === ends.get(partition)) last.set(partition, Number(message.timestamp));
    },
  });
  await waitFor('the last record of every partition', async () => last.size, (n) => n === ends.size, 30_000)
    .finally(() => consumer.disconnect());
  return last;
}

test('events in, exact rows and alerts out; poison goes to the dead-letter topic while good events flow', async (t) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { env, pipeline } = await startTestPipeline(t, {}, registry);
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, registry, isReady: pipeline.isReady });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const runId = randomUUID().slice(0, 8);
  const structured = await corpusEvents(80, { runId });
  const raw = await corpusEvents(20, { runId: `${runId}-raw`, raw: true, start: 500 });
  // A subject over its cap is cut at decode, scored, and counted.
  structured[3]!.subject = 'overlong '.repeat(EVENT_LIMITS.subjectChars);
  const poison = [
    Buffer.from('this is not protobuf at all, it is plain text'),
    Buffer.from(EmailEventCodec.encode({ messageId: '<no-tenant@x>', receivedAtMs: Date.now(), subject: 'x' }).finish()),
    Buffer.from(EmailEventCodec.encode({ tenantId: 't', messageId: '<seconds@x>', receivedAtMs: 1_764_000_000, subject: 'x' }).finish()),
    // A good identity around a broken From address (its body a truncated field): ingest reads
    // only the identity, so the worker, which decodes the whole event, dead-letters it.
    Buffer.concat([EmailEventCodec.encode({ tenantId: 't', messageId: '<broken-from@x>', receivedAtMs: Date.now(), subject: 'x' }).finish(), Buffer.of(0x2a, 0x02, 0x0a, 0x05)]),
  ];
  // Poison in the middle of good traffic, not at the end.
  await publish(env.kafka, env.config.topics.input, [...structured.slice(0, 40), ...poison, ...structured.slice(40), ...raw]);

  const expected = [...structured, ...raw];
  await waitFor('every good event to be scored', () => countRows(env.pool, env.id), (n) => n >= expected.length);
  const { rows } = await env.pool.query<{ tenant_id: string; message_id: string; verdict: string; risk_score: number; alerted: boolean; received_at: Date; model_version: string; subject: string; reasons: Array<{ code: string }>; explanations: Array<{ feature: string; contribution: number }>; shadow_model_version: string | null }>(
    `SELECT tenant_id, message_id, verdict, risk_score, alerted, received_at, model_version, subject, reasons, explanations, shadow_model_version FROM ${env.id}.email_scores`,
  );
  assert.deepEqual(rows.map((r) => r.message_id).sort(), expected.map((e) => e.messageId).sort());
  for (const row of rows) {
    const event = expected.find((e) => e.messageId === row.message_id)!;
    assert.equal(row.tenant_id, event.tenantId);
    assert.equal(row.received_at.getTime(), event.receivedAtMs);
    assert.match(row.model_version, /^fs\d+-\w+-lr-[0-9a-f]{12}$/);
    assert.ok(row.reasons.some((r) => r.code === 'model.spam_probability'));
    // The analyst's "why": the strongest feature contributions, strongest first.
    assert.equal(row.explanations.length, 5);
    assert.ok(row.explanations.every((e, i, all) => e.feature.includes(':') && (i === 0 || Math.abs(all[i - 1]!.contribution) >= Math.abs(e.contribution))));
    assert.equal(row.shadow_model_version, null);
  }
  // Raw-only events were parsed in the workers: their subjects come from the MIME headers.
  const rawRows = rows.filter((r) => r.message_id.includes(`${runId}-raw`));
  assert.equal(rawRows.length, 20);
  assert.ok(rawRows.filter((r) => r.subject.length > 0).length >= 18);
  // The corpus is roughly a third spam: the model must find plenty, and not call everything spam.
  // Which of it is phishing or malware (malicious) rather than bulk mail (spam) depends on its flags.
  const high = rows.filter((r) => r.verdict === 'spam' || r.verdict === 'malicious').length;
  assert.ok(high >= 15 && high <= 60, `spam or malicious verdicts: ${high}`);
  assert.ok(rows.some((r) => r.verdict === 'spam'), 'confident spam without phishing signals is spam');

  // The default policy alerts on malicious mail only.
  const alerted = rows.filter((r) => r.alerted);
  assert.deepEqual(alerted.map((r) => r.message_id).sort(), rows.filter((r) => r.verdict === 'malicious').map((r) => r.message_id).sort());
  const alerts = await readTopic(env.kafka, env.config.topics.alerts, alerted.length);
  assert.equal(alerts.length, alerted.length);
  const decodedAlerts = alerts.map((m) => ({ key: m.key!.toString(), header: m.headers![ALERT_ID_HEADER]!.toString(), alert: AlertCodec.decode(m.value!) }));
  for (const { key, header, alert } of decodedAlerts) {
    const row = alerted.find((r) => r.message_id === alert.messageId)!;
    assert.ok(row, `alert for an email without an alerted row: ${alert.messageId}`);
    assert.equal(key, row.tenant_id);
    assert.equal(alert.alertId, alertId({ tenantId: row.tenant_id, messageId: row.message_id, receivedAtMs: row.received_at.getTime() }));
    assert.equal(header, alert.alertId);
    assert.equal(alert.riskScore, row.risk_score);
    assert.equal(alert.verdict, VerdictCode.VERDICT_MALICIOUS);
  }

  const metrics = await (await fetch(`${base}/metrics`)).text();
  const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
  assert.equal(value(`mailscore_ingest_events_total{topic="${env.config.topics.input}"}`), expected.length + poison.length);
  assert.equal(value('mailscore_ingest_dead_lettered_total{code="NOT_PROTOBUF"}'), 1);
  assert.ok(value('mailscore_ingest_fields_cut_total{field="subject"}') >= 1, 'the overlong subject was cut and counted');
  assert.equal(value('mailscore_sink_rows_written_total'), expected.length);
  assert.equal(value('mailscore_sink_alerts_published_total'), alerted.length);
  // One latency per stored email, each well under the bucket for 60 s (received_at is "now").
  assert.equal(value('mailscore_e2e_latency_seconds_count'), expected.length);
  assert.equal(value('mailscore_e2e_latency_seconds_bucket{le="60"}'), expected.length);
  assert.ok(value('mailscore_e2e_latency_seconds_sum') > 0);
  // One member alone in its group holds every partition of the topic.
  assert.equal(value(`mailscore_ingest_assigned_partitions{topic="${env.config.topics.input}"}`), env.config.topics.partitions);
  assert.ok(value('mailscore_ingest_rebalances_total') >= 1, 'the first join is counted');
  assert.equal(value('mailscore_ingest_commit_failures_total'), 0);
  // Per partition, the Kafka timestamp of its last record: every record, poison too, was committed.
  const lastTimestamps = await lastRecordTimestamps(env.kafka, env.config.topics.input);
  assert.ok(lastTimestamps.size > 0);
  const committedSeries = [...metrics.matchAll(/^mailscore_ingest_last_committed_record_timestamp_seconds\{topic="([^"]+)",partition="(\d+)"\} (\S+)$/gm)];
  assert.deepEqual(
    new Map(committedSeries.map(([, topic, partition, seconds]) => [`${topic}/${partition}`, Number(seconds)])),
    new Map([...lastTimestamps].map(([partition, ms]) => [`${env.config.topics.input}/${partition}`, ms / 1000])),
  );
  for (const dependency of ['postgres', 'kafka', 'redis']) {
    assert.equal(value(`mailscore_dependency_up{dependency="${dependency}"}`), 1, `${dependency} up`);
    assert.equal(value(`mailscore_dependency_retries_total{dependency="${dependency}"}`), 0, `no ${dependency} retries without an outage`);
  }
  assert.equal(value('mailscore_sink_partition_days_ahead'), env.config.postgres.premakeDays);
  // Lag is the lag exporter's, read from the broker: the consumer no longer reports its own.
  assert.ok(!metrics.includes('mailscore_ingest_consumer_lag_records'));
  for (const name of ['mailscore_scorer_batch_seconds_bucket', 'mailscore_sink_copy_seconds_bucket', 'mailscore_scorer_pool_utilisation_ratio', 'nodejs_eventloop_lag_seconds', 'process_cpu_user_seconds_total']) {
    assert.ok(metrics.includes(name), `/metrics exposes ${name}`);
  }
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);

  const deadLetters = await readTopic(env.kafka, env.config.topics.deadLetter, 4);
  assert.equal(deadLetters.length, 4);
  const codes = deadLetters.map((m) => `${m.headers![DeadLetterHeader.stage]!.toString()} ${m.headers![DeadLetterHeader.errorCode]!.toString()}`).sort();
  assert.deepEqual(codes, ['ingest INVALID_FIELD', 'ingest MISSING_FIELD', 'ingest NOT_PROTOBUF', 'scorer UNSCORABLE_EVENT']);
  for (const letter of deadLetters) {
    assert.ok(poison.some((p) => p.equals(letter.value!)), 'dead letter keeps the original bytes');
    assert.equal(letter.headers![DeadLetterHeader.sourceTopic]!.toString(), env.config.topics.input);
    assert.match(letter.headers![DeadLetterHeader.sourceOffset]!.toString(), /^\d+$/);
    assert.ok(letter.headers![DeadLetterHeader.errorReason]!.toString().length > 0);
  }
});

test('threat intel and tenant policy change verdicts, and a policy change reaches a running pipeline', async (t) => {
  const { env, pipeline } = await startTestPipeline(t);
  const { createThreatIntel } = await import('../scorer/index.ts');
  await createThreatIntel(env.redis, env.config.redis.keyPrefix).add([{ kind: 'domain', value: 'phish.example' }]);

  const base = { receivedAtMs: Date.now(), subject: 'Quarterly report', textBody: 'Please find the figures attached, see you at the meeting.' };
  const first = [
    { ...base, tenantId: 'intel', messageId: '<a@x>', from: { name: 'Ann', address: 'ann@colleague.example' } },
    { ...base, tenantId: 'intel', messageId: '<b@x>', from: { name: 'Ann', address: 'ann@colleague.example' }, urls: ['https://login.phish.example/reset'] },
  ];
  await publish(env.kafka, env.config.topics.input, first);
  await waitFor('two rows', () => countRows(env.pool, env.id), (n) => n >= 2);
  const verdicts = async () => Object.fromEntries((await env.pool.query<{ message_id: string; verdict: string; risk_score: number }>(
    `SELECT message_id, verdict, risk_score FROM ${env.id}.email_scores`)).rows.map((r) => [r.message_id, r]));
  const before = await verdicts();
  // What the model makes of a short link-less note depends on the corpus it learned from (whose
  // ham is mailing-list mail, nearly always with links): only that it is no phishing is asserted.
  assert.notEqual(before['<a@x>']!.verdict, 'malicious');
  assert.ok(before['<a@x>']!.risk_score < 90);
  assert.equal(before['<b@x>']!.verdict, 'malicious');
  assert.ok(before['<b@x>']!.risk_score >= 90, 'a known-bad domain lifts the score to at least 90');

  await pipeline.policies.put({ tenantId: 'intel', suspiciousAt: 50, spamAt: 80, alertVerdicts: ['malicious'], allowSenders: [], blockSenders: ['colleague.example'] });
  await waitFor('the invalidation to arrive', async () => (await pipeline.policies.forTenants(['intel'])).get('intel')!.blockSenders.length, (n) => n === 1, 5_000);
  await publish(env.kafka, env.config.topics.input, [{ ...base, tenantId: 'intel', messageId: '<c@x>', from: { name: 'Ann', address: 'ann@colleague.example' } }]);
  await waitFor('the third row', () => countRows(env.pool, env.id), (n) => n >= 3);
  const after = await verdicts();
  assert.equal(after['<c@x>']!.verdict, 'malicious');
  assert.equal(after['<c@x>']!.risk_score, 100);
});
