// The dashboards as code: the committed JSON is what the TypeScript generates, every panel
// follows the conventions (datasource variable, unique title, queries), every variable used is
// defined, every query parses as PromQL (promtool) and asks for a metric something exports.
// No services needed; promtool comes from ops/local/ops_tools.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Dashboard, Panel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import {
  DASHBOARD_SOURCES, DASHBOARDS_DIR, dashboardJson, dataPanels, expandTemplateVariables, panelQueries, renderDashboard,
} from './dashboards/index.ts';

const run = promisify(execFile);

// What the dashboards may query: the metric contract of issue 8 (pipeline and lag exporter),
// and what Debian's prometheus-postgres-exporter 0.11.1 and prometheus-redis-exporter 1.45.0
// export (read from their /metrics against the local PostgreSQL and Redis). A typo in a metric
// name fails here instead of leaving a panel empty.
const HISTOGRAMS = [
  'mailscore_e2e_latency_seconds', 'mailscore_ingest_batch_seconds', 'mailscore_scorer_batch_seconds',
  'mailscore_sink_copy_seconds', 'mailscore_sink_alert_publish_seconds',
];
const KNOWN_METRICS = new Set([
  'up',
  ...HISTOGRAMS.flatMap((name) => [`${name}_bucket`, `${name}_count`, `${name}_sum`]),
  // pipeline
  'mailscore_ingest_last_committed_record_timestamp_seconds', 'mailscore_ingest_rebalances_total',
  'mailscore_ingest_assigned_partitions', 'mailscore_ingest_commit_failures_total', 'mailscore_dependency_retries_total',
  'mailscore_dependency_up', 'mailscore_sink_partition_days_ahead', 'mailscore_ingest_events_total',
  'mailscore_ingest_dead_lettered_total', 'mailscore_ingest_paused', 'mailscore_scorer_emails_scored_total',
  'mailscore_scorer_stage_seconds_total', 'mailscore_scorer_pool_utilisation_ratio', 'mailscore_scorer_pool_queue_tasks',
  'mailscore_scorer_model_info', 'mailscore_scorer_model_reloads_total', 'mailscore_scorer_model_reload_failures_total',
  'mailscore_sink_rows_written_total', 'mailscore_sink_alerts_published_total',
  'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes',
  // lag exporter
  'kafka_consumergroup_lag', 'kafka_consumergroup_lag_sum', 'kafka_consumergroup_lag_seconds',
  'kafka_consumergroup_current_offset', 'kafka_topic_partition_current_offset', 'kafka_topic_partitions',
  'kafka_consumergroup_members', 'mailscore_lag_exporter_poll_errors_total', 'mailscore_lag_exporter_last_poll_timestamp_seconds',
  // prometheus-postgres-exporter
  'pg_up', 'pg_settings_max_connections', 'pg_stat_activity_count', 'pg_stat_activity_max_tx_duration',
  'pg_database_size_bytes', 'pg_locks_count', 'pg_exporter_last_scrape_error', 'pg_stat_database_numbackends',
  'pg_stat_database_xact_commit', 'pg_stat_database_xact_rollback', 'pg_stat_database_tup_inserted',
  'pg_stat_database_tup_updated', 'pg_stat_database_tup_deleted', 'pg_stat_database_blks_hit', 'pg_stat_database_blks_read',
  'pg_stat_database_deadlocks', 'pg_stat_database_conflicts',
  // prometheus-redis-exporter
  'redis_up', 'redis_connected_clients', 'redis_blocked_clients', 'redis_memory_used_bytes', 'redis_memory_used_rss_bytes',
  'redis_memory_max_bytes', 'redis_commands_processed_total', 'redis_commands_total', 'redis_keyspace_hits_total',
  'redis_keyspace_misses_total', 'redis_rejected_connections_total', 'redis_evicted_keys_total', 'redis_pubsub_channels',
  'redis_uptime_in_seconds', 'redis_exporter_last_scrape_error',
]);

/** Grafana's own variables a dashboard may use without defining them. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__all']);

/** The variables every pipeline panel can be filtered by (the README's dashboard contract). */
const PIPELINE_VARIABLES = ['datasource', 'namespace', 'consumergroup', 'topic', 'pod'];

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** Metric names a PromQL expression selects, each with the matchers it was given ('' for none). */
function selectors(expr: string): { metric: string; matchers: string }[] {
  const found: { metric: string; matchers: string }[] = [];
  const withoutNoise = expr
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  for (const match of withoutNoise.matchAll(/(?<![\w.:"])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\}|\()?/g)) {
    const [, name = '', after = ''] = match;
    if (after === '(' || PROMQL_KEYWORDS.has(name)) continue;
    found.push({ metric: name, matchers: after });
  }
  return found;
}

function variableNames(dashboard: Dashboard): string[] {
  return (dashboard.templating.list ?? []).map((variable) => variable.name);
}

/** `$name`, `${name}`, `${name:format}` and `[[name]]` occurrences in a text. */
function usedVariables(text: string): string[] {
  return [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function queriesOf(panel: Panel): Dataquery[] {
  return (panel.targets ?? []) as Dataquery[];
}

for (const source of DASHBOARD_SOURCES) {
  const dashboard = renderDashboard(source);
  const panels = dataPanels(dashboard);

  test(`${source.file} is what the TypeScript generates (run \`make dashboards\` after an edit)`, async () => {
    const committed = await readFile(join(DASHBOARDS_DIR, source.file), 'utf8');
    assert.equal(committed, dashboardJson(dashboard), `${source.file} differs from the output of ${source.file.replace('.json', '.ts')}`);
  });

  test(`${source.file}: every panel reads the datasource variable, has a unique title and real queries`, () => {
    assert.ok(panels.length >= 10, `${source.file} has ${panels.length} panels`);
    const titles = new Set<string>();
    for (const panel of panels) {
      const title = panel.title ?? '';
      assert.ok(title.trim() !== '', `a ${panel.type} panel has no title`);
      assert.ok(!titles.has(title), `two panels are titled "${title}"`);
      titles.add(title);
      assert.ok((panel.description ?? '').trim() !== '', `"${title}" has no description`);
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, `"${title}" does not use the datasource variable`);
      const queries = queriesOf(panel);
      assert.ok(queries.length >= 1, `"${title}" has no query`);
      const refIds = new Set<string>();
      for (const query of queries) {
        assert.ok(query.expr.trim() !== '', `"${title}" has an empty expr`);
        assert.deepEqual(query.datasource, { type: 'prometheus', uid: '${datasource}' }, `"${title}" ${query.refId} does not use the datasource variable`);
        assert.ok(query.refId && !refIds.has(query.refId), `"${title}" has a missing or repeated refId`);
        refIds.add(query.refId);
      }
    }
  });

  test(`${source.file}: every variable used is defined, before any variable that uses it`, () => {
    const defined = variableNames(dashboard);
    assert.equal(new Set(defined).size, defined.length, 'a variable is defined twice');
    assert.ok(defined.includes('datasource') && defined.includes('namespace'), 'datasource and namespace variables are missing');
    const text = JSON.stringify(dashboard);
    for (const name of usedVariables(text)) {
      assert.ok(defined.includes(name) || BUILTIN_VARIABLES.has(name), `$${name} is used but not defined`);
    }
    (dashboard.templating.list ?? []).forEach((variable: VariableModel, index) => {
      const earlier = defined.slice(0, index);
      for (const name of usedVariables(JSON.stringify({ query: variable.query, datasource: variable.datasource }))) {
        assert.ok(earlier.includes(name), `variable ${variable.name} uses $${name}, which is not defined before it`);
      }
    });
  });

  test(`${source.file}: panels sit on the 24-column grid without overlapping`, () => {
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels ?? []) {
      const { x, y, w, h } = panel.gridPos ?? { x: -1, y: -1, w: 0, h: 0 };
      assert.ok(x >= 0 && w > 0 && h > 0 && x + w <= 24, `"${panel.title}" is off the grid`);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const key = `${column},${row}`;
          assert.ok(!cells.has(key), `"${panel.title}" overlaps "${cells.get(key)}"`);
          cells.set(key, panel.title ?? '');
        }
      }
    }
    const ids = (dashboard.panels ?? []).map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids repeat');
  });

  test(`${source.file}: every query selects known metrics, each with a job matcher`, () => {
    const texts = [
      ...panels.flatMap((panel) => queriesOf(panel).map((query) => ({ where: `"${panel.title}" ${query.refId}`, expr: query.expr }))),
      ...(dashboard.templating.list ?? []).filter((variable) => variable.type === 'query')
        .map((variable) => ({ where: `variable ${variable.name}`, expr: String(variable.query).replace(/^label_values\((.*),\s*\w+\)$/, '$1') })),
    ];
    for (const { where, expr } of texts) {
      const found = selectors(expr);
      assert.ok(found.length > 0, `${where}: no metric in ${expr}`);
      for (const { metric, matchers } of found) {
        assert.ok(KNOWN_METRICS.has(metric), `${where}: ${metric} is not a metric anything here exports`);
        assert.match(matchers, /\bjob=~?"/, `${where}: ${metric} has no job matcher, so another job's series of that name would mix in`);
      }
    }
  });
}

test('the pipeline dashboard has the contract variables, multi-value with All as .*', () => {
  const pipeline = renderDashboard(DASHBOARD_SOURCES[0]!);
  const variables = pipeline.templating.list ?? [];
  assert.deepEqual(variables.map((variable) => variable.name), PIPELINE_VARIABLES);
  assert.equal(variables[0]?.type, 'datasource');
  assert.equal(variables[0]?.query, 'prometheus');
  for (const variable of variables.slice(1)) {
    assert.equal(variable.type, 'query', variable.name);
    assert.match(String(variable.query), /^label_values\(.+, \w+\)$/, variable.name);
    assert.equal(variable.multi, true, variable.name);
    assert.equal(variable.includeAll, true, variable.name);
    assert.equal(variable.allValue, '.*', variable.name);
  }
});

test('the pipeline dashboard shows what the issue asks for', () => {
  const exprs = panelQueries().filter((query) => query.dashboard === 'mailscore-pipeline').map((query) => query.expr).join('\n');
  for (const metric of [
    'kafka_consumergroup_lag{', 'kafka_consumergroup_lag_seconds{', 'mailscore_ingest_events_total{', 'mailscore_sink_rows_written_total{',
    'mailscore_e2e_latency_seconds_bucket{', 'mailscore_ingest_dead_lettered_total{', 'mailscore_scorer_emails_scored_total{',
    'mailscore_sink_copy_seconds_bucket{', 'mailscore_sink_alert_publish_seconds_bucket{', 'mailscore_scorer_pool_utilisation_ratio{',
    'mailscore_scorer_pool_queue_tasks{', 'nodejs_eventloop_lag_p99_seconds{', 'nodejs_heap_size_used_bytes{', 'process_resident_memory_bytes{',
    'mailscore_scorer_model_info{', 'mailscore_scorer_model_reloads_total{', 'mailscore_scorer_model_reload_failures_total{',
    'mailscore_sink_partition_days_ahead{', 'mailscore_ingest_rebalances_total{', 'mailscore_ingest_assigned_partitions{',
    'mailscore_ingest_commit_failures_total{', 'mailscore_dependency_up{', 'mailscore_dependency_retries_total{',
  ]) {
    assert.ok(exprs.includes(metric), `no panel of the pipeline dashboard queries ${metric.slice(0, -1)}`);
  }
  for (const quantile of ['0.5', '0.95', '0.99']) {
    assert.ok(exprs.includes(`histogram_quantile(${quantile}, sum by (le) (rate(mailscore_e2e_latency_seconds_bucket`), `no e2e latency p${quantile}`);
  }
  const latency = dataPanels(renderDashboard(DASHBOARD_SOURCES[0]!)).find((panel) => panel.title?.startsWith('End-to-end latency'));
  assert.deepEqual(latency?.fieldConfig?.defaults.thresholds?.steps.map((step) => step.value), [null, 0.5], 'the latency panel draws the 500 ms objective');
});

test('panelQueries lists every query, and expanding the variables leaves no $ behind', () => {
  const queries = panelQueries();
  const total = DASHBOARD_SOURCES.reduce((sum, source) => sum + dataPanels(renderDashboard(source)).reduce((n, panel) => n + queriesOf(panel).length, 0), 0);
  assert.equal(queries.length, total);
  for (const query of queries) {
    assert.ok(query.dashboard && query.panel && query.refId && query.expr, JSON.stringify(query));
    assert.doesNotMatch(expandTemplateVariables(query.expr), /\$/, `${query.panel} ${query.refId}`);
  }
  assert.equal(
    expandTemplateVariables('rate(x{pod=~"$pod", ns=~"${namespace}"}[$__rate_interval])', { variables: { pod: 'a|b' }, rateInterval: '2m' }),
    'rate(x{pod=~"a|b", ns=~".*"}[2m])',
  );
});

test('every panel query is valid PromQL (promtool check rules)', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'mailscore-dashboards-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const queries = panelQueries();
  // Each query as a recording rule: promtool parses it exactly as Prometheus would.
  const rules = { groups: [{ name: 'dashboard-panels', rules: queries.map((query, i) => ({ record: `dashboard_panel_query_${i}`, expr: expandTemplateVariables(query.expr) })) }] };
  const file = join(directory, 'panels.yml');
  await writeFile(file, stringify(rules));
  const result = await run('promtool', ['check', 'rules', file]).catch((err: { stdout?: string; stderr?: string; code?: unknown }) => {
    if (err.code === 'ENOENT') assert.fail('promtool is missing: run ops/local/ops_tools.sh');
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
    const index = Number(/dashboard_panel_query_(\d+)/.exec(output)?.[1] ?? -1);
    assert.fail(`promtool rejects a panel query${index >= 0 ? ` ("${queries[index]?.panel}" ${queries[index]?.refId})` : ''}:\n${output}`);
  });
  assert.match(result.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
});
