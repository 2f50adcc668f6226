// The few calls of Prometheus's HTTP API the ops check makes (v1: query, query_range, alerts,
// rules, targets), typed for what is read from them.
import { setTimeout as sleep } from 'node:timers/promises';

export class PrometheusApiError extends Error {
  readonly code = 'PROMETHEUS_API_ERROR';
}

export type Labels = Readonly<Record<string, string>>;
export interface InstantSample { readonly metric: Labels; readonly value: number }
export interface RangeSeries { readonly metric: Labels; readonly values: ReadonlyArray<readonly [number, number]> }
export interface Alert { readonly labels: Labels; readonly state: 'pending' | 'firing'; readonly activeAt: string; readonly value: string }
export interface AlertingRule {
  readonly name: string;
  readonly query: string;
  readonly duration: number;
  readonly state: 'inactive' | 'pending' | 'firing';
  readonly health: string;
  readonly lastError?: string;
  readonly annotations: Labels;
  readonly labels: Labels;
  readonly type: 'alerting';
}
export interface RecordingRule { readonly name: string; readonly query: string; readonly health: string; readonly lastError?: string; readonly type: 'recording' }
export interface RuleGroup { readonly name: string; readonly file: string; readonly rules: ReadonlyArray<AlertingRule | RecordingRule> }
export interface ActiveTarget {
  readonly labels: Labels;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface PrometheusApi {
  readonly url: string;
  ready(): Promise<boolean>;
  query(expr: string, timeS?: number): Promise<InstantSample[]>;
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<RangeSeries[]>;
  alerts(): Promise<Alert[]>;
  ruleGroups(): Promise<RuleGroup[]>;
  activeTargets(): Promise<ActiveTarget[]>;
}

type Vector = { resultType: 'vector'; result: Array<{ metric: Labels; value: [number, string] }> };
type Scalar = { resultType: 'scalar'; result: [number, string] };
type Matrix = { resultType: 'matrix'; result: Array<{ metric: Labels; values: Array<[number, string]> }> };

export function prometheusApi(url: string): PrometheusApi {
  // Queries go as forms (long PromQL); /rules, /alerts and /targets answer GET only.
  const call = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const post = Object.keys(params).length > 0;
    const response = await fetch(`${url}${path}`, {
      method: post ? 'POST' : 'GET',
      ...(post ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => null)) as { status?: string; data?: T; error?: string; errorType?: string } | null;
    if (body?.status !== 'success') {
      throw new PrometheusApiError(`${path} ${JSON.stringify(params)}: ${body?.errorType ?? response.status} ${body?.error ?? ''}`.trim());
    }
    return body.data as T;
  };
  return {
    url,
    async ready() {
      try {
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    },
    async query(expr, timeS) {
      const data = await call<Vector | Scalar>('/api/v1/query', timeS === undefined ? { query: expr } : { query: expr, time: String(timeS) });
      if (data.resultType === 'scalar') return [{ metric: {}, value: Number(data.result[1]) }];
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async queryRange(expr, startS, endS, stepS) {
      const data = await call<Matrix>('/api/v1/query_range', { query: expr, start: String(startS), end: String(endS), step: String(stepS) });
      return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as const) }));
    },
    async alerts() {
      return (await call<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
    },
    async ruleGroups() {
      return (await call<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
    },
    async activeTargets() {
      const response = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(15_000) });
      const body = (await response.json()) as { status: string; data: { activeTargets: ActiveTarget[] } };
      if (body.status !== 'success') throw new PrometheusApiError(`/api/v1/targets: ${response.status}`);
      return body.data.activeTargets;
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or gives up after timeoutMs. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 1000): Promise<{ value: T; waitedMs: number } | { value: undefined; waitedMs: number; lastError?: string }> {
  const started = Date.now();
  let lastError: string | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, waitedMs: Date.now() - started };
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() - started > timeoutMs) return lastError === undefined ? { value: undefined, waitedMs: Date.now() - started } : { value: undefined, waitedMs: Date.now() - started, lastError };
    await sleep(intervalMs);
  }
}
