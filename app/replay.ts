// `mailscore replay`: runs a fixed range of the input topic through the live pipeline's stages
// again, as a consumer group of its own, and stops by itself at the end of the range.
//
// The range is resolved to offsets once, when a replay first starts, and kept in replay_runs:
// the same command after a kill -9 finds its plan there and its progress in its group's
// committed offsets, and goes on from them. Its group starts at the range's start because the
// plan's start offsets are committed for it before it first joins (admin.setOffsets), which is
// what a seek would do, but survives a crash before the first commit as well.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { createKafka, createPipeline, createPostgresPool, type Pipeline } from './pipeline.ts';
import { readModelCard } from '../scorer/index.ts';
import { createPostgresSink, createSinkMetrics, WriteMode, type WriteReport } from '../sinks/index.ts';

export class ReplayError extends Error {
  readonly retriable = false;
  readonly code: 'REPLAY_BAD_RANGE' | 'REPLAY_PLAN_MISMATCH' | 'REPLAY_STOPPED';
  constructor(code: ReplayError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'ReplayError';
  }
}

/**
 * What to replay: a time range (record timestamps, `to` exclusive; no `to` is the end of the log
 * when the replay first starts) or offsets per partition (`end` exclusive).
 */
export type ReplayRange =
  | { readonly kind: 'time'; readonly fromMs: number; readonly toMs: number | null }
  | { readonly kind: 'offsets'; readonly partitions: ReadonlyArray<{ readonly partition: number; readonly start: bigint; readonly end: bigint }> };

export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** Exclusive. */
  readonly end: bigint;
}

export interface ReplayOptions {
  readonly range: ReplayRange;
  readonly mode: WriteMode;
  /** The model that scores the replay; the configured MODEL_DIR when absent (required for rescore). */
  readonly modelDirectory?: string;
  /** Events per second at most; 0 for no limit. */
  readonly rate: number;
  readonly alerts: boolean;
  /** The replay's consumer group; derived from the range, mode and (for rescore) model version when absent. */
  readonly groupId?: string;
  readonly topic?: string;
  /** Progress as it goes (a bar on a TTY, log lines otherwise). */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Aborted to stop the replay: the chunk in flight finishes and is committed; the same command resumes. */
  readonly signal?: AbortSignal;
}

export interface ReplayProgress {
  readonly done: number;
  readonly total: number;
  /** Events per second over the last interval. */
  readonly rate: number;
}

export interface ReplaySummary {
  readonly groupId: string;
  readonly topic: string;
  readonly mode: WriteMode;
  readonly modelVersion: string;
  readonly partitions: readonly PartitionRange[];
  readonly events: number;
  /** What this run wrote (not earlier runs of the same replay). */
  readonly inserted: number;
  readonly replaced: number;
  readonly unchanged: number;
  readonly seconds: number;
}

/** `0:100-200,1:0-50`: partition, start offset and end offset (exclusive). */
export function parseOffsets(spec: string): ReplayRange {
  const partitions: PartitionRange[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+):(\d+)-(\d+)$/.exec(part);
    if (match === null) throw new ReplayError('REPLAY_BAD_RANGE', `--offsets entries are partition:start-end (end exclusive), got "${part}"`);
    const [partition, start, end] = [Number(match[1]), BigInt(match[2]!), BigInt(match[3]!)];
    if (end < start) throw new ReplayError('REPLAY_BAD_RANGE', `--offsets ${part}: the end comes before the start`);
    if (partitions.some((p) => p.partition === partition)) throw new ReplayError('REPLAY_BAD_RANGE', `--offsets names partition ${partition} twice`);
    partitions.push({ partition, start, end });
  }
  if (partitions.length === 0) throw new ReplayError('REPLAY_BAD_RANGE', '--offsets names no partition');
  return { kind: 'offsets', partitions: partitions.sort((a, b) => a.partition - b.partition) };
}

export function parseTime(value: string, flag: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new ReplayError('REPLAY_BAD_RANGE', `${flag} must be an ISO 8601 time such as 2026-11-01T00:00Z, got "${value}"`);
  return ms;
}

/** The range as written in replay_runs and hashed into the default group id. */
export function describeRange(range: ReplayRange): string {
  if (range.kind === 'time') return `time:${new Date(range.fromMs).toISOString()}/${range.toMs === null ? 'end' : new Date(range.toMs).toISOString()}`;
  return `offsets:${range.partitions.map((p) => `${p.partition}:${p.start}-${p.end}`).join(',')}`;
}

/**
 * `<CONSUMER_GROUP>-replay-<hash>`: the same command gets the same group (and so resumes); another
 * range, mode or rescoring model gets another. A fill is the same whatever model fills it.
 */
export function defaultGroupId(liveGroup: string, topic: string, range: ReplayRange, mode: WriteMode, modelVersion: string): string {
  const identity = JSON.stringify({ topic, range: describeRange(range), mode, model: mode === WriteMode.rescore ? modelVersion : null });
  return `${liveGroup}-replay-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/** Resolves the range to offsets per partition, now; checks offsets against what the topic holds. */
export async function resolveRange(admin: Admin, topic: string, range: ReplayRange): Promise<PartitionRange[]> {
  const watermarks = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  if (range.kind === 'time') {
    if (range.toMs !== null && range.toMs < range.fromMs) throw new ReplayError('REPLAY_BAD_RANGE', '--to comes before --from');
    // The first offset whose record timestamp is at or after each bound; the end of the log when none is.
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, range.fromMs);
    const ends = range.toMs === null
      ? new Map([...watermarks].map(([partition, marks]) => [partition, marks.high]))
      : new Map((await admin.fetchTopicOffsetsByTimestamp(topic, range.toMs)).map((p) => [p.partition, BigInt(p.offset)]));
    return starts
      .map((p) => {
        const start = BigInt(p.offset);
        const end = ends.get(p.partition) ?? start;
        return { partition: p.partition, start, end: end < start ? start : end };
      })
      .sort((a, b) => a.partition - b.partition);
  }
  for (const p of range.partitions) {
    const marks = watermarks.get(p.partition);
    if (marks === undefined) throw new ReplayError('REPLAY_BAD_RANGE', `${topic} has no partition ${p.partition}`);
    if (p.start < marks.low) throw new ReplayError('REPLAY_BAD_RANGE', `${topic}/${p.partition} starts at offset ${marks.low} (older records were deleted); --offsets asks for ${p.start}`);
    if (p.end > marks.high) throw new ReplayError('REPLAY_BAD_RANGE', `${topic}/${p.partition} ends at offset ${marks.high}; --offsets asks for up to ${p.end}`);
  }
  return [...range.partitions];
}

interface StoredPlan { readonly partitions: PartitionRange[]; readonly fresh: boolean }

/** The plan of this group: the one stored when it first started, or `resolve()`d now and stored. */
async function fixPlan(pool: pg.Pool, run: { groupId: string; topic: string; mode: WriteMode; modelVersion: string; rangeSpec: string }, resolve: () => Promise<PartitionRange[]>): Promise<StoredPlan> {
  const stored = await pool.query<{ topic: string; mode: string; range_spec: string; partitions: Array<{ partition: number; start: string; end: string }> }>(
    'SELECT topic, mode, range_spec, partitions FROM replay_runs WHERE group_id = $1', [run.groupId]);
  const row = stored.rows[0];
  if (row !== undefined) {
    if (row.topic !== run.topic || row.mode !== run.mode || row.range_spec !== run.rangeSpec) {
      throw new ReplayError('REPLAY_PLAN_MISMATCH', `consumer group ${run.groupId} already replays ${row.mode} ${row.range_spec} of ${row.topic}; choose another --group`);
    }
    return { partitions: row.partitions.map((p) => ({ partition: p.partition, start: BigInt(p.start), end: BigInt(p.end) })), fresh: false };
  }
  const partitions = await resolve();
  const json = JSON.stringify(partitions.map((p) => ({ partition: p.partition, start: p.start.toString(), end: p.end.toString() })));
  // Two copies of the same command started together: the first plan stored wins.
  await pool.query(
    `INSERT INTO replay_runs (group_id, topic, mode, model_version, range_spec, partitions) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (group_id) DO NOTHING`,
    [run.groupId, run.topic, run.mode, run.modelVersion, run.rangeSpec, json]);
  return fixPlan(pool, run, resolve).then((plan) => ({ ...plan, fresh: true }));
}

/** The replay group's committed offset per partition; -1n where it has none. */
async function committed(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

/**
 * Commits the start offset for every partition of the plan the group has no commit for yet, so
 * that the consumer begins there. The broker refuses while the group has members: after a kill -9
 * the dead member stays until its session times out, so this waits for that.
 */
async function commitStarts(admin: Admin, groupId: string, topic: string, plan: readonly PartitionRange[], logger: Logger, signal: AbortSignal): Promise<void> {
  for (;;) {
    const have = await committed(admin, groupId, topic);
    const missing = plan.filter((p) => (have.get(p.partition) ?? -1n) < 0n);
    if (missing.length === 0) return;
    try {
      await admin.setOffsets({ groupId, topic, partitions: missing.map((p) => ({ partition: p.partition, offset: p.start.toString() })) });
      return;
    } catch (err) {
      if (signal.aborted) throw new ReplayError('REPLAY_STOPPED', 'stopped before the replay began', { cause: err });
      logger.info({ err, groupId }, 'the replay group still has a member (a replay killed moments ago?); waiting for its session to end');
      await sleep(1_000, undefined, { signal }).catch(() => undefined);
    }
  }
}

function progressOf(plan: readonly PartitionRange[], have: ReadonlyMap<number, bigint>): number {
  let done = 0n;
  for (const p of plan) {
    const at = have.get(p.partition) ?? -1n;
    const clamped = at < p.start ? p.start : at > p.end ? p.end : at;
    done += clamped - p.start;
  }
  return Number(done);
}

/** At most `rate` events a second, shared by the partitions consumed concurrently. */
export function createThrottle(rate: number): (events: number, signal: AbortSignal) => Promise<void> {
  let nextFreeMs = 0;
  return async (events, signal) => {
    if (rate <= 0) return;
    const now = Date.now();
    const at = Math.max(nextFreeMs, now);
    nextFreeMs = at + (events * 1000) / rate;
    if (at > now) await sleep(at - now, undefined, { signal });
  };
}

/**
 * Calls the broker or the database until it answers: a coordinator still loading, a broker
 * restarting. `attempts` bounds it at start-up, where a wrong topic must fail rather than hang.
 */
async function patiently<T>(what: string, logger: Logger, signal: AbortSignal, attempts: number, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (err instanceof ReplayError || attempt >= attempts) throw err;
      if (signal.aborted) throw new ReplayError('REPLAY_STOPPED', 'replay stopped; run the same command to resume it', { cause: err });
      logger.warn({ err, attempt }, `${what} failed; trying again`);
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)), undefined, { signal }).catch(() => undefined);
    }
  }
}

/** Runs a replay to the end of its range (or until `options.signal` aborts it). */
export async function runReplay(config: Config, logger: Logger, registry: Registry, options: ReplayOptions): Promise<ReplaySummary> {
  const started = Date.now();
  const topic = options.topic ?? config.topics.input;
  if (options.mode === WriteMode.rescore && options.modelDirectory === undefined) throw new ReplayError('REPLAY_BAD_RANGE', 'rescore needs --model DIR: the model whose scores replace the stored ones');
  const modelDirectory = options.modelDirectory ?? config.scorer.modelDirectory;
  const modelVersion = (await readModelCard(modelDirectory)).version;
  const groupId = options.groupId ?? defaultGroupId(config.ingest.groupId, topic, options.range, options.mode, modelVersion);
  if (groupId === config.ingest.groupId) throw new ReplayError('REPLAY_BAD_RANGE', `--group must not be the live group ${groupId}: the replay would move its offsets`);
  const signal = options.signal ?? new AbortController().signal;
  const log = logger.child({ replay: groupId });

  const kafka: Kafka = createKafka(config, log);
  const admin = kafka.admin();
  const pool = createPostgresPool(config);
  let pipeline: Pipeline | undefined;
  try {
    const startup = <T>(what: string, action: () => Promise<T>) => patiently(what, log, signal, 20, action);
    await startup('connecting to Kafka', () => admin.connect());
    // The pipeline applies the schema too, but the plan is stored before it starts.
    await startup('applying the schema', () => createPostgresSink(pool, config.postgres, createSinkMetrics(new Registry())).migrate(config.postgres.schema));
    const rangeSpec = describeRange(options.range);
    const plan = await startup('planning the replay', () => fixPlan(pool, { groupId, topic, mode: options.mode, modelVersion, rangeSpec }, () => resolveRange(admin, topic, options.range)));
    const total = plan.partitions.reduce((n, p) => n + Number(p.end - p.start), 0);
    log.info({ topic, mode: options.mode, modelVersion, range: rangeSpec, fresh: plan.fresh, events: total,
      partitions: plan.partitions.map((p) => `${p.partition}:${p.start}-${p.end}`).join(',') }, plan.fresh ? 'replay planned' : 'replay resumed from its stored plan');

    const written = { inserted: 0, replaced: 0, unchanged: 0 };
    let have = await startup('reading the replay group\'s offsets', () => committed(admin, groupId, topic));
    const finished = () => progressOf(plan.partitions, have) >= total;
    if (total > 0 && !finished()) {
      // Every partition of the topic gets a start and an end, empty ranges included: the group
      // reads the whole topic, and a partition without them would be read from its beginning.
      await startup('committing the start offsets', () => commitStarts(admin, groupId, topic, plan.partitions, log, signal));
      have = await startup('reading the replay group\'s offsets', () => committed(admin, groupId, topic));
      // Small chunks under a rate limit, so that the limit holds within a second or so.
      const maxBatchEvents = options.rate > 0 ? Math.max(1, Math.min(config.ingest.maxBatchEvents, Math.ceil(options.rate / 2))) : config.ingest.maxBatchEvents;
      const replayConfig: Config = {
        ...config,
        topics: { ...config.topics, input: topic },
        ingest: { ...config.ingest, maxBatchEvents },
        scorer: { ...config.scorer, modelDirectory, shadowModelDirectory: null },
      };
      pipeline = await createPipeline(replayConfig, log, registry, {
        signal,
        replay: {
          groupId,
          endOffsets: new Map(plan.partitions.map((p) => [p.partition, p.end])),
          writeMode: options.mode,
          alerts: options.alerts,
          throttle: createThrottle(options.rate),
          onWritten: (report: WriteReport) => {
            written.inserted += report.inserted;
            written.replaced += report.replaced ?? 0;
            written.unchanged += report.duplicates;
          },
        },
      });
      let died: Error | undefined;
      pipeline.onStopped((err) => { died = err; });
      await pipeline.start();
      let last = { at: Date.now(), done: progressOf(plan.partitions, have) };
      options.onProgress?.({ done: last.done, total, rate: 0 });
      while (!finished()) {
        await sleep(500, undefined, { signal }).catch(() => undefined);
        if (died !== undefined) throw died;
        if (signal.aborted) throw new ReplayError('REPLAY_STOPPED', 'replay stopped; run the same command to resume it');
        // An outage is waited out here as in the pipeline, which stops making progress meanwhile.
        have = await patiently('reading the replay group\'s offsets', log, signal, Infinity, () => committed(admin, groupId, topic));
        const now = { at: Date.now(), done: progressOf(plan.partitions, have) };
        options.onProgress?.({ done: now.done, total, rate: ((now.done - last.done) * 1000) / Math.max(1, now.at - last.at) });
        last = now;
      }
    }
    await pool.query('UPDATE replay_runs SET finished_at = coalesce(finished_at, clock_timestamp()) WHERE group_id = $1', [groupId]);
    // A replay that ran has reported its end already; one found done says so once.
    if (pipeline === undefined) options.onProgress?.({ done: total, total, rate: 0 });
    return {
      groupId, topic, mode: options.mode, modelVersion, partitions: plan.partitions, events: total,
      ...written, seconds: (Date.now() - started) / 1000,
    };
  } finally {
    // Leaves the group after the chunk in flight is committed; the next run resumes from there.
    await pipeline?.stop().catch((err: unknown) => log.error({ err }, 'error while stopping the replay pipeline'));
    await admin.disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
