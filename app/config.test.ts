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
