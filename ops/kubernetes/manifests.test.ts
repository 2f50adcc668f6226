// Every overlay renders with `kubectl kustomize` (ops/local/ops_tools.sh installs kubectl), every
// object validates against the Kubernetes OpenAPI and the KEDA and prometheus-operator CRD
// schemas, no field is unknown to them, and the manifests agree with the application (settings,
// endpoints, subcommands, measured drain rate). The last part proves each check fails on the
// mistake it is there for. No cluster is involved.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  invariantProblems, OVERLAYS, prometheusRuleIsCurrent, readAppFacts, renderOverlay, schemaProblems, unknownFieldProblems,
  type AppFacts, type KubeObject,
} from './manifests.ts';
import { readRuleGroups, RuleFileError } from './prometheus_rule.ts';

const EXPECTED_KINDS = [
  'ConfigMap', 'Deployment', 'Deployment', 'Job', 'Job', 'Namespace', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy',
  'PodDisruptionBudget', 'PodMonitor', 'PrometheusRule', 'ScaledObject', 'Service', 'ServiceAccount',
];

let facts: AppFacts;
before(() => { facts = readAppFacts(); });

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}`, () => {
    let objects: KubeObject[];
    before(async () => { objects = await renderOverlay(overlay); });

    it('renders the objects a deployment needs', () => {
      const kinds = objects.map((o) => o.kind).filter((kind) => kind !== 'TriggerAuthentication').sort();
      assert.deepEqual(kinds, EXPECTED_KINDS);
    });

    it('validates against the Kubernetes, KEDA and prometheus-operator schemas', async () => {
      assert.deepEqual(await schemaProblems(objects), []);
    });

    it('has no field the schemas do not know', () => {
      assert.deepEqual(unknownFieldProblems(objects), []);
    });

    it('agrees with app/config.ts, app/http.ts, app/main.ts and the measured drain rate', () => {
      assert.deepEqual(invariantProblems(objects, facts).problems, []);
    });
  });
}

describe('the PrometheusRule', () => {
  it('is generated from the current ops/grafana/prometheus/rules/*.yml', () => {
    assert.equal(prometheusRuleIsCurrent(), true, 'ops/kubernetes/base/prometheusrule.yaml is stale: run node ops/kubernetes/prometheus_rule.ts');
  });

  it('takes the groups of every rule file, skips promtool test files, and refuses a group name twice', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailscore-rules-'));
    try {
      writeFileSync(join(directory, 'b.yml'), 'groups:\n  - name: two\n    rules:\n      - record: x:sum\n        expr: sum(x)\n');
      writeFileSync(join(directory, 'a.yml'), 'groups:\n  - name: one\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n');
      writeFileSync(join(directory, 'a_test.yml'), 'rule_files: [a.yml]\ntests: []\n');
      const { groups, files } = readRuleGroups(directory);
      assert.deepEqual(groups.map((g) => g.name), ['one', 'two']);
      assert.equal(files.length, 2);
      writeFileSync(join(directory, 'c.yml'), 'groups:\n  - name: one\n    rules: []\n');
      assert.throws(() => readRuleGroups(directory), RuleFileError);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the validation fails on a mistake', () => {
  let production: KubeObject[];
  before(async () => { production = await renderOverlay('production'); });

  /** A copy of the rendered objects with one object changed. */
  const mutate = (kind: string, name: string | null, change: (object: any) => void): KubeObject[] => production.map((object) => {
    if (object.kind !== kind || (name !== null && object.metadata.name !== name)) return object;
    const copy = structuredClone(object);
    change(copy);
    return copy;
  });
  const pipeline = (object: any) => object.spec.template.spec.containers[0];
  const setEnv = (container: any, name: string, value: string) => {
    container.env = [...(container.env ?? []).filter((e: any) => e.name !== name), { name, value }];
  };
  const settings = (change: (data: Record<string, string>) => void) => mutate('ConfigMap', null, (c) => change(c.data));

  const cases: { mistake: string; objects: () => KubeObject[]; expected: RegExp }[] = [
    { mistake: 'SCORER_THREADS not matching the CPU limit', objects: () => mutate('Deployment', 'mailscore', (d) => setEnv(pipeline(d), 'SCORER_THREADS', '4')), expected: /SCORER_THREADS is 4 but the CPU limit is 2/ },
    { mistake: 'SCORER_THREADS left to the node', objects: () => mutate('Deployment', 'mailscore', (d) => { pipeline(d).env = pipeline(d).env.filter((e: any) => e.name !== 'SCORER_THREADS'); }), expected: /SCORER_THREADS is not set/ },
    { mistake: 'a fractional CPU limit', objects: () => mutate('Deployment', 'mailscore', (d) => { pipeline(d).resources.limits.cpu = '1500m'; pipeline(d).resources.requests.cpu = '1500m'; }), expected: /whole cores/ },
    { mistake: 'a grace period shorter than the shutdown', objects: () => mutate('Deployment', 'mailscore', (d) => { d.spec.template.spec.terminationGracePeriodSeconds = 30; }), expected: /terminationGracePeriodSeconds 30 is not longer/ },
    { mistake: 'SHUTDOWN_TIMEOUT_MS raised past the grace period', objects: () => settings((data) => { data.SHUTDOWN_TIMEOUT_MS = '60000'; }), expected: /terminationGracePeriodSeconds 45 is not longer .*60000 ms/ },
    { mistake: 'maxReplicaCount above the partitions', objects: () => mutate('ScaledObject', null, (s) => { s.spec.maxReplicaCount = 16; }), expected: /maxReplicaCount 16 is above the 12 partitions/ },
    { mistake: 'fewer partitions than maxReplicaCount', objects: () => settings((data) => { data.TOPIC_PARTITIONS = '8'; }), expected: /maxReplicaCount 12 is above the 8 partitions/ },
    { mistake: 'a misspelt setting', objects: () => mutate('Deployment', 'mailscore', (d) => setEnv(pipeline(d), 'SHUTDOWN_TIMEOUT', '1000')), expected: /SHUTDOWN_TIMEOUT is not a setting app\/config.ts reads/ },
    { mistake: 'a setting app/config.ts refuses', objects: () => settings((data) => { data.LOG_LEVEL = 'verbose'; }), expected: /refuses its settings: .*LOG_LEVEL/s },
    { mistake: 'a probe on a path app/http.ts does not serve', objects: () => mutate('Deployment', 'mailscore', (d) => { pipeline(d).readinessProbe.httpGet.path = '/ready'; }), expected: /readinessProbe asks \/ready, which app\/http.ts does not serve/ },
    { mistake: 'the metrics port not HTTP_PORT', objects: () => settings((data) => { data.HTTP_PORT = '8080'; }), expected: /metrics port 9464 is not HTTP_PORT 8080/ },
    { mistake: 'no preStop', objects: () => mutate('Deployment', 'mailscore', (d) => { delete pipeline(d).lifecycle; }), expected: /no preStop hook/ },
    { mistake: 'replicas set under KEDA', objects: () => mutate('Deployment', 'mailscore', (d) => { d.spec.replicas = 3; }), expected: /spec.replicas is set/ },
    { mistake: 'a lagThreshold unrelated to the drain rate', objects: () => mutate('ScaledObject', null, (s) => { s.spec.triggers[0].metadata.lagThreshold = '10'; }), expected: /lagThreshold 10 is 0\.\d\d s/ },
    { mistake: 'the scaler watching another topic', objects: () => mutate('ScaledObject', null, (s) => { s.spec.triggers[0].metadata.topic = 'email.other'; }), expected: /trigger topic "email.other" is not the pipeline's "email.events"/ },
    { mistake: 'the scaler without TLS while the pipeline uses it', objects: () => mutate('ScaledObject', null, (s) => { delete s.spec.triggers[0].metadata.tls; }), expected: /trigger tls/ },
    { mistake: 'the scaler with another password', objects: () => mutate('TriggerAuthentication', null, (a) => { a.spec.secretTargetRef[1].key = 'other'; }), expected: /password does not come from the Secret key/ },
    { mistake: 'SASL without its password', objects: () => mutate('Deployment', 'mailscore-lag-exporter', (d) => { pipeline(d).env = pipeline(d).env.filter((e: any) => e.name !== 'KAFKA_SASL_PASSWORD'); }), expected: /mailscore-lag-exporter.*refuses its settings: .*KAFKA_SASL_PASSWORD/s },
    { mistake: 'a CA file outside any mounted Secret', objects: () => settings((data) => { data.KAFKA_SSL_CA_FILE = '/etc/ssl/kafka.crt'; }), expected: /KAFKA_SSL_CA_FILE=\/etc\/ssl\/kafka.crt is not in a mounted Secret/ },
    { mistake: 'an unknown subcommand', objects: () => mutate('Job', 'mailscore-migrate', (j) => { pipeline(j).args = ['migrations']; }), expected: /no subcommand "migrations"/ },
    { mistake: 'a writable root filesystem', objects: () => mutate('Deployment', 'mailscore', (d) => { pipeline(d).securityContext.readOnlyRootFilesystem = false; }), expected: /readOnlyRootFilesystem is not true/ },
    { mistake: 'capabilities kept', objects: () => mutate('Job', 'mailscore-topics', (j) => { delete pipeline(j).securityContext.capabilities; }), expected: /capabilities must drop ALL/ },
    { mistake: 'running as root', objects: () => mutate('Deployment', 'mailscore', (d) => { delete d.spec.template.spec.securityContext.runAsNonRoot; d.spec.template.spec.securityContext.runAsUser = 0; }), expected: /runAsNonRoot is not true/ },
    { mistake: 'an image without a tag', objects: () => mutate('Deployment', 'mailscore', (d) => { pipeline(d).image = 'registry.example.com/mailscore/mailscore'; }), expected: /has no fixed tag or digest/ },
    { mistake: 'two lag exporters', objects: () => mutate('Deployment', 'mailscore-lag-exporter', (d) => { d.spec.replicas = 2; }), expected: /exactly one replica/ },
    { mistake: 'no egress to PostgreSQL', objects: () => mutate('NetworkPolicy', 'mailscore-pipeline', (p) => { p.spec.egress.splice(2, 1); }), expected: /egress does not allow postgres on port 5432/ },
    { mistake: 'Kafka on a port the policy does not open', objects: () => settings((data) => { data.KAFKA_BROKERS = 'kafka-0.kafka-brokers.kafka.svc:9094'; }), expected: /egress does not allow kafka on port 9094/ },
    { mistake: 'metrics open to a whole namespace', objects: () => mutate('NetworkPolicy', 'mailscore-pipeline', (p) => { delete p.spec.ingress[0].from[0].podSelector; }), expected: /admits more than Prometheus' pods/ },
    { mistake: 'egress to everywhere', objects: () => mutate('NetworkPolicy', 'mailscore-setup', (p) => { p.spec.egress.push({}); }), expected: /allows every destination or every port/ },
    { mistake: 'the wrong Prometheus job label', objects: () => mutate('PodMonitor', null, (m) => { m.spec.jobLabel = 'app.kubernetes.io/component'; }), expected: /job="pipeline", the dashboards and rules expect job="mailscore"/ },
    { mistake: 'rules that drifted from ops/grafana', objects: () => mutate('PrometheusRule', null, (r) => { r.spec.groups = [{ name: 'stale', rules: [{ alert: 'Old', expr: 'vector(1)' }] }]; }), expected: /not those of ops\/grafana\/prometheus\/rules/ },
  ];

  it('finds nothing wrong before any mistake', () => {
    assert.deepEqual(invariantProblems(production, facts).problems, []);
  });

  for (const { mistake, objects, expected } of cases) {
    it(`catches ${mistake}`, () => {
      const problems = invariantProblems(objects(), facts).problems;
      assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got:\n  ${problems.join('\n  ')}`);
    });
  }

  it('catches a value of the wrong type or format (schemas)', async () => {
    const objects = mutate('Deployment', 'mailscore', (d) => { pipeline(d).resources.limits.cpu = 'two'; pipeline(d).ports[0].containerPort = '9464'; });
    const problems = await schemaProblems(objects);
    assert.ok(problems.some((p) => /Deployment\/mailscore: .*limits\/cpu/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /containerPort must be integer/.test(p)), problems.join('\n'));
    const scaled = mutate('ScaledObject', null, (s) => { s.spec.triggers[0].metadata.lagThreshold = 16000; });
    assert.ok((await schemaProblems(scaled)).some((p) => /lagThreshold must be string/.test(p)));
  });

  it('catches a misspelt field, which the OpenAPI schemas alone let through', async () => {
    const misspelt = mutate('Deployment', 'mailscore', (d) => { pipeline(d).readinesProbe = pipeline(d).readinessProbe; delete pipeline(d).readinessProbe; })
      .filter((o) => o.kind === 'Deployment' && o.metadata.name === 'mailscore');
    assert.deepEqual(await schemaProblems(misspelt), [], 'validate() accepts unknown fields; the TypeScript check is what catches them');
    const problems = unknownFieldProblems(misspelt);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /Deployment\/mailscore: .*'"readinesProbe"' does not exist in type 'IContainer'/);
  });

  it('catches an object of a kind no schema knows', async () => {
    const problems = await schemaProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
    assert.deepEqual(problems, ['Widget/w: no schema for example.com/v1 Widget']);
  });
});
