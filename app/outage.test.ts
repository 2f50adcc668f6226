// requires-services: outages of PostgreSQL and Kafka while the pipeline runs or starts, on
// throwaway instances of its own (never the machine's shared ones), and a consumer that stops
// for good ending the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { countRows, corpusEvents, createTestEnvironment, publish, startTestPipeline, waitFor, type TestEnvironment } from './testing.ts';
import { freePort, postgresBinaries, privateKafka, privatePostgres } from './private_services.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const noPostgresServer = postgresBinaries() === null ? 'no PostgreSQL server binaries to run a throwaway cluster' : false;

type PipelineChild = ChildProcess & { output: string[]; port: number; exited: Promise<number | null> };

async function startPipeline(env: TestEnvironment, name: string, overrides: Record<string, string> = {}): Promise<PipelineChild> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'start'], {
    env: { ...env.env, LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', INGEST_MAX_BATCH_EVENTS: '250', SCORER_THREADS: '1', HTTP_PORT: String(port), ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as PipelineChild;
  child.output = [];
  child.port = port;
  child.exited = once(child, 'exit').then(([code]) => code as number | null);
  const keep = (chunk: Buffer) => child.output.push(...chunk.toString().split('\n').filter(Boolean).map((l) => `${name}: ${l}`));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

const status = (child: PipelineChild, path: string) =>
  fetch(`http://127.0.0.1:${child.port}${path}`).then((r) => r.status, () => 0);

/** One series of the child's /metrics, as a number (NaN when absent). */
async function metric(child: PipelineChild, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${child.port}/metrics`)).text();
  return Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
}

async function deadLetterCount(env: TestEnvironment): Promise<number> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(env.config.topics.deadLetter);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function exactlyOnce(env: TestEnvironment, ids: string[]): Promise<void> {
  const { rows } = await env.pool.query<{ message_id: string; n: string }>(`SELECT message_id, count(*) AS n FROM email_scores GROUP BY message_id`);
  assert.equal(rows.filter((r) => r.n !== '1').length, 0, 'no email has two rows');
  assert.deepEqual(rows.map((r) => r.message_id).sort(), [...ids].sort());
}

/** A test environment whose PostgreSQL is a throwaway cluster (the schema is its own anyway). */
async function withPrivatePostgres(t: { after: (fn: () => Promise<unknown>) => void }) {
  const postgres = await privatePostgres();
  t.after(() => postgres.remove());
  const env = await createTestEnvironment({ DATABASE_URL: postgres.url, PG_SCHEMA: 'public' });
  // The test's own idle connections are dropped by the outage too.
  env.pool.on('error', () => undefined);
  t.after(() => env.cleanup().catch(() => undefined));
  return { postgres, env };
}

test('PostgreSQL stopped for 10 s mid-stream: the process waits (alive, not ready), then stores every event once, nothing dead-lettered', { skip: noPostgresServer }, async (t) => {
  const { postgres, env } = await withPrivatePostgres(t);
  const events = await corpusEvents(6_000, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);
  const child = await startPipeline(env, 'pipeline');
  t.after(() => child.kill('SIGKILL'));

  await waitFor('rows to flow', () => countRows(env.pool, 'public'), (n) => n >= 500, 90_000);
  await postgres.stop();
  const during = { health: new Set<number>(), ready: new Set<number>() };
  for (let i = 0; i < 20; i++) {
    await sleep(500);
    assert.equal(child.exitCode, null, `the pipeline exited during the outage:\n${child.output.slice(-15).join('\n')}`);
    during.health.add(await status(child, '/healthz'));
    if (i >= 6) during.ready.add(await status(child, '/readyz'));
  }
  assert.deepEqual([...during.health], [200], 'alive throughout the outage');
  assert.deepEqual([...during.ready], [503], 'not ready while PostgreSQL is down');
  assert.equal(await metric(child, 'mailscore_dependency_up{dependency="postgres"}'), 0, 'postgres down while it is');
  assert.equal(await metric(child, 'mailscore_dependency_up{dependency="kafka"}'), 1);
  await postgres.start();

  await waitFor('every event to be stored', () => countRows(env.pool, 'public'), (n) => n >= events.length, 120_000);
  await waitFor('readiness to return', () => status(child, '/readyz'), (s) => s === 200, 20_000);
  assert.equal(await metric(child, 'mailscore_dependency_up{dependency="postgres"}'), 1, 'postgres up again');
  assert.ok(await metric(child, 'mailscore_dependency_retries_total{dependency="postgres"}') > 0, 'the calls PostgreSQL failed were retried, and counted');
  // One latency per row made durable: each inserted row, and each redelivered one found stored.
  const durable = await metric(child, 'mailscore_sink_rows_written_total') + await metric(child, 'mailscore_sink_duplicate_rows_total');
  assert.equal(await metric(child, 'mailscore_e2e_latency_seconds_count'), durable);
  assert.ok(durable >= events.length);
  child.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output.slice(-20).join('\n'));
  await exactlyOnce(env, events.map((e) => e.messageId!));
  assert.equal(await deadLetterCount(env), 0, 'an outage dead-letters nothing');
});

test('a process started while PostgreSQL is down waits for it (alive, not ready), then works', { skip: noPostgresServer }, async (t) => {
  const { postgres, env } = await withPrivatePostgres(t);
  const events = await corpusEvents(500, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);
  await postgres.stop();
  const child = await startPipeline(env, 'pipeline');
  t.after(() => child.kill('SIGKILL'));

  await waitFor('the wait to be logged', async () => child.output.some((l) => l.includes('waiting for postgres')), Boolean, 60_000);
  for (let i = 0; i < 6; i++) {
    await sleep(500);
    assert.equal(child.exitCode, null, `the pipeline exited while PostgreSQL was down:\n${child.output.slice(-15).join('\n')}`);
    assert.equal(await status(child, '/healthz'), 200);
    assert.equal(await status(child, '/readyz'), 503);
  }
  await postgres.start();
  await waitFor('every event to be stored', () => countRows(env.pool, 'public'), (n) => n >= events.length, 120_000);
  assert.ok(await metric(child, 'mailscore_dependency_retries_total{dependency="postgres"}') > 0, 'start-up retried PostgreSQL, and counted it');
  assert.equal(await metric(child, 'mailscore_dependency_up{dependency="postgres"}'), 1);
  assert.equal(await metric(child, 'mailscore_sink_partition_days_ahead'), env.config.postgres.premakeDays, 'partitions made once PostgreSQL came');
  child.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output.slice(-20).join('\n'));
  await exactlyOnce(env, events.map((e) => e.messageId!));
});

test('a fault that outlives its retries (a missing table) stops the consumer uncommitted and the process exits non-zero', async (t) => {
  const env = await createTestEnvironment({ RETRY_ATTEMPTS: '2', RETRY_MAX_DELAY_MS: '200' });
  t.after(() => env.cleanup());
  const child = await startPipeline(env, 'pipeline');
  t.after(() => child.kill('SIGKILL'));
  await waitFor('readiness', () => status(child, '/readyz'), (s) => s === 200, 90_000);
  await env.pool.query(`ALTER TABLE ${env.id}.email_scores RENAME TO email_scores_gone`);
  await publish(env.kafka, env.config.topics.input, await corpusEvents(300, { runId: randomUUID().slice(0, 8) }));

  const code = await Promise.race([child.exited, sleep(90_000, 'still running', { ref: false })]);
  assert.notEqual(code, 'still running', `the process did not exit:\n${child.output.slice(-15).join('\n')}`);
  assert.notEqual(code, 0);
  assert.ok(child.output.some((l) => l.includes('stopping: finishing in-flight work')), 'a clean shutdown was attempted');
  const admin = env.kafka.admin();
  await admin.connect();
  const [committed] = await admin.fetchOffsets({ groupId: env.config.ingest.groupId, topics: [env.config.topics.input] });
  await admin.disconnect();
  assert.ok(committed!.partitions.every((p) => p.offset === '-1' || p.offset === '0'), `nothing committed: ${JSON.stringify(committed)}`);
  assert.equal(await deadLetterCount(env), 0, 'a fault dead-letters nothing');
});

test('INGEST_POISON_POLICY=fail: the consumer stops for good, /healthz says so, the process exits non-zero', async (t) => {
  const { env, pipeline } = await startTestPipeline(t, { INGEST_POISON_POLICY: 'fail' });
  const stopped = new Promise<Error>((resolve) => pipeline.onStopped(resolve));
  assert.equal(pipeline.isAlive(), true);
  await publish(env.kafka, env.config.topics.input, [Buffer.from('not a protobuf event \u00ff')]);
  const err = await Promise.race([stopped, sleep(60_000, null, { ref: false })]);
  assert.ok(err !== null, 'the consumer stop was reported');
  assert.equal(pipeline.isAlive(), false);

  const child = await startPipeline(env, 'pipeline', { INGEST_POISON_POLICY: 'fail', CONSUMER_GROUP: `${env.config.ingest.groupId}-2` });
  t.after(() => child.kill('SIGKILL'));
  const code = await Promise.race([child.exited, sleep(90_000, 'still running', { ref: false })]);
  assert.notEqual(code, 'still running', `the process did not exit:\n${child.output.slice(-15).join('\n')}`);
  assert.notEqual(code, 0);
});

test('the broker down for 35 s: the same process resumes and stores every event once', { timeout: 600_000 }, async (t) => {
  const kafka = await privateKafka();
  t.after(() => kafka.remove());
  const env = await createTestEnvironment({ KAFKA_BROKERS: kafka.url });
  t.after(() => env.cleanup().catch(() => undefined));
  const first = await corpusEvents(3_000, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, first);
  const child = await startPipeline(env, 'pipeline');
  t.after(() => child.kill('SIGKILL'));
  await waitFor('rows to flow', () => countRows(env.pool, env.id), (n) => n >= 500, 90_000);

  await kafka.stop();
  await sleep(35_000);
  assert.equal(child.exitCode, null, `the pipeline exited during the broker outage:\n${child.output.slice(-15).join('\n')}`);
  assert.equal(await status(child, '/healthz'), 200);
  assert.equal(await status(child, '/readyz'), 503);
  await kafka.start();
  const second = await corpusEvents(1_000, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, second);

  await waitFor('every event to be stored', () => countRows(env.pool, env.id), (n) => n >= first.length + second.length, 180_000);
  child.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output.slice(-20).join('\n'));
  const { rows } = await env.pool.query<{ n: string; ids: string }>(`SELECT count(*) AS n, count(DISTINCT message_id) AS ids FROM ${env.id}.email_scores`);
  assert.deepEqual(rows[0], { n: String(first.length + second.length), ids: String(first.length + second.length) });
});
