// Every alert's state through the run, read from /api/v1/alerts once a second, so each alert
// check can say when it went pending, fired and resolved, and in which phase of the run.
import type { Alert, PrometheusApi } from './prometheus_api.ts';

export type AlertState = 'inactive' | 'pending' | 'firing';
export interface AlertTransition { readonly alert: string; readonly from: AlertState; readonly to: AlertState; readonly atMs: number; readonly phase: string }

const RANK: Record<AlertState, number> = { inactive: 0, pending: 1, firing: 2 };

/** One state per alert name: the most advanced of its instances (any firing instance means firing). */
export function statesByName(alerts: readonly Pick<Alert, 'labels' | 'state'>[]): Map<string, AlertState> {
  const states = new Map<string, AlertState>();
  for (const alert of alerts) {
    const name = alert.labels.alertname ?? '?';
    const previous = states.get(name) ?? 'inactive';
    if (RANK[alert.state] > RANK[previous]) states.set(name, alert.state);
  }
  return states;
}

/** What changed between two readings; an alert absent from a reading is inactive. */
export function diffStates(before: ReadonlyMap<string, AlertState>, after: ReadonlyMap<string, AlertState>, atMs: number, phase: string): AlertTransition[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  const changes: AlertTransition[] = [];
  for (const alert of [...names].sort()) {
    const from = before.get(alert) ?? 'inactive';
    const to = after.get(alert) ?? 'inactive';
    if (from !== to) changes.push({ alert, from, to, atMs, phase });
  }
  return changes;
}

export interface AlertWatch {
  readonly transitions: AlertTransition[];
  state(alert: string): AlertState;
  setPhase(phase: string): void;
  /** Resolves with the time the alert reached `state` (now, if it is there already), or null after timeoutMs. */
  until(alert: string, state: AlertState, timeoutMs: number): Promise<number | null>;
  stop(): Promise<void>;
}

export function watchAlerts(api: PrometheusApi, intervalMs = 1000, onChange: (t: AlertTransition) => void = () => undefined): AlertWatch {
  let current = new Map<string, AlertState>();
  let phase = 'start';
  let running = true;
  const transitions: AlertTransition[] = [];
  const waiters: Array<() => void> = [];
  const poll = async () => {
    try {
      const next = statesByName(await api.alerts());
      for (const change of diffStates(current, next, Date.now(), phase)) {
        transitions.push(change);
        onChange(change);
      }
      current = next;
    } catch {
      // Prometheus busy for a second: the next reading catches up.
    }
    waiters.splice(0).forEach((wake) => wake());
  };
  const loop = (async () => {
    while (running) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  const state = (alert: string): AlertState => current.get(alert) ?? 'inactive';
  return {
    transitions,
    state,
    setPhase: (p) => { phase = p; },
    async until(alert, wanted, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (state(alert) === wanted) {
          return transitions.findLast((t) => t.alert === alert && t.to === wanted)?.atMs ?? Date.now();
        }
        await new Promise<void>((wake) => waiters.push(wake));
      }
      return null;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
