// The messages exchanged with scorer/worker.ts.
import { readFileSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Indicators } from './features.ts';
import type { PackedEvents } from './batch_codec.ts';
import type { LoadedModel } from './model_card.ts';
import type { Explanation } from '../schemas/contracts.ts';
import type { CutFields } from '../schemas/limits.ts';

export type WorkerOptions = LoadedModel;

/** Why one email of a task has no score; it is dead-lettered with this code. */
export const ScoringFailureCode = {
  /** The event could not be scored: it does not decode, its raw message does not parse, or features failed. */
  unparseable: 'UNSCORABLE_EVENT',
  /**
   * Scoring the event went past a per-email limit (CPU time, or the wall-time backstop; the
   * reason says which); the worker running it was stopped.
   */
  timeout: 'SCORING_TIMEOUT',
} as const;
export type ScoringFailureCode = (typeof ScoringFailureCode)[keyof typeof ScoringFailureCode];

/**
 * Slots of a task's `progress` array, which the worker writes and the pool's watchdog reads
 * while the task runs: which email the worker is on, when it started it, and how much CPU its
 * thread had used by then. A regular expression or a parser call cannot be interrupted from
 * inside its thread, so only the main thread, seeing an email overrun, can stop it (by
 * terminating the worker).
 */
export const Progress = {
  /** Index of the email in progress, or `Progress.idle` outside the per-email loop. */
  email: 0,
  /** When that email was started: `sharedClockMs() - task.clockBaseMs`, rounded down. */
  startedMs: 1,
  /** `threadCpuMicros()` of the worker's thread when that email was started (wraps; see `cpuMicrosSince`). */
  startedCpuUs: 2,
  /** Linux thread id of the worker running the task (from `linuxThreadId()`); 0 where there is none. */
  thread: 3,
  slots: 4,
  idle: -1,
} as const;

/** Milliseconds on a clock that the main thread and the workers read alike (skew ~1 ms). */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The Linux id of the calling thread (`/proc/thread-self` links to `<pid>/task/<tid>`), which
 * names its CPU clock in /proc for other threads; 0 where there is no /proc (macOS).
 */
export function linuxThreadId(): number {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time of the calling thread in microseconds, as a wrapping 32-bit integer (it fits an
 * Int32Array slot; differences below 2^31 µs, 35 minutes, come out right). Cheap enough for
 * every email: one getrusage(RUSAGE_THREAD), ~0.5 µs here. On Linux it reads the same counter
 * as /proc/<pid>/task/<tid>/schedstat (the scheduler's `sum_exec_runtime`), so the watchdog's
 * reading and the worker's can be subtracted. That counter is brought up to date at scheduler
 * ticks (4 ms at this kernel's HZ=250) and context switches, not continuously: a running
 * thread's reading can be one tick behind.
 */
export function threadCpuMicros(): number {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) | 0;
}

/** CPU microseconds from `startedUs` (a `threadCpuMicros()` value) to `nowUs`, across the 32-bit wrap. */
export function cpuMicrosSince(startedUs: number, nowUs: number): number {
  return ((nowUs | 0) - (startedUs | 0)) | 0;
}

/**
 * Where this system keeps a thread's CPU time for other threads to read: schedstat in
 * nanoseconds, stat in clock ticks (USER_HZ, 100 a second on every Linux), or nowhere (no /proc).
 * Found once, on this thread's own entries, so that a thread that has ended is not taken for a
 * system without the file.
 */
let cpuSource: 'schedstat' | 'stat' | 'none' | undefined;
function findCpuSource(): 'schedstat' | 'stat' | 'none' {
  for (const source of ['schedstat', 'stat'] as const) {
    try {
      readFileSync(`/proc/thread-self/${source}`);
      return source;
    } catch {
      // try the next one
    }
  }
  return 'none';
}

/**
 * CPU time, in microseconds, of thread `tid` of this process, read from another thread (the
 * pool's watchdog reads its workers'): the first field of /proc/self/task/<tid>/schedstat
 * (nanoseconds on CPU; ~20 µs a read), or utime + stime of .../stat (clock ticks of 10 ms) on a
 * kernel without schedstat. Null when neither can be read (no /proc, as on macOS, or the thread
 * has ended): the caller then uses wall time, which a single thread's CPU time never exceeds.
 */
export function readThreadCpuMicros(tid: number): number | null {
  cpuSource ??= findCpuSource();
  if (tid <= 0 || cpuSource === 'none') return null;
  try {
    const text = readFileSync(`/proc/self/task/${tid}/${cpuSource}`, 'latin1');
    if (cpuSource === 'schedstat') {
      const nanoseconds = Number(text.split(' ', 1)[0]);
      return Number.isFinite(nanoseconds) ? Math.floor(nanoseconds / 1000) : null;
    }
    // After the command name (which may hold spaces and parentheses), utime and stime are the 12th and 13th fields.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : null;
  } catch {
    return null;
  }
}

export interface ScoreTask extends PackedEvents {
  /** Int32Array over a SharedArrayBuffer of `Progress.slots` entries. */
  readonly progress: Int32Array;
  /** `sharedClockMs()` when the task was made; `Progress.startedMs` counts from it. */
  readonly clockBaseMs: number;
}

/**
 * What the stored row shows of the email: the main thread reads only an event's identity, so the
 * worker, which decodes it (and parses raw_message), says who sent it and what it is about.
 */
export interface EmailSummary {
  /** Cut to SUBJECT_MAX_CHARS, what a row holds. */
  readonly subject: string;
  readonly fromAddress: string;
  readonly mailFrom: string;
}

export interface EmailDetail {
  readonly indicators: Indicators;
  /** The features that moved the model's score most, strongest first. */
  readonly explanations: readonly Explanation[];
  readonly summary: EmailSummary;
  /** The event's fields held to their caps when it was decoded (schemas/limits.ts), for the metric. */
  readonly cut: CutFields;
  /** Set when this one event could not be scored; it is dead-lettered with `errorCode`. */
  readonly error?: string;
  readonly errorCode?: ScoringFailureCode;
}

const NO_SUMMARY: EmailSummary = Object.freeze({ subject: '', fromAddress: '', mailFrom: '' });

/** The detail of an email that could not be scored: it is dead-lettered with `errorCode`, and no row is written. */
export function unscoredDetail(errorCode: ScoringFailureCode, error: string, cut: CutFields = []): EmailDetail {
  return { indicators: { domains: [], urls: [], ips: [], attachmentHashes: [] }, explanations: [], summary: NO_SUMMARY, cut, error, errorCode };
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
