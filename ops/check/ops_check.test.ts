// requires-services: the whole ops check (ops/check/run.ts) as `make test` runs it, on its own
// throwaway PostgreSQL, Redis and Kafka, with Debian's Prometheus and exporters.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './report.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('make ops-check: every panel has data, every target is up, the alerts fire and resolve, the lag exporter agrees with Kafka', { timeout: 480_000 }, async () => {
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(ROOT, 'ops', 'check', 'run.ts')], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const result = JSON.parse(await readFile(join(ROOT, 'ops', 'check', 'results', 'latest.json'), 'utf8')) as RunResult;
  assert.ok(Date.parse(result.generatedAt) >= started - 1000, 'latest.json was written by this run');
  const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.kind} ${c.subject}: ${c.detail}`);
  assert.deepEqual(failed, [], 'every check passes (ops/check/results/latest.md)');
  assert.equal(code, 0);
  const subjects = new Set(result.checks.map((c) => c.subject));
  for (const expected of [
    'MailscoreConsumerGroupStalled (fires)', 'MailscoreConsumerGroupStalled (resolves)', 'MailscoreLagSecondsHigh (fires)', 'MailscorePipelineDown (fires)',
    'MailscoreModelReloadFailing (fires)', 'MailscoreModelReloadFailing (resolves)', 'MailscoreDeadLetterRateHigh (fires)', 'MailscoreDeadLetterRateHigh (resolves)',
    'MailscoreLatencyBudgetBurnFast (fires)',
    'mailscore', 'mailscore-lag-exporter', 'postgres-exporter', 'redis-exporter',
  ]) assert.ok(subjects.has(expected), `the run checked ${expected}`);
  assert.ok(result.checks.filter((c) => c.kind === 'panel').length >= 20, 'the panels of the dashboards were queried');
  assert.equal(result.checks.filter((c) => c.kind === 'lag').length, 1, 'the lag exporter was compared with kafka-consumer-groups');
});
