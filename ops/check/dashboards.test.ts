import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactMatcherVariables, legendOf, panelQueries, panelsWithoutQueries, substituteVariables, variableQueries } from './dashboards.ts';

const dashboard = {
  title: 'Mailscore',
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
      { name: 'namespace', type: 'query', query: { query: 'label_values(up{job="mailscore"}, namespace)', refId: 'x' } },
      { name: 'consumergroup', type: 'query', query: 'label_values(kafka_consumergroup_lag{namespace=~"$namespace"}, consumergroup)' },
      { name: 'custom', type: 'custom', query: 'a,b' },
    ],
  },
  panels: [
    { type: 'timeseries', title: 'Lag (records)', fieldConfig: { defaults: { unit: 'short' } }, targets: [
      { refId: 'A', expr: 'sum by (partition) (kafka_consumergroup_lag{consumergroup=~"$consumergroup", topic=~"${topic}"})', legendFormat: 'p{{partition}}' },
    ] },
    { type: 'row', title: 'Collapsed', collapsed: true, panels: [
      { type: 'stat', title: 'Model', targets: [{ refId: 'A', expr: 'mailscore_scorer_model_info' }, { refId: 'B', expr: '' }] },
    ] },
    { type: 'row', title: 'Open row' },
    { type: 'timeseries', title: 'Forgotten', targets: [] },
    { type: 'text', title: 'Read me' },
  ],
};

test('panelQueries finds targets in panels and in collapsed rows, with units and legends', () => {
  const queries = panelQueries(dashboard);
  assert.deepEqual(queries.map((q) => [q.panel, q.refId, q.unit, q.legendFormat]), [
    ['Lag (records)', 'A', 'short', 'p{{partition}}'],
    ['Model', 'A', null, null],
  ]);
  assert.equal(queries[0]!.dashboard, 'Mailscore');
  assert.deepEqual(panelsWithoutQueries(dashboard), ['Forgotten']);
});

test('variableQueries reads label_values queries, as string or as object', () => {
  assert.deepEqual(variableQueries(dashboard).map((v) => [v.variable, v.selector, v.label]), [
    ['namespace', 'up{job="mailscore"}', 'namespace'],
    ['consumergroup', 'kafka_consumergroup_lag{namespace=~"$namespace"}', 'consumergroup'],
  ]);
});

test('substituteVariables puts All and the interval builtins in every spelling', () => {
  const s = { allValue: '.*', rateIntervalS: 8, intervalS: 2, rangeS: 240 };
  assert.equal(
    substituteVariables('sum(rate(x{pod=~"$pod",ns=~"${namespace}",t=~"[[topic]]",g=~"${consumergroup:regex}"}[$__rate_interval])) / $__range_s', s),
    'sum(rate(x{pod=~".*",ns=~".*",t=~".*",g=~".*"}[8s])) / 240',
  );
  assert.equal(substituteVariables('increase(x[$__range]) + y[$__interval]', s), 'increase(x[240s]) + y[2s]');
});

test('exactMatcherVariables finds variables an "All" selection would break', () => {
  assert.deepEqual(exactMatcherVariables('x{pod="$pod", ns=~"$namespace", t!="${topic}", a=="b"}'), ['pod', 'topic']);
  assert.deepEqual(exactMatcherVariables('x{pod=~"$pod"}[$__rate_interval]'), []);
});

test('legendOf fills {{label}} or prints the label set', () => {
  assert.equal(legendOf('p{{partition}} {{ topic }}', { partition: '3', topic: 'email.events' }), 'p3 email.events');
  assert.equal(legendOf(null, { __name__: 'up', job: 'mailscore' }), 'up{job="mailscore"}');
  assert.equal(legendOf('__auto', {}), 'value');
});
