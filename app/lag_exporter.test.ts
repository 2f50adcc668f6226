// requires-services: the lag exporter against the real broker, compared partition by partition
// with Kafka's own kafka-consumer-groups.sh; lag that keeps growing once every consumer is gone;
// a broker outage on a throwaway broker of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Kafka } from 'kafkajs';
import { ConfigError, loadConfig } from './config.ts';
import { startLagExporter, type RunningLagExporter } from './lag_exporter.ts';
import { freePort, privateKafka } from './private_services.ts';
import { createTestEnvironment, quietLogger, waitFor, type TestEnvironment } from './testing.ts';

const CONSUMER_GROUPS_TOOL = fileURLToPath(new URL('../ops/local/kafka-consumer-groups.sh', import.meta.url));
const POLL_MS = 300;
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TLS = join(process.env.MAILSCORE_STATE_DIR ?? fileURLToPath(new URL('../.local', import.meta.url)), 'tls');
const SASL_SSL = `127.0.0.1:${process.env.KAFKA_SASL_SSL_PORT ?? Number(process.env.KAFKA_PORT ?? 9092) + 2}`;

interface Sample { readonly labels: Readonly<Record<string, string>>; readonly value: number }
type Scrape = ReadonlyMap<string, readonly Sample[]>;

async function scrape(exporter: Pick<RunningLagExporter, 'port'>): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${exporter.port}/metrics`);
  assert.equal(response.status, 200);
  const samples = new Map<string, Sample[]>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.set(match[1]!, [...(samples.get(match[1]!) ?? []), { labels, value: Number(match[3]) }]);
  }
  return samples;
}

/** The one sample of `name` whose labels include `labels`. */
function value(samples: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = (samples.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

async function startExporter(t: { after: (fn: () => Promise<unknown>) => void }, env: TestEnvironment, overrides: Record<string, string> = {}): Promise<RunningLagExporter> {
  const config = loadConfig({ ...env.env, LAG_EXPORTER_HOST: '127.0.0.1', LAG_EXPORTER_PORT: '0', LAG_EXPORTER_POLL_MS: String(POLL_MS), ...overrides });
  const exporter = await startLagExporter({ settings: config.lagExporter, kafka: env.kafka, logger: quietLogger });
  t.after(() => exporter.stop());
  return exporter;
}

/** Waits for a poll that started after now, so what it shows is at least as new as what the caller did before. */
async function nextPoll(exporter: RunningLagExporter, timeoutMs = 30_000): Promise<Scrape> {
  const after = Date.now() / 1000;
  return waitFor('a new poll', () => scrape(exporter), (s) => (value(s, 'mailscore_lag_exporter_last_poll_timestamp_seconds') ?? 0) > after, timeoutMs);
}

async function produce(kafka: Kafka, topic: string, counts: Record<number, number>): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const messages = Object.entries(counts).flatMap(([partition, n]) => Array.from({ length: n }, (_, i) => ({ partition: Number(partition), value: `record ${i}` })));
    if (messages.length > 0) await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function commit(kafka: Kafka, groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: Object.entries(offsets).map(([partition, offset]) => ({ partition: Number(partition), offset: String(offset) })) });
  } finally {
    await admin.disconnect();
  }
}

interface DescribedPartition { topic: string; partition: number; current: number | null; end: number; lag: number | null }

/** `kafka-consumer-groups.sh --describe --group G`: one row per partition the tool reports. */
async function describeGroup(brokers: readonly string[], groupId: string): Promise<DescribedPartition[]> {
  const { stdout } = await promisify(execFile)(CONSUMER_GROUPS_TOOL, ['--bootstrap-server', brokers.join(','), '--describe', '--group', groupId], { timeout: 120_000 });
  const lines = stdout.split('\n').map((l) => l.trim().split(/\s+/));
  const header = lines.findIndex((cells) => cells[0] === 'GROUP' && cells.includes('LOG-END-OFFSET'));
  assert.ok(header >= 0, `no table in the tool's output:\n${stdout}`);
  const column = (name: string) => lines[header]!.indexOf(name);
  const number = (cell: string | undefined) => (cell === undefined || cell === '-' ? null : Number(cell));
  return lines.slice(header + 1).filter((cells) => cells[0] === groupId).map((cells) => ({
    topic: cells[column('TOPIC')]!,
    partition: Number(cells[column('PARTITION')]),
    current: number(cells[column('CURRENT-OFFSET')]),
    end: Number(cells[column('LOG-END-OFFSET')]),
    lag: number(cells[column('LAG')]),
  }));
}

test('lag exporter settings: defaults follow the pipeline, bad values are refused with their key', () => {
  const defaults = loadConfig({ CONSUMER_GROUP: 'scorers', INPUT_TOPIC: 'mail.in' }).lagExporter;
  assert.deepEqual(defaults, { groups: ['scorers'], topics: ['mail.in'], pollIntervalMs: 5_000, historyPoints: 60, host: '0.0.0.0', port: 9308 });
  const set = loadConfig({ LAG_EXPORTER_GROUPS: ' a, b ,a,', LAG_EXPORTER_TOPICS: 'x,y', LAG_EXPORTER_POLL_MS: '1000', LAG_EXPORTER_HISTORY: '120', LAG_EXPORTER_PORT: '9999' }).lagExporter;
  assert.deepEqual([set.groups, set.topics, set.pollIntervalMs, set.historyPoints, set.port], [['a', 'b'], ['x', 'y'], 1_000, 120, 9_999]);
  assert.throws(() => loadConfig({ LAG_EXPORTER_GROUPS: ' , ' }), (err: unknown) => err instanceof ConfigError && /LAG_EXPORTER_GROUPS must name at least one consumer group/.test(err.message));
  assert.throws(() => loadConfig({ LAG_EXPORTER_TOPICS: 'ok,not a topic' }), /LAG_EXPORTER_TOPICS entries must be Kafka topic names .* got "not a topic"/);
  assert.throws(() => loadConfig({ LAG_EXPORTER_HISTORY: '1' }), /LAG_EXPORTER_HISTORY must be an integer from 2 to 10000, got "1"/);
  assert.throws(() => loadConfig({ LAG_EXPORTER_POLL_MS: '10' }), /LAG_EXPORTER_POLL_MS must be an integer from 100/);
  assert.throws(() => loadConfig({ LAG_EXPORTER_PORT: '70000' }), /LAG_EXPORTER_PORT must be an integer from 0 to 65535/);
});

test('the exporter reports what kafka-consumer-groups.sh --describe reports, partition by partition', { timeout: 300_000 }, async (t) => {
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '4' });
  t.after(() => env.cleanup());
  const { input, alerts } = env.config.topics;
  const group = env.config.ingest.groupId;
  await produce(env.kafka, input, { 0: 10, 1: 20, 2: 30 });
  await produce(env.kafka, alerts, { 0: 5 });
  // Partition 2 of the input topic is never committed; partition 3 is empty and committed at 0.
  // The alert topic is not among LAG_EXPORTER_TOPICS: it is measured because the group committed there.
  await commit(env.kafka, group, input, { 0: 4, 1: 20, 3: 0 });
  await commit(env.kafka, group, alerts, { 0: 2 });
  const exporter = await startExporter(t, env);
  await nextPoll(exporter);
  const samples = await nextPoll(exporter); // two readings per partition: lag in seconds is known

  const described = await describeGroup(env.config.kafka.brokers, group);
  assert.equal(described.length, 4, `the tool reports the four committed partitions, got ${JSON.stringify(described)}`);
  const committedRows = (samples.get('kafka_consumergroup_current_offset') ?? []).filter((s) => s.value >= 0);
  for (const row of described) {
    const labels = { consumergroup: group, topic: row.topic, partition: String(row.partition) };
    const where = `${row.topic}/${row.partition}`;
    assert.ok(row.current !== null && row.lag !== null, `the tool shows a committed offset for ${where}`);
    assert.equal(value(samples, 'kafka_consumergroup_current_offset', labels), row.current, `CURRENT-OFFSET of ${where}`);
    assert.equal(value(samples, 'kafka_topic_partition_current_offset', { topic: row.topic, partition: String(row.partition) }), row.end, `LOG-END-OFFSET of ${where}`);
    assert.equal(value(samples, 'kafka_consumergroup_lag', labels), row.lag, `LAG of ${where}`);
  }
  // Nothing committed that the tool does not show, and the other way round.
  assert.deepEqual(
    committedRows.map((s) => `${s.labels.topic}/${s.labels.partition}`).sort(),
    described.map((row) => `${row.topic}/${row.partition}`).sort(),
  );
  // What the tool does not show: the never-committed partition, as the backlog the group would
  // read from the start (30 records), its committed offset -1 as kafka_exporter has it.
  const never = { consumergroup: group, topic: input, partition: '2' };
  assert.equal(value(samples, 'kafka_consumergroup_current_offset', never), -1);
  assert.equal(value(samples, 'kafka_consumergroup_lag', never), 30);
  assert.ok((value(samples, 'kafka_consumergroup_lag_seconds', never) ?? -1) >= 0);
  assert.equal(value(samples, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic: input }), 6 + 0 + 30 + 0);
  assert.equal(value(samples, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic: alerts }), 3);
  assert.equal(value(samples, 'kafka_consumergroup_lag_seconds', { consumergroup: group, topic: input, partition: '1' }), 0, 'caught up');
  assert.equal(value(samples, 'kafka_consumergroup_lag_seconds', { consumergroup: group, topic: input, partition: '3' }), 0, 'empty and caught up');
  assert.equal(value(samples, 'kafka_topic_partitions', { topic: input }), 4);
  assert.equal(value(samples, 'kafka_consumergroup_members', { consumergroup: group }), 0);
  assert.equal(value(samples, 'mailscore_lag_exporter_poll_errors_total'), 0);
  // Only the exporter's own metrics and Node's: none of the pipeline's.
  assert.deepEqual([...samples.keys()].filter((name) => name.startsWith('mailscore_')).sort(), ['mailscore_lag_exporter_last_poll_timestamp_seconds', 'mailscore_lag_exporter_poll_errors_total']);
  assert.ok(samples.has('process_resident_memory_bytes') && samples.has('nodejs_heap_size_used_bytes'));

  // A deleted topic disappears from the output (and from the exporter's memory).
  const admin = env.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [alerts] });
  await admin.disconnect();
  const afterDelete = await waitFor('the deleted topic to go', () => nextPoll(exporter), (s) => value(s, 'kafka_topic_partitions', { topic: alerts }) === undefined);
  assert.equal(value(afterDelete, 'kafka_consumergroup_lag', { consumergroup: group, topic: alerts, partition: '0' }), undefined);
  assert.equal(value(afterDelete, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic: input }), 36);
});

test('every consumer of the group gone: lag in records and in seconds keep growing', { timeout: 300_000 }, async (t) => {
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '1' });
  t.after(() => env.cleanup());
  const { input } = env.config.topics;
  const group = env.config.ingest.groupId;
  const labels = { consumergroup: group, topic: input, partition: '0' };
  await produce(env.kafka, input, { 0: 20 });
  const exporter = await startExporter(t, env);

  // A consumer reads and commits everything, and is seen as a member.
  const consumer = env.kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  t.after(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  const live = await waitFor('the consumer to catch up', () => nextPoll(exporter), (s) => value(s, 'kafka_consumergroup_current_offset', labels) === 20 && value(s, 'kafka_consumergroup_members', { consumergroup: group }) === 1, 60_000);
  assert.equal(value(live, 'kafka_consumergroup_lag', labels), 0);
  assert.equal(value(live, 'kafka_consumergroup_lag_seconds', labels), 0);

  // It goes; records keep arriving, one every 200 ms.
  await consumer.disconnect();
  await waitFor('the group to be empty', () => nextPoll(exporter), (s) => value(s, 'kafka_consumergroup_members', { consumergroup: group }) === 0, 60_000);
  const producer = env.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  const firstSendStarted = Date.now();
  await producer.send({ topic: input, acks: -1, messages: [{ partition: 0, value: 'first after the consumer left' }] });
  const firstSendDone = Date.now();
  let producing = true;
  const background = (async () => {
    while (producing) {
      await sleep(200);
      await producer.send({ topic: input, acks: -1, messages: [{ partition: 0, value: 'more' }] });
    }
  })();

  await sleep(1_500);
  const early = await nextPoll(exporter);
  await sleep(1_500);
  const late = await nextPoll(exporter);
  const lateAt = Date.now();
  producing = false;
  await background;
  const [earlyRecords, lateRecords] = [value(early, 'kafka_consumergroup_lag', labels)!, value(late, 'kafka_consumergroup_lag', labels)!];
  const [earlySeconds, lateSeconds] = [value(early, 'kafka_consumergroup_lag_seconds', labels)!, value(late, 'kafka_consumergroup_lag_seconds', labels)!];
  assert.ok(earlyRecords > 0 && lateRecords > earlyRecords, `lag in records grows: ${earlyRecords} then ${lateRecords}`);
  assert.ok(earlySeconds > 0 && lateSeconds > earlySeconds, `lag in seconds grows: ${earlySeconds} then ${lateSeconds}`);
  assert.equal(value(late, 'kafka_consumergroup_current_offset', labels), 20, 'nothing committed since');
  // Offset 20 (the first record after the consumer left) was written between firstSendStarted
  // and firstSendDone; the estimate is the last poll that still saw the end at 20, at most one
  // poll earlier, and the lag is measured at a poll at most one poll before the scrape. Slack
  // for a poll's own duration on a busy machine.
  const slackSeconds = (2 * POLL_MS + 2_000) / 1000;
  assert.ok(lateSeconds <= (lateAt - firstSendStarted) / 1000 + slackSeconds, `lag in seconds ${lateSeconds} at most the age of offset 20 (${(lateAt - firstSendStarted) / 1000}) plus slack`);
  assert.ok(lateSeconds >= (lateAt - firstSendDone) / 1000 - slackSeconds, `lag in seconds ${lateSeconds} at least the age of offset 20 (${(lateAt - firstSendDone) / 1000}) minus slack`);

  // Nothing new arrives any more and nobody consumes: the records stay, the seconds still grow.
  const quiet = await nextPoll(exporter);
  await sleep(1_000);
  const later = await nextPoll(exporter);
  assert.equal(value(later, 'kafka_consumergroup_lag', labels), value(quiet, 'kafka_consumergroup_lag', labels));
  assert.ok(value(later, 'kafka_consumergroup_lag_seconds', labels)! > value(quiet, 'kafka_consumergroup_lag_seconds', labels)!);
});

test('the broker down: errors counted, timestamp frozen, last values kept, /healthz 200, recovery', { timeout: 600_000 }, async (t) => {
  const kafka = await privateKafka();
  t.after(() => kafka.remove());
  const env = await createTestEnvironment({ KAFKA_BROKERS: kafka.url, TOPIC_PARTITIONS: '1' });
  t.after(() => env.cleanup().catch(() => undefined));
  const { input } = env.config.topics;
  const group = env.config.ingest.groupId;
  const labels = { consumergroup: group, topic: input, partition: '0' };
  await produce(env.kafka, input, { 0: 5 });
  await commit(env.kafka, group, input, { 0: 2 });
  const exporter = await startExporter(t, env);
  const before = await waitFor('a poll', () => nextPoll(exporter), (s) => value(s, 'kafka_consumergroup_lag', labels) === 3);
  assert.equal(value(before, 'mailscore_lag_exporter_poll_errors_total'), 0);

  await kafka.stop();
  const down = await waitFor('failed polls', () => scrape(exporter), (s) => (value(s, 'mailscore_lag_exporter_poll_errors_total') ?? 0) >= 2, 120_000);
  const frozenAt = value(down, 'mailscore_lag_exporter_last_poll_timestamp_seconds')!;
  await sleep(3 * POLL_MS);
  const stillDown = await scrape(exporter);
  assert.equal(value(stillDown, 'mailscore_lag_exporter_last_poll_timestamp_seconds'), frozenAt, 'no successful poll: the timestamp stays');
  assert.ok(value(stillDown, 'mailscore_lag_exporter_poll_errors_total')! >= value(down, 'mailscore_lag_exporter_poll_errors_total')!);
  assert.equal(value(stillDown, 'kafka_consumergroup_lag', labels), 3, 'the last values stay published');
  assert.equal((await fetch(`http://127.0.0.1:${exporter.port}/healthz`)).status, 200, 'the exporter is alive: it is the broker that is down');

  await kafka.start();
  const back = await waitFor('a successful poll after the outage', () => scrape(exporter), (s) => value(s, 'mailscore_lag_exporter_last_poll_timestamp_seconds')! > frozenAt, 180_000);
  assert.equal(value(back, 'kafka_consumergroup_lag', labels), 3);
  const errors = value(back, 'mailscore_lag_exporter_poll_errors_total')!;
  const steady = await nextPoll(exporter);
  assert.equal(value(steady, 'mailscore_lag_exporter_poll_errors_total'), errors, 'no more failed polls once the broker is back');
});

test('a never-started group on an expected topic: the whole retained backlog, no member', { timeout: 120_000 }, async (t) => {
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '2' });
  t.after(() => env.cleanup());
  await produce(env.kafka, env.config.topics.input, { 0: 3, 1: 4 });
  const other = `never-${randomUUID().slice(0, 8)}`;
  const exporter = await startExporter(t, env, { LAG_EXPORTER_GROUPS: `${env.config.ingest.groupId},${other}` });
  const samples = await nextPoll(exporter);
  for (const consumergroup of [env.config.ingest.groupId, other]) {
    assert.equal(value(samples, 'kafka_consumergroup_lag_sum', { consumergroup, topic: env.config.topics.input }), 7);
    assert.equal(value(samples, 'kafka_consumergroup_members', { consumergroup }), 0);
    assert.equal(value(samples, 'kafka_consumergroup_current_offset', { consumergroup, topic: env.config.topics.input, partition: '1' }), -1);
  }
});

test('`mailscore lag-exporter` over SASL_SSL (SCRAM-SHA-512): the settings the pipeline uses, /metrics on LAG_EXPORTER_PORT, SIGTERM ends it', { timeout: 120_000 }, async (t) => {
  const env = await createTestEnvironment({ TOPIC_PARTITIONS: '1' });
  t.after(() => env.cleanup());
  await produce(env.kafka, env.config.topics.input, { 0: 9 });
  await commit(env.kafka, env.config.ingest.groupId, env.config.topics.input, { 0: 5 });
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'lag-exporter'], {
    env: {
      ...env.env, LOG_LEVEL: 'warn', LAG_EXPORTER_PORT: String(port), LAG_EXPORTER_HOST: '127.0.0.1', LAG_EXPORTER_POLL_MS: String(POLL_MS),
      KAFKA_BROKERS: SASL_SSL, KAFKA_SSL_CA_FILE: join(TLS, 'ca.crt'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'mailscore', KAFKA_SASL_PASSWORD: readFileSync(join(TLS, 'kafka.password'), 'utf8').trim(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(child, 'exit');
  t.after(() => child.kill('SIGKILL'));
  const labels = { consumergroup: env.config.ingest.groupId, topic: env.config.topics.input, partition: '0' };
  const samples = await waitFor('the exporter to report', () => scrape({ port }).catch(() => new Map() as Scrape), (s) => value(s, 'kafka_consumergroup_lag', labels) !== undefined, 60_000)
    .catch((err: Error) => assert.fail(`${err.message}\n${output.join('')}`));
  assert.equal(value(samples, 'kafka_consumergroup_lag', labels), 4);
  assert.equal(value(samples, 'kafka_consumergroup_current_offset', labels), 5);
  assert.equal(value(samples, 'mailscore_lag_exporter_poll_errors_total'), 0, output.join(''));
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output.join(''));
});
