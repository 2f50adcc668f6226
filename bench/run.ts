// `make bench`: how much mail this pipeline takes on this machine, and how fast one email gets
// through. Preloads N structured events and BENCH_RAW_N raw-MIME ones, drains each through the
// pipeline (a separate process, as in production) several times, runs paced scenarios for
// end-to-end latency (1000/min, the fast rate repeated, a ladder of rising rates up to the knee),
// reads the pipeline's CPU per email thread by thread, and measures the raw ceilings and a naive
// baseline in the same run, so the report can give ratios.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Presets, SingleBar } from 'cli-progress';
import { pino } from 'pino';
import { loadConfig } from '../app/config.ts';
import { createKafka } from '../app/pipeline.ts';
import { ensureTopics } from '../app/topics.ts';
import { corpusSources, eventTemplates } from '../app/produce.ts';
import { quoteIdentifier } from '../sinks/index.ts';
import type { ScoredEmail } from '../schemas/contracts.ts';
import {
  benchEvent, consumeCeiling, copyCeiling, encodePaced, latencies, latencySummary, memoryMb, naiveBaseline, preload, processCpu,
  postgresCpuBetween, scrape, startPacedProducer, startPipeline, PRELOAD_COMPRESSION, type Corpus, type ProcessCpu,
} from './scenarios.ts';
import { threadCpuSeconds, threadShares } from './procstat.ts';
import { climbLadder, knee, type LadderStep } from './ladder.ts';
import { median, round } from './stats.ts';
import { knob } from './knob.ts';
import { writeReport } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = knob('N', 1_000_000);
const RUNS = Math.max(1, knob('BENCH_RUNS', 3));
const FAST_RATE = knob('BENCH_FAST_RATE', 2000);
const FAST_SECONDS = knob('BENCH_FAST_SECONDS', 30);
const SLOW_SECONDS = knob('BENCH_SLOW_SECONDS', 120);
const BASELINE_EVENTS = Math.min(N, knob('BENCH_BASELINE_EVENTS', 3000));
const COPY_ROWS = Math.min(N, knob('BENCH_COPY_ROWS', 200_000));
// Raw MIME costs the workers about four times what a structured event does (MIME parsing): a
// quarter of N, at most 50,000 (a drain of about a minute on two cores), keeps the three raw
// drains to a few minutes. 0 skips them.
const RAW_N = Math.round(knob('BENCH_RAW_N', Math.min(Math.round(N / 4), 50_000)));
const LADDER_RATES = (process.env.BENCH_LADDER_RATES || '1000,2000,3000,4000,6000,8000,12000,16000').split(',').map((r) => Number(r.trim()));
if (LADDER_RATES.some((r) => !(r > 0))) throw new Error(`BENCH_LADDER_RATES must be positive rates separated by commas, got "${process.env.BENCH_LADDER_RATES}"`);
const LADDER_SECONDS = knob('BENCH_LADDER_SECONDS', 10);
const LATENCY_BUDGET_MS = knob('BENCH_LATENCY_BUDGET_MS', 500);
const HTTP_PORT = 19_464;
/**
 * One part only, nothing written to bench/results: a quick measure while working on a change.
 * `drains`: preload and the drains (`make bench N=50000 BENCH_ONLY=drains`); `paced`: the paced
 * runs and the ladder.
 */
const ONLY = process.env.BENCH_ONLY || undefined;
if (ONLY !== undefined && ONLY !== 'drains' && ONLY !== 'paced') throw new Error(`BENCH_ONLY must be drains or paced, got "${ONLY}"`);
const COMPRESSION = (process.env.BENCH_COMPRESSION ?? 'none') as keyof typeof PRELOAD_COMPRESSION;
if (!(COMPRESSION in PRELOAD_COMPRESSION)) throw new Error(`BENCH_COMPRESSION must be none or gzip, got "${COMPRESSION}"`);

const runId = `bench${Date.now().toString(36)}`;
const RAW_TOPIC = `${runId}.raw`;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  INPUT_TOPIC: `${runId}.events`, ALERT_TOPIC: `${runId}.alerts`, DLQ_TOPIC: `${runId}.events.dlq`, TOPIC_PARTITIONS: '4',
};
const config = loadConfig(env);
const logger = pino({ level: 'warn' });
const kafka = createKafka(config, logger);
const admin = kafka.admin();
const pool = new pg.Pool({ connectionString: config.postgres.url, max: 2 });
const commit = (() => { try { return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim(); } catch { return 'unknown'; } })();
const say = (message: string) => process.stderr.write(`bench: ${message}\n`);
const bar = () => new SingleBar({ format: '  [{bar}] {value}/{total} {task}', stream: process.stderr, noTTYOutput: false, notTTYSchedule: 5000 }, Presets.shades_classic);

interface Scenario {
  /** `structured` (parsed by the producer) or `raw` (only `raw_message`: the workers parse the MIME). */
  readonly name: 'structured' | 'raw';
  readonly topic: string;
  readonly count: number;
  /** Run id inside the scenario's message ids, `<id>.<n>@…`: how its rows are found. */
  readonly idPrefix: string;
}

async function main() {
  await ensureTopics(kafka, config);
  await admin.connect();
  say(`run ${runId} on commit ${commit.slice(0, 12)}: N=${N}, raw-MIME N=${RAW_N}, ${RUNS} drains of each`);
  const corpus: Corpus = await (async () => {
    const sources = await corpusSources();
    return { sources, templates: await eventTemplates(sources) };
  })();
  if (ONLY === 'paced') {
    await pacedRuns(corpus);
    return;
  }
  const structured: Scenario = { name: 'structured', topic: config.topics.input, count: N, idPrefix: runId };
  const raw: Scenario = { name: 'raw', topic: RAW_TOPIC, count: RAW_N, idPrefix: `${runId}-raw` };

  say(`preloading ${N} events on ${config.topics.input}`);
  const preloadBar = bar();
  preloadBar.start(N, 0, { task: 'produced' });
  const loaded = await preload(kafka, config.topics.input, corpus, runId, N, COMPRESSION, preloadBar);
  preloadBar.stop();
  say(`preloaded in ${loaded.seconds.toFixed(1)} s (${Math.round(N / loaded.seconds)}/s, ${(loaded.bytes / N / 1024).toFixed(1)} KiB per event)`);

  const rawLoaded = RAW_N === 0 ? null : await (async () => {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: RAW_TOPIC, numPartitions: 4, replicationFactor: 1 }] });
    say(`preloading ${RAW_N} raw-MIME events (raw_message only) on ${RAW_TOPIC}`);
    const rawBar = bar();
    rawBar.start(RAW_N, 0, { task: 'produced' });
    const result = await preload(kafka, RAW_TOPIC, corpus, raw.idPrefix, RAW_N, COMPRESSION, rawBar, true);
    rawBar.stop();
    say(`preloaded in ${result.seconds.toFixed(1)} s (${(result.bytes / RAW_N / 1024).toFixed(1)} KiB per event)`);
    return result;
  })();

  if (ONLY === 'drains') {
    for (let run = 1; run <= RUNS; run++) {
      await drain(run, structured);
      if (rawLoaded !== null) await drain(run, raw);
    }
    return;
  }

  say('raw consume ceiling (kafkajs read + identity check)');
  const consume = await consumeCeiling(kafka, config.topics.input, N);
  say(`  ${Math.round(consume.eps)}/s`);

  // Drains, replays and raw-MIME drains alternate, so that a noisy stretch of the machine falls on all alike.
  const drains = [];
  const replays = [];
  const rawDrains = [];
  for (let run = 1; run <= RUNS; run++) {
    drains.push(await drain(run, structured));
    replays.push(await replayDrain(run));
    if (rawLoaded !== null) rawDrains.push(await drain(run, raw));
  }
  const replayEps = replays.map((r) => r.eps);

  say(`raw COPY ceiling (${COPY_ROWS} rows)`);
  const copy = await copyCeiling(config, syntheticRows(corpus, COPY_ROWS), config.ingest.maxBatchEvents);
  say(`  ${Math.round(copy.eps)}/s`);

  say(`naive baseline (${BASELINE_EVENTS} events, one at a time, one INSERT each)`);
  const naive = await naiveBaseline(config, kafka, config.topics.input, BASELINE_EVENTS);
  say(`  ${Math.round(naive.eps)}/s`);

  const paced = await pacedRuns(corpus);

  const drainEps = drains.map((d) => d.eps);
  const closestToMedian = <T extends { eps: number }>(runs: T[]): T => {
    const mid = median(runs.map((r) => r.eps));
    return runs.reduce((a, b) => (Math.abs(a.eps - mid) <= Math.abs(b.eps - mid) ? a : b));
  };
  const best = closestToMedian(drains);
  const rawBest = rawDrains.length === 0 ? null : closestToMedian(rawDrains);
  const rawEps = rawDrains.map((d) => d.eps);
  const withoutTimeline = <T extends { timeline: unknown }>({ timeline: _timeline, ...d }: T) => d;
  const result = {
    commit, run_id: runId, generated_at: new Date().toISOString(), machine: { cores: (await import('node:os')).availableParallelism(), node: process.version },
    n: N, event_kib: round(loaded.bytes / N / 1024, 2), compression: COMPRESSION, settings: { partitions: 4, scorer_threads: config.scorer.threads, partitions_consumed_concurrently: config.ingest.partitionsConsumedConcurrently, max_batch_events: config.ingest.maxBatchEvents },
    drain_eps: round(median(drainEps)), drain_eps_min: round(Math.min(...drainEps)), drain_eps_max: round(Math.max(...drainEps)),
    drains: drains.map(withoutTimeline),
    raw: rawBest === null || rawLoaded === null ? null : {
      n: RAW_N, event_kib: round(rawLoaded.bytes / RAW_N / 1024, 2),
      eps: round(median(rawEps)), eps_min: round(Math.min(...rawEps)), eps_max: round(Math.max(...rawEps)),
      exactly_once: rawDrains.every((d) => d.exactly_once),
      peak_rss_mb: round(Math.max(...rawDrains.map((d) => d.peak_rss_mb))),
      drains: rawDrains.map(withoutTimeline),
      cpu_seconds: rawBest.cpu,
    },
    replay: {
      eps: round(median(replayEps)), eps_min: round(Math.min(...replayEps)), eps_max: round(Math.max(...replayEps)),
      ratio_to_drain: round(median(replayEps) / median(drainEps), 3),
      wall_seconds: round(median(replays.map((r) => r.wall_seconds)), 2),
      exactly_once: replays.every((r) => r.exactly_once),
      runs: replays.map((r) => ({ ...r, eps: round(r.eps) })),
    },
    latency_ms: paced.latency,
    ladder: paced.ladder,
    peak_rss_mb: round(Math.max(...drains.map((d) => d.peak_rss_mb), ...rawDrains.map((d) => d.peak_rss_mb))),
    ceilings: { consume_eps: round(consume.eps), copy_eps: round(copy.eps), naive_eps: round(naive.eps), preload_eps: round(N / loaded.seconds) },
    ratios: {
      drain_to_consume_ceiling: round(median(drainEps) / consume.eps, 3),
      drain_to_copy_ceiling: round(median(drainEps) / copy.eps, 3),
      drain_to_naive: round(median(drainEps) / naive.eps, 1),
    },
    cpu_seconds: best.cpu,
    timeline: best.timeline,
  };
  const { markdownPath } = await writeReport(join(ROOT, 'bench/results'), result);
  say(`wrote bench/results/latest.json and ${markdownPath}`);
  const failures = [...drains, ...replays.map((r, i) => ({ ...r, run: `replay ${i + 1}` })), ...rawDrains.map((r) => ({ ...r, run: `raw ${r.run}` }))].filter((d) => !d.exactly_once);
  if (failures.length > 0) throw new Error(`events lost or duplicated in drain ${failures.map((f) => f.run).join(', ')}`);
  const fastP99s = paced.latency.fast_runs.map((r) => r.p99).join(', ');
  console.log(`drained ${round(median(drainEps))} emails/s (min ${round(Math.min(...drainEps))}, max ${round(Math.max(...drainEps))}), `
    + (result.raw === null ? '' : `raw MIME ${result.raw.eps} emails/s (min ${result.raw.eps_min}, max ${result.raw.eps_max}), `)
    + `replay ${round(median(replayEps))} emails/s; pipeline CPU ${best.cpu.us_per_email} µs/email structured${rawBest === null ? '' : `, ${rawBest.cpu.us_per_email} raw`}; `
    + `p99 ${fastP99s} ms at ${FAST_RATE}/s, ${round(paced.latency.slow.p99)} ms at 1000/min; knee ${paced.ladder.knee_rate ?? 'none'}/s (p99 ≤ ${LATENCY_BUDGET_MS} ms); `
    + `peak RSS ${result.peak_rss_mb} MiB; every event landed exactly once`);
}

async function drain(run: number, scenario: Scenario) {
  const schema = `${runId}_${scenario.name === 'raw' ? 'raw' : 'drain'}${run}`;
  const group = `${runId}-${scenario.name === 'raw' ? 'raw' : 'drain'}${run}`;
  const count = scenario.count;
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  say(`${scenario.name === 'raw' ? 'raw-MIME drain' : 'drain'} ${run}/${RUNS}: ${count} events through the pipeline (schema ${schema})`);
  const pipeline = await startPipeline({ ...env, INPUT_TOPIC: scenario.topic, PG_SCHEMA: schema, CONSUMER_GROUP: group }, HTTP_PORT);
  const pid = pipeline.child.pid!;
  const cpuBefore = await processCpu(pid);
  const threadsBefore = await threadCpuSeconds(pid);
  const stagesBefore = await scrape(pipeline.metricsUrl);
  const progress = bar();
  progress.start(count, 0, { task: 'rows written' });
  let written = 0;
  let peakRss = 0;
  const started = performance.now();
  while (written < count) {
    await sleep(500);
    const metrics = await scrape(pipeline.metricsUrl);
    written = metrics.get('mailscore_sink_rows_written_total') ?? written;
    peakRss = Math.max(peakRss, (await memoryMb(pid)).peak);
    progress.update(written);
    if (pipeline.child.exitCode !== null) throw new Error(`the pipeline exited with ${pipeline.child.exitCode} mid-drain`);
    if (performance.now() - started > Math.max(600_000, count * 2)) throw new Error(`drain ${run} stalled at ${written}/${count}`);
  }
  progress.stop();
  const cpuAfter = await processCpu(pid);
  const threadsAfter = await threadCpuSeconds(pid);
  const stages = await scrape(pipeline.metricsUrl);
  peakRss = Math.max(peakRss, (await memoryMb(pid)).peak);
  const exitCode = await pipeline.stop();
  const { rows: [span] } = await pool.query<{ rows: string; ids: string; first: Date; last: Date }>(
    `SELECT count(*) AS rows, count(DISTINCT (tenant_id, message_id)) AS ids, min(stored_at) AS first, max(stored_at) AS last
       FROM ${quoteIdentifier(schema)}.email_scores WHERE message_id LIKE $1`, [`<${scenario.idPrefix}.%`]);
  const seconds = (span!.last.getTime() - span!.first.getTime()) / 1000;
  const { rows: timeline } = await pool.query<{ second: number; rows: string }>(
    `SELECT extract(epoch FROM date_trunc('second', stored_at) - date_trunc('second', $1::timestamptz))::int AS second, count(*) AS rows
       FROM ${quoteIdentifier(schema)}.email_scores GROUP BY 1 ORDER BY 1`, [span!.first]);
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await admin.deleteGroups([group]).catch(() => undefined);
  const delta = (name: string) => (stages.get(name) ?? 0) - (stagesBefore.get(name) ?? 0);
  const perProcess = diffCpu(cpuBefore, cpuAfter);
  const cpu = {
    per_process: perProcess,
    // The whole pipeline process (every thread) per email: what a core buys.
    us_per_email: Math.round((perProcess.pipeline * 1e6) / count),
    per_thread: threadShares(threadsBefore, threadsAfter, pid, count),
    per_stage: {
      decode: round(delta('mailscore_ingest_decode_seconds_total'), 2),
      features: round(delta('mailscore_scorer_stage_seconds_total{stage="features"}'), 2),
      inference: round(delta('mailscore_scorer_stage_seconds_total{stage="inference"}'), 2),
      risk_intel_policy: round(delta('mailscore_scorer_stage_seconds_total{stage="risk"}'), 2),
      copy_wall: round(delta('mailscore_sink_copy_seconds_sum'), 2),
      alerts_wall: round(delta('mailscore_sink_alert_publish_seconds_sum'), 2),
    },
  };
  const result = {
    run, eps: count / seconds, seconds: round(seconds, 2), rows: Number(span!.rows), exactly_once: Number(span!.rows) === count && Number(span!.ids) === count,
    peak_rss_mb: round(peakRss), exit_code: exitCode, cpu, timeline: timeline.map((t) => ({ second: Number(t.second), rows: Number(t.rows) })),
  };
  const threads = cpu.per_thread.filter((t) => t.thread === 'main' || t.thread.startsWith('worker ')).map((t) => `${t.thread} ${t.us_per_email}`).join(', ');
  say(`  ${Math.round(result.eps)}/s over ${result.seconds} s, ${cpu.us_per_email} µs CPU per email (${threads}), peak RSS ${result.peak_rss_mb} MiB, exactly once: ${result.exactly_once}`);
  return result;
}

/**
 * `mailscore replay fill` over the same preloaded events, into an empty schema: the same work as a
 * drain (decode, score, COPY), as its own consumer group, stopping by itself at the end offsets.
 * Measured like a drain, from the first to the last row stored. Alerts are off, as in a replay
 * by default; the live drain publishes them.
 */
async function replayDrain(run: number) {
  const schema = `${runId}_replay${run}`;
  const group = `${runId}-replay${run}`;
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  const offsets = (await admin.fetchTopicOffsets(config.topics.input)).map((p) => `${p.partition}:${p.low}-${p.high}`).join(',');
  say(`replay: ${N} events through \`mailscore replay fill --offsets ${offsets}\` (schema ${schema})`);
  const started = performance.now();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(join(ROOT, 'bin/mailscore'), ['replay', '--offsets', offsets, '--group', group], {
      env: { ...env, PG_SCHEMA: schema, LOG_LEVEL: env.LOG_LEVEL ?? 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (exitCode !== 0) throw new Error(`mailscore replay exited with ${exitCode}`);
  const { rows: [span] } = await pool.query<{ rows: string; ids: string; first: Date; last: Date }>(
    `SELECT count(*) AS rows, count(DISTINCT (tenant_id, message_id)) AS ids, min(stored_at) AS first, max(stored_at) AS last
       FROM ${quoteIdentifier(schema)}.email_scores WHERE message_id LIKE $1`, [`<${runId}.%`]);
  const seconds = (span!.last.getTime() - span!.first.getTime()) / 1000;
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await admin.deleteGroups([group]).catch(() => undefined);
  const result = { eps: N / seconds, seconds: round(seconds, 2), wall_seconds: round(wallSeconds, 2), rows: Number(span!.rows), exactly_once: Number(span!.rows) === N && Number(span!.ids) === N };
  say(`  ${Math.round(result.eps)}/s over ${result.seconds} s (${result.wall_seconds} s with start-up and stop), exactly once: ${result.exactly_once}`);
  return result;
}

async function pacedRuns(corpus: Corpus) {
  const schema = `${runId}_paced`;
  const group = `${runId}-paced`;
  const topic = `${runId}.paced`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] });
  const producer = await startPacedProducer(config, topic);
  const pipeline = await startPipeline({ ...env, INPUT_TOPIC: topic, PG_SCHEMA: schema, CONSUMER_GROUP: group, INGEST_FROM_BEGINNING: 'false' }, HTTP_PORT);
  /** Produces `count` events at `rate`, encoded beforehand, and waits (up to `waitMs`) until they are stored. */
  const pacedStep = async (label: string, rate: number, count: number, waitMs = 60_000) => {
    const encoded = encodePaced(corpus, `${runId}-${label}`, count);
    const sent = await producer.produce(encoded, rate);
    const landed = await waitForRows(schema, encoded.runId, sent.count, waitMs);
    const sorted = await latencies(pool, schema, encoded.runId);
    return { summary: roundAll({ ...latencySummary(sorted), count: sent.count, landed, achieved_rate: round(sent.achievedRate), producer_us_per_email: sent.producerUsPerEvent }), sorted };
  };
  try {
    await sleep(2000);
    say(`paced: 1000 emails a minute for ${SLOW_SECONDS} s`);
    const { summary: slow } = await pacedStep('slow', 1000 / 60, Math.round((1000 / 60) * SLOW_SECONDS));
    say(`  p50 ${slow.p50} p99 ${slow.p99} max ${slow.max} ms`);
    const fastRuns = [];
    for (let run = 1; run <= RUNS; run++) {
      say(`paced ${run}/${RUNS}: ${FAST_RATE} emails a second for ${FAST_SECONDS} s`);
      const { summary: fast, sorted } = await pacedStep(`fast${run}`, FAST_RATE, Math.round(FAST_RATE * FAST_SECONDS));
      say(`  p50 ${fast.p50} p99 ${fast.p99} max ${fast.max} ms (${fast.achieved_rate}/s produced at ${fast.producer_us_per_email} µs CPU each, ${fast.landed}/${fast.count} stored)`);
      fastRuns.push({ run, summary: fast, sorted });
    }
    // The repeat with the median p99 is the one drawn and carried as `fast` in the history.
    const middle = [...fastRuns].sort((a, b) => a.summary.p99 - b.summary.p99)[Math.floor((fastRuns.length - 1) / 2)]!;
    const ladder = await climbLadder(LADDER_RATES, LATENCY_BUDGET_MS, async (rate): Promise<LadderStep> => {
      say(`ladder: ${rate} emails a second for ${LADDER_SECONDS} s`);
      const summary = { rate, ...(await pacedStep(`ladder${rate}`, rate, Math.round(rate * LADDER_SECONDS))).summary };
      say(`  p50 ${summary.p50} p99 ${summary.p99} max ${summary.max} ms (${summary.achieved_rate}/s produced at ${summary.producer_us_per_email} µs CPU each, ${summary.landed}/${summary.count} stored)`);
      return summary;
    });
    const kneeRate = knee(ladder.steps, LATENCY_BUDGET_MS);
    say(`ladder: knee ${kneeRate ?? 'none'}/s (the highest rate with p99 ≤ ${LATENCY_BUDGET_MS} ms)${ladder.stopped_early ? '; stopped climbing after two steps far over budget' : ''}`);
    return {
      latency: {
        slow: { ...slow, rate_per_second: round(1000 / 60, 2) },
        fast: { ...middle.summary, rate_per_second: FAST_RATE },
        fast_runs: fastRuns.map(({ run, summary }) => ({ run, ...summary, rate_per_second: FAST_RATE })),
        fast_distribution: middle.sorted.map((x) => round(x)),
      },
      ladder: { budget_ms: LATENCY_BUDGET_MS, step_seconds: LADDER_SECONDS, knee_rate: kneeRate, stopped_early: ladder.stopped_early, steps: ladder.steps },
    };
  } finally {
    await producer.close();
    await pipeline.stop();
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }
}

/** Rows stored for `idPrefix`, polled until all `count` are there or `waitMs` runs out. */
async function waitForRows(schema: string, idPrefix: string, count: number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { rows: [c] } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdentifier(schema)}.email_scores WHERE message_id LIKE $1`, [`<${idPrefix}.%`]);
    const landed = Number(c!.n);
    if (landed >= count || Date.now() > deadline) return landed;
    await sleep(200);
  }
}

function roundAll<T extends Record<string, number>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v)])) as T;
}

function diffCpu(before: ProcessCpu, after: ProcessCpu) {
  return { pipeline: round(after.pipeline - before.pipeline, 2), broker: round(after.broker - before.broker, 2), postgres: round(postgresCpuBetween(before, after), 2) };
}

/** Rows as the scorer would produce them, for the COPY ceiling. */
function syntheticRows(corpus: Corpus, count: number): ScoredEmail[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, n) => {
    const event = benchEvent(corpus, `${runId}-copy`, n, now - (n % 3_600_000));
    return {
      tenantId: event.tenantId!, messageId: event.messageId!, receivedAtMs: Number(event.receivedAtMs), scoredAtMs: now, riskScore: n % 101,
      verdict: n % 3 === 0 ? 'malicious' : 'clean', modelProbability: (n % 100) / 100, modelVersion: 'bench',
      reasons: [{ code: 'model.spam_probability', points: n % 101, detail: '0.5000' }, { code: 'rule.reply_to_mismatch', points: 8 }],
      explanations: [{ feature: 'b:free', contribution: 1.2 }, { feature: 's:offer', contribution: 0.8 }, { feature: 'fd:example.com', contribution: -0.4 }],
      shadow: null, mailFrom: event.envelope?.mailFrom ?? '', fromAddress: event.from?.address ?? '', subject: (event.subject ?? '').slice(0, 200),
      alert: n % 3 === 0, source: { topic: 'bench', partition: n % 4, offset: String(n) },
    };
  });
}

try {
  await main();
} finally {
  await admin.deleteTopics({ topics: [config.topics.input, config.topics.alerts, config.topics.deadLetter] }).catch(() => undefined);
  // A topic of its own call: deleting one that was never created (BENCH_RAW_N=0) fails the call.
  await admin.deleteTopics({ topics: [RAW_TOPIC] }).catch(() => undefined);
  await admin.disconnect();
  await pool.end();
}
