// Prometheus durations in alert and recording rules, scaled down so that an alert written for
// production ("for: 5m", "rate(x[1h])") can fire within a CI-friendly run. Pure functions: the
// ops check writes a derived copy of the repository's rules; the repository's files are never
// changed.
import { parse, stringify } from 'yaml';

export class DurationError extends Error {
  readonly code = 'DURATION_INVALID';
}

const UNIT_MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
// Longest unit first, as Prometheus requires ("1h30m", never "30m1h"); "ms" before "m".
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Milliseconds in a Prometheus duration such as "5m", "1h30m" or "250ms". */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (match === null || text.trim() === '' || match.slice(1).every((g) => g === undefined)) {
    throw new DurationError(`not a Prometheus duration: "${text}"`);
  }
  return ORDER.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * UNIT_MS[unit], 0);
}

/** The shortest Prometheus spelling of a whole number of milliseconds ("90s" → "1m30s"). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new DurationError(`cannot format ${ms} ms as a duration`);
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  // Weeks and years are left out: "14d" reads better than "2w" in a scaled rule.
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return text;
}

export interface Scaling {
  /** Every duration is divided by this (30 turns 5m into 10s). */
  readonly factor: number;
  /** Shortest range of a range selector or subquery: enough samples for rate() (4 scrapes, as Grafana's $__rate_interval). */
  readonly minRangeMs: number;
  /** Shortest subquery resolution and group evaluation interval: one evaluation. */
  readonly minStepMs: number;
}

/** A duration divided by the factor, rounded to whole seconds (whole ms below a second), never under `min`. */
export function scaleDuration(ms: number, factor: number, minMs = 0): number {
  if (!(factor > 0)) throw new DurationError(`scaling factor must be positive, got ${factor}`);
  const scaled = ms / factor;
  const rounded = scaled >= 1000 ? Math.round(scaled / 1000) * 1000 : Math.round(scaled);
  return Math.max(rounded, minMs);
}

const RANGE = /^\[\s*([0-9][0-9a-z]*)\s*(?::\s*([0-9][0-9a-z]*)?\s*)?\]/;
const OFFSET = /^offset(\s+)(-?)([0-9][0-9a-z]*)/i;

/**
 * Every range selector (`[5m]`), subquery (`[1h:5m]`) and offset (`offset 1h`) of a PromQL
 * expression scaled. String literals (label matchers such as `=~"[a-z]+"`) and comments are
 * left alone. Plain numbers are not durations to PromQL and stay as they are.
 */
export function scaleExpression(expr: string, scaling: Scaling): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1;
      out += expr.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '#') {
      const end = expr.indexOf('\n', i);
      const j = end === -1 ? expr.length : end;
      out += expr.slice(i, j);
      i = j;
      continue;
    }
    if (c === '[') {
      const match = RANGE.exec(expr.slice(i));
      if (match !== null) {
        const range = formatDuration(scaleDuration(parseDuration(match[1]!), scaling.factor, scaling.minRangeMs));
        const step = match[2] === undefined ? '' : formatDuration(scaleDuration(parseDuration(match[2]), scaling.factor, scaling.minStepMs));
        out += match[0].includes(':') ? `[${range}:${step}]` : `[${range}]`;
        i += match[0].length;
        continue;
      }
    }
    if ((c === 'o' || c === 'O') && !/[A-Za-z0-9_:]/.test(expr[i - 1] ?? ' ')) {
      const match = OFFSET.exec(expr.slice(i));
      if (match !== null) {
        out += `${match[0].slice(0, 6)}${match[1]}${match[2]}${formatDuration(scaleDuration(parseDuration(match[3]!), scaling.factor))}`;
        i += match[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

export interface RuleChange {
  readonly group: string;
  readonly rule: string;
  readonly field: 'for' | 'expr' | 'interval';
  readonly from: string;
  readonly to: string;
}

interface RuleGroup { name?: unknown; interval?: unknown; rules?: unknown }
interface Rule { alert?: unknown; record?: unknown; expr?: unknown; for?: unknown }

/**
 * A Prometheus rule file (YAML text) with every `for:`, group `interval:` and every duration
 * inside each `expr:` scaled; also the list of what changed, for the report.
 */
export function scaleRuleFile(text: string, scaling: Scaling): { text: string; changes: RuleChange[] } {
  const document = parse(text) as { groups?: unknown } | null;
  if (document === null || typeof document !== 'object' || !Array.isArray(document.groups)) {
    throw new DurationError('a rule file must have a top-level "groups" list');
  }
  const changes: RuleChange[] = [];
  for (const group of document.groups as RuleGroup[]) {
    const groupName = String(group.name ?? '?');
    if (group.interval !== undefined) {
      const from = String(group.interval);
      const to = formatDuration(scaleDuration(parseDuration(from), scaling.factor, scaling.minStepMs));
      group.interval = to;
      changes.push({ group: groupName, rule: '(group)', field: 'interval', from, to });
    }
    for (const rule of (Array.isArray(group.rules) ? group.rules : []) as Rule[]) {
      const name = String(rule.alert ?? rule.record ?? '?');
      if (rule.for !== undefined) {
        const from = String(rule.for);
        const to = formatDuration(scaleDuration(parseDuration(from), scaling.factor));
        rule.for = to;
        if (to !== from) changes.push({ group: groupName, rule: name, field: 'for', from, to });
      }
      if (typeof rule.expr === 'string') {
        const from = rule.expr;
        const to = scaleExpression(from, scaling);
        rule.expr = to;
        if (to !== from) changes.push({ group: groupName, rule: name, field: 'expr', from: from.trim(), to: to.trim() });
      }
    }
  }
  return { text: stringify(document, { lineWidth: 0 }), changes };
}
