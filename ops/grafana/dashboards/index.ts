// The mailscore dashboards as Grafana provisions them, and every panel query in one list so
// checks can run them against a live Prometheus (ops check) or parse them offline (tests).
import { fileURLToPath } from 'node:url';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import { datastoresDashboard } from './datastores.ts';
import { mailscoreDashboard } from './mailscore.ts';

/** Where the generated JSON lives: the directory Grafana's dashboard provider points at. */
export const DASHBOARDS_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface DashboardSource {
  /** File name of the generated JSON, in DASHBOARDS_DIR. */
  readonly file: string;
  readonly build: () => DashboardBuilder;
}

export const DASHBOARD_SOURCES: readonly DashboardSource[] = [
  { file: 'mailscore.json', build: mailscoreDashboard },
  { file: 'datastores.json', build: datastoresDashboard },
];

function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === 'row';
}

/**
 * Builds a dashboard and numbers its panels 1, 2, 3 ... in order: the SDK leaves panel ids
 * unset (rows at 0), and Grafana needs them unique for links to a panel and for viewing one.
 */
export function renderDashboard(source: DashboardSource): Dashboard {
  const dashboard = source.build().build();
  let id = 0;
  for (const panel of dashboard.panels ?? []) {
    panel.id = ++id;
    if (isRow(panel)) for (const nested of panel.panels) nested.id = ++id;
  }
  return dashboard;
}

/** The exact text `make dashboards` writes and the test compares with the committed file. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** Every panel that shows data (rows left out), nested panels of collapsed rows included. */
export function dataPanels(dashboard: Dashboard): Panel[] {
  const panels: Panel[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (isRow(panel)) panels.push(...panel.panels);
    else panels.push(panel);
  }
  return panels;
}

export interface PanelQuery {
  /** The dashboard's uid (mailscore-pipeline, mailscore-datastores). */
  readonly dashboard: string;
  /** The panel's title (unique within its dashboard). */
  readonly panel: string;
  readonly refId: string;
  /** PromQL with Grafana's variables still in it: see expandTemplateVariables. */
  readonly expr: string;
}

/** Every query of every panel of every dashboard, in dashboard and panel order. */
export function panelQueries(): PanelQuery[] {
  return DASHBOARD_SOURCES.flatMap((source) => {
    const dashboard = renderDashboard(source);
    return dataPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => {
      const query = target as Dataquery;
      return { dashboard: dashboard.uid ?? source.file, panel: panel.title ?? '', refId: query.refId ?? '', expr: query.expr };
    }));
  });
}

export interface Expansion {
  /** Value per template variable; any variable not listed becomes `.*` (Grafana's "All"). */
  readonly variables?: Readonly<Record<string, string>>;
  /** What Grafana would put for $__rate_interval (at least 4 scrape intervals); default 1m. */
  readonly rateInterval?: string;
  /** $__interval (the step); default 15s. */
  readonly interval?: string;
  /** $__range (the dashboard's time range); default 1h. */
  readonly range?: string;
}

/**
 * Turns a panel's PromQL into what Grafana would send Prometheus: `$var` and `${var}` replaced by
 * the variable's value (`.*` for All) and the interval variables by durations.
 */
export function expandTemplateVariables(expr: string, expansion: Expansion = {}): string {
  const builtins: Record<string, string> = {
    __rate_interval: expansion.rateInterval ?? '1m',
    __interval: expansion.interval ?? '15s',
    __range: expansion.range ?? '1h',
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return builtins[name] ?? expansion.variables?.[name] ?? '.*';
  });
}
