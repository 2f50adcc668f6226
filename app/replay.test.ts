// requires-services: `mailscore replay` on the real broker and database: a time range replayed
// exactly, a kill -9 mid-replay resumed without gap or duplicate, a rescore with a second model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import type { Kafka } from 'kafkajs';
import { corpusEvents, countRows, createTestEnvironment, publish, quietLogger, readTopic, startTestPipeline, waitFor, type TestEnvironment } from './testing.ts';
import { parseOffsets, runReplay } from './replay.ts';
import { decodeLinearModel, encodeLinearModel } from '../scorer/onnx_model.ts';
import { MODEL_CARD_FILE, MODEL_FILE, type ModelCard } from '../scorer/model_card.ts';
import { ALERT_ID_HEADER, alertId, createPostgresSink, createSinkMetrics, partitionName, WriteMode } from '../sinks/index.ts';
import { createPostgresPool } from './pipeline.ts';
import type { EmailEventFields } from '../schemas/contracts.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TRAINED = fileURLToPath(new URL('../models/current', import.meta.url));
const DAY_MS = 86_400_000;
/** Mail received five days ago: a day the premade partitions do not cover. */
const OLD_DAY = Math.floor(Date.now() / DAY_MS) * DAY_MS - 5 * DAY_MS;

async function events(count: number, label: string): Promise<EmailEventFields[]> {
  const fresh = await corpusEvents(count, { runId: `${randomUUID().slice(0, 8)}-${label}` });
  return fresh.map((e, i) => ({ ...e, receivedAtMs: OLD_DAY + 3_600_000 + i * 1000 }));
}

/** A different, valid model: the trained weights scaled, under another version (as training writes it). */
async function secondModel(t: { after: (fn: () => Promise<void>) => void }, scale: number): Promise<{ dir: string; version: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailscore-model-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(TRAINED, dir, { recursive: true });
  const card = JSON.parse(await readFile(join(TRAINED, MODEL_CARD_FILE), 'utf8')) as ModelCard;
  const model = decodeLinearModel(await readFile(join(TRAINED, MODEL_FILE)));
  const version = `${card.version}-x${scale}`;
  const bytes = encodeLinearModel({ weights: model.weights.map((w) => w * scale), bias: model.bias * scale, metadata: { ...model.metadata, version } });
  await writeFile(join(dir, `${MODEL_FILE}.tmp`), bytes);
  await rename(join(dir, `${MODEL_FILE}.tmp`), join(dir, MODEL_FILE));
  await writeFile(join(dir, MODEL_CARD_FILE), JSON.stringify({ ...card, version, modelSha256: createHash('sha256').update(bytes).digest('hex') }));
  return { dir, version };
}

/**
 * The corpus tenants (tenant-0..2) alert on spam as well as malicious mail: the corpus is bulk
 * spam with few phishing signals, and the alerting replay needs mail that alerts.
 */
async function alertOnSpam(env: TestEnvironment): Promise<void> {
  const pool = createPostgresPool(env.config);
  try {
    await createPostgresSink(pool, env.config.postgres, createSinkMetrics(new Registry())).migrate(env.config.postgres.schema);
    await pool.query(`INSERT INTO tenant_policy (tenant_id, suspicious_at, malicious_at, alert_at, alert_verdicts)
      SELECT 'tenant-' || n, 50, 80, 80, '{spam,malicious}' FROM generate_series(0, 2) n`);
  } finally {
    await pool.end();
  }
}

async function groupOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

async function highWatermarks(kafka: Kafka, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

/** What a group that read everything has committed: an empty partition is never read, so it has no commit. */
const readToEnd = (high: Record<number, string>) => Object.fromEntries(Object.entries(high).map(([p, h]) => [p, h === '0' ? '-1' : h]));

function deleteGroupsAfter(t: { after: (fn: () => Promise<void>) => void }, env: TestEnvironment, groups: () => string[]): void {
  t.after(async () => {
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.deleteGroups(groups()).catch(() => undefined);
    await admin.disconnect();
  });
}

const storedIds = async (env: TestEnvironment) =>
  new Set((await env.pool.query<{ message_id: string }>(`SELECT message_id FROM ${env.id}.email_scores`)).rows.map((r) => r.message_id));

test('a time range is replayed exactly: its rows and no others, into daily partitions, no alerts, the live group untouched', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const before = await events(40, 'before');
  const inside = await events(120, 'inside');
  const after = await events(40, 'after');
  await publish(env.kafka, env.config.topics.input, before);
  await sleep(1_500);
  const from = Date.now();
  await publish(env.kafka, env.config.topics.input, inside);
  const to = Date.now() + 1;
  await sleep(1_500);
  await publish(env.kafka, env.config.topics.input, after);
  await alertOnSpam(env);

  const summary = await runReplay(env.config, quietLogger, new Registry(), { range: { kind: 'time', fromMs: from, toMs: to }, mode: WriteMode.fill, rate: 0, alerts: false });
  deleteGroupsAfter(t, env, () => [summary.groupId]);
  assert.equal(summary.events, inside.length);
  assert.equal(summary.inserted, inside.length);
  assert.deepEqual(await storedIds(env), new Set(inside.map((e) => e.messageId!)));

  // Every row in the daily partition of its day, none in the default partition.
  const { rows: homes } = await env.pool.query<{ home: string; n: string }>(
    `SELECT tableoid::regclass::text AS home, count(*) AS n FROM ${env.id}.email_scores GROUP BY 1`);
  assert.deepEqual(homes.map((h) => [h.home.replace(`${env.id}.`, ''), Number(h.n)]), [[partitionName(OLD_DAY), inside.length]]);

  // The replay group sits at the end of the range; the live group has committed nothing.
  const ends = Object.fromEntries(summary.partitions.map((p) => [p.partition, p.end.toString()]));
  assert.deepEqual(await groupOffsets(env.kafka, summary.groupId, env.config.topics.input), ends);
  assert.ok(Object.values(await groupOffsets(env.kafka, env.config.ingest.groupId, env.config.topics.input)).every((o) => o === '-1'));
  assert.ok(Object.values(await highWatermarks(env.kafka, env.config.topics.alerts)).every((o) => o === '0'), 'no alert published');

  // The same command again finds its range done and writes nothing.
  const again = await runReplay(env.config, quietLogger, new Registry(), { range: { kind: 'time', fromMs: from, toMs: to }, mode: WriteMode.fill, rate: 0, alerts: false });
  assert.equal(again.groupId, summary.groupId);
  assert.equal(again.inserted, 0);
  assert.equal(await countRows(env.pool, env.id), inside.length);

  // With --alerts (another group, so that it runs): the alerts go out with their deterministic ids.
  const alerting = `${summary.groupId}-alerts`;
  const loud = await runReplay(env.config, quietLogger, new Registry(), { range: { kind: 'time', fromMs: from, toMs: to }, mode: WriteMode.fill, rate: 0, alerts: true, groupId: alerting });
  deleteGroupsAfter(t, env, () => [alerting]);
  assert.equal(loud.inserted, 0);
  const { rows: alertedRows } = await env.pool.query<{ tenant_id: string; message_id: string; received_at: Date }>(
    `SELECT tenant_id, message_id, received_at FROM ${env.id}.email_scores WHERE alerted`);
  assert.ok(alertedRows.length > 0, 'the corpus has mail that alerts');
  const published = await readTopic(env.kafka, env.config.topics.alerts, alertedRows.length);
  assert.deepEqual(
    new Set(published.map((m) => m.headers![ALERT_ID_HEADER]!.toString())),
    new Set(alertedRows.map((r) => alertId({ tenantId: r.tenant_id, messageId: r.message_id, receivedAtMs: r.received_at.getTime() }))));
  assert.equal(published.length, alertedRows.length);

  // An offsets range on one partition reads nothing of the others, though they hold records.
  await env.pool.query(`DELETE FROM ${env.id}.email_scores`);
  const one = summary.partitions.find((p) => p.end > p.start)!;
  const single = await runReplay(env.config, quietLogger, new Registry(), { range: parseOffsets(`${one.partition}:${one.start}-${one.end}`), mode: WriteMode.fill, rate: 0, alerts: false });
  deleteGroupsAfter(t, env, () => [single.groupId]);
  assert.equal(single.inserted, Number(one.end - one.start));
  const { rows: [only] } = await env.pool.query<{ n: string; partitions: string }>(
    `SELECT count(*) AS n, count(DISTINCT source_partition) AS partitions FROM ${env.id}.email_scores WHERE source_partition = $1`, [one.partition]);
  assert.equal(Number(only!.n), Number(one.end - one.start));
  assert.equal(await countRows(env.pool, env.id), Number(one.end - one.start));
});

test('a replay killed with SIGKILL mid-range and run again finishes with no gap and no duplicate', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const all = await events(600, 'kill');
  await publish(env.kafka, env.config.topics.input, all);
  const high = await highWatermarks(env.kafka, env.config.topics.input);
  const offsets = Object.entries(high).map(([p, h]) => `${p}:0-${h}`).join(',');
  const group = `${env.id}-replay-kill`;
  deleteGroupsAfter(t, env, () => [group]);

  const replay = (rate: number) => {
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'replay', '--offsets', offsets, '--group', group, '--rate', String(rate)], {
      env: { ...env.env, LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, output: () => out };
  };

  const first = replay(60);
  t.after(() => { first.child.kill('SIGKILL'); });
  const partial = await waitFor('part of the range', () => countRows(env.pool, env.id), (n) => n >= 120, 90_000);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(partial < all.length, `killed mid-range (${partial} of ${all.length} stored)`);

  const second = replay(0);
  t.after(() => { second.child.kill('SIGKILL'); });
  assert.equal(await second.exited, 0, 'the second run finishes by itself');
  const summary = JSON.parse(second.output().trim().split('\n').pop()!) as { events: number; groupId: string };
  assert.equal(summary.events, all.length);
  const { rows: [counts] } = await env.pool.query<{ n: string; ids: string }>(
    `SELECT count(*) AS n, count(DISTINCT (tenant_id, message_id, received_at)) AS ids FROM ${env.id}.email_scores`);
  assert.equal(Number(counts!.n), all.length, 'no gap');
  assert.equal(Number(counts!.ids), all.length, 'no duplicate');
  assert.deepEqual(await storedIds(env), new Set(all.map((e) => e.messageId!)));
  assert.deepEqual(await groupOffsets(env.kafka, group, env.config.topics.input), high);
});

test('rescore with a second model replaces the range\'s scores, keeps the previous ones, changes nothing the second time', async (t) => {
  const { env, pipeline } = await startTestPipeline(t);
  const liveVersion = pipeline.scorer.modelVersions().current;
  const before = await events(60, 'before');
  const inside = await events(100, 'inside');
  await publish(env.kafka, env.config.topics.input, before);
  await sleep(1_500);
  const from = Date.now();
  await publish(env.kafka, env.config.topics.input, inside);
  const to = Date.now() + 1;
  await waitFor('the live pipeline to score everything', () => countRows(env.pool, env.id), (n) => n >= before.length + inside.length);
  const inputEnd = JSON.stringify(readToEnd(await highWatermarks(env.kafka, env.config.topics.input)));
  const liveOffsets = await waitFor('the live group to commit everything', () => groupOffsets(env.kafka, env.config.ingest.groupId, env.config.topics.input),
    (o) => JSON.stringify(o) === inputEnd);
  const scoresBefore = new Map((await env.pool.query<{ message_id: string; risk_score: number; model_probability: number; model_version: string }>(
    `SELECT message_id, risk_score, model_probability, model_version FROM ${env.id}.email_scores`)).rows.map((r) => [r.message_id, r]));

  const model = await secondModel(t, 3);
  const range = { kind: 'time', fromMs: from, toMs: to } as const;
  const summary = await runReplay(env.config, quietLogger, new Registry(), { range, mode: WriteMode.rescore, modelDirectory: model.dir, rate: 0, alerts: false });
  const rerun = `${summary.groupId}-again`;
  deleteGroupsAfter(t, env, () => [summary.groupId, rerun]);
  assert.equal(summary.events, inside.length);
  assert.equal(summary.replaced, inside.length);
  assert.equal(summary.inserted, 0);

  const rows = new Map((await env.pool.query<{ message_id: string; model_version: string; scored_at: Date }>(
    `SELECT message_id, model_version, scored_at FROM ${env.id}.email_scores`)).rows.map((r) => [r.message_id, r]));
  assert.equal(rows.size, before.length + inside.length, 'no row added');
  for (const e of inside) assert.equal(rows.get(e.messageId!)!.model_version, model.version);
  for (const e of before) assert.equal(rows.get(e.messageId!)!.model_version, liveVersion, 'rows outside the range untouched');

  // The replaced scores, as they were, one per rescored message.
  const { rows: previous } = await env.pool.query<{ message_id: string; model_version: string; risk_score: number; model_probability: number; replaced_by_version: string }>(
    `SELECT message_id, model_version, risk_score, model_probability, replaced_by_version FROM ${env.id}.email_scores_previous`);
  assert.equal(previous.length, inside.length);
  for (const p of previous) {
    const old = scoresBefore.get(p.message_id)!;
    assert.equal(p.model_version, liveVersion);
    assert.equal(p.replaced_by_version, model.version);
    assert.equal(p.risk_score, old.risk_score);
    assert.equal(p.model_probability, old.model_probability);
  }
  const { rows: changes } = await env.pool.query<{ n: string; moved: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE model_probability <> previous_probability) AS moved FROM ${env.id}.email_score_changes`);
  assert.equal(Number(changes[0]!.n), inside.length);
  assert.ok(Number(changes[0]!.moved) > 0, 'the second model scores differently');

  // The same model over the same range again (a new group, so it really runs): nothing changes.
  const second = await runReplay(env.config, quietLogger, new Registry(), { range, mode: WriteMode.rescore, modelDirectory: model.dir, rate: 0, alerts: false, groupId: rerun });
  assert.equal(second.replaced, 0);
  assert.equal(second.inserted, 0);
  assert.equal(Number((await env.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${env.id}.email_scores_previous`)).rows[0]!.n), inside.length);
  const unchanged = new Map((await env.pool.query<{ message_id: string; scored_at: Date }>(`SELECT message_id, scored_at FROM ${env.id}.email_scores`)).rows.map((r) => [r.message_id, r.scored_at.getTime()]));
  for (const [id, row] of rows) assert.equal(unchanged.get(id), row.scored_at.getTime());

  assert.deepEqual(await groupOffsets(env.kafka, env.config.ingest.groupId, env.config.topics.input), liveOffsets, 'the live group never moved');
});

test('--offsets is parsed as partition:start-end with the end exclusive', () => {
  assert.deepEqual(parseOffsets('1:5-9, 0:0-3'), { kind: 'offsets', partitions: [{ partition: 0, start: 0n, end: 3n }, { partition: 1, start: 5n, end: 9n }] });
  assert.throws(() => parseOffsets('0:9-5'), { code: 'REPLAY_BAD_RANGE' });
  assert.throws(() => parseOffsets('0:1-2,0:3-4'), { code: 'REPLAY_BAD_RANGE' });
  assert.throws(() => parseOffsets('x'), { code: 'REPLAY_BAD_RANGE' });
});
