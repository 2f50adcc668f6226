// The messages exchanged with scorer/worker.ts.
import { performance } from 'node:perf_hooks';
import type { Indicators } from './features.ts';
import type { PackedEvents } from './batch_codec.ts';
import type { LoadedModel } from './model_card.ts';
import type { Explanation } from '../schemas/contracts.ts';

export type WorkerOptions = LoadedModel;

/** Why one email of a task has no score; it is dead-lettered with this code. */
export const ScoringFailureCode = {
  /** The event could not be scored (an unparseable raw message, a feature error). */
  unparseable: 'UNSCORABLE_EVENT',
  /** Scoring the event ran past the per-email time limit; the worker running it was stopped. */
  timeout: 'SCORING_TIMEOUT',
} as const;
export type ScoringFailureCode = (typeof ScoringFailureCode)[keyof typeof ScoringFailureCode];

/**
 * Slots of a task's `progress` array, which the worker writes and the pool's watchdog reads
 * while the task runs: which email the worker is on and when it started it. A regular expression
 * or a parser call cannot be interrupted from inside its thread, so only the main thread, seeing
 * an email overrun, can stop it (by terminating the worker).
 */
export const Progress = {
  /** Index of the email in progress, or `Progress.idle` outside the per-email loop. */
  email: 0,
  /** When that email was started: `sharedClockMs() - task.clockBaseMs`, rounded down. */
  startedMs: 1,
  slots: 2,
  idle: -1,
} as const;

/** Milliseconds on a clock that the main thread and the workers read alike (skew ~1 ms). */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface ScoreTask extends PackedEvents {
  /** Int32Array over a SharedArrayBuffer of `Progress.slots` entries. */
  readonly progress: Int32Array;
  /** `sharedClockMs()` when the task was made; `Progress.startedMs` counts from it. */
  readonly clockBaseMs: number;
}

/** What the worker learned from a raw-only event that the main thread cannot see. */
export interface ParsedSummary {
  readonly subject: string;
  readonly fromAddress: string;
  readonly mailFrom: string;
}

export interface EmailDetail {
  readonly indicators: Indicators;
  /** The features that moved the model's score most, strongest first. */
  readonly explanations: readonly Explanation[];
  readonly parsed?: ParsedSummary;
  /** Set when this one event could not be scored; it is dead-lettered with `errorCode`. */
  readonly error?: string;
  readonly errorCode?: ScoringFailureCode;
}

export interface ScoreTaskResult {
  readonly modelVersion: string;
  /** NaN for events that failed. */
  readonly probabilities: Float32Array;
  readonly flags: Uint32Array;
  readonly details: EmailDetail[];
  /** Per-stage CPU time inside the worker, for the stage metrics. */
  readonly timings: { readonly featuresMs: number; readonly inferenceMs: number };
}
