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
      y: { field: 'v', type: 'quantitative' as const, title: panel.unit ?? null, axis: { labelOverlap: true } },
      color: { field: 'series', type: 'nominal' as const, legend: { orient: 'bottom' as const, columns: 2, labelLimit: 320, title: null } },
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

/** Writes one SVG per panel and a README.md showing them in order; old SVGs are removed first. */
export async function writePreview(directory: string, dashboard: string, panels: readonly PreviewPanel[], markers: readonly Marker[], about: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  for (const file of await readdir(directory)) if (file.endsWith('.svg')) await rm(join(directory, file));
  const files: string[] = [];
  for (const [i, panel] of panels.entries()) {
    const file = slug(i, panel.title);
    await writeFile(join(directory, file), await toSvg(panelSpec(panel, markers)));
    files.push(file);
  }
  const lines = [
    `# Preview: ${dashboard}`, '',
    about, '',
    ...panels.flatMap((panel, i) => [`## ${panel.title}`, '', ...panel.queries.map((q) => `\`${q.query.expr.replace(/\s+/g, ' ')}\``), '', `![${panel.title}](${files[i]})`, '']),
  ];
  await writeFile(join(directory, 'README.md'), `${lines.join('\n')}\n`);
  return files;
}
