import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { deriveConfig, jobNames, PrometheusConfigError, ruleFilePatterns, targetsFile } from './prometheus_config.ts';

const config = `
global:
  scrape_interval: 15s
  evaluation_interval: 30s
  external_labels: { cluster: local }
rule_files:
  - rules/*.yml
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['127.0.0.1:9093'] }]
scrape_configs:
  - job_name: mailscore
    scrape_interval: 10s
    file_sd_configs: [{ files: ['targets/mailscore.json'] }]
    relabel_configs:
      - source_labels: [__address__]
        target_label: instance
  - job_name: mailscore-lag-exporter
    file_sd_configs: [{ files: ['targets/lag.json'] }]
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:9090'] }]
`;

test('ruleFilePatterns and jobNames read the configuration as written', () => {
  assert.deepEqual(ruleFilePatterns(config), ['rules/*.yml']);
  assert.deepEqual(jobNames(config), ['mailscore', 'mailscore-lag-exporter', 'prometheus']);
});

test('deriveConfig shortens intervals, swaps rule and target files, keeps everything else', () => {
  const derived = parse(deriveConfig(config, {
    scrapeIntervalS: 2,
    ruleFiles: ['/tmp/r/0-alerts.yml'],
    targetsFiles: { mailscore: '/tmp/t/mailscore.json', 'mailscore-lag-exporter': '/tmp/t/lag.json' },
  })) as Record<string, any>;
  assert.deepEqual(derived.global, { scrape_interval: '2s', evaluation_interval: '2s', scrape_timeout: '2s', external_labels: { cluster: 'local' } });
  assert.deepEqual(derived.rule_files, ['/tmp/r/0-alerts.yml']);
  assert.equal(derived.alerting, undefined);
  const [pipeline, lag, self] = derived.scrape_configs;
  assert.deepEqual(pipeline.file_sd_configs, [{ files: ['/tmp/t/mailscore.json'], refresh_interval: '2s' }]);
  assert.equal(pipeline.scrape_interval, undefined, "a job's own interval would override the short one");
  assert.deepEqual(pipeline.relabel_configs, [{ source_labels: ['__address__'], target_label: 'instance' }]);
  assert.deepEqual(lag.file_sd_configs, [{ files: ['/tmp/t/lag.json'], refresh_interval: '2s' }]);
  assert.deepEqual(self.static_configs, [{ targets: ['127.0.0.1:9090'] }]);
});

test('deriveConfig refuses a configuration without the jobs of the metric contract', () => {
  assert.throws(() => deriveConfig(config, { scrapeIntervalS: 2, ruleFiles: [], targetsFiles: { 'redis-exporter': '/tmp/t/r.json' } }), /no scrape config has job_name "redis-exporter"/);
  assert.throws(() => deriveConfig(config, { scrapeIntervalS: 2, ruleFiles: [], targetsFiles: { prometheus: '/tmp/t/p.json' } }), /not discovered through file_sd_configs/);
  assert.throws(() => deriveConfig('global: {}', { scrapeIntervalS: 2, ruleFiles: [], targetsFiles: {} }), PrometheusConfigError);
});

test('targetsFile labels each target with namespace and pod', () => {
  assert.deepEqual(JSON.parse(targetsFile([{ address: '127.0.0.1:9464', pod: 'mailscore-0' }])), [
    { targets: ['127.0.0.1:9464'], labels: { namespace: 'local', pod: 'mailscore-0' } },
  ]);
});
