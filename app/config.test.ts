import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults point at the local services and the documented topics', () => {
  const config = loadConfig({});
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
  assert.deepEqual([config.topics.input, config.topics.alerts, config.topics.deadLetter], ['email.events', 'email.alerts', 'email.events.dlq']);
  assert.equal(config.ingest.poisonPolicy, 'dlq');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.ingest));
});

test('every bad setting is reported at once, by name, with what is expected', () => {
  assert.throws(
    () => loadConfig({ KAFKA_BROKERS: 'nohostport', SCORER_THREADS: 'two', INGEST_POISON_POLICY: 'ignore', DATABASE_URL: 'mysql://x' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /KAFKA_BROKERS entries must be host:port/);
      assert.match(err.message, /SCORER_THREADS must be an integer from 1/);
      assert.match(err.message, /INGEST_POISON_POLICY must be one of dlq, skip, fail/);
      assert.match(err.message, /DATABASE_URL must be a postgres:\/\/ URL/);
      return true;
    },
  );
});

test("the scoring pool's queue is sized from the settings that fill it", () => {
  const defaults = loadConfig({});
  // 4 partitions × ceil(1,000 / 250) tasks.
  assert.equal(defaults.scorer.maxTasksInFlight, 16);
  // The combination that once made piscina refuse tasks in every chunk is allowed, and sized.
  const tiny = loadConfig({ SCORER_TASK_SIZE: '1', INGEST_MAX_BATCH_EVENTS: '1000', INGEST_PARTITIONS_CONCURRENTLY: '4', SCORER_MAX_QUEUE: '1' });
  assert.equal(tiny.scorer.maxTasksInFlight, 4_000);
  assert.equal(loadConfig({ SCORER_TASK_SIZE: '5000' }).scorer.maxTasksInFlight, 4);
});

test('per-email limits: 1 s of CPU time, a 10 s wall-time backstop, and the backstop never below the CPU limit', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.scorer.emailCpuLimitMs, 1_000);
  assert.equal(defaults.scorer.emailTimeoutMs, 10_000);
  const set = loadConfig({ SCORER_EMAIL_CPU_LIMIT_MS: '250', SCORER_EMAIL_TIMEOUT_MS: '250' }).scorer;
  assert.deepEqual([set.emailCpuLimitMs, set.emailTimeoutMs], [250, 250]);
  assert.throws(() => loadConfig({ SCORER_EMAIL_TIMEOUT_MS: '0' }), /SCORER_EMAIL_TIMEOUT_MS must be an integer from 1 to 600000, got "0"/);
  assert.throws(() => loadConfig({ SCORER_EMAIL_CPU_LIMIT_MS: '0' }), /SCORER_EMAIL_CPU_LIMIT_MS must be an integer from 1 to 600000, got "0"/);
  // A wall-time limit below the CPU limit would fire first every time: the CPU limit could never be reached.
  assert.throws(() => loadConfig({ SCORER_EMAIL_TIMEOUT_MS: '500' }), /SCORER_EMAIL_TIMEOUT_MS \(500, wall time\) must be at least SCORER_EMAIL_CPU_LIMIT_MS \(1000, CPU time\): raise SCORER_EMAIL_TIMEOUT_MS or lower SCORER_EMAIL_CPU_LIMIT_MS/);
  assert.throws(() => loadConfig({ SCORER_EMAIL_CPU_LIMIT_MS: '20000' }), /SCORER_EMAIL_TIMEOUT_MS \(10000, wall time\) must be at least SCORER_EMAIL_CPU_LIMIT_MS \(20000, CPU time\)/);
});

test('settings that would put more tasks in the pool than it may hold are refused, naming the keys and the fix', () => {
  assert.throws(
    () => loadConfig({ SCORER_TASK_SIZE: '1', INGEST_MAX_BATCH_EVENTS: '100000', INGEST_PARTITIONS_CONCURRENTLY: '64' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /INGEST_PARTITIONS_CONCURRENTLY \(64\) × ceil\(INGEST_MAX_BATCH_EVENTS \(100000\) \/ SCORER_TASK_SIZE \(1\)\) = 6400000 worker tasks/);
      assert.match(err.message, /at most 10000 are allowed: raise SCORER_TASK_SIZE to at least 642, or lower INGEST_MAX_BATCH_EVENTS or INGEST_PARTITIONS_CONCURRENTLY/);
      return true;
    },
  );
  // The fix it names is enough.
  assert.ok(loadConfig({ SCORER_TASK_SIZE: '642', INGEST_MAX_BATCH_EVENTS: '100000', INGEST_PARTITIONS_CONCURRENTLY: '64' }).scorer.maxTasksInFlight <= 10_000);
  assert.throws(() => loadConfig({ SCORER_TASK_SIZE: '641', INGEST_MAX_BATCH_EVENTS: '100000', INGEST_PARTITIONS_CONCURRENTLY: '64' }), ConfigError);
});

test('a schema registry only when SCHEMA_REGISTRY_URL is set, with a bounded cache; a bad URL is named', () => {
  assert.equal(loadConfig({}).schemaRegistry, null);
  assert.deepEqual(loadConfig({ SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' }).schemaRegistry, {
    url: 'http://127.0.0.1:8081/apis/ccompat/v7', cacheSize: 1_000, negativeTtlMs: 30_000, requestTimeoutMs: 5_000,
  });
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_URL: '127.0.0.1:8081', SCHEMA_REGISTRY_CACHE_SIZE: '0' }), (err: unknown) => {
    assert.match((err as Error).message, /SCHEMA_REGISTRY_URL must be an http:\/\/ or https:\/\/ URL/);
    assert.match((err as Error).message, /SCHEMA_REGISTRY_CACHE_SIZE must be an integer from 1/);
    return true;
  });
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_URL: 'https://user:secret@registry.example/apis/ccompat/v7' }), (err: unknown) => {
    assert.match((err as Error).message, /SCHEMA_REGISTRY_URL must not carry credentials/);
    assert.doesNotMatch((err as Error).message, /secret/);
    return true;
  });
});

test('the days ahead a row may be received on: 7 by default, never fewer than the premade days', () => {
  assert.equal(loadConfig({}).postgres.maxAheadDays, 7);
  assert.equal(loadConfig({ PARTITION_PREMAKE_DAYS: '10' }).postgres.maxAheadDays, 10);
  assert.equal(loadConfig({ PARTITION_MAX_AHEAD_DAYS: '2', PARTITION_PREMAKE_DAYS: '1' }).postgres.maxAheadDays, 2);
  assert.throws(() => loadConfig({ PARTITION_MAX_AHEAD_DAYS: '2', PARTITION_PREMAKE_DAYS: '3' }), /PARTITION_MAX_AHEAD_DAYS \(2\) must be at least PARTITION_PREMAKE_DAYS \(3\)/);
  assert.throws(() => loadConfig({ PARTITION_MAX_AHEAD_DAYS: '0' }), /PARTITION_MAX_AHEAD_DAYS/);
});
