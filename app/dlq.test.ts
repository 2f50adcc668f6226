// requires-services: real Kafka, PostgreSQL and Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { corpusEvents, countRows, createTestEnvironment, publish, startTestPipeline, waitFor } from './testing.ts';
import { ensureTopics } from './topics.ts';
import { formatLine, formatShow, markerTopic, parseLetter, readDeadLetters, redrive, RedriveOutcome, safeText, preview, type RedriveOptions } from './dlq.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { DeadLetterHeader, encodeFrame } from '../ingest/index.ts';

async function endOffsets(kafka: Kafka, topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 'absent';
    return (await admin.fetchTopicOffsets(topic)).map((p) => `${p.partition}:${p.high}`).sort().join(',');
  } finally {
    await admin.disconnect();
  }
}

async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

const text = (message: { headers?: KafkaMessage['headers'] }, name: string) => message.headers?.[name]?.toString();

test('pure parts: hostile text is escaped and bounded, bytes are previewed as text or hex', () => {
  assert.equal(safeText('\u001b[31mred\u202e', 100), '\\u001b[31mred\\u202e');
  assert.equal(safeText('abcdef', 3), 'abc… (3 more characters)');
  assert.equal(preview(Buffer.from('plain text'), 100), '"plain text"');
  assert.equal(preview(Buffer.from([0xff, 0x00, 0x12]), 100), 'hex ff0012');
  assert.equal(preview(Buffer.alloc(1000, 'a'), 4), '"aaaa" … (996 more bytes)');
  assert.equal(preview(null, 4), '(null)');
  // A letter without the dlq.* headers (written by someone else) still reads.
  const letter = parseLetter(2, { key: null, value: Buffer.from('x'), headers: {}, offset: '7', timestamp: '0', attributes: 0 } as KafkaMessage);
  assert.equal(letter.code, '?');
  assert.equal(letter.attempts, 1);
  assert.match(formatLine(letter), /^2@7 {2}1970-01-01T00:00:00.000Z {2}\? {2}\?/);
  // Hostile headers: a thousand copies of one name, a huge value, a terminal escape in a name.
  const hostile = parseLetter(0, {
    key: Buffer.alloc(100_000, 'k'), value: Buffer.alloc(100_000, 0xff), offset: '1', timestamp: '0', attributes: 0,
    headers: { 'evil\u001b[2J': 'y\u009b', big: Buffer.alloc(1_000_000, 'b'), many: Array.from({ length: 1000 }, () => Buffer.from('x')) },
  } as KafkaMessage);
  const shown = formatShow('dlq', hostile);
  assert.ok(shown.length < 5_000, `show prints ${shown.length} characters`);
  assert.match(shown, /headers {3}1002 original/);
  assert.match(shown, /… 982 more headers/);
  assert.ok(!/[\u001b\u009b]/.test(shown), 'no raw escape');
  assert.match(shown, /evil\\u001b\[2J: "y\\u009b"/);

  // A Confluent-framed letter (refused as WRONG_SCHEMA, say) is shown by its payload.
  const event = EmailEventCodec.encode({ tenantId: 'acme', messageId: '<framed@x>', subject: 'framed' }).finish();
  const framed = parseLetter(0, { key: null, value: Buffer.from(encodeFrame(7, [0], event)), headers: {}, offset: '3', timestamp: '0', attributes: 0 } as KafkaMessage);
  const framedShown = formatShow('dlq', framed);
  assert.match(framedShown, /frame {5}Confluent wire format, schema id 7, message indexes \[0\]/);
  assert.match(framedShown, /"messageId": "<framed@x>"/);
});

test('the dead-letter topic has as many partitions as the input topic, and an older one-partition topic is grown', async (t) => {
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '3' });
  t.after(() => env.cleanup());
  assert.equal(await partitionCount(env.kafka, env.config.topics.deadLetter), 3);

  // An input topic made elsewhere with 5 partitions wins over TOPIC_PARTITIONS; a dead-letter topic of 1 is grown.
  const input = `${env.id}.other`;
  const deadLetter = `${env.id}.other.dlq`;
  t.after(() => deleteTopics(env.kafka, [input, deadLetter]));
  const admin = env.kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: input, numPartitions: 5 }, { topic: deadLetter, numPartitions: 1 }] });
  await admin.disconnect();
  const changed = await ensureTopics(env.kafka, { ...env.config, topics: { ...env.config.topics, input, deadLetter } });
  assert.deepEqual(changed, [`${deadLetter} (grown from 1 to 5 partitions)`]);
  assert.equal(await partitionCount(env.kafka, deadLetter), 5);
});

test('list and show filter real letters by code, stage, source partition and time, and print hostile ones escaped', async (t) => {
  const { env } = await startTestPipeline(t);
  const before = Date.now();
  const runId = randomUUID().slice(0, 8);
  const good = await corpusEvents(4, { runId });
  const noTenant = { messageId: `<no-tenant-${runId}@x>`, receivedAtMs: Date.now(), subject: 'hello' };
  await publish(env.kafka, env.config.topics.input, [
    ...good,
    Buffer.from('\u001b[2J\u001b[31mnot protobuf, and it clears your screen'),
    Buffer.from(EmailEventCodec.encode(noTenant).finish()),
    Buffer.from(EmailEventCodec.encode({ tenantId: 't', messageId: '<seconds@x>', receivedAtMs: 1_764_000_000, subject: 'x' }).finish()),
  ]);
  const topic = env.config.topics.deadLetter;
  const all = await waitFor('three letters', () => readDeadLetters(env.kafka, topic, { filter: {}, limit: 100 }), (r) => r.letters.length >= 3);
  assert.equal(all.letters.length, 3);
  for (const letter of all.letters) {
    assert.equal(letter.stage, 'ingest');
    assert.equal(letter.attempts, 1);
    assert.equal(letter.sourceTopic, env.config.topics.input);
  }
  const codes = async (filter: Parameters<typeof readDeadLetters>[2]['filter'], limit = 100) =>
    (await readDeadLetters(env.kafka, topic, { filter, limit })).letters.map((l) => l.code).sort();
  assert.deepEqual(await codes({ codes: ['NOT_PROTOBUF'] }), ['NOT_PROTOBUF']);
  assert.deepEqual(await codes({ codes: ['MISSING_FIELD', 'INVALID_FIELD'] }), ['INVALID_FIELD', 'MISSING_FIELD']);
  assert.deepEqual(await codes({ stages: ['ingest'] }), ['INVALID_FIELD', 'MISSING_FIELD', 'NOT_PROTOBUF']);
  assert.deepEqual(await codes({ stages: ['sink', 'scorer'] }), []);
  const notProtobuf = all.letters.find((l) => l.code === 'NOT_PROTOBUF')!;
  const samePartition = all.letters.filter((l) => l.sourcePartition === notProtobuf.sourcePartition).length;
  assert.equal((await codes({ sourcePartitions: [notProtobuf.sourcePartition!] })).length, samePartition);
  assert.deepEqual(await codes({ sinceMs: Date.now() + 60_000 }), []);
  assert.deepEqual(await codes({ untilMs: before - 60_000 }), []);
  assert.equal((await codes({ sinceMs: before - 60_000, untilMs: Date.now() + 60_000 })).length, 3);
  const limited = await readDeadLetters(env.kafka, topic, { filter: {}, limit: 1 });
  assert.equal(limited.letters.length, 1);
  assert.equal(limited.limited, true);
  const one = await readDeadLetters(env.kafka, topic, { filter: {}, limit: 10, at: { partition: notProtobuf.partition, offset: notProtobuf.offset } });
  assert.deepEqual(one.letters.map((l) => l.code), ['NOT_PROTOBUF']);

  // show: the terminal escape is printed as text; the valid-protobuf letter is dumped as an event.
  const shownGarbage = formatShow(topic, notProtobuf);
  assert.ok(!shownGarbage.includes('\u001b'));
  assert.match(shownGarbage, /preview {3}"\\u001b\[2J\\u001b\[31mnot protobuf/);
  assert.match(shownGarbage, /decodes {3}no: NOT_PROTOBUF/);
  const missing = formatShow(topic, all.letters.find((l) => l.code === 'MISSING_FIELD')!);
  assert.match(missing, /reason {4}tenant_id is empty/);
  assert.match(missing, /decodes {3}no: MISSING_FIELD: tenant_id is empty/);
  assert.match(missing, new RegExp(`"messageId": "<no-tenant-${runId}@x>"`), 'protobuf that fails validation is still dumped');
  assert.match(formatLine(notProtobuf), new RegExp(`NOT_PROTOBUF {2}ingest {2}${env.config.topics.input.replace(/\./g, '\\.')}/\\d+@\\d+ {2}attempts=1`));
});

test('redrive: a fixed letter lands once, a failing one comes back with attempts counted until the maximum, a dry run sends nothing', async (t) => {
  const { env } = await startTestPipeline(t);
  const topic = env.config.topics.deadLetter;
  const input = env.config.topics.input;
  t.after(() => deleteTopics(env.kafka, [markerTopic(topic)]));
  const runId = randomUUID().slice(0, 8);

  // A letter whose cause is gone: a valid event refused by a sink that has since been fixed,
  // written by hand as the pipeline would have (with an original header to carry back).
  const [event] = await corpusEvents(1, { runId });
  const valid = Buffer.from(EmailEventCodec.encode(event!).finish());
  await publishLetter(env.kafka, topic, {
    key: Buffer.from(event!.tenantId!), value: valid,
    headers: {
      trace: 'abc-123',
      [DeadLetterHeader.sourceTopic]: input, [DeadLetterHeader.sourcePartition]: '1', [DeadLetterHeader.sourceOffset]: '42',
      [DeadLetterHeader.errorCode]: 'SINK_ROW_REFUSED', [DeadLetterHeader.errorReason]: 'fixed since', [DeadLetterHeader.stage]: 'sink',
      [DeadLetterHeader.attempts]: '1', [DeadLetterHeader.failedAt]: new Date().toISOString(),
    },
  });
  // A letter whose cause is not fixable: refused by the pipeline itself.
  await publish(env.kafka, input, [Buffer.from(`still not protobuf ${runId}`)]);
  await waitFor('two letters', () => readDeadLetters(env.kafka, topic, { filter: {}, limit: 10 }), (r) => r.letters.length === 2);

  const options: RedriveOptions = { deadLetterTopic: topic, inputTopic: input, filter: {}, limit: 100, maxAttempts: 3, dryRun: false, maxSendBytes: env.config.kafka.maxSendBytes };

  // --dry-run: reports both, sends nothing, records nothing.
  const inputBefore = await endOffsets(env.kafka, input);
  const dry = await redrive(env.kafka, { ...options, dryRun: true });
  assert.deepEqual(dry.letters.map((l) => l.outcome), [RedriveOutcome.wouldSend, RedriveOutcome.wouldSend]);
  assert.equal(await endOffsets(env.kafka, input), inputBefore);
  assert.equal(await endOffsets(env.kafka, markerTopic(topic)), 'absent');

  // First redrive: both go back; the valid one is scored once, the other comes back with attempts 2.
  const first = await redrive(env.kafka, options);
  assert.deepEqual(first.letters.map((l) => l.outcome), [RedriveOutcome.sent, RedriveOutcome.sent]);
  await waitFor('the redriven event to be scored', () => countRows(env.pool, env.id), (n) => n >= 1);
  const again = await waitFor('the failing letter to come back', () => readDeadLetters(env.kafka, topic, { filter: {}, limit: 10 }), (r) => r.letters.length === 3);
  const second = again.letters.find((l) => l.attempts === 2)!;
  assert.equal(second.code, 'NOT_PROTOBUF');
  const original = again.letters.find((l) => l.code === 'NOT_PROTOBUF' && l.attempts === 1)!;
  assert.equal(second.redrivenFrom, `${topic}/${original.partition}@${original.offset}`);
  assert.equal(second.value!.toString(), `still not protobuf ${runId}`);

  // The valid letter went back with its original key and header, to its source partition.
  const { rows } = await env.pool.query<{ message_id: string; source_partition: number }>(`SELECT message_id FROM ${env.id}.email_scores`);
  assert.deepEqual(rows.map((r) => r.message_id), [event!.messageId]);

  // Second redrive over the same range: the two already redriven are skipped; only the new letter (attempts 2) goes.
  const rerun = await redrive(env.kafka, options);
  assert.equal(rerun.alreadyRedriven, 2);
  assert.deepEqual(rerun.letters.map((l) => [l.letter.attempts, l.outcome]), [[2, RedriveOutcome.sent]]);
  const third = await waitFor('attempts 3', () => readDeadLetters(env.kafka, topic, { filter: {}, limit: 10 }), (r) => r.letters.some((l) => l.attempts === 3));
  assert.equal(third.letters.length, 4);

  // The letter at attempts 3 is refused at --max-attempts 3, and nothing is sent.
  const inputBeforeRefusal = await endOffsets(env.kafka, input);
  const refused = await redrive(env.kafka, options);
  assert.equal(refused.alreadyRedriven, 3);
  assert.deepEqual(refused.letters.map((l) => [l.letter.attempts, l.outcome]), [[3, RedriveOutcome.maxAttempts]]);
  assert.equal(await endOffsets(env.kafka, input), inputBeforeRefusal);

  // And the redriven event is still one row.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await countRows(env.pool, env.id), 1);
});

test('a row the sink refused is redriven after its cause is fixed and lands once; a second redrive sends nothing', async (t) => {
  const { env } = await startTestPipeline(t);
  const topic = env.config.topics.deadLetter;
  t.after(() => deleteTopics(env.kafka, [markerTopic(topic)]));
  const runId = randomUUID().slice(0, 8);
  // The cause: a CHECK that refuses one message id (SQLSTATE 23514, a row failure: dead-lettered by the sink stage).
  await env.pool.query(`ALTER TABLE ${env.id}.email_scores ADD CONSTRAINT refuse_one CHECK (message_id NOT LIKE '%refuse-${runId}%')`);
  const events = await corpusEvents(5, { runId });
  events[2]!.messageId = `<refuse-${runId}@x>`;
  await publish(env.kafka, env.config.topics.input, events);
  const letters = await waitFor('the refused row as a letter', () => readDeadLetters(env.kafka, topic, { filter: {}, limit: 10 }), (r) => r.letters.length >= 1);
  assert.deepEqual(letters.letters.map((l) => [l.stage, l.code, l.attempts]), [['sink', 'PG_23514', 1]]);
  assert.equal(await countRows(env.pool, env.id), 4);

  await env.pool.query(`ALTER TABLE ${env.id}.email_scores DROP CONSTRAINT refuse_one`);
  const options: RedriveOptions = {
    deadLetterTopic: topic, inputTopic: env.config.topics.input, filter: { stages: ['sink'], codes: ['PG_23514'] }, limit: 100,
    maxAttempts: 3, dryRun: false, maxSendBytes: env.config.kafka.maxSendBytes,
  };
  assert.deepEqual((await redrive(env.kafka, options)).letters.map((l) => l.outcome), [RedriveOutcome.sent]);
  await waitFor('the redriven row', () => countRows(env.pool, env.id), (n) => n >= 5);
  const again = await redrive(env.kafka, options);
  assert.deepEqual([again.letters.length, again.alreadyRedriven], [0, 1]);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await env.pool.query<{ message_id: string }>(`SELECT message_id FROM ${env.id}.email_scores`);
  assert.deepEqual(rows.map((r) => r.message_id).sort(), events.map((e) => e.messageId).sort(), 'every event once');
  // Nothing came back: the letter stays the only one.
  assert.equal((await readDeadLetters(env.kafka, topic, { filter: {}, limit: 10 })).letters.length, 1);
});

test('redrive sends the original key, value and headers back with the attempts, to the source partition; a truncated letter is refused', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const topic = env.config.topics.deadLetter;
  const input = env.config.topics.input;
  t.after(() => deleteTopics(env.kafka, [markerTopic(topic)]));
  const refusal = (offset: string, extra: Record<string, string> = {}) => ({
    [DeadLetterHeader.sourceTopic]: input, [DeadLetterHeader.sourcePartition]: '2', [DeadLetterHeader.sourceOffset]: offset,
    [DeadLetterHeader.errorCode]: 'X', [DeadLetterHeader.errorReason]: 'r', [DeadLetterHeader.stage]: 'scorer',
    [DeadLetterHeader.attempts]: '2', [DeadLetterHeader.failedAt]: new Date().toISOString(), ...extra,
  });
  await publishLetter(env.kafka, topic, { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { trace: 'abc', ...refusal('5') } });
  await publishLetter(env.kafka, topic, { key: null, value: Buffer.from('cut'), headers: refusal('6', { [DeadLetterHeader.truncated]: 'true' }) });

  const report = await redrive(env.kafka, { deadLetterTopic: topic, inputTopic: input, filter: { stages: ['scorer'] }, limit: 10, maxAttempts: 3, dryRun: false, maxSendBytes: env.config.kafka.maxSendBytes });
  assert.deepEqual(report.letters.map((l) => l.outcome).sort(), [RedriveOutcome.truncated, RedriveOutcome.sent].sort());

  const consumer = env.kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const got: Array<{ partition: number; message: KafkaMessage }> = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, message }) });
  await waitFor('the redriven record', async () => got.length, (n) => n >= 1, 30_000).finally(() => consumer.disconnect());
  assert.equal(got.length, 1);
  const [{ partition, message }] = got as [typeof got[0]];
  assert.equal(partition, 2);
  assert.equal(message.key!.toString(), 'k1');
  assert.equal(message.value!.toString(), 'v1');
  assert.equal(text(message, 'trace'), 'abc');
  assert.equal(text(message, DeadLetterHeader.attempts), '2');
  assert.match(text(message, DeadLetterHeader.redrivenFrom)!, new RegExp(`^${topic.replace(/\./g, '\\.')}/\\d+@\\d+$`));
  // No other dlq.* header goes back.
  assert.deepEqual(Object.keys(message.headers!).filter((h) => h.startsWith('dlq.')).sort(), [DeadLetterHeader.attempts, DeadLetterHeader.redrivenFrom].sort());
});

async function publishLetter(kafka: Kafka, topic: string, letter: { key: Buffer | null; value: Buffer; headers: Record<string, string | Buffer> }): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [letter] });
  } finally {
    await producer.disconnect();
  }
}
