// Validation of the Kubernetes manifests that no cluster is needed for: every overlay is rendered
// with `kubectl kustomize`, every object is checked against the Kubernetes OpenAPI schemas and
// the KEDA and prometheus-operator CRD schemas (kubernetes-models and its CRD packages: types and
// formats through their validate(), unknown fields through their TypeScript types), and against
// what the application itself says: the settings app/config.ts reads, the paths app/http.ts
// serves, the subcommands app/main.ts has, the drain rate make bench measured.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '../../app/config.ts';
import { prometheusRuleYaml, readRuleGroups, REPO_ROOT } from './prometheus_rule.ts';

export const OVERLAYS = ['small', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export class ManifestError extends Error {
  readonly code = 'MANIFEST_INVALID';
  readonly retriable = false;
}

/** One rendered object; only the fields the checks read are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  [field: string]: unknown;
}

const execFileAsync = promisify(execFile);

export async function renderOverlay(overlay: Overlay): Promise<KubeObject[]> {
  const directory = join(REPO_ROOT, 'ops/kubernetes/overlays', overlay);
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('kubectl', ['kustomize', directory], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ManifestError('kubectl is not installed: run ops/local/ops_tools.sh');
    throw new ManifestError(`kubectl kustomize ${overlay} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw new ManifestError(`${overlay}: ${document.errors[0]!.message}`);
    return document.toJS() as KubeObject;
  }).filter((object) => object !== null);
}

export const describeObject = (object: KubeObject): string => `${object.kind}/${object.metadata?.name}`;

// ---------------------------------------------------------------------------------------------
// Schemas

/** Where kubernetes-models and its CRD packages keep the model of an apiVersion/kind. */
function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${kind}`;
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

/** Types, formats, enums and required fields, by each model's validate(). */
export async function schemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    let model: new (data: unknown) => { validate(): void };
    try {
      model = (await import(modelModule(object.apiVersion, object.kind)) as Record<string, typeof model>)[object.kind]!;
      if (typeof model !== 'function') throw new Error('no model class');
    } catch {
      problems.push(`${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (err) {
      problems.push(`${describeObject(object)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * Fields the schemas do not know. The OpenAPI schemas allow unknown properties (the API server
 * drops them, or refuses them with strict field validation), so a misspelt field would pass
 * validate(); the packages' TypeScript interfaces are closed, and an object literal checked
 * against them fails on any property they do not declare.
 */
export function unknownFieldProblems(objects: readonly KubeObject[]): string[] {
  const fileName = join(REPO_ROOT, 'ops/kubernetes/__rendered_manifests__.ts');
  const lines: string[] = [];
  const owners: { line: number; object: KubeObject }[] = [];
  objects.forEach((object, index) => {
    lines.push(`import type { I${object.kind} as T${index} } from '${modelModule(object.apiVersion, object.kind)}';`);
  });
  objects.forEach((object, index) => {
    owners.push({ line: lines.length, object });
    lines.push(`export const object${index}: T${index} = ${JSON.stringify(object)};`);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2024, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [], exactOptionalPropertyTypes: false,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => name === fileName ? source : readFile(name);
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName)!;
  const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
  return diagnostics.map((diagnostic) => {
    const line = diagnostic.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line;
    const owner = owners.find((o) => o.line === line);
    const where = owner ? describeObject(owner.object) : `line ${line + 1} of the generated check`;
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

// ---------------------------------------------------------------------------------------------
// What the application says

export interface AppFacts {
  /** Every environment variable app/config.ts reads. */
  readonly settings: ReadonlySet<string>;
  /** Paths app/http.ts answers. */
  readonly httpPaths: ReadonlySet<string>;
  /** Subcommands of app/main.ts. */
  readonly subcommands: ReadonlySet<string>;
  /** make bench's slowest drain of one process, per scoring thread (bench/results/latest.json). */
  readonly drainPerThread: { readonly emailsPerSecond: number; readonly source: string };
}

export function readAppFacts(): AppFacts {
  const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
  // The settings loadConfig reads, recorded on a blank environment (defaults everywhere), and any
  // name handed to its readers in the source (a setting read only on some path).
  const settings = new Set<string>();
  const recorder = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => { if (typeof key === 'string') settings.add(key); return undefined; },
  });
  loadConfig(recorder);
  const configSource = read('app/config.ts');
  for (const match of configSource.matchAll(/\b(?:str|int|bool|oneOf|file|secret)\(\s*'([A-Z][A-Z0-9_]*)'/g)) settings.add(match[1]!);
  for (const match of configSource.matchAll(/\bsecret\(\s*'([A-Z][A-Z0-9_]*)'/g)) settings.add(`${match[1]}_FILE`);
  const httpPaths = new Set([...read('app/http.ts').matchAll(/path === '(\/[^']*)'/g)].map((m) => m[1]!));
  const subcommands = new Set([...read('app/main.ts').matchAll(/\.command\('([a-z][a-z-]*)/g)].map((m) => m[1]!));
  const bench = JSON.parse(read('bench/results/latest.json')) as { drain_eps_min: number; settings: { scorer_threads: number }; commit: string; generated_at: string };
  return {
    settings, httpPaths, subcommands,
    drainPerThread: {
      emailsPerSecond: bench.drain_eps_min / bench.settings.scorer_threads,
      source: `bench/results/latest.json (${bench.generated_at}, commit ${bench.commit.slice(0, 8)}): drain_eps_min ${bench.drain_eps_min} with ${bench.settings.scorer_threads} scoring threads`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants

/** CPU cores of a quantity ("2", "500m", 1.5). */
export function cpuCores(quantity: unknown): number {
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

/** Bytes of a memory quantity ("768Mi", "1Gi", "512M"). */
export function memoryBytes(quantity: unknown): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]i?)?$/.exec(String(quantity));
  if (!match) return Number.NaN;
  const unit = match[2] ?? '';
  const base = unit.endsWith('i') ? 1024 : 1000;
  const power = ' KMGT'.indexOf(unit.charAt(0) || ' ');
  return Number(match[1]) * base ** Math.max(power, 0);
}

/** The process each workload runs, by its subcommand. */
const Role = { pipeline: 'start', lagExporter: 'lag-exporter', migrate: 'migrate', topics: 'topics' } as const;
/** The Prometheus job label each metrics-serving subcommand must get (the brief's contract). */
const JOB_OF_SUBCOMMAND: Readonly<Record<string, string>> = { [Role.pipeline]: 'mailscore', [Role.lagExporter]: 'mailscore-lag-exporter' };
type DependencyName = 'kafka' | 'postgres' | 'redis';
const DEPENDENCIES_OF_SUBCOMMAND: Readonly<Record<string, readonly DependencyName[]>> = {
  [Role.pipeline]: ['kafka', 'postgres', 'redis'],
  [Role.lagExporter]: ['kafka'],
  [Role.migrate]: ['postgres'],
  [Role.topics]: ['kafka'],
};
const KEDA_SASL: Readonly<Record<string, string>> = { plain: 'plaintext', 'scram-sha-256': 'scram_sha256', 'scram-sha-512': 'scram_sha512' };
/** The lag per pod KEDA scales at, in seconds of that pod's measured drain: below, normal in-flight lag; above, a backlog left to grow. */
export const LAG_THRESHOLD_SECONDS = { min: 1, max: 60 } as const;

interface Workload {
  readonly object: KubeObject;
  readonly podSpec: any;
  readonly podLabels: Record<string, string>;
  readonly container: any;
  readonly subcommand: string;
  readonly where: string;
}

function workloads(objects: readonly KubeObject[]): Workload[] {
  const result: Workload[] = [];
  for (const object of objects) {
    if (object.kind !== 'Deployment' && object.kind !== 'Job') continue;
    const template = object.spec?.template ?? {};
    for (const container of template.spec?.containers ?? []) {
      result.push({
        object, podSpec: template.spec, podLabels: template.metadata?.labels ?? {}, container,
        subcommand: String(container.args?.[0] ?? container.command?.[0] ?? ''),
        where: `${describeObject(object)} container ${container.name}`,
      });
    }
  }
  return result;
}

function labelsMatch(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries<string>(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values: string[] = expression.values ?? [];
    if (expression.operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (expression.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (expression.operator === 'Exists' && value === undefined) return false;
    if (expression.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

interface Environment {
  /** What the process would see, secrets replaced by placeholders, files by a readable stand-in. */
  readonly values: Record<string, string>;
  /** Names set explicitly in env: (not through envFrom). */
  readonly explicit: ReadonlySet<string>;
  /** secretKeyRef of each variable that has one. */
  readonly secretRefs: ReadonlyMap<string, { name: string; key: string }>;
}

function environmentOf(workload: Workload, objects: readonly KubeObject[], standInFile: string, problems: string[]): Environment {
  const values: Record<string, string> = {};
  const explicit = new Set<string>();
  const secretRefs = new Map<string, { name: string; key: string }>();
  const { container, where } = workload;
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name);
      if (!configMap) problems.push(`${where}: envFrom names ConfigMap ${source.configMapRef.name}, which is not rendered`);
      Object.assign(values, configMap?.data ?? {});
    } else {
      // A Secret's keys are not in the manifests: its variables could not be checked against app/config.ts.
      problems.push(`${where}: envFrom ${Object.keys(source).join(',')} hides the variable names; use env with secretKeyRef`);
    }
  }
  for (const variable of container.env ?? []) {
    explicit.add(variable.name);
    const from = variable.valueFrom;
    if (from === undefined) values[variable.name] = String(variable.value ?? '');
    else if (from.secretKeyRef) {
      secretRefs.set(variable.name, { name: from.secretKeyRef.name, key: from.secretKeyRef.key });
      values[variable.name] = `secret-${from.secretKeyRef.name}-${from.secretKeyRef.key}`;
    } else if (from.configMapKeyRef) {
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapKeyRef.name);
      values[variable.name] = configMap?.data?.[from.configMapKeyRef.key] ?? '';
    } else if (from.resourceFieldRef) {
      const ref = from.resourceFieldRef;
      const [bound, resource] = String(ref.resource).split('.');
      const target = (workload.podSpec.containers as any[]).find((c) => c.name === (ref.containerName ?? container.name));
      const quantity = target?.resources?.[bound === 'limits' ? 'limits' : 'requests']?.[resource!];
      if (resource !== 'cpu' || quantity === undefined) problems.push(`${where}: ${variable.name} refers to ${ref.resource}, which is not set`);
      // The kubelet rounds up: a 1500m limit with divisor 1 gives 2.
      else values[variable.name] = String(Math.ceil(cpuCores(quantity) / cpuCores(ref.divisor ?? '1')));
    } else values[variable.name] = 'field-value';
  }
  // A *_FILE setting must name a file in a mounted Secret or ConfigMap; the check reads a stand-in.
  for (const [name, value] of Object.entries(values)) {
    if (!name.endsWith('_FILE') || value === '') continue;
    const mount = (container.volumeMounts ?? []).find((m: any) => value.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`));
    const volume = mount && (workload.podSpec.volumes ?? []).find((v: any) => v.name === mount.name);
    if (!volume || !(volume.secret || volume.configMap || volume.projected)) problems.push(`${where}: ${name}=${value} is not in a mounted Secret or ConfigMap`);
    values[name] = standInFile;
  }
  return { values, explicit, secretRefs };
}

function portOf(container: any, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports ?? []).find((p: any) => p.name === port)?.containerPort;
}

function dependencyPorts(config: Config): Record<DependencyName, number[]> {
  const urlPort = (url: string, fallback: number) => Number(new URL(url).port || fallback);
  return {
    kafka: [...new Set(config.kafka.brokers.map((broker) => Number(broker.split(':')[1])))],
    postgres: [urlPort(config.postgres.url, 5432)],
    redis: [urlPort(config.redis.url, 6379)],
  };
}

function ruleAllowsPort(rule: any, port: number, protocol = 'TCP'): boolean {
  return (rule.ports ?? []).some((p: any) => (p.protocol ?? 'TCP') === protocol && (p.port === port || (typeof p.port === 'number' && p.endPort !== undefined && p.port <= port && port <= p.endPort)));
}

export interface InvariantReport {
  readonly problems: string[];
}

export function invariantProblems(objects: readonly KubeObject[], facts: AppFacts): InvariantReport {
  const problems: string[] = [];
  const standInDirectory = mkdtempSync(join(tmpdir(), 'mailscore-manifests-'));
  const standInFile = join(standInDirectory, 'stand-in');
  writeFileSync(standInFile, 'stand-in\n');
  try {
    checkObjects(objects, facts, standInFile, problems);
  } finally {
    rmSync(standInDirectory, { recursive: true, force: true });
  }
  return { problems };
}

function checkObjects(objects: readonly KubeObject[], facts: AppFacts, standInFile: string, problems: string[]): void {
  const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
  if (namespaces.size !== 1 || namespaces.has(undefined)) problems.push(`every object must be in the overlay's one namespace, got ${[...namespaces].join(', ')}`);

  const all = workloads(objects);
  const configs = new Map<Workload, { config: Config; environment: Environment }>();
  for (const workload of all) {
    const { container, podSpec, where, subcommand } = workload;
    // The command and the process's settings.
    if (!facts.subcommands.has(subcommand)) problems.push(`${where}: app/main.ts has no subcommand "${subcommand}"`);
    const environment = environmentOf(workload, objects, standInFile, problems);
    for (const name of Object.keys(environment.values)) {
      if (!facts.settings.has(name)) problems.push(`${where}: ${name} is not a setting app/config.ts reads`);
    }
    try {
      configs.set(workload, { config: loadConfig(environment.values), environment });
    } catch (err) {
      problems.push(`${where}: app/config.ts refuses its settings: ${(err as Error).message}`);
    }

    // Pod security: what Pod Security "restricted" demands, and a read-only root.
    const pod = podSpec.securityContext ?? {};
    const own = container.securityContext ?? {};
    if (pod.runAsNonRoot !== true && own.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (!(Number(own.runAsUser ?? pod.runAsUser) > 0)) problems.push(`${where}: no numeric non-root runAsUser (the kubelet cannot check runAsNonRoot without one)`);
    if ((own.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (own.privileged === true) problems.push(`${where}: privileged`);
    if (own.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
    if (!(own.capabilities?.drop ?? []).includes('ALL') || (own.capabilities?.add ?? []).length > 0) problems.push(`${where}: capabilities must drop ALL and add none`);
    if (podSpec.automountServiceAccountToken !== false) problems.push(`${where}: the service account token is mounted (nothing here talks to the API)`);
    const tmp = (container.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    const tmpVolume = tmp && (podSpec.volumes ?? []).find((v: any) => v.name === tmp.name);
    if (!tmpVolume?.emptyDir) problems.push(`${where}: no writable emptyDir at /tmp under the read-only root`);

    // The image and the resources.
    const image = String(container.image ?? '');
    if (!/[:@]/.test(image.split('/').pop() ?? '') || image.endsWith(':latest')) problems.push(`${where}: image "${image}" has no fixed tag or digest`);
    for (const resource of ['cpu', 'memory'] as const) {
      const request = container.resources?.requests?.[resource];
      const limit = container.resources?.limits?.[resource];
      if (request === undefined || limit === undefined) { problems.push(`${where}: ${resource} request and limit must both be set`); continue; }
      const measure = resource === 'cpu' ? cpuCores : memoryBytes;
      if (!(measure(request) <= measure(limit))) problems.push(`${where}: ${resource} request ${request} is above its limit ${limit}`);
    }
  }

  checkPipeline(objects, all, configs, facts, problems);
  checkLagExporter(all, configs, problems);
  checkScaledObject(objects, all, configs, facts, problems);
  checkMonitoring(objects, all, problems);
  checkNetworkPolicies(objects, all, configs, problems);
  checkPrometheusRule(objects, problems);
}

function checkPipeline(objects: readonly KubeObject[], all: Workload[], configs: Map<Workload, { config: Config; environment: Environment }>, facts: AppFacts, problems: string[]): void {
  const pipelines = all.filter((w) => w.subcommand === Role.pipeline);
  if (pipelines.length !== 1) problems.push(`expected one pipeline container (mailscore start), found ${pipelines.length}`);
  for (const workload of pipelines) {
    const { container, podSpec, object, where } = workload;
    const loaded = configs.get(workload);
    if (object.kind !== 'Deployment') problems.push(`${where}: the pipeline must be a Deployment`);
    // SCORER_THREADS must be set (else the pool sizes itself from the node's cores) and equal the CPU limit.
    const cpuLimit = cpuCores(container.resources?.limits?.cpu);
    if (!Number.isInteger(cpuLimit) || cpuLimit < 1) problems.push(`${where}: the CPU limit must be whole cores (got ${container.resources?.limits?.cpu}): the pool runs one thread per core`);
    if (loaded) {
      const { config, environment } = loaded;
      if (!environment.explicit.has('SCORER_THREADS') && environment.values.SCORER_THREADS === undefined) problems.push(`${where}: SCORER_THREADS is not set: the pool would size itself from the node's cores`);
      else if (config.scorer.threads !== Math.ceil(cpuLimit)) problems.push(`${where}: SCORER_THREADS is ${config.scorer.threads} but the CPU limit is ${cpuLimit}`);
      // Ports and probes on the real endpoints.
      const metricsPort = portOf(container, 'metrics');
      if (metricsPort !== config.http.port) problems.push(`${where}: the metrics port ${metricsPort} is not HTTP_PORT ${config.http.port}`);
      const probes: Record<string, string> = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' };
      for (const [probe, path] of Object.entries(probes)) {
        const http = container[probe]?.httpGet;
        if (!http) { problems.push(`${where}: no ${probe} on ${path}`); continue; }
        if (http.path !== path) problems.push(`${where}: ${probe} asks ${http.path}, expected ${path}`);
        if (!facts.httpPaths.has(http.path)) problems.push(`${where}: ${probe} asks ${http.path}, which app/http.ts does not serve`);
        if (portOf(container, http.port) !== config.http.port) problems.push(`${where}: ${probe} port ${http.port} is not HTTP_PORT ${config.http.port}`);
      }
      // The kubelet's SIGKILL must come after the process's own shutdown deadline.
      const preStop = container.lifecycle?.preStop;
      if (!preStop) problems.push(`${where}: no preStop hook`);
      const preStopSeconds = Number(preStop?.sleep?.seconds ?? (preStop?.exec?.command?.join(' ').match(/sleep (\d+)/)?.[1] ?? 0));
      const graceSeconds = Number(podSpec.terminationGracePeriodSeconds ?? 30);
      if (!(graceSeconds * 1000 > preStopSeconds * 1000 + config.shutdownTimeoutMs)) {
        problems.push(`${where}: terminationGracePeriodSeconds ${graceSeconds} is not longer than the preStop sleep (${preStopSeconds} s) plus SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms)`);
      }
    }
    // KEDA owns the replica count.
    const scaled = objects.some((o) => o.kind === 'ScaledObject' && o.spec?.scaleTargetRef?.name === object.metadata.name);
    if (scaled && object.spec?.replicas !== undefined) problems.push(`${where}: spec.replicas is set on a Deployment KEDA scales; every apply would reset it`);
    // A PodDisruptionBudget that lets a node drain take one pod at a time.
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget' && labelsMatch(o.spec?.selector, workload.podLabels));
    if (budgets.length !== 1) problems.push(`${where}: ${budgets.length} PodDisruptionBudgets select the pipeline, expected 1`);
    for (const budget of budgets) {
      if (budget.spec.maxUnavailable === undefined && budget.spec.minAvailable !== undefined) {
        const minimum = objects.find((o) => o.kind === 'ScaledObject')?.spec?.minReplicaCount ?? 1;
        if (Number(budget.spec.minAvailable) >= minimum) problems.push(`${describeObject(budget)}: minAvailable ${budget.spec.minAvailable} would block every drain at ${minimum} replica(s)`);
      }
    }
  }
}

function checkLagExporter(all: Workload[], configs: Map<Workload, { config: Config; environment: Environment }>, problems: string[]): void {
  const exporters = all.filter((w) => w.subcommand === Role.lagExporter);
  if (exporters.length !== 1) problems.push(`expected one lag exporter container (mailscore lag-exporter), found ${exporters.length}`);
  for (const workload of exporters) {
    if (workload.object.kind !== 'Deployment') problems.push(`${workload.where}: the lag exporter must be a Deployment`);
    if (workload.object.spec?.replicas !== 1 || workload.object.spec?.strategy?.type !== 'Recreate') {
      problems.push(`${workload.where}: the lag exporter must run as exactly one replica, replaced with Recreate (two would export every series twice)`);
    }
    const configured = configs.get(workload);
    if (configured === undefined) continue;
    const expected = configured.config.lagExporter.port;
    if (portOf(workload.container, 'metrics') !== expected) problems.push(`${workload.where}: the metrics port is not the lag exporter's ${expected}`);
  }
}

function checkScaledObject(objects: readonly KubeObject[], all: Workload[], configs: Map<Workload, { config: Config; environment: Environment }>, facts: AppFacts, problems: string[]): void {
  const scaledObjects = objects.filter((o) => o.kind === 'ScaledObject');
  if (scaledObjects.length !== 1) problems.push(`expected one ScaledObject, found ${scaledObjects.length}`);
  for (const scaled of scaledObjects) {
    const where = describeObject(scaled);
    const pipeline = all.find((w) => w.object.kind === 'Deployment' && w.object.metadata.name === scaled.spec?.scaleTargetRef?.name);
    if (!pipeline || pipeline.subcommand !== Role.pipeline) { problems.push(`${where}: scaleTargetRef does not name the pipeline Deployment`); continue; }
    const loaded = configs.get(pipeline);
    if (!loaded) continue;
    const { config, environment } = loaded;
    const { minReplicaCount: min = 0, maxReplicaCount: max = 100 } = scaled.spec;
    if (!(min >= 1)) problems.push(`${where}: minReplicaCount ${min}: at zero no member is left to commit offsets and the scaler cannot see the group`);
    if (!(max >= min)) problems.push(`${where}: maxReplicaCount ${max} is below minReplicaCount ${min}`);
    if (max > config.topics.partitions) problems.push(`${where}: maxReplicaCount ${max} is above the ${config.topics.partitions} partitions of ${config.topics.input} (TOPIC_PARTITIONS): the extra members would sit idle`);
    const triggers = (scaled.spec.triggers ?? []).filter((t: any) => t.type === 'kafka');
    if (triggers.length !== 1) { problems.push(`${where}: expected one kafka trigger`); continue; }
    const trigger = triggers[0];
    const metadata = trigger.metadata ?? {};
    const expected: Record<string, string> = { bootstrapServers: config.kafka.brokers.join(','), consumerGroup: config.ingest.groupId, topic: config.topics.input };
    for (const [field, value] of Object.entries(expected)) {
      if (metadata[field] !== value) problems.push(`${where}: trigger ${field} "${metadata[field]}" is not the pipeline's "${value}"`);
    }
    if (metadata.allowIdleConsumers === 'true') problems.push(`${where}: allowIdleConsumers lets KEDA go past the partition count`);
    // lagThreshold in seconds of one pod's measured drain.
    const podDrain = facts.drainPerThread.emailsPerSecond * config.scorer.threads;
    const seconds = Number(metadata.lagThreshold) / podDrain;
    if (!(seconds >= LAG_THRESHOLD_SECONDS.min && seconds <= LAG_THRESHOLD_SECONDS.max)) {
      problems.push(`${where}: lagThreshold ${metadata.lagThreshold} is ${seconds.toFixed(2)} s of a ${config.scorer.threads}-thread pod's drain (${podDrain.toFixed(0)}/s from ${facts.drainPerThread.source}); expected ${LAG_THRESHOLD_SECONDS.min}–${LAG_THRESHOLD_SECONDS.max} s`);
    }
    // The scaler's own Kafka client must connect as the pipeline does.
    const sasl = config.kafka.sasl ? KEDA_SASL[config.kafka.sasl.mechanism] : undefined;
    if ((metadata.sasl ?? undefined) !== sasl) problems.push(`${where}: trigger sasl "${metadata.sasl}" does not match KAFKA_SASL_MECHANISM (expected "${sasl}")`);
    const tls = config.kafka.ssl ? 'enable' : undefined;
    if ((metadata.tls === 'disable' ? undefined : metadata.tls) !== tls) problems.push(`${where}: trigger tls "${metadata.tls}" does not match the pipeline's Kafka TLS (expected "${tls}")`);
    if (config.kafka.sasl) {
      const authentication = objects.find((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === trigger.authenticationRef?.name);
      if (!authentication) { problems.push(`${where}: Kafka needs SASL but the trigger has no TriggerAuthentication`); continue; }
      const refs = new Map<string, { name: string; key: string }>((authentication.spec?.secretTargetRef ?? []).map((r: any) => [r.parameter, { name: r.name, key: r.key }]));
      for (const [parameter, variable] of [['username', 'KAFKA_SASL_USERNAME'], ['password', 'KAFKA_SASL_PASSWORD']] as const) {
        const ours = environment.secretRefs.get(variable);
        const theirs = refs.get(parameter);
        if (!ours || !theirs || ours.name !== theirs.name || ours.key !== theirs.key) {
          problems.push(`${describeObject(authentication)}: ${parameter} does not come from the Secret key the pipeline's ${variable} uses`);
        }
      }
      if (config.kafka.ssl?.caFile && !refs.has('ca')) problems.push(`${describeObject(authentication)}: the pipeline trusts a CA file (KAFKA_SSL_CA_FILE) but the scaler has no ca`);
    }
  }
}

function checkMonitoring(objects: readonly KubeObject[], all: Workload[], problems: string[]): void {
  const monitors = objects.filter((o) => o.kind === 'PodMonitor');
  for (const workload of all) {
    const job = JOB_OF_SUBCOMMAND[workload.subcommand];
    if (job === undefined) continue;
    const scraping = monitors.filter((m) => labelsMatch(m.spec?.selector, workload.podLabels));
    if (scraping.length !== 1) { problems.push(`${workload.where}: ${scraping.length} PodMonitors select it, expected 1`); continue; }
    const monitor = scraping[0]!;
    const jobLabel = monitor.spec.jobLabel;
    const actual = jobLabel ? workload.podLabels[jobLabel] : undefined;
    if (actual !== job) problems.push(`${workload.where}: Prometheus would label it job="${actual ?? `${workload.object.metadata.namespace}/${monitor.metadata.name}`}", the dashboards and rules expect job="${job}"`);
    for (const endpoint of monitor.spec.podMetricsEndpoints ?? []) {
      if (portOf(workload.container, endpoint.port) === undefined) problems.push(`${describeObject(monitor)}: port ${endpoint.port} is not a port of ${workload.where}`);
      if ((endpoint.path ?? '/metrics') !== '/metrics') problems.push(`${describeObject(monitor)}: scrapes ${endpoint.path}, not /metrics`);
    }
  }
}

function checkNetworkPolicies(objects: readonly KubeObject[], all: Workload[], configs: Map<Workload, { config: Config; environment: Environment }>, problems: string[]): void {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  for (const workload of all) {
    const { where, container, subcommand } = workload;
    const applying = policies.filter((p) => labelsMatch(p.spec?.podSelector, workload.podLabels));
    const types = new Set(applying.flatMap((p) => p.spec.policyTypes ?? []));
    if (!types.has('Ingress') || !types.has('Egress')) { problems.push(`${where}: no NetworkPolicy restricts both its ingress and its egress`); continue; }
    const ingress = applying.flatMap((p) => p.spec.ingress ?? []);
    const egress = applying.flatMap((p) => p.spec.egress ?? []);
    // Ingress: only the metrics port, only from selected pods in selected namespaces.
    const metricsPort = portOf(container, 'metrics');
    for (const rule of ingress) {
      const ports = (rule.ports ?? []).map((p: any) => portOf(container, p.port));
      if (ports.length === 0 || ports.some((p: number | undefined) => p === undefined || p !== metricsPort)) problems.push(`${where}: an ingress rule opens more than the metrics port`);
      const peers = rule.from ?? [];
      if (peers.length === 0 || peers.some((peer: any) => !peer.namespaceSelector || !peer.podSelector)) problems.push(`${where}: an ingress rule admits more than Prometheus' pods (every peer needs a namespaceSelector and a podSelector)`);
    }
    if (metricsPort !== undefined && JOB_OF_SUBCOMMAND[subcommand] !== undefined && ingress.length === 0) problems.push(`${where}: no ingress rule lets Prometheus scrape it`);
    // Egress: DNS and the dependencies this subcommand talks to, nothing open-ended.
    for (const rule of egress) {
      if ((rule.to ?? []).length === 0 || (rule.ports ?? []).length === 0) problems.push(`${where}: an egress rule allows every destination or every port`);
      for (const peer of rule.to ?? []) if (peer.ipBlock?.cidr === '0.0.0.0/0') problems.push(`${where}: an egress rule allows 0.0.0.0/0`);
    }
    if (!egress.some((rule) => ruleAllowsPort(rule, 53, 'UDP'))) problems.push(`${where}: egress does not allow DNS (53/UDP)`);
    const config = configs.get(workload)?.config;
    if (!config) continue;
    const ports = dependencyPorts(config);
    for (const dependency of DEPENDENCIES_OF_SUBCOMMAND[subcommand] ?? []) {
      for (const port of ports[dependency]) {
        if (!egress.some((rule) => ruleAllowsPort(rule, port))) problems.push(`${where}: egress does not allow ${dependency} on port ${port}`);
      }
    }
  }
}

function checkPrometheusRule(objects: readonly KubeObject[], problems: string[]): void {
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');
  if (rules.length !== 1) { problems.push(`expected one PrometheusRule, found ${rules.length}`); return; }
  // Compared as data: kustomize re-orders the keys of what it renders.
  if (!isDeepStrictEqual(rules[0]!.spec?.groups ?? [], readRuleGroups().groups)) {
    problems.push(`${describeObject(rules[0]!)}: its groups are not those of ops/grafana/prometheus/rules/*.yml: run node ops/kubernetes/prometheus_rule.ts`);
  }
}

/** The committed PrometheusRule is what the generator writes now. */
export function prometheusRuleIsCurrent(): boolean {
  return readFileSync(join(REPO_ROOT, 'ops/kubernetes/base/prometheusrule.yaml'), 'utf8') === prometheusRuleYaml();
}
