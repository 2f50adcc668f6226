// requires-services: Kafka (and what `mailscore start` connects to).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Kafka } from 'kafkajs';
import { createTestEnvironment } from './testing.ts';
import { publishLimits, sendLimitProblems } from './topics.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

async function setMaxMessageBytes(kafka: Kafka, topic: string, bytes: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] }],
    });
  } finally {
    await admin.disconnect();
  }
}

test('KAFKA_MAX_REQUEST_BYTES above a publish topic\'s max.message.bytes is named with its fix, and `mailscore start` refuses to run', async (t) => {
  const env = await createTestEnvironment({ KAFKA_MAX_REQUEST_BYTES: '500000' });
  t.after(() => env.cleanup());
  await setMaxMessageBytes(env.kafka, env.config.topics.deadLetter, 200_000);

  const limits = await publishLimits(env.kafka, env.config);
  assert.equal(limits.get(env.config.topics.deadLetter), 200_000);
  // No setting of its own: the broker's default, which the default KAFKA_MAX_REQUEST_BYTES is under.
  assert.ok(limits.get(env.config.topics.alerts)! >= 1_000_000);
  assert.deepEqual(sendLimitProblems(150_000, limits), []);
  const problems = sendLimitProblems(env.config.kafka.maxSendBytes, limits);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, new RegExp(`max.message.bytes \\(200000\\) of topic ${env.config.topics.deadLetter.replace(/\./g, '\\.')}: set KAFKA_MAX_REQUEST_BYTES to at most 200000`));

  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'start'], {
    env: { ...env.env, LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const [code] = await once(child, 'exit') as [number | null];
  assert.equal(code, 1);
  assert.match(output, /TOPIC_LIMIT_TOO_SMALL|set KAFKA_MAX_REQUEST_BYTES to at most 200000/);
});
