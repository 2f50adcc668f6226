// A preview of a dashboard from a run's live data: each panel's PromQL over the run
// (query_range), drawn as a Vega-Lite line chart rendered headless to SVG, with the run's phases
// (SIGSTOP, SIGCONT, SIGKILL, …) as vertical rules. Written beside the dashboards so people can
// look at the panels without a Grafana.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { legendOf, type PanelQuery } from './dashboards.ts';
import type { RangeSeries } from './prometheus_api.ts';

export interface PanelSeries {
  readonly query: PanelQuery;
  /** The PromQL as sent (variables put in). */
  readonly sent: string;
  readonly series: readonly RangeSeries[];
}

export interface PreviewPanel {
  readonly title: string;
  readonly unit: string | null;
  readonly queries: readonly PanelSeries[];
}

export interface Marker { readonly atMs: number; readonly label: string }

/** File name of a panel's chart: its position and a slug of its title, stable between runs. */
export function slug(index: number, title: string): string {
  const text = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return `${String(index + 1).padStart(2, '0')}-${text || 'panel'}.svg`;
}

const MAX_SERIES = 12;

function axisFormat(unit: string | null): { format?: string } {
  if (unit === 'percentunit') return { format: '.1%' };
  if (unit === 'bytes' || unit === 'decbytes') return { format: '.3~s' };
  return {};
}

/** Grafana's unit ids as an axis title; none for plain numbers. */
export function unitTitle(unit: string | null): string | null {
  const titles: Record<string, string> = {
    s: 'seconds', ms: 'milliseconds', bytes: 'bytes', decbytes: 'bytes', percentunit: 'share', percent: '%',
    ops: 'per second', reqps: 'per second', cps: 'per second', rps: 'per second', dtdurations: 'seconds',
  };
  if (unit === null || unit === 'short' || unit === 'none') return null;
  if (unit.startsWith('suffix:')) return unit.slice('suffix:'.length).trim() || null;
  return titles[unit] ?? unit;
}

/** The Vega-Lite spec of one panel: a line per series (legend as Grafana would print it), phases as rules. */
export function panelSpec(panel: PreviewPanel, markers: readonly Marker[]): TopLevelSpec {
  const values: Array<{ t: number; v: number; series: string }> = [];
  const seen = new Set<string>();
  for (const q of panel.queries) {
    for (const s of q.series) {
      const base = legendOf(q.query.legendFormat, s.metric);
      let name = panel.queries.length > 1 && base === '' ? q.query.refId : base;
      if (seen.has(name)) name = `${name} (${q.query.refId})`;
      if (seen.size >= MAX_SERIES) break;
      seen.add(name);
      for (const [t, v] of s.values) if (Number.isFinite(v)) values.push({ t: t * 1000, v, series: name });
    }
  }
  const lines = {
    data: { values },
    mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.5 },
    encoding: {
      x: { field: 't', type: 'temporal' as const, title: null, axis: { format: '%H:%M:%S', labelOverlap: true } },
      y: { field: 'v', type: 'quantitative' as const, title: unitTitle(panel.unit), axis: { labelOverlap: true, ...axisFormat(panel.unit) } },
      color: { field: 'series', type: 'nominal' as const, legend: { orient: 'bottom' as const, columns: 1, labelLimit: 600, title: null } },
    },
  };
  const rules = {
    data: { values: markers.map((m) => ({ t: m.atMs, label: m.label })) },
    layer: [
      { mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 't', type: 'temporal' as const } } },
      { mark: { type: 'text' as const, angle: 270, align: 'right' as const, baseline: 'bottom' as const, dx: -2, dy: -2, fontSize: 9, color: '#666' }, encoding: { x: { field: 't', type: 'temporal' as const }, y: { value: 0 }, text: { field: 'label', type: 'nominal' as const } } },
    ],
  };
  return {
    width: 560, height: 180,
    title: { text: panel.title, anchor: 'start', fontSize: 13 },
    layer: values.length === 0 ? [rules, { mark: { type: 'text', text: 'no data' }, encoding: {} }] : [lines, rules],
  } as TopLevelSpec;
}

async function toSvg(spec: TopLevelSpec): Promise<string> {
  return new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' }).toSVG();
}

/**
 * Writes one SVG per panel, a README.md showing them in order and an index.html with all of them
 * on one page (old SVGs are removed first). Returns the files and the page's height in pixels.
 */
export async function writePreview(directory: string, dashboard: string, panels: readonly PreviewPanel[], markers: readonly Marker[], about: string): Promise<{ files: string[]; pageHeight: number }> {
  await mkdir(directory, { recursive: true });
  for (const file of await readdir(directory)) if (file.endsWith('.svg')) await rm(join(directory, file));
  const files: string[] = [];
  const heights: number[] = [];
  for (const [i, panel] of panels.entries()) {
    const file = slug(i, panel.title);
    const svg = await toSvg(panelSpec(panel, markers));
    await writeFile(join(directory, file), svg);
    files.push(file);
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    heights.push(width === undefined ? 300 : (Number(height) * GRID_IMAGE_WIDTH) / Number(width));
  }
  const lines = [
    `# Preview: ${dashboard}`, '',
    about, '',
    ...panels.flatMap((panel, i) => [`## ${panel.title}`, '', ...panel.queries.map((q) => `\`${q.query.expr.replace(/\s+/g, ' ')}\``), '', `![${panel.title}](${files[i]})`, '']),
  ];
  await writeFile(join(directory, 'README.md'), `${lines.join('\n')}\n`);
  await writeFile(join(directory, 'index.html'), gridPage(dashboard, about, panels.map((p, i) => ({ title: p.title, file: files[i]! }))));
  let pageHeight = 140;
  for (let i = 0; i < heights.length; i += 2) pageHeight += Math.ceil(Math.max(heights[i]!, heights[i + 1] ?? 0)) + 10;
  return { files, pageHeight };
}

const GRID_IMAGE_WIDTH = 600;

/** Every chart of the preview on one page, two to a row, as the dashboard lays them out roughly. */
export function gridPage(dashboard: string, about: string, charts: ReadonlyArray<{ title: string; file: string }>): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(dashboard)}</title>
<style>body{font-family:sans-serif;margin:12px;background:#fff}p{max-width:1180px;font-size:13px;color:#444}
.grid{display:grid;grid-template-columns:repeat(2,${GRID_IMAGE_WIDTH}px);gap:8px}.grid img{width:${GRID_IMAGE_WIDTH}px;border:1px solid #ddd}</style></head>
<body><h2>${escape(dashboard)}</h2><p>${escape(about.replace(/`/g, ''))}</p>
<div class="grid">${charts.map((c) => `<img src="${encodeURIComponent(c.file)}" alt="${escape(c.title)}">`).join('\n')}</div>
</body></html>
`;
}
