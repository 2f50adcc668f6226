// requires-services: the pipeline as separate processes, killed and rebalanced mid-stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { countRows, corpusEvents, createTestEnvironment, publish, waitFor, type TestEnvironment } from './testing.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const EVENTS = 8_000;

function startPipeline(env: TestEnvironment, name: string): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'start'], {
    env: { ...env.env, LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', INGEST_MAX_BATCH_EVENTS: '250' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  const keep = (chunk: Buffer) => child.output.push(...chunk.toString().split('\n').filter(Boolean).map((l) => `${name}: ${l}`));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

async function exactlyOnce(env: TestEnvironment, expectedIds: string[]): Promise<void> {
  const { rows } = await env.pool.query<{ message_id: string; n: string }>(
    `SELECT message_id, count(*) AS n FROM ${env.id}.email_scores GROUP BY message_id`,
  );
  assert.equal(rows.filter((r) => r.n !== '1').length, 0, 'no email has two rows');
  assert.deepEqual(rows.map((r) => r.message_id).sort(), [...expectedIds].sort());
}

test('kill -9 in mid-stream, then a restart, leaves exactly the produced set', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const events = await corpusEvents(EVENTS, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);

  const first = startPipeline(env, 'first');
  t.after(() => first.kill('SIGKILL'));
  const before = await waitFor('the first pipeline to be mid-stream', () => countRows(env.pool, env.id), (n) => n >= 1_500, 90_000);
  first.kill('SIGKILL');
  await once(first, 'exit');
  assert.ok(before < EVENTS, `killed after ${before} rows: the kill must land mid-stream`);

  const second = startPipeline(env, 'second');
  t.after(() => second.kill('SIGKILL'));
  await waitFor('the restarted pipeline to finish', () => countRows(env.pool, env.id), (n) => n >= EVENTS, 120_000);
  second.kill('SIGTERM');
  const [code] = await once(second, 'exit');
  assert.equal(code, 0, second.output.slice(-20).join('\n'));
  await exactlyOnce(env, events.map((e) => e.messageId!));
});

test('two consumers in one group through rebalances (one joins, one leaves) score every event once', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const events = await corpusEvents(EVENTS, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);

  const a = startPipeline(env, 'a');
  t.after(() => a.kill('SIGKILL'));
  await waitFor('a to be mid-stream', () => countRows(env.pool, env.id), (n) => n >= 1_000, 90_000);
  const b = startPipeline(env, 'b');
  t.after(() => b.kill('SIGKILL'));
  await waitFor('b to join the group', async () => b.output.some((l) => l.includes('joined consumer group')), Boolean, 60_000);
  // a leaves gracefully mid-stream: in-flight work is committed, b takes its partitions.
  a.kill('SIGTERM');
  const [codeA] = await once(a, 'exit');
  assert.equal(codeA, 0, a.output.slice(-20).join('\n'));
  await waitFor('b to finish the topic', () => countRows(env.pool, env.id), (n) => n >= EVENTS, 120_000);
  b.kill('SIGTERM');
  await once(b, 'exit');
  await exactlyOnce(env, events.map((e) => e.messageId!));
});
