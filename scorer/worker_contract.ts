// The messages exchanged with scorer/worker.ts.
import type { Indicators } from './features.ts';
import type { PackedEvents } from './batch_codec.ts';
import type { LoadedModel } from './model_card.ts';
import type { Explanation } from '../schemas/contracts.ts';

export type WorkerOptions = LoadedModel;

export type ScoreTask = PackedEvents;

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
  /** Set when this one event could not be scored (unparseable raw message); it is dead-lettered. */
  readonly error?: string;
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
