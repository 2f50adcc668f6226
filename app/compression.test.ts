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
