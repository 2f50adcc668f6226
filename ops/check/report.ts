// The ops check's verdict: every check with what proved it, as JSON for machines and as a short
// markdown list (each panel, each alert, the check that proved it) for people.

export const CheckKind = {
  setup: 'setup',
  target: 'target',
  rule: 'rule',
  variable: 'variable',
  panel: 'panel',
  alert: 'alert',
  lag: 'lag',
} as const;
export type CheckKind = (typeof CheckKind)[keyof typeof CheckKind];

export interface Check {
  readonly kind: CheckKind;
  /** What is checked: a job, "dashboard / panel", an alert name, a variable. */
  readonly subject: string;
  readonly ok: boolean;
  /** How it was proved, or why it failed. */
  readonly detail: string;
}

export interface AlertSummary {
  readonly alert: string;
  readonly exercised: boolean;
  /** Transitions seen during the run, e.g. "firing 24 s after SIGSTOP". */
  readonly seen: readonly string[];
}

export interface RunResult {
  readonly ok: boolean;
  readonly generatedAt: string;
  readonly commit: string;
  readonly seconds: number;
  readonly settings: Readonly<Record<string, string | number>>;
  readonly phases: ReadonlyArray<{ readonly phase: string; readonly atS: number }>;
  readonly checks: readonly Check[];
  readonly alerts: readonly AlertSummary[];
  readonly ruleChanges: number;
}

export function failures(checks: readonly Check[]): Check[] {
  return checks.filter((c) => !c.ok);
}

const mark = (ok: boolean) => (ok ? 'ok' : '**FAILED**');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(result: RunResult): string {
  const failed = failures(result.checks);
  const section = (kind: CheckKind) => result.checks.filter((c) => c.kind === kind);
  const table = (checks: readonly Check[], heading: string) =>
    checks.length === 0 ? [] : [`| ${heading} | result | proved by |`, '| --- | --- | --- |', ...checks.map((c) => `| ${cell(c.subject)} | ${mark(c.ok)} | ${cell(c.detail)} |`), ''];
  return [
    '# `make ops-check`', '',
    `Commit \`${result.commit.slice(0, 12)}\`, ${result.generatedAt}, ${result.seconds} s. ` +
      `Debian's Prometheus with the repository's scrape configuration and rules (intervals and rule durations scaled, see below), ` +
      `the pipeline, the lag exporter and the PostgreSQL and Redis exporters on throwaway services, all on loopback.`, '',
    failed.length === 0 ? `**All ${result.checks.length} checks passed.**` : `**${failed.length} of ${result.checks.length} checks failed:**`, '',
    ...failed.map((c) => `- ${c.kind} ${c.subject}: ${c.detail}`), ...(failed.length > 0 ? [''] : []),
    'Settings: ' + Object.entries(result.settings).map(([k, v]) => `${k}=${v}`).join(', ') + '.', '',
    'Phases (seconds from the start of Prometheus): ' + result.phases.map((p) => `${p.phase} at ${p.atS}`).join('; ') + '.', '',
    '## Alerts', '',
    ...table(section(CheckKind.alert), 'alert'),
    'Every alert rule and what the run saw of it:', '',
    '| alert | exercised live | seen |', '| --- | --- | --- |',
    ...result.alerts.map((a) => `| ${a.alert} | ${a.exercised ? 'yes' : 'no'} | ${cell(a.seen.join('; ') || 'stayed inactive')} |`), '',
    '## Panels', '',
    ...table(section(CheckKind.panel), 'dashboard / panel'),
    '## Template variables', '',
    ...table(section(CheckKind.variable), 'dashboard / variable'),
    '## Lag exporter against kafka-consumer-groups --describe', '',
    ...table(section(CheckKind.lag), 'group'),
    '## Targets, rules and set-up', '',
    ...table([...section(CheckKind.setup), ...section(CheckKind.target), ...section(CheckKind.rule)], 'what'),
    `${result.ruleChanges} durations in the rules were scaled for this run (listed in latest.json).`, '',
  ].join('\n');
}
