// The measurements `make bench` takes: preload, the raw ceilings, the naive baseline, drains of
// the full pipeline (as its own process) and paced runs with end-to-end latency per email.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Consumer, type ConsumerConfig, type ConsumerRunConfig, type Kafka } from 'kafkajs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { SingleBar } from 'cli-progress';
import { EmailEventCodec, type EmailEventFields, type InboundEmail, type ScoredEmail } from '../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../schemas/kafka_batches.ts';
import { readEmailIdentity } from '../ingest/index.ts';
import { createPolicyStore, createScorer, createScorerMetrics, createThreatIntel } from '../scorer/index.ts';
import { createPostgresSink, createSinkMetrics, quoteIdentifier } from '../sinks/index.ts';
import { instantiate, type EventTemplate, type MailSource } from '../app/produce.ts';
import type { Config } from '../app/config.ts';
import { cpuSeconds, memoryMb, pidsNamed } from './procstat.ts';
import { percentile } from './stats.ts';

const MAILSCORE = fileURLToPath(new URL('../bin/mailscore', import.meta.url));
const KAFKA_PID_FILE = fileURLToPath(new URL('../.local/kafka/broker.pid', import.meta.url));
const { Partitioners } = kafkajs;

export interface Corpus { readonly templates: EventTemplate[]; readonly sources: MailSource[] }

/**
 * Event `n` of a run: a corpus message with its own tenant, message id, sender time. Structured
 * (parsed by the producer, as `mailscore produce` does) or, with `raw`, only the RFC 5322 bytes
 * and the envelope, as an MTA plugin sends them: the workers then parse the MIME.
 */
export function benchEvent(corpus: Corpus, runId: string, n: number, receivedAtMs: number, raw = false): EmailEventFields {
  return instantiate(corpus.templates, corpus.sources, n, { runId, tenants: 50, raw }, receivedAtMs);
}

export const PRELOAD_COMPRESSION = { none: kafkajs.CompressionTypes.None, gzip: kafkajs.CompressionTypes.GZIP } as const;

export async function preload(
  kafka: Kafka, topic: string, corpus: Corpus, runId: string, count: number, compression: keyof typeof PRELOAD_COMPRESSION, bar: SingleBar, raw = false,
): Promise<{ seconds: number; bytes: number }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  const now = Date.now();
  const inFlight: Array<Promise<unknown>> = [];
  for (let sent = 0; sent < count;) {
    const size = Math.min(2000, count - sent);
    const messages = [];
    for (let i = 0; i < size; i++) {
      // Receive times spread over the last hour, as a day's traffic would be.
      const value = Buffer.from(EmailEventCodec.encode(benchEvent(corpus, runId, sent + i, now - ((sent + i) % 3_600_000), raw)).finish());
      bytes += value.length;
      messages.push({ key: `tenant-${(sent + i) % 50}`, value });
    }
    for (const chunk of chunkByBytes(messages, recordBytes)) {
      inFlight.push(producer.send({ topic, acks: 1, compression: PRELOAD_COMPRESSION[compression], messages: chunk }));
      if (inFlight.length >= 8) await inFlight.shift();
    }
    sent += size;
    bar.update(sent);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  return { seconds: (performance.now() - started) / 1000, bytes };
}

interface Progress {
  /** Marks the first record: the clock starts here. */
  start(): void;
  add(records: number): void;
  finished(): boolean;
}

/** A fresh consumer group reads `topic` from the start until `count` records are counted; rate from the first record. */
async function timeConsumption(
  kafka: Kafka, topic: string, count: number, consumer: Omit<ConsumerConfig, 'groupId'>, run: (progress: Progress, reader: Consumer) => ConsumerRunConfig,
): Promise<{ eps: number; seconds: number }> {
  const reader = kafka.consumer({ groupId: `bench-${randomUUID()}`, ...consumer });
  await reader.connect();
  await reader.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let started = 0;
  let done: () => void = () => undefined;
  const allSeen = new Promise<void>((resolve) => { done = resolve; });
  await reader.run(run({
    start: () => { if (started === 0) started = performance.now(); },
    add: (records) => { seen += records; if (seen >= count) done(); },
    finished: () => seen >= count,
  }, reader));
  await allSeen;
  const seconds = (performance.now() - started) / 1000;
  await reader.disconnect();
  return { eps: count / seconds, seconds };
}

/** kafkajs reading and the identity check of each record (what the main thread does before scoring) only: the most the pipeline's input side could do. */
export function consumeCeiling(kafka: Kafka, topic: string, count: number): Promise<{ eps: number; seconds: number }> {
  return timeConsumption(kafka, topic, count, { maxBytesPerPartition: 4 * 1024 * 1024 }, (progress) => ({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      progress.start();
      let valid = 0;
      for (const message of batch.messages) if (readEmailIdentity(message.value).ok) valid += 1;
      progress.add(valid);
    },
  }));
}

/** The same rows straight into PostgreSQL, the way the sink writes them. */
export async function copyCeiling(config: Config, rows: ScoredEmail[], batchSize: number): Promise<{ eps: number; seconds: number }> {
  const schema = `bench_copy_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 2, options: `-c search_path=${schema}` });
  try {
    const sink = createPostgresSink(pool, { premakeDays: 1, retentionDays: 30 }, createSinkMetrics(new Registry()));
    await sink.migrate(schema);
    await sink.maintainPartitions();
    const started = performance.now();
    for (let i = 0; i < rows.length; i += batchSize) await sink.write(rows.slice(i, i + batchSize));
    const seconds = (performance.now() - started) / 1000;
    return { eps: rows.length / seconds, seconds };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await pool.end();
  }
}

/** One message at a time: score it alone, INSERT its row alone, commit its offset alone. */
export async function naiveBaseline(config: Config, kafka: Kafka, topic: string, count: number): Promise<{ eps: number; seconds: number }> {
  const schema = `bench_naive_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 2, options: `-c search_path=${schema}` });
  const redis = new Redis(config.redis.url);
  const subscriber = new Redis(config.redis.url);
  const sink = createPostgresSink(pool, { premakeDays: 1, retentionDays: 30 }, createSinkMetrics(new Registry()));
  await sink.migrate(schema);
  await sink.maintainPartitions();
  const policies = await createPolicyStore({ pool, redis, subscriber, channel: `bench:${schema}`, cacheTtlMs: 60_000 });
  const scorer = await createScorer({
    ...config.scorer, threads: 1, taskSize: 1, intel: createThreatIntel(redis, `bench:${schema}:`), policies,
    logger: (await import('pino')).pino({ level: 'silent' }), metrics: createScorerMetrics(new Registry()),
  });
  const result = await timeConsumption(kafka, topic, count, {}, (progress, reader) => ({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      if (progress.finished()) return;
      progress.start();
      const decoded = readEmailIdentity(message.value);
      if (decoded.ok) {
        const email: InboundEmail = { identity: decoded.identity, bytes: message.value!, key: message.key, source: { topic: t, partition, offset: message.offset } };
        const [row] = (await scorer.score([email])).scored;
        await pool.query(
          `INSERT INTO email_scores (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, explanations,
             mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
          [row!.tenantId, row!.messageId, new Date(row!.receivedAtMs), new Date(row!.scoredAtMs), row!.riskScore, row!.verdict, row!.modelProbability,
            row!.modelVersion, JSON.stringify(row!.reasons), JSON.stringify(row!.explanations), row!.mailFrom, row!.fromAddress, row!.subject, row!.alert, t, partition, message.offset],
        );
      }
      await reader.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      progress.add(1);
    },
  }));
  await scorer.close();
  await policies.close();
  redis.disconnect();
  subscriber.disconnect();
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await pool.end();
  return result;
}

export interface PipelineProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  stop(): Promise<number | null>;
}

export async function startPipeline(env: Record<string, string>, httpPort: number): Promise<PipelineProcess> {
  // The pipeline runs as operators run it (bin/mailscore, with its Node flags). BENCH_PROFILE=dir
  // writes V8 CPU profiles of its main thread and workers there.
  const profile = env.BENCH_PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${env.BENCH_PROFILE}` } : {};
  const child = spawn(MAILSCORE, ['start'], {
    env: { ...env, ...profile, HTTP_PORT: String(httpPort), LOG_LEVEL: env.LOG_LEVEL ?? 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (child.exitCode !== null) throw new Error(`the pipeline exited with ${child.exitCode} during start-up`);
    if (Date.now() > deadline) throw new Error('the pipeline did not become ready within 60 s');
    await sleep(100);
  }
  return {
    child,
    metricsUrl,
    stop: () => new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    }),
  };
}

export async function scrape(metricsUrl: string): Promise<Map<string, number>> {
  const text = await fetch(metricsUrl).then((r) => r.text(), () => '');
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** CPU seconds so far: the pipeline's, the broker's, and each PostgreSQL process's by pid (backends come and go). */
export interface ProcessCpu { pipeline: number; broker: number; postgres: ReadonlyMap<number, number> }

export async function processCpu(pipelinePid: number): Promise<ProcessCpu> {
  const brokerPid = Number((await readFile(KAFKA_PID_FILE, 'utf8').catch(() => '0')).trim());
  return {
    pipeline: await cpuSeconds(pipelinePid),
    broker: brokerPid > 0 ? await cpuSeconds(brokerPid) : 0,
    postgres: new Map(await Promise.all((await pidsNamed('postgres')).map(async (pid) => [pid, await cpuSeconds(pid)] as const))),
  };
}

/**
 * PostgreSQL's CPU between two readings, process by process: a backend that started meanwhile
 * counts from zero; one that exited meanwhile took its time with it (/proc keeps none), so it
 * counts nothing rather than subtracting all it had used before.
 */
export function postgresCpuBetween(before: ProcessCpu, after: ProcessCpu): number {
  let seconds = 0;
  for (const [pid, used] of after.postgres) seconds += used - (before.postgres.get(pid) ?? 0);
  return seconds;
}

export { memoryMb };

/** End-to-end latency of each row: committed in PostgreSQL minus received (= produced) time. */
export async function latencies(pool: pg.Pool, schema: string, messageIdPrefix: string): Promise<number[]> {
  const { rows } = await pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM (stored_at - received_at)) * 1000 AS ms FROM ${quoteIdentifier(schema)}.email_scores WHERE message_id LIKE $1`,
    [`<${messageIdPrefix}.%`],
  );
  return rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
}

export function latencySummary(sorted: readonly number[]) {
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

// received_at_ms is field 3, a varint: tag (3 << 3 | 0) and six bytes, which hold every
// millisecond time from 2004 to 2109 (2^35..2^42). Appended after the rest of the event, it is the
// value a decoder keeps, so a pre-encoded event gets its send time by writing seven bytes.
const RECEIVED_AT_TAG = 0x18;
const RECEIVED_AT_BYTES = 7;

/** `encoded` followed by room for received_at_ms, which `stampReceivedAt` fills in. */
export function withReceivedAtSlot(encoded: Uint8Array): Buffer {
  const value = Buffer.allocUnsafe(encoded.length + RECEIVED_AT_BYTES);
  value.set(encoded, 0);
  value[encoded.length] = RECEIVED_AT_TAG;
  return value;
}

/**
 * Writes `ms` into the slot that ends a value (see `withReceivedAtSlot`) at `end` of `bytes`: the
 * end of `bytes` itself, or a frame's end inside a paced run's buffer, without a view per event.
 */
export function stampReceivedAt(bytes: Buffer, ms: number, end = bytes.length): void {
  if (!(ms >= 2 ** 35 && ms < 2 ** 42)) throw new RangeError(`received time ${ms} does not fit six varint bytes`);
  let rest = Math.floor(ms);
  const at = end - RECEIVED_AT_BYTES + 1;
  for (let i = 0; i < 5; i++) {
    bytes[at + i] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  bytes[at + 5] = rest;
}

const withoutReceivedAt = ({ receivedAtMs: _stampedAtSend, ...event }: EmailEventFields): EmailEventFields => event;

/**
 * The events of a paced run, framed as the paced producer reads them (bench/PacedProducer.java:
 * u16 key length, key, u32 value length, value) one after another in `bytes`; frame n ends at
 * `ends[n]`. The value comes last in a frame, so `stampReceivedAt(bytes, ms, ends[n])` stamps frame n.
 */
export interface PacedMessages { readonly runId: string; readonly bytes: Buffer; readonly ends: Float64Array }

/**
 * The events of a paced run, encoded and framed in one buffer before it starts, so that producing
 * them costs the bench little CPU and no garbage (the pipeline shares the machine): a step writes
 * slices of that buffer when they are due.
 */
export function encodePaced(corpus: Corpus, runId: string, count: number, raw = false): PacedMessages {
  const values = new Array<Uint8Array>(count);
  const keys = new Array<Buffer>(count);
  let size = 0;
  for (let n = 0; n < count; n++) {
    keys[n] = Buffer.from(`tenant-${n % 50}`);
    values[n] = withReceivedAtSlot(EmailEventCodec.encode(withoutReceivedAt(benchEvent(corpus, runId, n, 0, raw))).finish());
    size += 6 + keys[n]!.length + values[n]!.length;
  }
  const bytes = Buffer.allocUnsafe(size);
  const ends = new Float64Array(count);
  let at = 0;
  for (let n = 0; n < count; n++) {
    const key = keys[n]!;
    const value = values[n]!;
    at = bytes.writeUInt16BE(key.length, at);
    at += key.copy(bytes, at);
    at = bytes.writeUInt32BE(value.length, at);
    bytes.set(value, at);
    at += value.length;
    ends[n] = at;
  }
  return { runId, bytes, ends };
}

const PACED_PRODUCER_SOURCE = fileURLToPath(new URL('./PacedProducer.java', import.meta.url));
const KAFKA_LIBS = fileURLToPath(new URL('../.local/kafka/libs', import.meta.url));
const FLUSH_MARK = 0xffff;

export interface PacedSend { readonly count: number; readonly achievedRate: number; readonly producerUsPerEvent: number }

export interface PacedProducer {
  /**
   * Sends pre-encoded events at a fixed rate, stamping each one's received time as it is handed
   * to the producer, and waits until the broker has acknowledged them all. Returns how many were
   * sent, the rate achieved (below the target when the producer could not keep up) and the
   * producer's CPU per event (the Java process and this one's writing together).
   */
  produce(paced: PacedMessages, ratePerSecond: number): Promise<PacedSend>;
  close(): Promise<void>;
}

/**
 * Kafka's Java client (bench/PacedProducer.java, run by the JDK's source launcher on the jars
 * `make services` resolved) producing to `topic` over PLAINTEXT. kafkajs took about 370 µs of CPU
 * per event to build and checksum record batches, on the cores the pipeline runs on; one JVM
 * stays up for every paced step, so its start and warm-up fall outside the measured steps.
 */
export async function startPacedProducer(config: Config, topic: string): Promise<PacedProducer> {
  if (config.kafka.ssl !== null || config.kafka.sasl !== null) {
    throw new Error('the paced producer speaks PLAINTEXT only: run the bench against a broker without KAFKA_SSL / KAFKA_SASL_MECHANISM');
  }
  const child = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${KAFKA_LIBS}/*`, PACED_PRODUCER_SOURCE, config.kafka.brokers.join(','), topic], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the paced producer (java ${PACED_PRODUCER_SOURCE}) exited with ${code ?? signal}`)));
  });
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout! });
  const flushes: Array<(line: string) => void> = [];
  lines.on('line', (line) => flushes.shift()?.(line));
  const input = child.stdin!;
  const write = async (frame: Buffer) => {
    if (!input.write(frame)) await Promise.race([once(input, 'drain'), exited]);
  };
  let settledBefore = { acknowledged: 0, failed: 0 };
  /** Acknowledged and failed records so far, once everything written before is settled. */
  const flush = async (): Promise<{ acknowledged: number; failed: number }> => {
    const flushed = new Promise<string>((resolve) => flushes.push(resolve));
    const mark = Buffer.alloc(2);
    mark.writeUInt16BE(FLUSH_MARK);
    await write(mark);
    const [, acknowledged, failed] = (await Promise.race([flushed, exited])).split(' ');
    return { acknowledged: Number(acknowledged), failed: Number(failed) };
  };
  await flush(); // The JVM is up (source compiled, producer created) before the first step's clock starts.
  return {
    async produce(paced, ratePerSecond) {
      const total = paced.ends.length;
      const cpuBefore = process.cpuUsage();
      const javaBefore = await cpuSeconds(child.pid!);
      const tickMs = Math.max(10, Math.min(1000, 1000 / ratePerSecond));
      const started = performance.now();
      let sent = 0;
      let lastSent = started;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
        if (due > sent) {
          const now = Date.now();
          for (let n = sent; n < due; n++) stampReceivedAt(paced.bytes, now, paced.ends[n]);
          await write(paced.bytes.subarray(sent === 0 ? 0 : paced.ends[sent - 1], paced.ends[due - 1]));
          sent = due;
          lastSent = performance.now();
        }
        if (sent < total) await sleep(tickMs);
      }
      // The first event goes at 0 s, the last at (total - 1) / rate.
      const seconds = (lastSent - started) / 1000;
      const settled = await flush();
      const acknowledged = settled.acknowledged - settledBefore.acknowledged;
      const failed = settled.failed - settledBefore.failed;
      settledBefore = settled;
      if (failed > 0 || acknowledged !== total) {
        throw new Error(`the paced producer had ${acknowledged} of ${total} events acknowledged and ${failed} failed (its first error is on stderr)`);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuUs = cpu.user + cpu.system + ((await cpuSeconds(child.pid!)) - javaBefore) * 1e6;
      return { count: total, achievedRate: total <= 1 || seconds === 0 ? ratePerSecond : (total - 1) / seconds, producerUsPerEvent: total === 0 ? 0 : cpuUs / total };
    },
    async close() {
      input.end();
      await exited.catch(() => undefined);
    },
  };
}
