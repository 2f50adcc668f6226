// requires-services: real Kafka, PostgreSQL and Redis.
// Dead letters and alerts go to the broker in sends it accepts, however many a chunk has, and a
// dead-letter outage is waited out without publishing a chunk's alerts again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { createPipeline, type Pipeline } from './pipeline.ts';
import { corpusEvents, countRows, createTestEnvironment, publish, quietLogger, readTopic, waitFor, type TestEnvironment } from './testing.ts';
import { AlertCodec, Verdict } from '../schemas/contracts.ts';
import { recordBytes } from '../schemas/kafka_batches.ts';
import { DeadLetterHeader } from '../ingest/index.ts';
import { ALERT_ID_HEADER } from '../sinks/index.ts';

const { ConfigResourceTypes } = kafkajs;

async function setTopicConfig(kafka: Kafka, topic: string, entries: Record<string, string>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })) }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** A test environment whose alert and dead-letter topics take small records only, and a pipeline on it. */
async function start(
  t: { after: (fn: () => Promise<unknown>) => void },
  topicMaxBytes: number,
  overrides: Record<string, string>,
): Promise<{ env: TestEnvironment; pipeline: Pipeline }> {
  // One partition: everything published lands in the same chunk (or few).
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '1', ...overrides });
  t.after(() => env.cleanup());
  for (const topic of [env.config.topics.deadLetter, env.config.topics.alerts]) {
    await setTopicConfig(env.kafka, topic, { 'max.message.bytes': String(topicMaxBytes) });
  }
  const pipeline = await createPipeline(env.config, quietLogger, new Registry());
  t.after(() => pipeline.stop());
  await pipeline.start();
  return { env, pipeline };
}

/** Bytes no decoder takes for an EmailEvent: wire type 7 does not exist. */
function garbage(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes[0] = 0xff;
  return bytes;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('1.6 MB of dead letters in one chunk reach a topic that takes 200 kB per batch; a larger one is stored truncated', async (t) => {
  const maxSend = 150_000;
  const { env } = await start(t, 200_000, { KAFKA_MAX_REQUEST_BYTES: String(maxSend) });
  const runId = randomUUID().slice(0, 8);
  const good = await corpusEvents(40, { runId });
  const refused = Array.from({ length: 400 }, () => garbage(4096));
  const huge = garbage(300_000);
  await publish(env.kafka, env.config.topics.input, [...good.slice(0, 20), ...refused.slice(0, 200), huge, ...refused.slice(200), ...good.slice(20)]);

  await waitFor('the good events to be scored', () => countRows(env.pool, env.id), (n) => n >= good.length);
  const letters = await readTopic(env.kafka, env.config.topics.deadLetter, refused.length + 1, 60_000);
  assert.equal(letters.length, refused.length + 1, 'every refused record is dead-lettered exactly once');

  const byValue = new Map(refused.map((r) => [sha256(r), r]));
  let truncated = 0;
  for (const letter of letters) {
    assert.ok(recordBytes(letter) <= maxSend);
    if (letter.headers![DeadLetterHeader.truncated] !== undefined) {
      truncated++;
      assert.equal(letter.headers![DeadLetterHeader.truncated]!.toString(), 'true');
      assert.equal(letter.headers![DeadLetterHeader.originalSize]!.toString(), String(huge.length));
      assert.equal(letter.headers![DeadLetterHeader.originalSha256]!.toString(), sha256(huge));
      assert.ok(letter.value!.length > maxSend * 0.9, `the truncated value keeps ${letter.value!.length} bytes`);
      assert.ok(huge.subarray(0, letter.value!.length).equals(letter.value!), 'the truncated value is the start of the original');
      continue;
    }
    assert.ok(byValue.delete(sha256(letter.value!)), 'each letter is one of the refused records, once');
  }
  assert.equal(truncated, 1);
  assert.equal(byValue.size, 0);

  // The consumer is still going.
  const later = await corpusEvents(10, { runId, start: 40 });
  await publish(env.kafka, env.config.topics.input, later);
  await waitFor('later events to be scored', () => countRows(env.pool, env.id), (n) => n >= good.length + later.length);
});

async function alertEverything(pipeline: Pipeline, tenantId: string): Promise<void> {
  const every = Object.values(Verdict);
  await pipeline.policies.put({ tenantId, suspiciousAt: 50, spamAt: 80, alertVerdicts: every, allowSenders: [], blockSenders: [] });
  await waitFor('the policy to be in effect', async () => (await pipeline.policies.forTenants([tenantId])).get(tenantId)!.alertVerdicts.length, (n) => n === every.length, 5_000);
}

function alertIds(messages: Awaited<ReturnType<typeof readTopic>>): string[] {
  return messages.map((m) => {
    const alert = AlertCodec.decode(m.value!);
    assert.equal(m.headers![ALERT_ID_HEADER]!.toString(), alert.alertId);
    return alert.alertId;
  });
}

test('a chunk of alerts larger than the alert topic takes in one batch arrives whole, each alert once', async (t) => {
  const { env, pipeline } = await start(t, 50_000, { KAFKA_MAX_REQUEST_BYTES: '40000' });
  await alertEverything(pipeline, 'tenant-0');
  const events = await corpusEvents(300, { runId: randomUUID().slice(0, 8), tenants: 1 });
  await publish(env.kafka, env.config.topics.input, events);

  await waitFor('every event to be scored', () => countRows(env.pool, env.id), (n) => n >= events.length);
  const alerts = await readTopic(env.kafka, env.config.topics.alerts, events.length, 60_000);
  const ids = alertIds(alerts);
  assert.equal(ids.length, events.length);
  assert.equal(new Set(ids).size, events.length);
  const bytes = alerts.reduce((sum, m) => sum + recordBytes(m), 0);
  assert.ok(bytes > 2 * 50_000, `the alerts (${bytes} bytes) are more than one batch may carry`);
});

test('a dead-letter topic that is gone for a while delays the chunk but does not publish its alerts again', async (t) => {
  const { env, pipeline } = await start(t, 1_000_000, {});
  await alertEverything(pipeline, 'tenant-0');
  const admin = env.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const dlq = env.config.topics.deadLetter;
  await admin.deleteTopics({ topics: [dlq] });
  await waitFor('the dead-letter topic to be gone', async () => (await admin.listTopics()).includes(dlq), (exists) => !exists, 30_000);

  const events = await corpusEvents(30, { runId: randomUUID().slice(0, 8), tenants: 1 });
  const refused = Array.from({ length: 5 }, () => garbage(100));
  await publish(env.kafka, env.config.topics.input, [...events.slice(0, 15), ...refused, ...events.slice(15)]);
  await waitFor('the events to be scored', () => countRows(env.pool, env.id), (n) => n >= events.length);
  // kafkajs gives up on a send after about 8 s of its own retries: long enough for a failed chunk
  // to have been delivered again, and its alerts published again, without the fix.
  await sleep(20_000);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: dlq, numPartitions: 1, replicationFactor: 1 }] });

  const letters = await readTopic(env.kafka, dlq, refused.length, 60_000);
  assert.equal(letters.length, refused.length);
  const alerts = alertIds(await readTopic(env.kafka, env.config.topics.alerts, events.length, 30_000));
  assert.equal(new Set(alerts).size, events.length, 'every email has its alert');
  assert.equal(alerts.length, events.length, 'and no alert was published twice');
  assert.equal(pipeline.isReady(), true);
});
