// requires-services: real Kafka, PostgreSQL and Redis.
// Days outside the premade partitions, end to end: an old day inside the retention window gets its
// own daily partition on the live path; an event older than the window, or further ahead than
// PARTITION_MAX_AHEAD_DAYS, is dead-lettered by the sink with its own code, the rest of its batch stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { corpusEvents, countRows, createTestEnvironment, publish, quietLogger, readTopic, startTestPipeline, waitFor } from './testing.ts';
import { createPipeline } from './pipeline.ts';
import { postgresBinaries, privatePostgres } from './private_services.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { DeadLetterHeader } from '../ingest/index.ts';
import { partitionName } from '../sinks/index.ts';

const DAY = 86_400_000;
const noPostgresServer = postgresBinaries() === null ? 'no PostgreSQL server binaries to run a throwaway cluster' : false;

test('an event 10 days old lands in its own daily partition; older than RETENTION_DAYS or too far ahead, it is dead-lettered with its code and the rest of its batch stored', async (t) => {
  const registry = new Registry();
  const { env } = await startTestPipeline(t, { RETENTION_DAYS: '30', PARTITION_PREMAKE_DAYS: '2', PARTITION_MAX_AHEAD_DAYS: '5' }, registry);
  const runId = randomUUID().slice(0, 8);
  // One tenant, one key: every event goes to the same topic partition, so the refused ones share a batch with the others.
  const events = await corpusEvents(30, { runId, tenants: 1 });
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  events[5]!.receivedAtMs = now - 10 * DAY;
  events[12]!.receivedAtMs = now - 40 * DAY;
  events[20]!.receivedAtMs = today + 9 * DAY;
  await publish(env.kafka, env.config.topics.input, events);

  const stored = events.filter((_, i) => i !== 12 && i !== 20);
  await waitFor('every storable event to be stored', () => countRows(env.pool, env.id), (n) => n >= stored.length);
  const deadLetters = await readTopic(env.kafka, env.config.topics.deadLetter, 2);

  const { rows } = await env.pool.query<{ message_id: string; t: string }>(`SELECT message_id, tableoid::regclass::text AS t FROM ${env.id}.email_scores`);
  assert.deepEqual(rows.map((r) => r.message_id).sort(), stored.map((e) => e.messageId).sort());
  const partitionOf = new Map(rows.map((r) => [r.message_id, r.t.replace(`${env.id}.`, '')]));
  assert.equal(partitionOf.get(events[5]!.messageId!), partitionName(Math.floor((now - 10 * DAY) / DAY) * DAY), 'its own day, made on demand');
  assert.ok(rows.every((r) => !r.t.endsWith('email_scores_default')), 'nothing in the default partition');

  assert.equal(deadLetters.length, 2);
  const letters = new Map(deadLetters.map((m) => [EmailEventCodec.decode(m.value!).messageId, m]));
  const header = (messageId: string, name: string) => letters.get(messageId)?.headers?.[name]?.toString();
  assert.equal(header(events[12]!.messageId!, DeadLetterHeader.errorCode), 'OUTSIDE_RETENTION');
  assert.match(header(events[12]!.messageId!, DeadLetterHeader.errorReason)!, /older than the retention window \(RETENTION_DAYS=30/);
  assert.equal(header(events[20]!.messageId!, DeadLetterHeader.errorCode), 'RECEIVED_TOO_FAR_AHEAD');
  assert.match(header(events[20]!.messageId!, DeadLetterHeader.errorReason)!, /more than 5 days after today/);
  for (const letter of deadLetters) assert.equal(letter.headers![DeadLetterHeader.stage]!.toString(), 'sink');

  // No partition was made for the refused days.
  const { rows: names } = await env.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${env.id}.email_scores'::regclass`);
  const made = new Set(names.map((r) => r.name));
  assert.ok(!made.has(partitionName(Math.floor((now - 40 * DAY) / DAY) * DAY)));
  assert.ok(!made.has(partitionName(today + 9 * DAY)));
  const metrics = await registry.metrics();
  assert.match(metrics, /^mailscore_ingest_dead_lettered_total\{code="OUTSIDE_RETENTION"\} 1$/m);
  assert.match(metrics, /^mailscore_ingest_dead_lettered_total\{code="RECEIVED_TOO_FAR_AHEAD"\} 1$/m);
  assert.match(metrics, new RegExp(`^mailscore_sink_rows_written_total ${stored.length}$`, 'm'));
});

test('PostgreSQL down while a batch needs a new daily partition: the batch waits, then lands in that partition, nothing dead-lettered', { skip: noPostgresServer }, async (t) => {
  const postgres = await privatePostgres();
  const env = await createTestEnvironment({ DATABASE_URL: postgres.url, PG_SCHEMA: 'public', OUTAGE_RETRY_MAX_DELAY_MS: '200' });
  // The test's own idle connections are dropped by the outage too.
  env.pool.on('error', () => undefined);
  const registry = new Registry();
  const pipeline = await createPipeline(env.config, quietLogger, registry);
  // In this order: the pipeline needs the server to stop cleanly, and the server goes last.
  t.after(async () => {
    await pipeline.stop().catch(() => undefined);
    await env.cleanup().catch(() => undefined);
    await postgres.remove();
  });
  await pipeline.start();
  const runId = randomUUID().slice(0, 8);
  const events = await corpusEvents(20, { runId, tenants: 1 });
  // The tenant's policy is read (and cached) first, so that the outage meets the partition's creation, not scoring.
  await publish(env.kafka, env.config.topics.input, events.slice(0, 1));
  await waitFor('the first event to be stored', () => countRows(env.pool, 'public'), (n) => n === 1);

  const tenDaysAgo = Date.now() - 10 * DAY;
  for (const event of events.slice(1)) event.receivedAtMs = tenDaysAgo;
  await postgres.stop();
  await publish(env.kafka, env.config.topics.input, events.slice(1));
  await sleep(4_000);
  await postgres.start();

  await waitFor('every event to be stored', () => countRows(env.pool, 'public'), (n) => n >= events.length, 60_000);
  const { rows } = await env.pool.query<{ t: string; n: string }>('SELECT tableoid::regclass::text AS t, count(*) AS n FROM email_scores GROUP BY 1');
  const day = partitionName(Math.floor(tenDaysAgo / DAY) * DAY);
  assert.deepEqual(rows.find((r) => r.t === day), { t: day, n: '19' });
  const admin = env.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(env.config.topics.deadLetter).finally(() => admin.disconnect());
  assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 0, 'an outage is never a dead letter');
  const retries = /^mailscore_dependency_retries_total\{dependency="postgres"\} (\S+)$/m.exec(await registry.metrics());
  assert.ok(Number(retries?.[1]) >= 1, 'the batch met the outage and was retried');
});
