// `make ops-check`: the dashboards and alert rules proved against a live Prometheus. On throwaway
// PostgreSQL, Redis and Kafka (app/private_services.ts), it runs Debian's Prometheus with the
// repository's scrape configuration and rules (a derived copy: 2 s scrape and evaluation, rule
// durations divided by OPS_CHECK_FACTOR), the pipeline, the lag exporter and the PostgreSQL and
// Redis exporters, produces traffic, and asserts through Prometheus's HTTP API:
//   - every target is up and every rule evaluates without error;
//   - MailscoreModelReloadFailing and MailscoreDeadLetterRateHigh fire after a broken model card
//     and a burst of undecodable records, and resolve once both are fixed;
//   - every PromQL expression of every dashboard panel, and every template variable, returns data;
//   - MailscoreConsumerGroupStalled and MailscoreLagSecondsHigh fire while the pipeline is frozen
//     with SIGSTOP and events keep arriving; the stalled alert resolves after SIGCONT, and the
//     fast latency-budget burn fires as the held-up emails are stored late;
//     MailscorePipelineDown fires after SIGKILL;
//   - at a quiet moment (production paused, pipeline frozen) the lag exporter's offsets and lag,
//     read back from Prometheus, equal `kafka-consumer-groups --describe` for the group.
// Then it renders the main dashboard's panels from the run's data into ops/grafana/preview/ and
// writes ops/check/results/latest.json and latest.md. Exits 1 listing every failed check.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, glob, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../../app/config.ts';
import { createKafka } from '../../app/pipeline.ts';
import { ensureTopics } from '../../app/topics.ts';
import { freePort, privateKafka, privatePostgres, privateRedis, type PrivateService } from '../../app/private_services.ts';
import { knob } from '../../bench/knob.ts';
import { watchAlerts, type AlertTransition, type AlertWatch } from './alert_watch.ts';
import { compareOffsets, parseDescribe, type ExportedOffsets } from './consumer_groups.ts';
import { panelQueries, panelsWithoutQueries, substituteVariables, variableQueries, type PanelQuery, type Substitution } from './dashboards.ts';
import { scaleRuleFile, type RuleChange, type Scaling } from './durations.ts';
import { deployBrokenCard, deployNewVersion } from './model_deploy.ts';
import { startManaged, type Managed } from './processes.ts';
import { prometheusApi, waitFor, type AlertingRule, type PrometheusApi, type RangeSeries } from './prometheus_api.ts';
import { deriveConfig, ruleFilePatterns, targetsFile, type Target } from './prometheus_config.ts';
import { writePreview, type Marker, type PreviewPanel } from './preview.ts';
import { CheckKind, failures, markdownReport, type AlertSummary, type Check, type RunResult } from './report.ts';
import { startTraffic, type Traffic } from './traffic.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAILSCORE = join(ROOT, 'bin', 'mailscore');
const RESULTS = join(ROOT, 'ops', 'check', 'results');
const PREVIEW = join(ROOT, 'ops', 'grafana', 'preview');
const CONFIG_PATH = process.env.OPS_CHECK_PROMETHEUS_CONFIG || join(ROOT, 'ops', 'grafana', 'prometheus', 'prometheus.yml');
const DASHBOARDS = process.env.OPS_CHECK_DASHBOARDS || join(ROOT, 'ops', 'grafana', 'dashboards');
const MAIN_DASHBOARD = process.env.OPS_CHECK_MAIN_DASHBOARD || '';

const SCRAPE_S = knob('OPS_CHECK_SCRAPE_S', 2);
/** Rule durations are divided by this: 5m becomes 10 s. */
const FACTOR = knob('OPS_CHECK_FACTOR', 30);
/** Valid events per second throughout (except the quiet moment). */
const RATE = knob('OPS_CHECK_RATE', 40);
/** One undecodable record per this many events, for the dead-letter panels. */
const GARBAGE_EVERY = knob('OPS_CHECK_GARBAGE_EVERY', 200);
/** The longest wait for one alert to reach the state expected of it. */
const ALERT_TIMEOUT_S = knob('OPS_CHECK_ALERT_TIMEOUT_S', 120);
/** Steady traffic before the pipeline is frozen: every panel's rate window filled several times. */
const STEADY_S = knob('OPS_CHECK_STEADY_S', 10);
/** After the thaw: the backlog drains and the panels show the recovery before the kill. */
const RECOVER_S = knob('OPS_CHECK_RECOVER_S', 10);
/** Undecodable records during the bad-producer phase: one in this many (10%, over the 1% threshold). */
const BAD_GARBAGE_EVERY = 10;

const ALERTS = {
  stalled: 'MailscoreConsumerGroupStalled', lagSeconds: 'MailscoreLagSecondsHigh', down: 'MailscorePipelineDown',
  deadLetters: 'MailscoreDeadLetterRateHigh', modelReload: 'MailscoreModelReloadFailing', burnFast: 'MailscoreLatencyBudgetBurnFast',
} as const;
const JOBS = { pipeline: 'mailscore', lagExporter: 'mailscore-lag-exporter', postgres: 'postgres-exporter', redis: 'redis-exporter' } as const;

const say = (message: string) => process.stderr.write(`ops-check: ${message}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function main(): Promise<number> {
  const startedAt = Date.now();
  const runId = `opscheck${startedAt.toString(36)}`;
  const checks: Check[] = [];
  const check = (kind: Check['kind'], subject: string, ok: boolean, detail: string) => {
    checks.push({ kind, subject, ok, detail });
    if (!ok) say(`FAILED ${kind} ${subject}: ${detail}`);
  };
  const phases: Array<{ phase: string; atMs: number }> = [];
  let watch: AlertWatch | undefined;
  const phase = (name: string) => {
    phases.push({ phase: name, atMs: Date.now() });
    watch?.setPhase(name);
    say(`— ${name}`);
  };
  const tmp = await mkdtemp(join(tmpdir(), 'mailscore-opscheck-'));
  // Kept when a check fails (ops/check/results/runs/ is not committed), removed otherwise.
  const logs = join(RESULTS, 'runs', runId);
  await mkdir(logs, { recursive: true });
  const cleanups: Array<() => Promise<unknown>> = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const step of cleanups.reverse()) await step().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
  };
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let ruleChanges: RuleChange[] = [];
  let alertSummaries: AlertSummary[] = [];
  let prometheusStartMs = startedAt;
  try {
    say(`run ${runId}; logs in ${relative(ROOT, logs)}`);
    await run(join(ROOT, 'ops', 'local', 'ops_tools.sh'));

    // The repository's configuration and rules, derived for this run.
    const scaling: Scaling = { factor: FACTOR, minRangeMs: 4 * SCRAPE_S * 1000, minStepMs: SCRAPE_S * 1000 };
    const configText = await readFile(CONFIG_PATH, 'utf8');
    const { ruleFiles, changes } = await scaledRules(configText, dirname(CONFIG_PATH), join(tmp, 'rules'), scaling);
    ruleChanges = changes;
    check(CheckKind.setup, 'rule files', ruleFiles.length > 0, `${ruleFiles.length} rule files from ${relative(ROOT, CONFIG_PATH)}, ${changes.length} durations scaled by 1/${FACTOR}`);
    const targetsDir = join(tmp, 'targets');
    await mkdir(targetsDir, { recursive: true });
    const targetsFiles = Object.fromEntries(Object.values(JOBS).map((job) => [job, join(targetsDir, `${job}.json`)]));
    const derivedPath = join(tmp, 'prometheus.yml');
    await writeFile(derivedPath, deriveConfig(configText, { scrapeIntervalS: SCRAPE_S, ruleFiles, targetsFiles }));
    const promtool = await run('promtool', ['check', 'config', derivedPath]).then(() => null, (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`.trim());
    check(CheckKind.setup, 'promtool check config (derived)', promtool === null, promtool ?? 'the derived configuration and scaled rules load');

    const modelDir = join(tmp, 'model');
    await cp(join(ROOT, 'models', 'current'), modelDir, { recursive: true });
    say('starting a throwaway PostgreSQL, Redis and Kafka broker');
    const services: PrivateService[] = [];
    cleanups.push(() => Promise.all(services.map((s) => s.remove())));
    const [postgres, redis, broker] = await Promise.all([
      privatePostgres().then((s) => (services.push(s), s)),
      privateRedis().then((s) => (services.push(s), s)),
      privateKafka().then((s) => (services.push(s), s)),
    ]);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      KAFKA_BROKERS: broker.url, DATABASE_URL: postgres.url, REDIS_URL: redis.url,
      INPUT_TOPIC: `${runId}.events`, ALERT_TOPIC: `${runId}.alerts`, DLQ_TOPIC: `${runId}.events.dlq`, CONSUMER_GROUP: `${runId}-scorer`,
      PG_SCHEMA: 'public', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1',
      // Two cores are shared with everything else here: one scoring thread drains 40 events/s many times over.
      SCORER_THREADS: '1',
      // A model directory of this run's own, so a new model can be deployed into it (and a broken one).
      MODEL_DIR: modelDir, MODEL_RELOAD_INTERVAL_MS: '1000',
    };
    const config = loadConfig(env);
    const kafka = createKafka(config, pino({ level: 'silent' }));
    await ensureTopics(kafka, config);
    const group = config.ingest.groupId;

    const ports = { pipeline: await freePort(), lagExporter: await freePort(), postgres: await freePort(), redis: await freePort(), prometheus: await freePort() };
    const processes: Managed[] = [];
    cleanups.push(() => Promise.all(processes.map((p) => p.stop('SIGKILL'))));
    const start = (name: string, command: string, args: string[], extraEnv: Record<string, string> = {}) => {
      const managed = startManaged(name, command, args, { ...env, ...extraEnv }, logs);
      processes.push(managed);
      return managed;
    };
    const pipeline = start('mailscore-0', MAILSCORE, ['start'], { HTTP_PORT: String(ports.pipeline), HTTP_HOST: '127.0.0.1' });
    start('mailscore-lag-exporter-0', MAILSCORE, ['lag-exporter'], {
      LAG_EXPORTER_PORT: String(ports.lagExporter), LAG_EXPORTER_HOST: '127.0.0.1', LAG_EXPORTER_GROUPS: group,
      LAG_EXPORTER_POLL_MS: String(SCRAPE_S * 1000),
    });
    start('postgres-exporter-0', 'prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${ports.postgres}`], {
      DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${postgres.port}/mailscore?sslmode=disable`,
    });
    start('redis-exporter-0', 'prometheus-redis-exporter', [`--redis.addr=${redis.url}`, `--web.listen-address=127.0.0.1:${ports.redis}`]);
    const targets: Record<string, Target> = {
      [JOBS.pipeline]: { address: `127.0.0.1:${ports.pipeline}`, pod: 'mailscore-0' },
      [JOBS.lagExporter]: { address: `127.0.0.1:${ports.lagExporter}`, pod: 'mailscore-lag-exporter-0' },
      [JOBS.postgres]: { address: `127.0.0.1:${ports.postgres}`, pod: 'postgres-exporter-0' },
      [JOBS.redis]: { address: `127.0.0.1:${ports.redis}`, pod: 'redis-exporter-0' },
    };
    for (const [job, target] of Object.entries(targets)) await writeFile(targetsFiles[job]!, targetsFile([target]));

    const prometheus = start('prometheus', 'prometheus', [
      `--config.file=${derivedPath}`, `--storage.tsdb.path=${join(tmp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      '--log.level=warn', '--storage.tsdb.retention.time=1d',
    ]);
    prometheusStartMs = Date.now();
    const api = prometheusApi(`http://127.0.0.1:${ports.prometheus}`);
    const promReady = await waitFor(async () => ((await api.ready()) ? true : undefined), 30_000, 250);
    if (promReady.value === undefined) throw new Error(`Prometheus did not become ready (${prometheus.exited() ?? 'running'}); see ${relative(ROOT, prometheus.logPath)}`);
    watch = watchAlerts(api, 1000, (t) => say(`  alert ${t.alert}: ${t.from} → ${t.to}`));
    cleanups.push(() => watch!.stop());
    phase('start');

    const traffic: Traffic = await startTraffic(kafka, { topic: config.topics.input, runId, rate: RATE, garbageEvery: GARBAGE_EVERY, templates: 300 });
    cleanups.push(() => traffic.stop());
    say(`producing ${RATE} events/s to ${config.topics.input}`);

    // Targets up: each job, one process each.
    // Not waiting on a process that has already exited: its target will not come up, but it must have been scraped once.
    const upWait = await waitFor(async () => {
      const active = await api.activeTargets();
      const settled = Object.values(JOBS).every((job) => {
        const exited = processes.find((p) => p.name === targets[job]!.pod)?.exited() !== null;
        return active.some((t) => t.scrapePool === job && (t.health === 'up' || (exited && t.health === 'down')));
      });
      return settled ? active : undefined;
    }, 120_000);
    const active = upWait.value ?? (await api.activeTargets().catch(() => []));
    for (const job of Object.values(JOBS)) {
      const mine = active.filter((t) => t.scrapePool === job);
      const proc = processes.find((p) => p.name === targets[job]!.pod)!;
      const ok = mine.length > 0 && mine.every((t) => t.health === 'up');
      check(CheckKind.target, job, ok, ok
        ? `up in /api/v1/targets within ${seconds(upWait.waitedMs)} s of Prometheus's start (namespace="${mine[0]!.labels.namespace}", pod="${mine[0]!.labels.pod}")`
        : `${mine.length === 0 ? 'no target' : mine.map((t) => `${t.scrapeUrl} ${t.health} ${t.lastError}`).join(', ')}; process ${proc.exited() ?? 'running'}, log ${relative(ROOT, proc.logPath)}`);
    }

    // Steady state: rows written, then a few rate windows.
    const flowing = await waitFor(async () => ((await api.query('sum(mailscore_sink_rows_written_total) > 0')).length > 0 ? true : undefined), 120_000);
    check(CheckKind.setup, 'pipeline scoring', flowing.value === true, flowing.value === true ? `rows written within ${seconds(flowing.waitedMs)} s` : `no row written; see ${relative(ROOT, pipeline.logPath)}`);
    phase('steady');
    await sleep(STEADY_S * 1000);

    const rulesNow = await api.ruleGroups();
    const rules = rulesNow.flatMap((g) => g.rules.map((r) => ({ group: g.name, rule: r })));
    for (const { group: g, rule } of rules) {
      if (rule.health !== 'ok') check(CheckKind.rule, `${g} / ${rule.name}`, false, `health ${rule.health}: ${rule.lastError ?? ''}`);
    }
    check(CheckKind.rule, 'every rule evaluates', rules.every((r) => r.rule.health === 'ok'), `${rules.length} rules in ${rulesNow.length} groups, health from /api/v1/rules`);
    const alertRules = rules.map((r) => r.rule).filter((r): r is AlertingRule => r.type === 'alerting');

    // A bad deployment of each kind: a model whose card does not match its file, and a producer
    // sending undecodable records (10%). Then both are fixed: a good new model, clean records.
    phase('bad deploys');
    const { version } = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { version: string };
    await deployBrokenCard(modelDir, `${version}-broken`);
    traffic.setGarbageEvery(BAD_GARBAGE_EVERY);
    const badAt = Date.now();
    const [reloadFailingAt, deadLettersAt] = await Promise.all([
      watch.until(ALERTS.modelReload, 'firing', ALERT_TIMEOUT_S * 1000),
      watch.until(ALERTS.deadLetters, 'firing', ALERT_TIMEOUT_S * 1000),
    ]);
    alertCheck(check, alertRules, ALERTS.modelReload, reloadFailingAt, badAt, 'firing', 'a model card that does not match its model file was deployed');
    alertCheck(check, alertRules, ALERTS.deadLetters, deadLettersAt, badAt, 'firing', `one record in ${BAD_GARBAGE_EVERY} was undecodable`);
    phase('fixed');
    const fixedVersion = `${version}-opscheck`;
    await deployNewVersion(modelDir, fixedVersion);
    traffic.setGarbageEvery(GARBAGE_EVERY);
    const fixedAt = Date.now();
    const [reloadOkAt, deadLettersOkAt, serving] = await Promise.all([
      watch.until(ALERTS.modelReload, 'inactive', ALERT_TIMEOUT_S * 1000),
      watch.until(ALERTS.deadLetters, 'inactive', ALERT_TIMEOUT_S * 1000),
      waitFor(async () => ((await api.query(`mailscore_scorer_model_info{role="current",version="${fixedVersion}"} == 1`)).length > 0 ? true : undefined), ALERT_TIMEOUT_S * 1000),
    ]);
    check(CheckKind.setup, 'model reload', serving.value === true, serving.value === true
      ? `the fixed model ${fixedVersion} serving (mailscore_scorer_model_info) ${seconds(serving.waitedMs)} s after it was deployed`
      : `the fixed model ${fixedVersion} never showed in mailscore_scorer_model_info`);
    alertCheck(check, alertRules, ALERTS.modelReload, reloadOkAt, fixedAt, 'inactive', 'a good model was deployed over the broken one');
    alertCheck(check, alertRules, ALERTS.deadLetters, deadLettersOkAt, fixedAt, 'inactive', `the producer went back to one undecodable record in ${GARBAGE_EVERY}`);

    // Frozen: the pipeline stops consuming while events keep arriving.
    // The fast burn's short window (5m, scaled) has long forgotten start-up by now: if it fires after the thaw, the freeze did it.
    const burnBefore = watch.state(ALERTS.burnFast);
    phase('SIGSTOP');
    pipeline.signal('SIGSTOP');
    const stopAt = Date.now();
    const [stalledAt, lagAt] = await Promise.all([
      watch.until(ALERTS.stalled, 'firing', ALERT_TIMEOUT_S * 1000),
      watch.until(ALERTS.lagSeconds, 'firing', ALERT_TIMEOUT_S * 1000),
    ]);
    alertCheck(check, alertRules, ALERTS.stalled, stalledAt, stopAt, 'firing', 'the pipeline was frozen with SIGSTOP while events kept arriving');
    alertCheck(check, alertRules, ALERTS.lagSeconds, lagAt, stopAt, 'firing', 'production went on at ' + RATE + '/s with the pipeline frozen (drain 0)');

    // Quiet: nothing produced, nothing consumed; the exporter's numbers against Kafka's own.
    await traffic.pause();
    phase('quiet');
    await compareWithKafka(check, api, broker.url, group, config.topics.input, Date.now());

    phase('SIGCONT');
    traffic.resume();
    pipeline.signal('SIGCONT');
    const contAt = Date.now();
    const [resolvedAt, burnAt] = await Promise.all([
      watch.until(ALERTS.stalled, 'inactive', ALERT_TIMEOUT_S * 1000),
      watch.until(ALERTS.burnFast, 'firing', ALERT_TIMEOUT_S * 1000),
    ]);
    alertCheck(check, alertRules, ALERTS.stalled, resolvedAt, contAt, 'inactive', 'the pipeline was thawed with SIGCONT and committed again');
    if (burnBefore !== 'inactive') check(CheckKind.alert, `${ALERTS.burnFast} (fires)`, false, `already ${burnBefore} before the freeze: the thaw proves nothing`);
    else alertCheck(check, alertRules, ALERTS.burnFast, burnAt, contAt, 'firing', 'the pipeline was thawed and stored the emails the freeze held up, each more than 500 ms after receipt');
    // The pipeline-down alert must be inactive before the kill proves it (a frozen process fails its scrapes too).
    const downClear = await watch.until(ALERTS.down, 'inactive', ALERT_TIMEOUT_S * 1000);
    if (downClear === null) check(CheckKind.alert, `${ALERTS.down} (inactive before the kill)`, false, 'still pending or firing after SIGCONT; the kill proves nothing');
    await watch.until(ALERTS.lagSeconds, 'inactive', 30_000);
    phase('recovered');
    await sleep(RECOVER_S * 1000);

    phase('SIGKILL');
    pipeline.signal('SIGKILL');
    const killAt = Date.now();
    const downAt = await watch.until(ALERTS.down, 'firing', ALERT_TIMEOUT_S * 1000);
    alertCheck(check, alertRules, ALERTS.down, downAt, killAt, 'firing', 'the pipeline was killed with SIGKILL');
    phase('end');
    await traffic.stop();

    alertSummaries = summariseAlerts(alertRules.map((r) => r.name), watch.transitions, phases, new Set(Object.values(ALERTS)));

    // Every panel and variable of every dashboard, over the whole run.
    const endS = Date.now() / 1000;
    const startS = prometheusStartMs / 1000;
    const substitution: Substitution = { allValue: '.*', rateIntervalS: 4 * SCRAPE_S, intervalS: SCRAPE_S, rangeS: Math.ceil(endS - startS) };
    const dashboards = await loadDashboards(DASHBOARDS);
    check(CheckKind.setup, 'dashboards', dashboards.length > 0, `${dashboards.length} dashboards in ${relative(ROOT, DASHBOARDS)}`);
    const ranges = new Map<string, { sent: string; series: RangeSeries[] }>();
    const keyOf = (q: PanelQuery) => `${q.dashboard}\u0000${q.panel}\u0000${q.refId}`;
    const markers = phases.map((p) => ({ atMs: p.atMs, label: p.phase }));
    const phaseAt = (ms: number) => phases.findLast((p) => p.atMs <= ms)?.phase ?? 'start';
    for (const { json } of dashboards) {
      for (const title of panelsWithoutQueries(json)) check(CheckKind.panel, `${(json as { title?: string }).title} / ${title}`, false, 'the panel has no PromQL target');
      for (const query of panelQueries(json)) {
        const sent = substituteVariables(query.expr, substitution);
        const subject = `${query.dashboard} / ${query.panel}${panelQueries(json).filter((q) => q.panel === query.panel).length > 1 ? ` [${query.refId}]` : ''}`;
        try {
          const series = await api.queryRange(sent, startS, endS, SCRAPE_S);
          ranges.set(keyOf(query), { sent, series });
          const finite = series.filter((s) => s.values.some(([, v]) => Number.isFinite(v)));
          const times = finite.flatMap((s) => s.values.filter(([, v]) => Number.isFinite(v)).map(([t]) => t * 1000));
          check(CheckKind.panel, subject, finite.length > 0, finite.length > 0
            ? `${finite.length} series with values, from ${phaseAt(Math.min(...times))} to ${phaseAt(Math.max(...times))}`
            : series.length > 0 ? `${series.length} series, every value NaN: ${sent}` : `no series: ${sent}`);
        } catch (err) {
          check(CheckKind.panel, subject, false, `${(err as Error).message}`);
        }
      }
      for (const variable of variableQueries(json)) {
        const expr = `count by (${variable.label}) (${substituteVariables(variable.selector, substitution)})`;
        const series = await api.queryRange(expr, startS, endS, SCRAPE_S * 5).catch(() => []);
        const values = series.map((s) => s.metric[variable.label]).filter(Boolean);
        check(CheckKind.variable, `${variable.dashboard} / $${variable.variable}`, values.length > 0,
          values.length > 0 ? `label_values: ${values.slice(0, 6).join(', ')}${values.length > 6 ? ', …' : ''}` : `no values for ${expr}`);
      }
    }

    // The preview of the main dashboard from this run's data.
    const main = pickMainDashboard(dashboards, MAIN_DASHBOARD);
    if (main !== undefined) {
      const panels: PreviewPanel[] = [];
      for (const query of panelQueries(main.json)) {
        const data = ranges.get(keyOf(query));
        if (data === undefined) continue;
        const existing = panels.find((p) => p.title === query.panel);
        const entry = { query, sent: data.sent, series: data.series };
        if (existing === undefined) panels.push({ title: query.panel, unit: query.unit, queries: [entry] });
        else (existing.queries as Array<typeof entry>).push(entry);
      }
      const { files, pageHeight } = await writePreview(PREVIEW, String((main.json as { title?: string }).title ?? main.file), panels, markers as Marker[],
        `Rendered by \`make ops-check\` (ops/check/run.ts) from the live data of run \`${runId}\` on ${new Date().toISOString()}: ` +
        `each panel's PromQL from \`${relative(ROOT, main.path)}\` with every variable on "All", over the whole run, step ${SCRAPE_S} s. ` +
        'Dashed lines mark the phases: steady traffic; bad deploys (a model card that does not match its file, 10% undecodable records) and their fix; ' +
        'the pipeline frozen (SIGSTOP) while events keep arriving; production paused (quiet, where the lag exporter is compared with Kafka); thawed (SIGCONT); recovered; killed (SIGKILL).');
      const png = await screenshot(join(PREVIEW, 'index.html'), join(PREVIEW, 'dashboard.png'), 1240, pageHeight);
      check(CheckKind.setup, 'preview', files.length > 0, `${files.length} panel charts in ${relative(ROOT, PREVIEW)}/${png === null ? ' (no chromium: no dashboard.png)' : ', all on one page in dashboard.png'}`);
    }
  } catch (err) {
    check(CheckKind.setup, 'run', false, (err as Error).stack ?? String(err));
  } finally {
    await cleanup();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }

  const failed = failures(checks);
  const result: RunResult & { ruleChangeList: RuleChange[] } = {
    ok: failed.length === 0,
    generatedAt: new Date().toISOString(),
    commit: await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).then((r) => r.stdout.trim(), () => 'unknown'),
    seconds: seconds(Date.now() - startedAt),
    settings: { scrape_interval_s: SCRAPE_S, rule_duration_factor: FACTOR, events_per_second: RATE, garbage_every: GARBAGE_EVERY, alert_timeout_s: ALERT_TIMEOUT_S, steady_s: STEADY_S, recover_s: RECOVER_S },
    phases: phases.map((p) => ({ phase: p.phase, atS: seconds(p.atMs - prometheusStartMs) })),
    checks,
    alerts: alertSummaries,
    ruleChanges: ruleChanges.length,
    ruleChangeList: ruleChanges,
  };
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(RESULTS, 'latest.md'), markdownReport(result));
  if (failed.length > 0) {
    say(`${failed.length} of ${checks.length} checks failed (logs kept in ${relative(ROOT, logs)}):`);
    for (const c of failed) say(`  - ${c.kind} ${c.subject}: ${c.detail.split('\n')[0]}`);
  } else {
    say(`all ${checks.length} checks passed in ${result.seconds} s`);
    await rm(logs, { recursive: true, force: true });
  }
  say('report: ops/check/results/latest.md');
  await rm(tmp, { recursive: true, force: true });
  return failed.length === 0 ? 0 : 1;
}

/** Each rule file the configuration names (globs expanded), scaled and written into `outDir`. */
async function scaledRules(configText: string, configDir: string, outDir: string, scaling: Scaling): Promise<{ ruleFiles: string[]; changes: RuleChange[] }> {
  await mkdir(outDir, { recursive: true });
  const ruleFiles: string[] = [];
  const changes: RuleChange[] = [];
  for (const pattern of ruleFilePatterns(configText)) {
    const absolute = isAbsolute(pattern) ? pattern : join(configDir, pattern);
    const matches: string[] = [];
    for await (const file of glob(absolute)) matches.push(file);
    if (matches.length === 0) throw new Error(`rule_files entry "${pattern}" matches no file`);
    for (const file of matches.sort()) {
      const scaled = scaleRuleFile(await readFile(file, 'utf8'), scaling);
      const out = join(outDir, `${ruleFiles.length}-${basename(file)}`);
      await writeFile(out, scaled.text);
      ruleFiles.push(out);
      changes.push(...scaled.changes);
    }
  }
  return { ruleFiles, changes };
}

function alertCheck(check: (kind: Check['kind'], subject: string, ok: boolean, detail: string) => void, rules: readonly AlertingRule[], alert: string, atMs: number | null, sinceMs: number, state: string, cause: string) {
  const subject = `${alert} (${state === 'inactive' ? 'resolves' : 'fires'})`;
  if (!rules.some((r) => r.name === alert)) return check(CheckKind.alert, subject, false, 'no alerting rule of that name in /api/v1/rules');
  check(CheckKind.alert, subject, atMs !== null, atMs !== null
    ? `${state} in /api/v1/alerts ${seconds(atMs - sinceMs)} s after ${cause}`
    : `not ${state} within ${ALERT_TIMEOUT_S} s after ${cause}`);
}

/** Through Prometheus: the exporter's committed offsets, end offsets and lag against `kafka-consumer-groups --describe`. */
async function compareWithKafka(check: (kind: Check['kind'], subject: string, ok: boolean, detail: string) => void, api: PrometheusApi, brokers: string, group: string, topic: string, quietFromMs: number) {
  const subject = `${group} on ${topic}`;
  // A poll that began after the quiet moment began, scraped since: both sides then see the same offsets.
  const polled = await waitFor(async () => {
    const [sample] = await api.query('max(mailscore_lag_exporter_last_poll_timestamp_seconds)');
    return sample !== undefined && sample.value * 1000 > quietFromMs + 1500 ? sample.value : undefined;
  }, 30_000, 500);
  if (polled.value === undefined) return check(CheckKind.lag, subject, false, `the lag exporter reported no poll after the quiet moment began (mailscore_lag_exporter_last_poll_timestamp_seconds)${polled.lastError ? `: ${polled.lastError}` : ''}`);
  const describe = await describeGroup(brokers, group);
  if (describe.error !== undefined) return check(CheckKind.lag, subject, false, describe.error);
  const kafkaRows = parseDescribe(describe.output, group).filter((r) => r.topic === topic);
  const matcher = `consumergroup="${group}",topic="${topic}"`;
  const [lag, current, end] = await Promise.all([
    api.query(`kafka_consumergroup_lag{${matcher}}`),
    api.query(`kafka_consumergroup_current_offset{${matcher}}`),
    api.query(`kafka_topic_partition_current_offset{topic="${topic}"}`),
  ]);
  const value = (samples: typeof lag, partition: number) => samples.find((s) => Number(s.metric.partition) === partition)?.value;
  const partitions = [...new Set([...lag, ...current, ...end].map((s) => Number(s.metric.partition)))].sort((a, b) => a - b);
  const exported: ExportedOffsets[] = partitions.map((partition) => ({ topic, partition, lag: value(lag, partition), currentOffset: value(current, partition), endOffset: value(end, partition) }));
  const mismatches = compareOffsets(kafkaRows, exported);
  const totalLag = kafkaRows.reduce((sum, r) => sum + (r.lag ?? 0), 0);
  const ok = kafkaRows.length > 0 && totalLag > 0 && mismatches.length === 0;
  check(CheckKind.lag, subject, ok, ok
    ? `${kafkaRows.length} partitions: committed offset, log end offset and lag equal on every one (total lag ${totalLag} records) at a quiet moment, ${describe.tool}`
    : kafkaRows.length === 0 ? `kafka-consumer-groups --describe listed no partition of ${topic}: ${describe.output.slice(0, 300)}`
      : totalLag === 0 ? 'the group had no lag at the quiet moment: nothing to compare'
        : mismatches.map((m) => `p${m.partition} ${m.field}: kafka ${m.kafka}, exporter ${m.exporter ?? 'absent'}`).join('; '));
}

/** Kafka's own `kafka-consumer-groups.sh --describe` (ops/local/kafka-consumer-groups.sh: the distribution's tool class on the broker's jars). */
async function describeGroup(brokers: string, group: string): Promise<{ output: string; tool: string; error?: string }> {
  const tool = 'ops/local/kafka-consumer-groups.sh';
  try {
    const { stdout } = await run(join(ROOT, tool), ['--bootstrap-server', brokers, '--describe', '--group', group], { timeout: 120_000 });
    return { output: stdout, tool };
  } catch (err) {
    const e = err as { message: string; stderr?: string };
    return { output: '', tool, error: `${tool} failed: ${e.stderr?.slice(0, 500) || e.message}` };
  }
}

/**
 * A PNG of the preview page by Debian's headless Chromium, when it is installed (it is optional:
 * the SVGs are the preview; the picture is for places that show no SVG). Null without Chromium.
 */
async function screenshot(page: string, png: string, width: number, height: number): Promise<string | null> {
  const browser = ['chromium', 'chromium-browser'].find((name) => process.env.PATH?.split(':').some((dir) => existsSync(join(dir, name))));
  // A picture of an earlier run beside this run's charts would mislead.
  await rm(png, { force: true });
  if (browser === undefined) return null;
  await run(browser, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-extensions', '--no-first-run',
    '--hide-scrollbars', `--window-size=${width},${Math.ceil(height)}`, `--screenshot=${png}`, `file://${page}`,
  ], { timeout: 60_000 }).catch((err: unknown) => say(`chromium screenshot failed: ${(err as Error).message.split('\n')[0]}`));
  return existsSync(png) ? png : null;
}

interface LoadedDashboard { readonly file: string; readonly path: string; readonly json: unknown }

async function loadDashboards(directory: string): Promise<LoadedDashboard[]> {
  if (!existsSync(directory)) return [];
  const out: LoadedDashboard[] = [];
  for (const file of (await readdir(directory, { recursive: true })).filter((f) => f.endsWith('.json')).sort()) {
    const path = join(directory, file);
    out.push({ file, path, json: JSON.parse(await readFile(path, 'utf8')) as unknown });
  }
  return out;
}

/** The dashboard named by OPS_CHECK_MAIN_DASHBOARD (file name or uid), else the one with the most panel queries. */
function pickMainDashboard(dashboards: readonly LoadedDashboard[], wanted: string): LoadedDashboard | undefined {
  if (wanted !== '') return dashboards.find((d) => d.file === wanted || d.file === `${wanted}.json` || (d.json as { uid?: string }).uid === wanted);
  return [...dashboards].sort((a, b) => panelQueries(b.json).length - panelQueries(a.json).length)[0];
}

function summariseAlerts(names: readonly string[], transitions: readonly AlertTransition[], phases: ReadonlyArray<{ phase: string; atMs: number }>, exercised: ReadonlySet<string>): AlertSummary[] {
  return [...new Set(names)].sort().map((alert) => ({
    alert,
    exercised: exercised.has(alert),
    // The phase the watcher saw the change in (a phase that began in the same millisecond is not it).
    seen: transitions.filter((t) => t.alert === alert).map((t) => {
      const since = phases.findLast((p) => p.phase === t.phase && p.atMs <= t.atMs);
      return `${t.to} ${since === undefined ? `in ${t.phase}` : `${seconds(t.atMs - since.atMs)} s after ${since.phase}`}`;
    }),
  }));
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
