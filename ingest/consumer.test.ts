// requires-services: Kafka. The consumer's group and commit metrics against a real broker: what
// it holds through rebalances, where its commits are, and a commit that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createIngest, createIngestMetrics, PoisonPolicy, type IngestOptions } from './index.ts';
import { EmailEventCodec, type BatchHandler } from '../schemas/contracts.ts';

const PARTITIONS = 3;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const kafka = new kafkajs.Kafka({
  clientId: 'ingest-test',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: process.env.TEST_KAFKA_LOG ? kafkajs.logLevel.INFO : kafkajs.logLevel.NOTHING,
});

/** A fresh topic and group, removed after the test. */
async function freshTopic(t: { after: (fn: () => Promise<void>) => void }) {
  const id = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const topic = `${id}.events`;
  const groupId = `${id}-group`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });
  return { topic, groupId };
}

/** `perPartition` valid events on each partition, with the Kafka timestamps `timestamp(partition, i)`. */
async function produce(topic: string, perPartition: number, timestamp: (partition: number, i: number) => number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = Array.from({ length: PARTITIONS * perPartition }, (_, n) => {
    const partition = n % PARTITIONS;
    const i = Math.floor(n / PARTITIONS);
    const event = { tenantId: 'acme', messageId: `<${partition}-${i}@x>`, receivedAtMs: Date.now(), subject: 'hello' };
    return { partition, timestamp: String(timestamp(partition, i)), value: Buffer.from(EmailEventCodec.encode(event).finish()) };
  });
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

function member(topic: string, groupId: string, overrides: Partial<IngestOptions> = {}) {
  const registry = new Registry();
  const ingest = createIngest({
    kafka, topic, groupId, deadLetterTopic: `${topic}.dlq`, poisonPolicy: PoisonPolicy.skip,
    maxBatchEvents: 100, partitionsConsumedConcurrently: PARTITIONS, maxBytesPerPartition: 1 << 20, maxWaitTimeMs: 50,
    sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, fromBeginning: true, maxSendBytes: 1_000_000,
    logger, metrics: createIngestMetrics(registry), ...overrides,
  });
  /** The series of `name` whose labels include `labels`; undefined when it has none. */
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values
      .find((v) => Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l))?.value;
  const series = async (name: string) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? [];
  return { ingest, value, series };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

test('assigned partitions and rebalances follow the group; each partition reports the timestamp of its last committed record', async (t) => {
  const { topic, groupId } = await freshTopic(t);
  const base = Date.now() - 3_600_000;
  const timestamp = (partition: number, i: number) => base + partition * 60_000 + i * 1000;
  await produce(topic, 5, timestamp);
  let handled = 0;
  const handler: BatchHandler = async (emails) => {
    handled += emails.length;
    return { rejected: [] };
  };

  const a = member(topic, groupId);
  t.after(() => a.ingest.stop());
  const assignedTo = (m: typeof a) => m.value('mailscore_ingest_assigned_partitions', { topic }).then(Number);
  assert.equal(await assignedTo(a), 0, 'present, and 0, before the first join');
  await a.ingest.start(handler);
  await until('every record to be committed', async () => (await a.series('mailscore_ingest_last_committed_record_timestamp_seconds')).length === PARTITIONS);
  assert.equal(handled, 5 * PARTITIONS);
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const seconds = await a.value('mailscore_ingest_last_committed_record_timestamp_seconds', { topic, partition: String(partition) });
    assert.equal(seconds, timestamp(partition, 4) / 1000, `partition ${partition}: the timestamp of its last record`);
  }
  assert.equal(await assignedTo(a), PARTITIONS, 'alone in the group, it holds every partition');
  const firstJoins = Number(await a.value('mailscore_ingest_rebalances_total'));
  assert.ok(firstJoins >= 1);
  assert.equal(await a.value('mailscore_ingest_commit_failures_total'), 0);

  // A second member: the partitions are shared between the two, and a rebalanced.
  const b = member(topic, groupId);
  t.after(() => b.ingest.stop());
  await b.ingest.start(handler);
  await until('the partitions to be shared', async () => {
    const [held, others] = [await assignedTo(a), await assignedTo(b)];
    return held > 0 && others > 0 && held + others === PARTITIONS;
  });
  assert.ok(Number(await a.value('mailscore_ingest_rebalances_total')) > firstJoins, 'the rebalance was counted');
  const kept = (await a.series('mailscore_ingest_last_committed_record_timestamp_seconds')).map((v) => Number(v.labels.partition));
  assert.equal(kept.length, await assignedTo(a), 'a reports only the partitions it still holds');

  // b leaves: it holds nothing, and a takes every partition back.
  await b.ingest.stop();
  assert.equal(await assignedTo(b), 0);
  await until('a to hold every partition again', async () => (await assignedTo(a)) === PARTITIONS);
  await a.ingest.stop();
  assert.equal(await assignedTo(a), 0, 'a stopped consumer holds nothing');
});

test('a commit that fails (the member lost its session while the process stalled) is counted, and the chunk comes again', async (t) => {
  const { topic, groupId } = await freshTopic(t);
  await produce(topic, 1, () => Date.now());
  let calls = 0;
  const handler: BatchHandler = async () => {
    // The first chunk stalls the whole thread past the session timeout, as a long GC pause or a
    // starved CPU would: no heartbeat goes out, the broker drops the member, the commit is refused.
    if (calls++ === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 9_000);
    return { rejected: [] };
  };
  const m = member(topic, groupId, { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, partitionsConsumedConcurrently: 1, maxBatchEvents: 1 });
  t.after(() => m.ingest.stop());
  await m.ingest.start(handler);
  await until('the commit to fail', async () => Number(await m.value('mailscore_ingest_commit_failures_total')) >= 1, 60_000);
  // The consumer goes on: the refused chunk is delivered again and then committed.
  await until('every record committed after all', async () => (await m.series('mailscore_ingest_last_committed_record_timestamp_seconds')).length === PARTITIONS, 60_000);
  assert.ok(calls > PARTITIONS, `the uncommitted chunk came again (${calls} handler calls)`);
  assert.equal(m.ingest.isAlive(), true);
});
