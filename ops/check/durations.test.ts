import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DurationError, formatDuration, parseDuration, scaleDuration, scaleExpression, scaleRuleFile, type Scaling } from './durations.ts';

const scaling: Scaling = { factor: 30, minRangeMs: 8000, minStepMs: 2000 };

test('parseDuration reads every Prometheus unit and compound durations', () => {
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1m500ms'), 60_500);
  assert.equal(parseDuration('3d'), 259_200_000);
  assert.equal(parseDuration('1w'), 604_800_000);
  assert.equal(parseDuration('1y'), 31_536_000_000);
  for (const bad of ['', '5', 'm', '5x', '30m1h', '1.5h', '-5m']) assert.throws(() => parseDuration(bad), DurationError, bad);
});

test('formatDuration writes the shortest compound spelling', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(86_400_000 * 3 + 3_600_000), '3d1h');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(0), '0s');
  assert.throws(() => formatDuration(1.5), DurationError);
});

test('scaleDuration divides, rounds to seconds and keeps the minimum', () => {
  assert.equal(scaleDuration(300_000, 30), 10_000);
  assert.equal(scaleDuration(600_000, 30), 20_000);
  assert.equal(scaleDuration(3_600_000, 30), 120_000);
  assert.equal(scaleDuration(65_000, 30), 2000); // 2.17 s → 2 s
  assert.equal(scaleDuration(60_000, 30, 8000), 8000);
  assert.equal(scaleDuration(15_000, 30), 500);
  assert.throws(() => scaleDuration(1000, 0), DurationError);
});

test('scaleExpression scales ranges, subqueries and offsets, never strings or plain numbers', () => {
  assert.equal(scaleExpression('rate(mailscore_ingest_events_total[5m])', scaling), 'rate(mailscore_ingest_events_total[10s])');
  assert.equal(scaleExpression('sum(rate(x_bucket{le="0.5"}[1h])) / sum(rate(x_count[1h]))', scaling), 'sum(rate(x_bucket{le="0.5"}[2m])) / sum(rate(x_count[2m]))');
  assert.equal(scaleExpression('max_over_time(rate(x[5m])[1h:1m])', scaling), 'max_over_time(rate(x[10s])[2m:2s])');
  assert.equal(scaleExpression('max_over_time(x[30m:])', scaling), 'max_over_time(x[1m:])');
  assert.equal(scaleExpression('x offset 1h', scaling), 'x offset 2m');
  assert.equal(scaleExpression('x OFFSET -30m', scaling), 'x OFFSET -1m');
  // Too short to hold four scrapes: the minimum range.
  assert.equal(scaleExpression('delta(x[1m])', scaling), 'delta(x[8s])');
  // A regular expression matcher with brackets, an "offset" inside a label value and a metric name.
  assert.equal(scaleExpression('x{pod=~"[a-z]+-[0-9]", reason="offset 5m"}[5m]', scaling), 'x{pod=~"[a-z]+-[0-9]", reason="offset 5m"}[10s]');
  assert.equal(scaleExpression("y{a='[1m]'} and foo_offset_total[1m]", scaling), "y{a='[1m]'} and foo_offset_total[8s]");
  assert.equal(scaleExpression('time() - x > 300', scaling), 'time() - x > 300');
  // Grafana variables are not durations and are left for the dashboard substitution.
  assert.equal(scaleExpression('rate(x[$__rate_interval])', scaling), 'rate(x[$__rate_interval])');
  assert.equal(scaleExpression('rate(x[5m]) # not [1h]\n+ rate(y[5m])', scaling), 'rate(x[10s]) # not [1h]\n+ rate(y[10s])');
});

test('scaleRuleFile rewrites for, group interval and expressions, and lists the changes', () => {
  const rules = `
groups:
  - name: mailscore
    interval: 1m
    rules:
      - record: mailscore:rows_written:rate5m
        expr: sum(rate(mailscore_sink_rows_written_total[5m]))
      - alert: MailscoreConsumerGroupStalled
        expr: |
          sum by (consumergroup, topic) (kafka_consumergroup_lag) > 0
          and sum by (consumergroup, topic) (delta(kafka_consumergroup_current_offset[5m])) == 0
        for: 5m
        labels: { severity: page }
        annotations:
          summary: "no progress in 5m"
      - alert: MailscorePipelineDown
        expr: up{job="mailscore"} == 0
        for: 2m
`;
  const { text, changes } = scaleRuleFile(rules, scaling);
  const doc = parse(text) as { groups: Array<{ interval: string; rules: Array<Record<string, unknown>> }> };
  const [group] = doc.groups;
  assert.equal(group!.interval, '2s');
  assert.equal(group!.rules[0]!.expr, 'sum(rate(mailscore_sink_rows_written_total[10s]))');
  assert.equal(group!.rules[0]!.record, 'mailscore:rows_written:rate5m', 'rule names stay');
  assert.match(String(group!.rules[1]!.expr), /delta\(kafka_consumergroup_current_offset\[10s\]\)/);
  assert.equal(group!.rules[1]!.for, '10s');
  assert.deepEqual(group!.rules[1]!.labels, { severity: 'page' });
  assert.equal((group!.rules[1]!.annotations as Record<string, string>).summary, 'no progress in 5m', 'annotations stay as written');
  assert.equal(group!.rules[2]!.for, '4s');
  assert.deepEqual(changes.map((c) => `${c.rule}:${c.field}`), [
    '(group):interval', 'mailscore:rows_written:rate5m:expr', 'MailscoreConsumerGroupStalled:for', 'MailscoreConsumerGroupStalled:expr', 'MailscorePipelineDown:for',
  ]);
  assert.throws(() => scaleRuleFile('rules: []', scaling), DurationError);
});
