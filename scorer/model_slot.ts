// A model in service, hot-reloaded: the directory is checked every `reloadIntervalMs`; when its
// card names a new version, the new model is loaded, checked, given a pool of its own and
// warmed up, and only then does it take new batches. The old pool finishes the batches it has
// and closes. Every batch is scored by exactly one model, whose version goes with its rows, so
// a reload neither drops nor double-scores an event.
import type { Logger } from 'pino';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { createScoringPool, type ScoringPool } from './pool.ts';
import { loadModel, readModelCard, type LoadedModel } from './model_card.ts';
import type { ScorerMetrics } from './metrics.ts';
import type { ScoreTaskResult } from './worker_contract.ts';

export type ModelRole = 'current' | 'shadow';

export interface ModelSlotOptions {
  readonly directory: string;
  readonly role: ModelRole;
  readonly threads: number;
  readonly maxQueue: number;
  /** The most tasks that can be submitted to the slot at once (see ScoringPoolOptions). */
  readonly maxTasksInFlight: number;
  readonly emailCpuLimitMs: number;
  readonly emailTimeoutMs: number;
  readonly reloadIntervalMs: number;
  readonly logger: Logger;
  readonly metrics: ScorerMetrics;
}

export interface ModelSlot {
  version(): string;
  run(events: readonly Uint8Array[]): Promise<ScoreTaskResult>;
  onPressure(listener: (saturated: boolean) => void): void;
  utilisation(): number;
  queued(): number;
  /** Checks the directory now instead of waiting for the next tick; resolves true when a new model took over. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

const WARM_UP_EVENT = EmailEventCodec.encode({ tenantId: 'warm-up', messageId: 'warm-up', receivedAtMs: Date.UTC(2026, 0, 1), subject: 'warm up', textBody: 'warm up' }).finish();

export async function createModelSlot(options: ModelSlotOptions): Promise<ModelSlot> {
  const listeners: Array<(saturated: boolean) => void> = [];
  const start = async (model: LoadedModel): Promise<{ model: LoadedModel; pool: ScoringPool }> => {
    const role = { role: options.role };
    const pool = createScoringPool({
      model,
      threads: options.threads,
      maxQueue: options.maxQueue,
      maxTasksInFlight: options.maxTasksInFlight,
      emailCpuLimitMs: options.emailCpuLimitMs,
      emailTimeoutMs: options.emailTimeoutMs,
      onEmailTimeout: ({ limit, limitMs, cpuMs, wallMs }) => {
        options.metrics.emailTimeouts.inc({ ...role, limit });
        options.logger.warn({ ...role, version: model.card.version, limit, limitMs, cpuMs: cpuMs === null ? null : Math.round(cpuMs), wallMs: Math.round(wallMs) }, `an email went past the per-email ${limit} limit; its worker is replaced and the rest of its chunk scored without it`);
      },
      onWorkerStart: () => options.metrics.workerStarts.inc(role),
    });
    try {
      await pool.run([WARM_UP_EVENT]);
    } catch (err) {
      await pool.close();
      throw err;
    }
    pool.onPressure((saturated) => listeners.forEach((l) => l(saturated)));
    options.metrics.modelInfo.set({ role: options.role, version: model.card.version }, 1);
    return { model, pool };
  };
  let active = await start(await loadModel(options.directory));
  let reloading: Promise<boolean> | undefined;
  /** The last reload failure logged at warn: a model stuck half-written is reported once, not every tick. */
  let lastFailure = '';

  async function reload(): Promise<boolean> {
    reloading ??= (async () => {
      try {
        const card = await readModelCard(options.directory);
        if (card.version === active.model.card.version) {
          lastFailure = '';
          return false;
        }
        const next = await start(await loadModel(options.directory));
        const previous = active;
        active = next;
        options.metrics.modelInfo.remove({ role: options.role, version: previous.model.card.version });
        options.metrics.modelReloads.inc({ role: options.role });
        options.logger.info({ role: options.role, from: previous.model.card.version, to: next.model.card.version }, 'model reloaded');
        lastFailure = '';
        // In-flight batches finish on the pool that started them.
        previous.pool.close().catch((err: unknown) => options.logger.warn({ err }, 'closing the previous model pool failed'));
        return true;
      } catch (err) {
        // A model being written shows up as a mismatch between card and file: try again next tick.
        // Counted every time, logged at warn once per distinct failure (a copy that never
        // finishes is worth a page; one caught mid-write is not).
        options.metrics.modelReloadFailures.inc({ role: options.role });
        const failure = (err as Error).message;
        if (failure !== lastFailure) options.logger.warn({ err, role: options.role, directory: options.directory }, 'model not reloaded; the current model stays in service, trying again next interval');
        else options.logger.debug({ err, role: options.role }, 'model not reloaded');
        lastFailure = failure;
        return false;
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  }

  const timer = setInterval(() => void reload(), options.reloadIntervalMs);
  timer.unref();

  return {
    version: () => active.model.card.version,
    run: (events) => active.pool.run(events),
    onPressure: (listener) => void listeners.push(listener),
    utilisation: () => active.pool.utilisation(),
    queued: () => active.pool.queued(),
    reload,
    async close() {
      clearInterval(timer);
      await reloading;
      await active.pool.close();
    },
  };
}
