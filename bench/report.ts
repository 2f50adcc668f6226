// Writes a bench run as bench/results/latest.json, a copy in bench/results/history/, and a
// markdown report with SVG charts (Vega-Lite, rendered headless) that also lists earlier runs.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

interface Summary { count: number; p50: number; p95: number; p99: number; max: number; rate_per_second: number }
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
  /** `mailscore replay fill` of the same preloaded events (absent in runs before issue 9). */
  replay?: { eps: number; eps_min?: number; eps_max?: number; wall_seconds: number; exactly_once: boolean; ratio_to_drain: number };
  latency_ms: { slow: Summary; fast: Summary; fast_distribution: number[] };
  peak_rss_mb: number;
  ceilings: { consume_eps: number; copy_eps: number; naive_eps: number; preload_eps: number };
  ratios: { drain_to_consume_ceiling: number; drain_to_copy_ceiling: number; drain_to_naive: number };
  cpu_seconds: { per_process: Record<string, number>; per_stage: Record<string, number> };
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

  const earlier: BenchResult[] = [];
  for (const file of (await readdir(history)).sort().slice(-10)) {
    earlier.push(JSON.parse(await readFile(join(history, file), 'utf8')) as BenchResult);
  }
  const l = result.latency_ms;
  const markdown = [
    '# `make bench`', '',
    `Commit \`${result.commit.slice(0, 12)}\`, ${result.generated_at}, ${result.machine.cores} cores, Node ${result.machine.node}; broker, PostgreSQL and pipeline on the same machine.`,
    `Command: \`make bench N=${result.n}\`. ${result.n.toLocaleString('en')} events of ${result.event_kib} KiB on average, built from the SpamAssassin corpus (50 tenants, distinct ids, senders, URLs and bodies).`, '',
    '## Headline', '',
    '| measure | value |', '| --- | --- |',
    `| drained emails/s (median of ${result.drains.length}, min–max) | **${result.drain_eps}** (${result.drain_eps_min}–${result.drain_eps_max}) |`,
    ...(result.replay === undefined ? [] : [
      `| replayed emails/s (\`mailscore replay fill\` of the same events, alerts off; median of ${result.replay.eps_min === undefined ? 1 : result.drains.length}, min–max) | **${result.replay.eps}**${result.replay.eps_min === undefined ? '' : ` (${result.replay.eps_min}–${result.replay.eps_max})`}, ${result.replay.ratio_to_drain}× the drain; ${result.replay.wall_seconds} s with start-up and stop |`]),
    `| latency at 1000/min: p50 / p95 / p99 / max | ${l.slow.p50} / ${l.slow.p95} / ${l.slow.p99} / ${l.slow.max} ms (${l.slow.count} emails) |`,
    `| latency at ${l.fast.rate_per_second}/s: p50 / p95 / p99 / max | ${l.fast.p50} / ${l.fast.p95} / ${l.fast.p99} / ${l.fast.max} ms (${l.fast.count} emails) |`,
    `| peak RSS of the pipeline | ${result.peak_rss_mb} MiB |`,
    `| every event landed exactly once | ${result.drains.every((d) => d.exactly_once) && (result.replay?.exactly_once ?? true) ? 'yes' : '**no**'} |`, '',
    '## Ceilings, measured in the same run', '',
    '| path | emails/s | pipeline drain as a share |', '| --- | --- | --- |',
    `| raw consume (kafkajs read + decode) | ${result.ceilings.consume_eps} | ${result.ratios.drain_to_consume_ceiling} |`,
    `| raw COPY (same rows straight into PostgreSQL) | ${result.ceilings.copy_eps} | ${result.ratios.drain_to_copy_ceiling} |`,
    `| naive baseline (one message at a time, one INSERT per row) | ${result.ceilings.naive_eps} | ${result.ratios.drain_to_naive}× |`,
    `| preload (producer) | ${result.ceilings.preload_eps} | |`, '',
    '## Where the time goes (the drain closest to the median)', '',
    '| process | CPU seconds |', '| --- | --- |',
    ...Object.entries(result.cpu_seconds.per_process).map(([k, v]) => `| ${k} | ${v} |`), '',
    '| pipeline stage | seconds |', '| --- | --- |',
    ...Object.entries(result.cpu_seconds.per_stage).map(([k, v]) => `| ${k} | ${v} |`), '',
    'Stage times: decode and risk_intel_policy are main-thread time; features (protobuf decode, features and explanations in the worker) and inference are time inside the workers, summed over both, so they include time a worker waited for a core; COPY and alerts are wall time including the round trips.', '',
    '![throughput](throughput.svg)', '', '![latency](latency.svg)', '',
    '## Runs so far', '',
    '| when | commit | N | drain emails/s | replay emails/s | p99 at fast rate (ms) | peak RSS (MiB) |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...earlier.map((r) => `| ${r.generated_at} | ${r.commit.slice(0, 8)} | ${r.n} | ${r.drain_eps} | ${r.replay?.eps ?? '—'} | ${r.latency_ms.fast.p99} | ${r.peak_rss_mb} |`), '',
  ].join('\n');
  const markdownPath = join(directory, 'latest.md');
  await writeFile(markdownPath, markdown);
  return { markdownPath: 'bench/results/latest.md' };
}
