// The one retry policy: errors that say they are retriable are tried again with capped
// exponential backoff and jitter; anything else fails at once.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface RetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export function isRetriable(err: unknown): boolean {
  return (err as { retriable?: unknown } | null)?.retriable === true;
}

export async function withRetry<T>(what: string, policy: RetryPolicy, logger: Logger, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (!isRetriable(err) || attempt >= policy.attempts) throw err;
      const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      logger.warn({ err, attempt, delayMs: Math.round(delay) }, `${what} failed; retrying`);
      await sleep(delay);
    }
  }
}
