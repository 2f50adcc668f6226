// requires-services: Kafka and PostgreSQL (shared), and a redis-server of the test's own on a
// free port, killed and restarted by the test (the shared Redis is never touched).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createThreatIntel, IntelUnavailableError } from '../scorer/index.ts';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { loadConfig } from './config.ts';
import { createPipeline } from './pipeline.ts';
import { freePort } from './private_services.ts';
import { createRedisClients, reconnectDelay } from './redis.ts';
import { corpusEvents, countRows, createTestEnvironment, publish, quietLogger, waitFor, type TestEnvironment } from './testing.ts';

const PHISH_URL = 'https://login.phish.example/reset';

/** A redis-server of this test's own: a child process, its RDB in `dir`, no automatic saves. */
class OwnRedis {
  #child: ChildProcess | null = null;
  readonly port: number;
  readonly dir: string;
  constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }
  get url(): string { return `redis://127.0.0.1:${this.port}`; }
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--dir', this.dir, '--dbfilename', 'intel.rdb'], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const deadline = Date.now() + 10_000;
    while (!output.includes('Ready to accept connections')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start:\n${output}`);
      await sleep(20);
    }
  }
  /** SIGSTOP: the server keeps its connections open and answers nothing. */
  pause(paused: boolean): void {
    this.#child?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

async function ownRedis(t: TestContext): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'mailscore-redis-'));
  const server = new OwnRedis(await freePort(), dir);
  t.after(async () => {
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  });
  return server;
}

/** Lines ioredis prints for an 'error' event nobody listens to. */
function unhandledRedisErrors(t: TestContext): string[] {
  const seen: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (String(args[0]).includes('Unhandled error event')) seen.push(args.map(String).join(' '));
    else original(...args);
  };
  t.after(() => { console.error = original; });
  return seen;
}

/** A pipeline on the shared Kafka and PostgreSQL whose Redis is `redisUrl`. */
async function startPipelineOn(t: TestContext, env: TestEnvironment, redisUrl: string, registry: Registry) {
  const config = { ...env.config, redis: { ...env.config.redis, url: redisUrl, reconnectMaxDelayMs: 500 } };
  const pipeline = await createPipeline(config, quietLogger, registry);
  t.after(() => pipeline.stop());
  await pipeline.start();
  return pipeline;
}

/** A client for the test's own Redis that waits out its outages quietly. */
function adminClient(t: TestContext, url: string): Redis {
  const admin = new Redis(url, { retryStrategy: () => 100, maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
  t.after(() => admin.disconnect());
  return admin;
}

/** Every event carries the known-bad link when `phishy` says so. */
async function events(count: number, runId: string, start: number, phishy: (i: number) => boolean): Promise<EmailEventFields[]> {
  const made = await corpusEvents(count, { runId, start });
  return made.map((e, i) => (phishy(i) ? { ...e, urls: [...(e.urls ?? []), PHISH_URL] } : e));
}

interface Row { message_id: string; codes: string[] }
async function rows(env: TestEnvironment, ids?: readonly string[]): Promise<Row[]> {
  const { rows } = await env.pool.query<Row>(
    `SELECT message_id, array(SELECT r->>'code' FROM jsonb_array_elements(reasons) r) AS codes FROM ${env.id}.email_scores
     WHERE $1::text[] IS NULL OR message_id = ANY($1)`, [ids ?? null]);
  return rows;
}

async function exactlyOnce(env: TestEnvironment, expectedIds: readonly string[]): Promise<void> {
  const { rows } = await env.pool.query<{ message_id: string; n: string }>(
    `SELECT message_id, count(*) AS n FROM ${env.id}.email_scores GROUP BY message_id`);
  assert.equal(rows.filter((r) => r.n !== '1').length, 0, 'no email has two rows');
  assert.deepEqual(rows.map((r) => r.message_id).sort(), [...expectedIds].sort());
}

async function metric(registry: Registry, name: string): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/**
 * Publishes small rounds of known-bad mail until one is scored with its intel hit; returns the
 * milliseconds from `since` to that row, and the ids published.
 */
async function untilIntelHits(env: TestEnvironment, runId: string, start: number, since: number): Promise<{ ms: number; ids: string[] }> {
  const ids: string[] = [];
  for (let round = 0; round < 60; round++) {
    const batch = await events(10, runId, start + round * 10, () => true);
    ids.push(...batch.map((e) => e.messageId!));
    await publish(env.kafka, env.config.topics.input, batch);
    const landed = await waitFor('a round of rows', () => rows(env, batch.map((e) => e.messageId!)), (r) => r.length === batch.length, 60_000);
    if (landed.some((r) => r.codes.includes('intel.domain'))) return { ms: Date.now() - since, ids };
  }
  throw new Error('threat intel never hit again');
}

test('reconnection delays double from 50 ms up to the cap, forever', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => reconnectDelay(a, 1_000)), [50, 100, 200, 400, 800, 1_000]);
  assert.equal(reconnectDelay(1_000_000, 2_000), 2_000);
  const config = loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '250', POLICY_CACHE_MAX_TENANTS: '500' });
  assert.equal(config.redis.commandTimeoutMs, 250);
  assert.equal(config.policy.cacheMaxTenants, 500);
  assert.throws(() => loadConfig({ POLICY_CACHE_MAX_TENANTS: '0' }), /POLICY_CACHE_MAX_TENANTS must be an integer from 1/);
});

test('started while Redis is down: the pipeline scores with intel.unavailable, and uses intel once Redis is up', async (t) => {
  const server = await ownRedis(t);
  const unhandled = unhandledRedisErrors(t);
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const registry = new Registry();
  const runId = randomUUID().slice(0, 8);
  const pipeline = await startPipelineOn(t, env, server.url, registry);

  const during = await events(200, runId, 0, (i) => i % 5 === 0);
  await publish(env.kafka, env.config.topics.input, during);
  const flagged = await waitFor('the rows scored during the outage', () => rows(env), (r) => r.length >= during.length, 60_000);
  assert.ok(flagged.every((r) => r.codes.includes('intel.unavailable') && !r.codes.includes('intel.domain')), 'every row scored without intel says so');
  assert.ok(await metric(registry, 'mailscore_scorer_intel_unavailable_total') >= during.length);

  await server.start();
  const startedAt = Date.now();
  await createThreatIntel(adminClient(t, server.url), env.config.redis.keyPrefix).add([{ kind: 'domain', value: 'phish.example' }]);
  const after = await untilIntelHits(env, runId, 1_000, startedAt);
  t.diagnostic(`Redis started ${after.ms} ms before the first row with an intel hit`);
  await exactlyOnce(env, [...during.map((e) => e.messageId!), ...after.ids]);
  await pipeline.stop();
  assert.deepEqual(unhandled, []);
});

test('Redis killed mid-drain: scoring goes on with intel.unavailable, intel hits again after its return, every event once', async (t) => {
  const server = await ownRedis(t);
  await server.start();
  const unhandled = unhandledRedisErrors(t);
  const env = await createTestEnvironment({ INGEST_MAX_BATCH_EVENTS: '100' });
  t.after(() => env.cleanup());
  const admin = adminClient(t, server.url);
  // Saved, so that the restarted server loads it again: intel survives the outage, as in production.
  await createThreatIntel(admin, env.config.redis.keyPrefix).add([{ kind: 'domain', value: 'phish.example' }]);
  await admin.save();
  const registry = new Registry();
  const runId = randomUUID().slice(0, 8);
  const pipeline = await startPipelineOn(t, env, server.url, registry);

  const first = await events(1_500, runId, 0, (i) => i % 5 === 0);
  await publish(env.kafka, env.config.topics.input, first);
  const beforeKill = await waitFor('the pipeline to be mid-stream', () => countRows(env.pool, env.id), (n) => n >= 300, 90_000);
  await server.kill();
  t.diagnostic(`redis-server killed with ${beforeKill} of ${first.length} rows in`);

  // Published while Redis is down, and all scored before it is back.
  const during = await events(300, runId, 10_000, (i) => i % 5 === 0);
  await publish(env.kafka, env.config.topics.input, during);
  await waitFor('every row, Redis down', () => countRows(env.pool, env.id), (n) => n >= first.length + during.length, 90_000);
  const duringRows = await rows(env, during.map((e) => e.messageId!));
  assert.ok(duringRows.every((r) => r.codes.includes('intel.unavailable') && !r.codes.includes('intel.domain')), 'scored without intel, and flagged');
  const firstRows = await rows(env, first.map((e) => e.messageId!));
  assert.ok(firstRows.some((r) => r.codes.includes('intel.domain')), 'intel hit before the kill');

  await server.start();
  const back = Date.now();
  const after = await untilIntelHits(env, runId, 20_000, back);
  t.diagnostic(`Redis back ${after.ms} ms before the first row with an intel hit`);
  const flaggedRows = (await rows(env)).filter((r) => r.codes.includes('intel.unavailable')).length;
  assert.ok(await metric(registry, 'mailscore_scorer_intel_unavailable_total') >= flaggedRows);
  await exactlyOnce(env, [...first, ...during].map((e) => e.messageId!).concat(after.ids));
  await pipeline.stop();
  assert.deepEqual(unhandled, []);
});

test('Redis that stops answering: a lookup gives up after REDIS_COMMAND_TIMEOUT_MS instead of holding the batch', async (t) => {
  const server = await ownRedis(t);
  await server.start();
  const config = loadConfig({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '200', REDIS_KEY_PREFIX: 'stall:' });
  const { redis, subscriber } = createRedisClients(config, quietLogger);
  t.after(() => { redis.disconnect(); subscriber.disconnect(); });
  if (redis.status !== 'ready') await once(redis, 'ready');
  const intel = createThreatIntel(redis, config.redis.keyPrefix, { timeoutMs: config.redis.commandTimeoutMs });
  await intel.add([{ kind: 'domain', value: 'phish.example' }]);
  const batch = [{ domains: ['phish.example'], urls: [], ips: [], attachmentHashes: [] }];
  assert.deepEqual(await intel.lookup(batch), [[{ kind: 'domain', value: 'phish.example' }]]);

  server.pause(true);
  t.after(() => server.pause(false));
  await assert.rejects(intel.lookup(batch), IntelUnavailableError);
  server.pause(false);
  await waitFor('lookups to answer again', () => intel.lookup(batch).catch(() => []), (hits) => hits.length === 1, 10_000);
});
