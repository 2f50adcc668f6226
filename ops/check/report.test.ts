import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffStates, statesByName } from './alert_watch.ts';
import { panelSpec, slug, unitTitle } from './preview.ts';
import { markdownReport, type RunResult } from './report.ts';
import * as vega from 'vega';
import { compile } from 'vega-lite';

test('statesByName keeps the most advanced state of each alert; diffStates lists the changes', () => {
  const states = statesByName([
    { labels: { alertname: 'A', pod: 'x' }, state: 'pending' },
    { labels: { alertname: 'A', pod: 'y' }, state: 'firing' },
    { labels: { alertname: 'B' }, state: 'pending' },
  ]);
  assert.deepEqual([...states], [['A', 'firing'], ['B', 'pending']]);
  const next = new Map([['B', 'firing' as const], ['C', 'pending' as const]]);
  assert.deepEqual(diffStates(states, next, 5, 'SIGSTOP').map((t) => `${t.alert} ${t.from}→${t.to} ${t.phase}`), [
    'A firing→inactive SIGSTOP', 'B pending→firing SIGSTOP', 'C inactive→pending SIGSTOP',
  ]);
});

test('markdownReport lists failures first and every alert with what the run saw', () => {
  const result: RunResult = {
    ok: false, generatedAt: '2026-01-01T00:00:00Z', commit: 'abcdef1234567890', seconds: 200, settings: { scrape_interval_s: 2 },
    phases: [{ phase: 'SIGSTOP', atS: 40 }],
    checks: [
      { kind: 'alert', subject: 'MailscorePipelineDown (fires)', ok: true, detail: 'firing in /api/v1/alerts 6 s after SIGKILL' },
      { kind: 'panel', subject: 'Mailscore / Lag | records', ok: false, detail: 'no series: kafka_consumergroup_lag' },
    ],
    alerts: [{ alert: 'MailscorePipelineDown', exercised: true, seen: ['firing 6 s after SIGKILL'] }, { alert: 'MailscoreSloBurn', exercised: false, seen: [] }],
    ruleChanges: 3,
  };
  const md = markdownReport(result);
  assert.match(md, /\*\*1 of 2 checks failed:\*\*\n\n- panel Mailscore \/ Lag \| records: no series/);
  assert.match(md, /\| MailscorePipelineDown \(fires\) \| ok \| firing in \/api\/v1\/alerts 6 s after SIGKILL \|/);
  assert.match(md, /\| Mailscore \/ Lag \\\| records \| \*\*FAILED\*\* \|/);
  assert.match(md, /\| MailscoreSloBurn \| no \| stayed inactive \|/);
});

test('a preview panel renders to SVG with its title, series and phase markers', async () => {
  const spec = panelSpec({
    title: 'Lag (records)', unit: 'short',
    queries: [{
      query: { dashboard: 'd', panel: 'Lag (records)', panelType: 'timeseries', refId: 'A', expr: 'x', legendFormat: 'p{{partition}}', unit: 'short' },
      sent: 'x',
      series: [{ metric: { partition: '0' }, values: [[1000, 1], [1002, 5], [1004, Number.NaN]] }],
    }],
  }, [{ atMs: 1_001_000, label: 'SIGSTOP' }]);
  const svg = await new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' }).toSVG();
  assert.match(svg, /^<svg/);
  assert.match(svg, /Lag \(records\)/);
  assert.match(svg, />p0</);
  assert.match(svg, />SIGSTOP</);
  assert.equal(slug(2, 'Events in vs rows out / s'), '03-events-in-vs-rows-out-s.svg');
  assert.deepEqual(['s', 'suffix:/s', 'short', 'bytes', 'reqps', null, 'celsius'].map((u) => unitTitle(u)), ['seconds', '/s', null, 'bytes', 'per second', null, 'celsius']);
});
