// requires-services: the broker, for the paced producer.
// The paced producer's pre-encoded events get their received time by seven bytes written at send
// time; the pipeline's decoder must read exactly that time and the rest of the event unchanged.
// The producer itself (Kafka's Java client fed framed events) must deliver each one, keyed and
// stamped, to the real broker. Also the bench's PostgreSQL CPU accounting across backends that
// come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeLimitedEvent } from '../schemas/limits.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { loadConfig } from '../app/config.ts';
import { createKafka } from '../app/pipeline.ts';
import { corpusSources, eventTemplates } from '../app/produce.ts';
import { quietLogger, readTopic } from '../app/testing.ts';
import { benchEvent, encodePaced, postgresCpuBetween, stampReceivedAt, startPacedProducer, withReceivedAtSlot } from './scenarios.ts';

test('a stamped pre-encoded event decodes with the stamped time, whatever was encoded before', () => {
  const event = { tenantId: 't1', messageId: '<m1@x>', subject: 'hello', textBody: 'body', rawMessage: Buffer.from('Subject: hi\r\n\r\nbody') };
  const value = withReceivedAtSlot(EmailEventCodec.encode(event).finish());
  for (const ms of [2 ** 35, Date.UTC(2026, 10, 27, 19, 30), 2 ** 42 - 1]) {
    stampReceivedAt(value, ms);
    const decoded = decodeLimitedEvent(value).event;
    assert.equal(Number(decoded.receivedAtMs), ms);
    assert.equal(decoded.subject, 'hello');
    assert.equal(decoded.messageId, '<m1@x>');
    assert.equal(Buffer.from(decoded.rawMessage!).toString(), 'Subject: hi\r\n\r\nbody');
  }
});

test('a time outside six varint bytes is refused rather than written wrong', () => {
  const value = withReceivedAtSlot(EmailEventCodec.encode({ tenantId: 't' }).finish());
  assert.throws(() => stampReceivedAt(value, 2 ** 42), RangeError);
  assert.throws(() => stampReceivedAt(value, 1000), RangeError);
});

test('the paced producer delivers every framed event once, with its key, its content and the time it was handed over', async () => {
  const config = loadConfig(process.env);
  const kafka = createKafka(config, quietLogger);
  const admin = kafka.admin();
  await admin.connect();
  const topic = `paced-${randomUUID()}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] });
  try {
    const sources = (await corpusSources()).slice(0, 40);
    const corpus = { sources, templates: await eventTemplates(sources) };
    const paced = encodePaced(corpus, 'paced-test', 120);
    const producer = await startPacedProducer(config, topic);
    const before = Date.now();
    try {
      const sent = await producer.produce(paced, 400);
      assert.equal(sent.count, 120);
      assert.ok(sent.producerUsPerEvent > 0, "the producer's CPU is counted");
    } finally {
      await producer.close();
    }
    const after = Date.now();
    const messages = await readTopic(kafka, topic, 120);
    assert.equal(messages.length, 120);
    const byId = new Map(messages.map((m) => {
      const event = decodeLimitedEvent(m.value!).event;
      return [event.messageId, { key: m.key!.toString(), event }] as const;
    }));
    assert.equal(byId.size, 120, 'no event twice');
    for (let n = 0; n < 120; n++) {
      const expected = benchEvent(corpus, 'paced-test', n, 0);
      const got = byId.get(expected.messageId!);
      assert.ok(got !== undefined, `event ${n} arrived`);
      assert.equal(got.key, `tenant-${n % 50}`);
      assert.equal(got.event.tenantId, expected.tenantId);
      assert.equal(got.event.subject, expected.subject);
      const at = Number(got.event.receivedAtMs);
      assert.ok(at >= before && at <= after, `received at ${at}, handed over between ${before} and ${after}`);
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

test("PostgreSQL's CPU between two readings counts new backends from zero and never goes negative when one exits", () => {
  const before = { pipeline: 0, broker: 0, postgres: new Map([[10, 5], [11, 40]]) };
  // 11 exited (its 40 s are gone from /proc), 12 started, 10 used 2 s more.
  const after = { pipeline: 0, broker: 0, postgres: new Map([[10, 7], [12, 3]]) };
  assert.equal(postgresCpuBetween(before, after), 5);
});
