// What the ops check asks Prometheus for each dashboard: every panel's PromQL with Grafana's
// variables put in, and every query variable. Pure functions over the generated dashboard JSON.

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly panelType: string;
  /** The target's refId (A, B, …) within the panel. */
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string | null;
  /** Grafana's unit for the panel's values ("s", "bytes", "percentunit", …), if set. */
  readonly unit: string | null;
}

export interface VariableQuery {
  readonly dashboard: string;
  readonly variable: string;
  /** The metric selector and label of a `label_values(selector, label)` query. */
  readonly selector: string;
  readonly label: string;
}

interface Panel {
  title?: unknown; type?: unknown; panels?: unknown; targets?: unknown;
  fieldConfig?: { defaults?: { unit?: unknown } };
}
interface Dashboard { title?: unknown; panels?: unknown; rows?: unknown; templating?: { list?: unknown } }

function panelsOf(list: unknown): Panel[] {
  if (!Array.isArray(list)) return [];
  // Collapsed rows keep their panels inside the row panel.
  return (list as Panel[]).flatMap((p) => (p.type === 'row' ? panelsOf(p.panels) : [p]));
}

/** Every PromQL target of every panel (rows, collapsed or not, included); hidden targets too. */
export function panelQueries(dashboard: unknown): PanelQuery[] {
  const d = dashboard as Dashboard;
  const title = String(d.title ?? '?');
  const queries: PanelQuery[] = [];
  for (const panel of panelsOf(d.panels)) {
    const targets = Array.isArray(panel.targets) ? (panel.targets as Array<Record<string, unknown>>) : [];
    targets.forEach((target, i) => {
      if (typeof target.expr !== 'string' || target.expr.trim() === '') return;
      queries.push({
        dashboard: title,
        panel: String(panel.title ?? '?'),
        panelType: String(panel.type ?? '?'),
        refId: typeof target.refId === 'string' ? target.refId : String.fromCharCode(65 + i),
        expr: target.expr,
        legendFormat: typeof target.legendFormat === 'string' ? target.legendFormat : null,
        unit: typeof panel.fieldConfig?.defaults?.unit === 'string' ? panel.fieldConfig.defaults.unit : null,
      });
    });
  }
  return queries;
}

/** Panels that draw data but carry no PromQL target (a typo in a builder, a panel left empty). */
export function panelsWithoutQueries(dashboard: unknown): string[] {
  const d = dashboard as Dashboard;
  return panelsOf(d.panels)
    .filter((p) => p.type !== 'text' && p.type !== 'news' && p.type !== 'dashlist')
    .filter((p) => !(Array.isArray(p.targets) && (p.targets as Array<{ expr?: unknown }>).some((t) => typeof t.expr === 'string' && t.expr.trim() !== '')))
    .map((p) => String(p.title ?? '?'));
}

const LABEL_VALUES = /^\s*label_values\(\s*(.*?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s;

/** The `label_values(selector, label)` query variables (the data source variable has no query). */
export function variableQueries(dashboard: unknown): VariableQuery[] {
  const d = dashboard as Dashboard;
  const list = Array.isArray(d.templating?.list) ? (d.templating.list as Array<Record<string, unknown>>) : [];
  const out: VariableQuery[] = [];
  for (const variable of list) {
    if (variable.type !== 'query') continue;
    const raw = variable.query;
    const text = typeof raw === 'string' ? raw : typeof (raw as { query?: unknown } | null)?.query === 'string' ? (raw as { query: string }).query : '';
    const match = LABEL_VALUES.exec(text);
    if (match === null) continue;
    out.push({ dashboard: String(d.title ?? '?'), variable: String(variable.name ?? '?'), selector: match[1]!, label: match[2]! });
  }
  return out;
}

export interface Substitution {
  /** Every template variable ($namespace, ${pod}, [[topic]], ${pod:regex}) becomes this. */
  readonly allValue: string;
  /** Seconds for $__rate_interval (Grafana: max(4 × scrape interval, step + scrape interval)). */
  readonly rateIntervalS: number;
  /** Seconds for $__interval (the query step). */
  readonly intervalS: number;
  /** Seconds for $__range (the time range on screen). */
  readonly rangeS: number;
}

/** A panel's PromQL as Grafana would send it with every variable on "All" (allValue `.*`). */
export function substituteVariables(expr: string, s: Substitution): string {
  const builtins: Record<string, string> = {
    __rate_interval: `${s.rateIntervalS}s`,
    __interval: `${s.intervalS}s`,
    __interval_ms: String(s.intervalS * 1000),
    __range: `${s.rangeS}s`,
    __range_s: String(s.rangeS),
    __range_ms: String(s.rangeS * 1000),
  };
  const value = (name: string) => builtins[name] ?? s.allValue;
  return expr
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}/g, (_, name: string) => value(name))
    .replace(/\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g, (_, name: string) => value(name))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => value(name));
}

/**
 * Variables used with an exact matcher (`pod="$pod"`): with "All" selected Grafana sends `.*`,
 * which an exact matcher takes literally, so such a panel is empty whenever All is chosen.
 */
export function exactMatcherVariables(expr: string): string[] {
  const found = new Set<string>();
  for (const match of expr.matchAll(/[A-Za-z_][A-Za-z0-9_]*\s*(!?=)(?![=~])\s*"\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (!match[2]!.startsWith('__')) found.add(match[2]!);
  }
  return [...found];
}

/** A legend as Grafana draws it: `{{label}}` filled from the series' labels, or the label set. */
export function legendOf(legendFormat: string | null, labels: Readonly<Record<string, string>>): string {
  if (legendFormat !== null && legendFormat !== '' && legendFormat !== '__auto') {
    return legendFormat.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  }
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(', ');
  return inner === '' ? (name ?? 'value') : `${name ?? ''}{${inner}}`;
}
