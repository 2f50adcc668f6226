// Helpers for tests that talk to the real Kafka, PostgreSQL and Redis: every test gets its own
// topics, consumer group, PostgreSQL schema and Redis key prefix, and removes them afterwards.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Kafka, type KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { createKafka, createPipeline, type Pipeline } from './pipeline.ts';
import { Registry } from 'prom-client';
import { ensureTopics } from './topics.ts';
import { corpusSources, eventTemplates, instantiate, type EventTemplate, type MailSource } from './produce.ts';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../schemas/kafka_batches.ts';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface TestEnvironment {
  readonly id: string;
  readonly env: Record<string, string>;
  readonly config: Config;
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  cleanup(): Promise<void>;
}

/** Fresh names for everything, the rest of the configuration as the defaults have it. */
export async function createTestEnvironment(overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const id = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    INPUT_TOPIC: `${id}.events`,
    ALERT_TOPIC: `${id}.alerts`,
    DLQ_TOPIC: `${id}.events.dlq`,
    CONSUMER_GROUP: `${id}-group`,
    PG_SCHEMA: id,
    REDIS_KEY_PREFIX: `${id}:`,
    POLICY_CHANNEL: `${id}:policy`,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    ...overrides,
  };
  const config = loadConfig(env);
  const kafka = createKafka(config, quietLogger);
  await ensureTopics(kafka, config);
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 2 });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${id}`);
  const redis = new Redis(config.redis.url);
  return {
    id, env, config, kafka, pool, redis,
    async cleanup() {
      // Each part on its own: a server a test has already removed must not leave the others
      // (an open Redis connection keeps the test process alive).
      const parts = await Promise.allSettled([
        pool.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).finally(() => pool.end()),
        redis.keys(`${id}:*`).then((keys) => (keys.length > 0 ? redis.del(...keys) : 0)).finally(() => redis.disconnect()),
        (async () => {
          const admin = kafka.admin();
          await admin.connect();
          await admin.deleteTopics({ topics: [config.topics.input, config.topics.alerts, config.topics.deadLetter] }).catch(() => undefined);
          await admin.deleteGroups([config.ingest.groupId]).catch(() => undefined);
          await admin.disconnect();
        })(),
      ]);
      const failed = parts.find((p) => p.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

let corpusCache: Promise<{ sources: MailSource[]; templates: EventTemplate[] }> | undefined;
/** The corpus, parsed once per test process. */
export function corpusTemplates() {
  corpusCache ??= corpusSources().then(async (sources) => ({ sources, templates: await eventTemplates(sources) }));
  return corpusCache;
}

/** `count` distinct events built from the corpus (ham and spam mixed), ids unique to this run. */
export async function corpusEvents(count: number, options: { runId: string; tenants?: number; raw?: boolean; start?: number }): Promise<EmailEventFields[]> {
  const { sources, templates } = await corpusTemplates();
  const now = Date.now();
  return Array.from({ length: count }, (_, i) =>
    instantiate(templates, sources, (options.start ?? 0) + i, { runId: options.runId, tenants: options.tenants ?? 3, raw: options.raw ?? false }, now));
}

export async function publish(kafka: Kafka, topic: string, values: Array<Buffer | EmailEventFields>): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const messages = values.map((v) => ({
      key: Buffer.isBuffer(v) ? null : v.tenantId ?? null,
      value: Buffer.isBuffer(v) ? v : Buffer.from(EmailEventCodec.encode(v).finish()),
    }));
    for (const chunk of chunkByBytes(messages, recordBytes)) await producer.send({ topic, acks: -1, messages: chunk });
  } finally {
    await producer.disconnect();
  }
}

/** Every record of a topic, read from the beginning until `expected` have arrived (or the time is up). */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) await sleep(100);
  // A little longer, so that unexpected extra records show up too.
  await sleep(500);
  await consumer.disconnect();
  return messages;
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await sleep(200);
    last = await probe();
  }
  return last;
}

export async function countRows(pool: pg.Pool, schema: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.email_scores`).catch(() => ({ rows: [{ n: '0' }] }));
  return Number(rows[0]!.n);
}

/** A fresh environment and a started in-process pipeline on it, both cleaned up after the test. */
export async function startTestPipeline(
  t: { after: (fn: () => Promise<unknown>) => void },
  overrides: Record<string, string> = {},
  registry = new Registry(),
): Promise<{ env: TestEnvironment; pipeline: Pipeline }> {
  const env = await createTestEnvironment(overrides);
  t.after(() => env.cleanup());
  const pipeline = await createPipeline(env.config, quietLogger, registry);
  t.after(() => pipeline.stop());
  await pipeline.start();
  return { env, pipeline };
}
