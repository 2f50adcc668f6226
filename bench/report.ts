// Writes a bench run as bench/results/latest.json, a copy in bench/results/history/, and a
// markdown report with SVG charts (Vega-Lite, rendered headless) that also lists earlier runs.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

interface Summary { count: number; p50: number; p95: number; p99: number; max: number; rate_per_second: number }
interface ThreadShare { thread: string; tids: number[]; cpu_seconds: number; us_per_email: number }
interface DrainCpu {
  per_process: Record<string, number>;
  per_stage: Record<string, number>;
  /** Pipeline process CPU per email, all threads (absent before the thread breakdown). */
  us_per_email?: number;
  per_thread?: ThreadShare[];
}
interface LadderStep { rate: number; achieved_rate: number; producer_us_per_email: number; count: number; landed: number; p50: number; p95: number; p99: number; max: number }
export interface BenchResult {
  commit: string;
  run_id: string;
  generated_at: string;
  n: number;
  event_kib: number;
  drain_eps: number;
  drain_eps_min: number;
  drain_eps_max: number;
  drains: Array<{ run: number; eps: number; seconds: number; exactly_once: boolean; peak_rss_mb: number }>;
  /** Drains of events that carry only raw_message (absent in earlier runs; null with BENCH_RAW_N=0). */
  raw?: {
    n: number; event_kib: number; eps: number; eps_min: number; eps_max: number; exactly_once: boolean; peak_rss_mb: number;
    drains: Array<{ run: number; eps: number; seconds: number; exactly_once: boolean }>; cpu_seconds: DrainCpu;
  } | null;
  /** `mailscore replay fill` of the same preloaded events (absent in runs before issue 9). */
  replay?: { eps: number; eps_min?: number; eps_max?: number; wall_seconds: number; exactly_once: boolean; ratio_to_drain: number };
  /** `fast_runs`: every repeat of the fast rate (earlier runs had one, as `fast`). */
  latency_ms: { slow: Summary; fast: Summary; fast_runs?: Array<Summary & { run: number; landed?: number; achieved_rate?: number; producer_us_per_email?: number }>; fast_distribution: number[] };
  ladder?: { budget_ms: number; step_seconds: number; knee_rate: number | null; stopped_early: boolean; steps: LadderStep[] };
  peak_rss_mb: number;
  ceilings: { consume_eps: number; copy_eps: number; naive_eps: number; preload_eps: number };
  ratios: { drain_to_consume_ceiling: number; drain_to_copy_ceiling: number; drain_to_naive: number };
  cpu_seconds: DrainCpu;
  timeline: Array<{ second: number; rows: number }>;
  machine: { cores: number; node: string };
}

async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

export async function writeReport(directory: string, result: BenchResult): Promise<{ markdownPath: string }> {
  const history = join(directory, 'history');
  await mkdir(history, { recursive: true });
  const { fast_distribution: distribution, ...latency } = result.latency_ms;
  const stored = { ...result, latency_ms: latency };
  await writeFile(join(directory, 'latest.json'), `${JSON.stringify(stored, null, 2)}\n`);
  await writeFile(join(history, `${result.generated_at.replace(/[:.]/g, '-')}-${result.commit.slice(0, 8)}.json`), `${JSON.stringify(stored)}\n`);

  await writeFile(join(directory, 'throughput.svg'), await svg({
    width: 640, height: 220, title: `Rows committed per second (drain of ${result.n.toLocaleString('en')} events)`,
    data: { values: result.timeline }, mark: { type: 'line', point: false },
    encoding: { x: { field: 'second', type: 'quantitative', title: 'seconds into the drain' }, y: { field: 'rows', type: 'quantitative', title: 'rows / s' } },
  }));
  await writeFile(join(directory, 'latency.svg'), await svg({
    width: 640, height: 220, title: `End-to-end latency at ${result.latency_ms.fast.rate_per_second} emails/s (produce → row committed)`,
    data: { values: distribution.map((ms) => ({ ms })) }, mark: 'bar',
    encoding: { x: { field: 'ms', type: 'quantitative', bin: { maxbins: 60 }, title: 'milliseconds', axis: { tickCount: 10, labelOverlap: true } }, y: { aggregate: 'count', type: 'quantitative', title: 'emails' } },
  }));

  if (result.ladder !== undefined && result.ladder.steps.length > 0) {
    const ladder = result.ladder;
    const points = ladder.steps.flatMap((step) => (['p50', 'p99'] as const).map((percentile) => ({ rate: step.rate, percentile, ms: Math.max(step[percentile], 1) })));
    await writeFile(join(directory, 'ladder.svg'), await svg({
      width: 640, height: 260, title: `End-to-end latency by offered rate (${ladder.step_seconds} s per step; knee: ${ladder.knee_rate === null ? 'none' : `${ladder.knee_rate}/s`})`,
      layer: [
        {
          data: { values: points }, mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'rate', type: 'quantitative', title: 'emails / s offered' },
            y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds (log)' },
            color: { field: 'percentile', type: 'nominal', title: null },
          },
        },
        { data: { values: [{ ms: ladder.budget_ms }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'firebrick' }, encoding: { y: { field: 'ms', type: 'quantitative' } } },
      ],
    }));
  }

  // Every run so far, oldest first: progress between commits stays visible.
  const earlier: BenchResult[] = [];
  for (const file of (await readdir(history)).filter((f) => f.endsWith('.json')).sort()) {
    earlier.push(JSON.parse(await readFile(join(history, file), 'utf8')) as BenchResult);
  }
  const l = result.latency_ms;
  const fastRuns = fastRunsOf(result);
  const raw = result.raw ?? null;
  const ladder = result.ladder;
  const cpu = result.cpu_seconds;
  const rawCpu = raw?.cpu_seconds;
  const perEmail = (seconds: number | undefined, n: number) => (seconds === undefined ? '—' : String(Math.round((seconds * 1e6) / n)));
  const markdown = [
    '# `make bench`', '',
    `Commit \`${result.commit.slice(0, 12)}\`, ${result.generated_at}, ${result.machine.cores} cores, Node ${result.machine.node}; broker, PostgreSQL and pipeline on the same machine.`,
    `Command: \`make bench N=${result.n}${raw === null ? ' BENCH_RAW_N=0' : ` BENCH_RAW_N=${raw.n}`}\`. ${result.n.toLocaleString('en')} structured events of ${result.event_kib} KiB on average, built from the SpamAssassin corpus (50 tenants, distinct ids, senders, URLs and bodies)`
      + (raw === null ? '.' : `; ${raw.n.toLocaleString('en')} raw-MIME events of ${raw.event_kib} KiB (the same corpus messages as \`raw_message\` and envelope only, as an MTA plugin sends them; the workers parse the MIME).`), '',
    '## Headline', '',
    '| measure | value |', '| --- | --- |',
    `| drained emails/s, structured (median of ${result.drains.length}, min–max) | **${result.drain_eps}** (${result.drain_eps_min}–${result.drain_eps_max}) |`,
    raw === null ? '| drained emails/s, raw MIME | not run (BENCH_RAW_N=0) |' : `| drained emails/s, raw MIME (median of ${raw.drains.length}, min–max) | **${raw.eps}** (${raw.eps_min}–${raw.eps_max}) |`,
    `| pipeline CPU per email (whole process, all threads) | ${cpu.us_per_email ?? perEmail(cpu.per_process.pipeline, result.n)} µs structured${rawCpu === undefined ? '' : `, ${rawCpu.us_per_email} µs raw MIME`} |`,
    ...(ladder === undefined ? [] : [`| knee: highest offered rate with p99 ≤ ${ladder.budget_ms} ms (ladder of ${ladder.step_seconds} s steps) | **${ladder.knee_rate === null ? 'none' : `${ladder.knee_rate}/s`}** |`]),
    `| p99 at ${l.fast.rate_per_second}/s, ${fastRuns.length === 1 ? 'one run' : `each of ${fastRuns.length} runs`} | ${fastRuns.map((r) => `**${r.p99}**`).join(' / ')} ms (p50 ${fastRuns.map((r) => r.p50).join(' / ')} ms) |`,
    `| peak RSS of the pipeline | ${result.peak_rss_mb} MiB |`,
    ...(result.replay === undefined ? [] : [
      `| replayed emails/s (\`mailscore replay fill\` of the same events, alerts off; median of ${result.replay.eps_min === undefined ? 1 : result.drains.length}, min–max) | ${result.replay.eps}${result.replay.eps_min === undefined ? '' : ` (${result.replay.eps_min}–${result.replay.eps_max})`}, ${result.replay.ratio_to_drain}× the drain; ${result.replay.wall_seconds} s with start-up and stop |`]),
    `| latency at 1000/min: p50 / p95 / p99 / max | ${l.slow.p50} / ${l.slow.p95} / ${l.slow.p99} / ${l.slow.max} ms (${l.slow.count} emails) |`,
    `| every event landed exactly once | ${result.drains.every((d) => d.exactly_once) && (result.replay?.exactly_once ?? true) && (raw?.exactly_once ?? true) ? 'yes' : '**no**'} |`, '',
    `## Latency at ${l.fast.rate_per_second}/s, every run`, '',
    '| run | emails | produced/s | bench producer CPU µs/email | p50 | p95 | p99 | max (ms) |', '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...fastRuns.map((r) => `| ${r.run} | ${r.count} | ${r.achieved_rate ?? r.rate_per_second} | ${r.producer_us_per_email ?? '—'} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} |`), '',
    'Events are encoded and framed before each run; the bench stamps each one\'s received time as it hands it to the producer, Kafka\'s Java client (bench/PacedProducer.java). It runs on the same cores as the pipeline: its CPU per email (the JVM and the bench process together) is shown so that it can be weighed.', '',
    ...(ladder === undefined ? [] : [
      '## Rate ladder', '',
      `Paced production at rising rates, ${ladder.step_seconds} s each, events encoded before each step (the producer only stamps the send time), the pipeline idle between steps; climbing stops after two steps in a row far over budget (p99 above ${4 * ladder.budget_ms} ms, or events still unstored a minute after the step). The knee is the highest rate whose p99 stayed within ${ladder.budget_ms} ms with every event stored.`, '',
      '| offered/s | produced/s | bench producer CPU µs/email | emails | stored | p50 | p95 | p99 | max (ms) | within budget |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...ladder.steps.map((s) => `| ${s.rate} | ${s.achieved_rate} | ${s.producer_us_per_email} | ${s.count} | ${s.landed} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} | ${s.landed === s.count && s.p99 <= ladder.budget_ms ? 'yes' : 'no'} |`),
      ...(ladder.stopped_early ? ['', 'Stopped climbing: the two steps before were far over budget.'] : []), '',
      '![ladder](ladder.svg)', '',
    ]),
    '## Ceilings, measured in the same run', '',
    '| path | emails/s | pipeline drain as a share |', '| --- | --- | --- |',
    `| raw consume (kafkajs read + identity check) | ${result.ceilings.consume_eps} | ${result.ratios.drain_to_consume_ceiling} |`,
    `| raw COPY (same rows straight into PostgreSQL) | ${result.ceilings.copy_eps} | ${result.ratios.drain_to_copy_ceiling} |`,
    `| naive baseline (one message at a time, one INSERT per row) | ${result.ceilings.naive_eps} | ${result.ratios.drain_to_naive}× |`,
    `| preload (producer) | ${result.ceilings.preload_eps} | |`, '',
    '## Where the time goes (the drain closest to the median of each kind)', '',
    `| process | CPU seconds, structured | µs per email | CPU seconds, raw MIME | µs per email |`, '| --- | --- | --- | --- | --- |',
    ...Object.entries(cpu.per_process).map(([k, v]) => `| ${k} | ${v} | ${perEmail(v, result.n)} | ${rawCpu?.per_process[k] ?? '—'} | ${raw === null ? '—' : perEmail(rawCpu?.per_process[k], raw.n)} |`), '',
    '| pipeline thread | CPU µs per email, structured | CPU µs per email, raw MIME |', '| --- | --- | --- |',
    ...threadRows(cpu.per_thread ?? [], rawCpu?.per_thread ?? []), '',
    'Threads read from /proc/<pid>/task/<tid>/stat (utime + stime, 10 ms ticks). Node names every worker thread "WorkerThread" and the main thread "MainThread"; the scoring workers are the busy WorkerThreads, busiest first. V8Worker threads are V8\'s platform pool (concurrent GC marking, compilation) working for every isolate.', '',
    '| pipeline stage | seconds, structured | µs per email | seconds, raw MIME | µs per email |', '| --- | --- | --- | --- | --- |',
    ...Object.entries(cpu.per_stage).map(([k, v]) => `| ${k} | ${v} | ${perEmail(v, result.n)} | ${rawCpu?.per_stage[k] ?? '—'} | ${raw === null ? '—' : perEmail(rawCpu?.per_stage[k], raw.n)} |`), '',
    'Stage times: decode and risk_intel_policy are main-thread time; features (protobuf decode, MIME parsing of raw events, features and explanations in the worker) and inference are time inside the workers, summed over both, so they include time a worker waited for a core; COPY and alerts are wall time including the round trips.', '',
    '![throughput](throughput.svg)', '', '![latency](latency.svg)', '',
    '## Every run so far', '',
    `| when | commit | N | drain emails/s | raw-MIME drain emails/s | knee (/s) | p99 at 2000/s, each run (ms) | peak RSS (MiB) | pipeline CPU µs/email |`, '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...earlier.map((r) => `| ${r.generated_at} | ${r.commit.slice(0, 8)} | ${r.n} | ${r.drain_eps} | ${r.raw ? r.raw.eps : '—'} | ${r.ladder === undefined ? '—' : r.ladder.knee_rate ?? 'none'} | `
      + `${fastRunsOf(r).map((f) => f.p99).join(' / ')}${r.latency_ms.fast.rate_per_second === 2000 ? '' : ` (at ${r.latency_ms.fast.rate_per_second}/s)`} | ${r.peak_rss_mb} | ${r.cpu_seconds?.us_per_email ?? (r.cpu_seconds ? perEmail(r.cpu_seconds.per_process.pipeline, r.n) : '—')}${r.raw?.cpu_seconds.us_per_email === undefined ? '' : ` (raw ${r.raw.cpu_seconds.us_per_email})`} |`), '',
  ].join('\n');
  const markdownPath = join(directory, 'latest.md');
  await writeFile(markdownPath, markdown);
  return { markdownPath: 'bench/results/latest.md' };
}

/** Every fast-rate run of a result; runs before the repeats had one, as `fast`. */
function fastRunsOf(result: BenchResult): Array<Summary & { run: number; achieved_rate?: number; producer_us_per_email?: number }> {
  return result.latency_ms.fast_runs ?? [{ run: 1, ...result.latency_ms.fast }];
}

/** One row per thread: structured and raw drains side by side, matched by role (main, worker k, name). */
function threadRows(structured: readonly ThreadShare[], raw: readonly ThreadShare[]): string[] {
  const roles = [...new Set([...structured, ...raw].map((t) => t.thread))];
  const of = (threads: readonly ThreadShare[], role: string) => threads.find((t) => t.thread === role)?.us_per_email ?? '—';
  // Threads that used no measurable CPU (under one 10 ms tick) in either drain are left out.
  const busy = roles.filter((role) => [structured, raw].some((threads) => (threads.find((t) => t.thread === role)?.cpu_seconds ?? 0) > 0));
  return busy.map((role) => `| ${role} | ${of(structured, role)} | ${of(raw, role)} |`);
}
