// The one retry policy. A failure is one of three kinds (sinks/errors.ts says which for
// PostgreSQL; `failureKind` extends that to whatever reaches the composition root):
//   row     the data of one row is refused: not retried here, the caller sets the row aside;
//   outage  a dependency is down or unreachable: waited out however long it lasts, until the
//           pipeline stops;
//   fault   anything else: tried `attempts` times with capped exponential backoff and jitter,
//           then given up, which stops the consumer without committing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { FailureKind, isSocketOutage, sqlStateKind } from '../sinks/index.ts';

export interface RetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** While a dependency is down, the longest wait between tries; `maxDelayMs` when absent. */
  readonly outageMaxDelayMs?: number;
}

// Errors that carry no code but only mean "the connection is not there":
// kafkajs's connection errors, ioredis's give-ups while Redis is away.
const OUTAGE_ERROR_NAMES = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSLockTimeout', 'KafkaJSMetadataNotLoaded',
  'MaxRetriesPerRequestError',
]);
// node-postgres and ioredis report a dropped or never-made connection by message only.
const OUTAGE_MESSAGES = /^(Connection terminated|Connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect|Stream isn't writeable)/;

/** What kind of failure an error is, following its causes; an error without any sign is a fault. */
export function failureKind(err: unknown): FailureKind {
  const seen = new Set<unknown>();
  for (let e = err; e !== null && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { kind, code, name, message } = e as { kind?: unknown; code?: unknown; name?: unknown; message?: unknown };
    if (kind === FailureKind.row || kind === FailureKind.outage || kind === FailureKind.fault) return kind;
    if (typeof code === 'string') {
      if (isSocketOutage(code)) return FailureKind.outage;
      const sqlKind = sqlStateKind(code);
      if (sqlKind !== null) return sqlKind;
    }
    if (typeof name === 'string' && OUTAGE_ERROR_NAMES.has(name)) return FailureKind.outage;
    if (typeof message === 'string' && OUTAGE_MESSAGES.test(message)) return FailureKind.outage;
    // AggregateError (a connection tried on several addresses) is an outage when its parts are.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => failureKind(x) === FailureKind.outage)) return FailureKind.outage;
  }
  return FailureKind.fault;
}

/** Backoff before attempt `attempt + 1`: exponential, capped, with jitter (50–100 %). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30)) * (0.5 + Math.random() / 2);
}

/** The pipeline gave up on a chunk: the consumer must stop without committing it. */
export class PipelineHaltError extends Error {
  readonly code = 'PIPELINE_HALTED';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineHaltError';
  }
}

/** The wait was cut short because the pipeline is stopping; the chunk is not committed. */
export class StoppingError extends Error {
  readonly code = 'PIPELINE_STOPPING';
  // Retriable, so that kafkajs does not take it for a crash: it finds itself stopped and ends.
  readonly retriable = true;
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what}: abandoned, the pipeline is stopping`, options);
    this.name = 'StoppingError';
  }
}

export interface OutageHooks {
  /** Aborted when the pipeline stops: waiting ends at once. */
  readonly signal: AbortSignal;
  /** Called on every outage-kind failure (the first one of an outage is the one that counts). */
  onOutage(err: unknown): void;
  /** Called after a success that followed outage-kind failures. */
  onRecovered(): void;
  /** Called each time a call that failed (an outage or a fault) is tried again, with its last error. */
  onRetry(err: unknown): void;
}

/**
 * Runs `action` until it succeeds: through outages of any length (capped backoff, never more
 * than `policy.maxDelayMs` apart), through `policy.attempts` tries of a fault. Row-kind errors
 * are thrown at once for the caller to set the row aside; a fault that outlives its tries, or
 * an error that says it is not retriable, becomes a PipelineHaltError.
 */
export async function untilDone<T>(what: string, policy: RetryPolicy, logger: Logger, hooks: OutageHooks, action: () => Promise<T>): Promise<T> {
  let faults = 0;
  let outageTries = 0;
  for (;;) {
    try {
      const result = await action();
      if (outageTries > 0) hooks.onRecovered();
      return result;
    } catch (err) {
      const kind = failureKind(err);
      if (kind === FailureKind.row) throw err;
      // A stop ends the waiting, not the work in flight: a first attempt always runs.
      if (hooks.signal.aborted) throw new StoppingError(what, { cause: err });
      let delay: number;
      if (kind === FailureKind.outage) {
        outageTries++;
        hooks.onOutage(err);
        const cap = policy.outageMaxDelayMs ?? policy.maxDelayMs;
        delay = backoffMs({ ...policy, maxDelayMs: cap }, outageTries);
        // Logged at the start, then about every 30 s: an outage is one event, not a log flood.
        if (outageTries === 1 || outageTries % Math.max(1, Math.round(30_000 / cap)) === 0) {
          logger.warn({ err, tries: outageTries, delayMs: Math.round(delay) }, `${what}: a dependency is unavailable; waiting for it`);
        }
      } else {
        faults++;
        if ((err as { retriable?: unknown }).retriable === false || faults >= policy.attempts) {
          throw new PipelineHaltError(`${what} failed ${faults} time(s): ${(err as Error).message ?? String(err)}`, { cause: err });
        }
        delay = backoffMs(policy, faults);
        logger.warn({ err, attempt: faults, delayMs: Math.round(delay) }, `${what} failed; retrying`);
      }
      try {
        await sleep(delay, undefined, { signal: hooks.signal });
      } catch {
        throw new StoppingError(what);
      }
      hooks.onRetry(err);
    }
  }
}
