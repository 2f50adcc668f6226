// Which dependencies are down right now. Readiness is false while any is; each outage is logged
// once when it starts and once when it ends, however many calls fail in between.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DependencyMetrics } from './metrics.ts';
import { FailureKind } from '../sinks/index.ts';
import { backoffMs, failureKind, StoppingError, type RetryPolicy } from './retry.ts';

export const Dependency = { postgres: 'postgres', kafka: 'kafka', redis: 'redis', registry: 'registry' } as const;
export type Dependency = (typeof Dependency)[keyof typeof Dependency];

export interface DependencyHealth {
  /** `dependency` failed with an outage-kind error. */
  down(dependency: Dependency, err: unknown): void;
  /** `dependency` answered again. */
  up(dependency: Dependency): void;
  /** A call that `dependency` failed is about to be tried again. */
  retried(dependency: Dependency): void;
  /** The dependencies in an outage now. */
  unavailable(): Dependency[];
  /**
   * After an outage that nothing else will notice the end of (an idle connection dropped),
   * `probe` is called every few seconds until it succeeds, which ends the outage.
   */
  watch(dependency: Dependency, probe: () => Promise<unknown>, signal: AbortSignal): void;
}

export function createDependencyHealth(logger: Logger, metrics: DependencyMetrics): DependencyHealth {
  const since = new Map<Dependency, number>();
  // Every series from the start: a rate over a series that appears only at the first retry misses that retry.
  for (const dependency of Object.values(Dependency)) {
    metrics.retries.inc({ dependency }, 0);
    metrics.up.set({ dependency }, 1);
  }
  const probes = new Map<Dependency, { probe: () => Promise<unknown>; signal: AbortSignal }>();
  const probing = new Set<Dependency>();

  function down(dependency: Dependency, err: unknown): void {
    if (since.has(dependency)) return;
    since.set(dependency, Date.now());
    metrics.up.set({ dependency }, 0);
    logger.warn({ err, dependency }, `${dependency} is unavailable; waiting for it (not ready meanwhile)`);
    const watched = probes.get(dependency);
    if (watched !== undefined && !probing.has(dependency)) void probeUntilUp(dependency, watched.probe, watched.signal);
  }

  function up(dependency: Dependency): void {
    const start = since.get(dependency);
    if (start === undefined) return;
    since.delete(dependency);
    metrics.up.set({ dependency }, 1);
    logger.info({ dependency, outageMs: Date.now() - start }, `${dependency} is back`);
  }

  async function probeUntilUp(dependency: Dependency, probe: () => Promise<unknown>, signal: AbortSignal): Promise<void> {
    probing.add(dependency);
    try {
      for (let attempt = 1; since.has(dependency) && !signal.aborted; attempt++) {
        await sleep(backoffMs({ attempts: 0, initialDelayMs: 250, maxDelayMs: 2_000 }, attempt), undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        try {
          await probe();
          up(dependency);
        } catch {
          // Still down: the next probe will tell.
        }
      }
    } finally {
      probing.delete(dependency);
    }
  }

  return {
    down,
    up,
    retried: (dependency) => metrics.retries.inc({ dependency }),
    unavailable: () => [...since.keys()],
    watch: (dependency, probe, signal) => void probes.set(dependency, { probe, signal }),
  };
}

/**
 * Start-up against a dependency that may be down: `action` is tried until it succeeds while its
 * failures are outages, with what it waits for logged every few seconds at most. Any other
 * failure is thrown: start-up cannot go on.
 */
export async function waitForDependency<T>(
  dependency: Dependency,
  what: string,
  options: { logger: Logger; health: DependencyHealth; signal: AbortSignal; policy?: RetryPolicy; logEveryMs?: number },
  action: () => Promise<T>,
): Promise<T> {
  const policy = options.policy ?? { attempts: 0, initialDelayMs: 250, maxDelayMs: 2_000 };
  const logEveryMs = options.logEveryMs ?? 5_000;
  let lastLog = 0;
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) throw new StoppingError(what);
    try {
      const result = await action();
      if (attempt > 1) options.health.up(dependency);
      return result;
    } catch (err) {
      if (failureKind(err) !== FailureKind.outage) throw err;
      options.health.down(dependency, err);
      if (Date.now() - lastLog >= logEveryMs) {
        lastLog = Date.now();
        options.logger.warn({ dependency, err: { message: (err as Error).message, code: (err as { code?: unknown }).code }, attempt }, `waiting for ${dependency}: ${what}`);
      }
      try {
        await sleep(backoffMs(policy, attempt), undefined, { signal: options.signal });
      } catch {
        throw new StoppingError(what);
      }
      options.health.retried(dependency);
    }
  }
}
