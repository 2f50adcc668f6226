// The Prometheus side of ops/grafana: promtool accepts the scrape configuration and the rules,
// the rule unit tests pass and cover every alert both ways, every alert is labelled and
// annotated and has its runbook section, durations stay plain literals (the ops check scales
// them), and the Grafana provisioning files point at what exists. No services needed; promtool
// comes from ops/local/ops_tools.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const GRAFANA_DIR = dirname(fileURLToPath(import.meta.url));
const PROMETHEUS_DIR = join(GRAFANA_DIR, 'prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const JOBS = ['mailscore', 'mailscore-lag-exporter', 'postgres-exporter', 'redis-exporter'];
const SEVERITIES = ['critical', 'warning'];

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface RuleFile { readonly groups: { readonly name: string; readonly rules: Rule[] }[] }
interface AlertTest { readonly alertname: string; readonly exp_alerts: unknown[] }
interface RulesTestFile { readonly tests: { readonly name?: string; readonly alert_rule_test?: AlertTest[] }[] }

/** Runs promtool; a failure reports its whole output. */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: PROMETHEUS_DIR, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const failure = err as { code?: unknown; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') assert.fail('promtool is missing: run ops/local/ops_tools.sh');
    assert.fail(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

async function ruleFiles(): Promise<string[]> {
  return (await readdir(RULES_DIR)).filter((name) => name.endsWith('.yml')).sort().map((name) => join(RULES_DIR, name));
}

async function alerts(): Promise<Rule[]> {
  const files = await Promise.all((await ruleFiles()).map(async (file) => parse(await readFile(file, 'utf8')) as RuleFile));
  return files.flatMap((file) => file.groups.flatMap((group) => group.rules)).filter((rule) => rule.alert);
}

/** GitHub's anchor for a Markdown heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

test('promtool accepts the scrape configuration, without warnings', async () => {
  const output = await promtool('check', 'config', 'prometheus.yml');
  assert.match(output, /SUCCESS: prometheus\.yml is valid/);
  assert.doesNotMatch(output, /WARNING/);
});

test('promtool accepts every rule file', async () => {
  const output = await promtool('check', 'rules', ...(await ruleFiles()));
  assert.doesNotMatch(output, /FAILED|WARNING/);
});

test('the rule unit tests pass (promtool test rules rules.test.yml)', async () => {
  const output = await promtool('test', 'rules', 'rules.test.yml');
  assert.match(output, /SUCCESS/);
});

test('every alert is unit-tested firing and not firing', async () => {
  const cases = (parse(await readFile(join(PROMETHEUS_DIR, 'rules.test.yml'), 'utf8')) as RulesTestFile).tests
    .flatMap((group) => group.alert_rule_test ?? []);
  for (const { alert } of await alerts()) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert.ok(mine.some((c) => c.exp_alerts.length > 0), `no test where ${alert} fires`);
    assert.ok(mine.some((c) => c.exp_alerts.length === 0), `no test where ${alert} stays quiet`);
  }
});

test('every alert has a severity, a summary, a description and its runbook section', async () => {
  const runbook = await readFile(join(GRAFANA_DIR, 'RUNBOOK.md'), 'utf8');
  const sections = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? '');
  const all = await alerts();
  assert.ok(all.length >= 9, `only ${all.length} alerts`);
  for (const rule of all) {
    const name = rule.alert ?? '';
    assert.match(name, /^Mailscore[A-Z]\w+$/);
    assert.ok(SEVERITIES.includes(rule.labels?.severity ?? ''), `${name}: severity must be one of ${SEVERITIES.join(', ')}`);
    assert.ok((rule.annotations?.summary ?? '').length > 10, `${name}: no summary`);
    assert.ok((rule.annotations?.description ?? '').length > 40, `${name}: no description`);
    assert.equal(rule.annotations?.runbook_url, `ops/grafana/RUNBOOK.md#${anchor(name)}`, `${name}: runbook_url`);
    assert.ok(sections.includes(name), `RUNBOOK.md has no "## ${name}" section`);
    const section = runbook.split(`## ${name}\n`)[1]?.split(/^## /m)[0] ?? '';
    for (const part of ['**What it means.**', '**Look at.**', '**Do.**']) {
      assert.ok(section.includes(part), `RUNBOOK.md ${name}: no ${part}`);
    }
  }
  const names = all.map((rule) => rule.alert);
  for (const section of sections) assert.ok(names.includes(section), `RUNBOOK.md has a section for ${section}, which is no alert`);
});

test('the issue\'s alerts are all there', async () => {
  const names = (await alerts()).map((rule) => rule.alert);
  for (const name of [
    'MailscorePipelineDown', 'MailscoreConsumerGroupStalled', 'MailscoreLagSecondsHigh', 'MailscoreDeadLetterRateHigh',
    'MailscoreNoPartitionForTomorrow', 'MailscoreModelReloadFailing', 'MailscoreLatencyBudgetBurnFast', 'MailscoreLatencyBudgetBurnSlow',
  ]) {
    assert.ok(names.includes(name), `${name} is missing`);
  }
});

test('durations are plain literals the ops check can scale: `for:` and range selectors only', async () => {
  const literal = /^\d+(ms|s|m|h|d|w|y)$/;
  for (const file of await ruleFiles()) {
    const rules = (parse(await readFile(file, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules);
    for (const rule of rules) {
      const name = rule.alert ?? rule.record ?? '';
      if (rule.for !== undefined) assert.match(rule.for, literal, `${name}: for`);
      for (const [, range = ''] of rule.expr.matchAll(/\[([^\]]*)\]/g)) {
        assert.match(range, literal, `${name}: [${range}] is not a plain duration (no subqueries)`);
      }
      assert.doesNotMatch(rule.expr, /\boffset\b|@|\btime\(\)|\b\d+(ms|s|m|h|d|w|y)\b(?![^[]*\])/, `${name}: a duration or time outside a range selector`);
    }
  }
});

test('the scrape configuration has the contract\'s jobs, each fed by a file_sd targets file with namespace and pod', async () => {
  const config = parse(await readFile(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[];
  };
  assert.deepEqual(config.rule_files, ['rules/*.yml']);
  assert.deepEqual(config.scrape_configs.map((scrape) => scrape.job_name), JOBS);
  for (const scrape of config.scrape_configs) {
    const files = scrape.file_sd_configs.flatMap((sd) => sd.files);
    assert.deepEqual(files, [`targets/${scrape.job_name}.json`]);
    const groups = JSON.parse(await readFile(join(PROMETHEUS_DIR, files[0]!), 'utf8')) as { targets: string[]; labels: Record<string, string> }[];
    for (const group of groups) {
      assert.ok(group.targets.length > 0, `${files[0]}: no target`);
      assert.ok(group.labels.namespace && group.labels.pod, `${files[0]}: targets need namespace and pod labels`);
    }
  }
});

test('Grafana provisioning: the Prometheus data source and the dashboard folder, their variables defaulted in grafana.env', async () => {
  const env = Object.fromEntries((await readFile(join(GRAFANA_DIR, 'grafana.env'), 'utf8')).split('\n')
    .filter((line) => /^\w+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const datasources = parse(await readFile(join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yaml'), 'utf8')) as {
    apiVersion: number; datasources: { type: string; url: string; uid: string; isDefault: boolean }[];
  };
  assert.equal(datasources.apiVersion, 1);
  assert.equal(datasources.datasources.length, 1);
  const [prometheus] = datasources.datasources;
  assert.equal(prometheus?.type, 'prometheus');
  assert.equal(prometheus?.isDefault, true);
  const urlVariable = /^\$\{(\w+)\}$/.exec(prometheus?.url ?? '')?.[1] ?? '';
  assert.match(env[urlVariable] ?? '', /^https?:\/\/[\w.-]+:\d+$/, `grafana.env has no URL default for ${urlVariable}`);

  const dashboards = parse(await readFile(join(GRAFANA_DIR, 'provisioning/dashboards/mailscore.yaml'), 'utf8')) as {
    apiVersion: number; providers: { folder: string; type: string; options: { path: string } }[];
  };
  assert.equal(dashboards.apiVersion, 1);
  assert.equal(dashboards.providers[0]?.folder, 'mailscore');
  assert.equal(dashboards.providers[0]?.type, 'file');
  const pathVariable = /^\$\{(\w+)\}$/.exec(dashboards.providers[0]?.options.path ?? '')?.[1] ?? '';
  assert.match(env[pathVariable] ?? '', /^\//, `grafana.env has no path default for ${pathVariable}`);
});
