// requires-services: batches written by librdkafka (kcat), as a non-JavaScript MTA would, with
// every compression codec Kafka has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { countRows, startTestPipeline, waitFor } from './testing.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';

const run = promisify(execFile);
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const PER_CODEC = 25;

test('batches compressed with gzip, snappy, lz4 and zstd by librdkafka are all consumed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailscore-kcat-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { env } = await startTestPipeline(t);

  const runId = randomUUID().slice(0, 8);
  for (const codec of CODECS) {
    // kcat sends each file as one message; linger lets them form real compressed batches.
    const files: string[] = [];
    for (let i = 0; i < PER_CODEC; i++) {
      const path = join(dir, `${codec}-${i}.pb`);
      const body = `Dear customer, message ${i} compressed with ${codec}. `.repeat(20);
      await writeFile(path, EmailEventCodec.encode({
        tenantId: 'kcat', messageId: `<${runId}.${codec}.${i}@kcat>`, receivedAtMs: Date.now(), subject: `${codec} ${i}`, textBody: body,
      }).finish());
      files.push(path);
    }
    await run('kcat', ['-P', '-b', env.config.kafka.brokers.join(','), '-t', env.config.topics.input, '-z', codec, '-X', 'linger.ms=200', ...files]);
  }
  const expected = CODECS.length * PER_CODEC;
  await waitFor('every compressed event', () => countRows(env.pool, env.id), (n) => n >= expected);
  const { rows } = await env.pool.query<{ message_id: string }>(`SELECT message_id FROM ${env.id}.email_scores`);
  for (const codec of CODECS) {
    assert.equal(rows.filter((r) => r.message_id.includes(`.${codec}.`)).length, PER_CODEC, `${codec} events scored`);
  }
  assert.equal(rows.length, expected);
});

test('a gzip bomb stops the consumer for good, without retrying it or running out of memory', async (t) => {
  // 1 MiB decompressed at most per batch; the bomb is one 64 MiB record of zeros, 64 KiB gzipped.
  const { env, pipeline } = await startTestPipeline(t, { INGEST_MAX_DECOMPRESSED_BYTES: String(1024 * 1024), TOPIC_PARTITIONS: '1' });
  const producer = env.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  t.after(() => producer.disconnect());
  const runId = randomUUID().slice(0, 8);
  const messages = Array.from({ length: 5 }, (_, i) => ({
    value: Buffer.from(EmailEventCodec.encode({ tenantId: 'gz', messageId: `<${runId}.${i}@gz>`, receivedAtMs: Date.now(), subject: `ordinary ${i}` }).finish()),
  }));
  await producer.send({ topic: env.config.topics.input, compression: kafkajs.CompressionTypes.GZIP, messages });
  await waitFor('the ordinary batch', () => countRows(env.pool, env.id), (n) => n >= 5);
  assert.equal(pipeline.isReady(), true);

  const rssBefore = process.memoryUsage().rss;
  await producer.send({ topic: env.config.topics.input, compression: kafkajs.CompressionTypes.GZIP, messages: [{ value: Buffer.alloc(64 * 1024 * 1024) }] });
  // kafkajs gets a non-retriable error from the codec: it stops the consumer (CRASH, restart:
  // false) at once instead of refetching the batch; without the limit the batch decompressed
  // and its record went to the dead-letter topic.
  await waitFor('the consumer to stop', async () => pipeline.isReady(), (ready) => !ready, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  assert.equal(pipeline.isReady(), false, 'not restarted');
  assert.equal(await countRows(env.pool, env.id), 5);
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(grown < 256 * 1024 * 1024, `rss grew ${(grown / 1048576).toFixed(0)} MiB`);
});
