// requires-services: the worker pool's limits on the real pipeline (Kafka, PostgreSQL, Redis):
// one email over the per-email CPU limit is dead-lettered on its own, and no allowed setting overflows the pool's queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { corpusEvents, countRows, publish, readTopic, startTestPipeline, waitFor } from './testing.ts';
import { DeadLetterHeader } from '../ingest/index.ts';
import { SLOW_EMAIL_CPU_LIMIT_MS, slowEmail } from '../scorer/slow_email.fixture.ts';

const TRAINED = fileURLToPath(new URL('../models/current', import.meta.url));

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return found?.value ?? 0;
}

test('an email that uses more than SCORER_EMAIL_CPU_LIMIT_MS of CPU is dead-lettered as SCORING_TIMEOUT, the rest of its chunk is stored, the shadow model too survives it, and the pipeline goes on', async (t) => {
  const registry = new Registry();
  // One partition, one fetch: the slow email shares its chunk (and its worker task) with the others.
  const { env } = await startTestPipeline(t, {
    TOPIC_PARTITIONS: '1',
    SCORER_EMAIL_CPU_LIMIT_MS: String(SLOW_EMAIL_CPU_LIMIT_MS),
    SCORER_TASK_SIZE: '250',
    SHADOW_MODEL_DIR: TRAINED,
  }, registry);
  const runId = randomUUID().slice(0, 8);
  const good = await corpusEvents(60, { runId, tenants: 1 });
  const slow = slowEmail(`<slow-${runId}@pool.test>`, good[0]!.tenantId!);
  await publish(env.kafka, env.config.topics.input, [...good.slice(0, 30), slow, ...good.slice(30)]);

  // The chunk's dead letters go out after its rows are stored.
  const letters = await readTopic(env.kafka, env.config.topics.deadLetter, 1, 90_000);
  assert.deepEqual(letters.map((l) => l.headers![DeadLetterHeader.sourceOffset]!.toString()), ['30'], 'only the slow email is dead-lettered');
  const [letter] = letters;
  assert.equal(letter!.headers![DeadLetterHeader.errorCode]!.toString(), 'SCORING_TIMEOUT');
  assert.equal(letter!.headers![DeadLetterHeader.stage]!.toString(), 'scorer');
  assert.match(letter!.headers![DeadLetterHeader.errorReason]!.toString(), new RegExp(`CPU limit of ${SLOW_EMAIL_CPU_LIMIT_MS} ms \\(SCORER_EMAIL_CPU_LIMIT_MS\\)`));

  const { rows } = await env.pool.query<{ message_id: string; shadow_model_version: string | null }>(`SELECT message_id, shadow_model_version FROM ${env.id}.email_scores`);
  assert.deepEqual(rows.map((r) => r.message_id).sort(), good.map((e) => e.messageId).sort());
  // The shadow pool timed out on the same email; that cost it this one email, not the batch.
  assert.ok(rows.every((r) => r.shadow_model_version !== null));
  assert.equal(await metric(registry, 'mailscore_scorer_email_timeouts_total', { role: 'current', limit: 'cpu' }), 1);
  assert.equal(await metric(registry, 'mailscore_scorer_email_timeouts_total', { role: 'shadow', limit: 'cpu' }), 1);
  assert.equal(await metric(registry, 'mailscore_scorer_email_timeouts_total', { limit: 'wall' }), 0);
  assert.equal(await metric(registry, 'mailscore_scorer_shadow_failures_total'), 0);

  // Replacement workers took over: later mail is scored as usual.
  const later = await corpusEvents(20, { runId: `${runId}-later`, tenants: 1, start: 60 });
  await publish(env.kafka, env.config.topics.input, later);
  await waitFor('the later emails', () => countRows(env.pool, env.id), (n) => n >= good.length + later.length);
  assert.ok(await metric(registry, 'mailscore_scorer_worker_starts_total', { role: 'current' }) >= env.config.scorer.threads + 1);
});

test('one-event tasks, 1,000-event batches from 4 partitions at once, a shadow model and SCORER_MAX_QUEUE=1: every event is scored', async (t) => {
  // Before the pool's queue was sized from these settings, piscina refused all but two waiting
  // tasks ("Task queue is at limit") and every chunk failed.
  const { env } = await startTestPipeline(t, {
    SCORER_TASK_SIZE: '1',
    INGEST_MAX_BATCH_EVENTS: '1000',
    INGEST_PARTITIONS_CONCURRENTLY: '4',
    SCORER_MAX_QUEUE: '1',
    SHADOW_MODEL_DIR: TRAINED,
  });
  const events = await corpusEvents(400, { runId: randomUUID().slice(0, 8), tenants: 8 });
  await publish(env.kafka, env.config.topics.input, events);
  await waitFor('every event to be stored', () => countRows(env.pool, env.id), (n) => n >= events.length, 90_000);
  assert.equal(await countRows(env.pool, env.id), events.length);
  assert.equal((await readTopic(env.kafka, env.config.topics.deadLetter, 0, 1_000)).length, 0);
});
