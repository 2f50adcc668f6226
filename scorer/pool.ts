// The piscina pool of scoring workers, with a per-email time limit.
//
// Queue: piscina refuses tasks beyond its `maxQueue` ("Task queue is at limit"), which would fail
// the whole chunk, so its queue is sized to hold every task that can ever be in flight
// (`maxTasksInFlight`, derived from the configuration by the caller). Back-pressure is the
// consumer's job: `onPressure` reports when more than `maxQueue` tasks wait (pause fetching) and
// when they drain (resume).
//
// Per-email limits: a hostile email can make one regular expression or parser call run for
// seconds, and nothing inside the thread can interrupt it. Each task carries a small shared array
// in which the worker records which email it is on, when it started it, and its thread's CPU time
// then (see worker_contract.ts `Progress`). A watchdog here stops the task of an email that has
// used more than `emailCpuLimitMs` of CPU, or has been running for `emailTimeoutMs` of wall time
// (a backstop for an email that waits without using CPU), by aborting it: piscina terminates that
// worker and starts a replacement (which loads its own ONNX session before it takes work). The
// chunk is then run again without that email, which comes back failed with
// `ScoringFailureCode.timeout`. A chunk with k such emails costs at most k extra runs.
//
// Why CPU time: wall time on a busy machine grows with everything else that runs (a thread
// waiting for a core looks slow), so a wall-time limit must be far above an email's real cost;
// CPU time does not grow with load. The watchdog reads the worker thread's CPU time from /proc
// (`readThreadCpuMicros`: schedstat, in nanoseconds) and subtracts what the worker recorded at
// the email's start (`threadCpuMicros`, the same kernel counter). Both readings can lag the
// thread by one scheduler tick (4 ms here), and the watchdog looks every quarter of the limit, so
// an email is stopped after between the limit minus one tick and 1.25× the limit plus one tick
// of CPU (more if the main thread's event loop is late). Where /proc is missing (macOS) the
// email's wall time stands in for its CPU time: stricter, never more lenient.
import { Piscina } from 'piscina';
import { packEvents } from './batch_codec.ts';
import { cpuMicrosSince, Progress, readThreadCpuMicros, ScoringFailureCode, sharedClockMs, unscoredDetail, type EmailDetail, type ScoreTask, type ScoreTaskResult, type WorkerOptions } from './worker_contract.ts';
import type { LoadedModel } from './model_card.ts';

/**
 * Default per-email CPU limit: ten times the 100 ms of CPU that no single event may cost at the
 * default field caps (scorer/fuzz.ts holds the code to that budget), so an email stopped by it is
 * not slow by accident; the margin absorbs garbage collection and a cold JIT in a fresh worker.
 */
export const DEFAULT_EMAIL_CPU_LIMIT_MS = 1_000;
/**
 * Default wall-time backstop per email: catches an email that takes long without using CPU
 * (nothing in the per-email path waits on I/O today), far enough above the CPU limit that a
 * machine busy with other work never trips it for an email within its CPU limit.
 */
export const DEFAULT_EMAIL_TIMEOUT_MS = 10_000;

/** Which per-email limit an email went past. */
export const EmailLimit = { cpu: 'cpu', wall: 'wall' } as const;
export type EmailLimit = (typeof EmailLimit)[keyof typeof EmailLimit];

/** What the watchdog saw when it stopped an email. */
export interface EmailLimitExceeded {
  readonly limit: EmailLimit;
  /** The limit that was exceeded, in milliseconds (CPU or wall time, as `limit` says). */
  readonly limitMs: number;
  /** CPU time the email had used; null where the thread's CPU time cannot be read (wall time stood in). */
  readonly cpuMs: number | null;
  readonly wallMs: number;
}

export interface ScoringPoolOptions {
  readonly model: LoadedModel;
  readonly threads: number;
  /** Tasks allowed to wait for a worker before the pool reports pressure. */
  readonly maxQueue: number;
  /**
   * The most tasks callers can have submitted at once. piscina's own queue is sized to hold them
   * all, so it never refuses one. Defaults to twice `maxQueue`.
   */
  readonly maxTasksInFlight?: number;
  /** CPU time one email may use in a worker before it is set aside. */
  readonly emailCpuLimitMs?: number;
  /** Wall time one email may take in a worker before it is set aside; at least `emailCpuLimitMs`. */
  readonly emailTimeoutMs?: number;
  /** Called once per email set aside for going past either limit. */
  readonly onEmailTimeout?: (event: EmailLimitExceeded) => void;
  /** Called when a worker thread has started and loaded its ONNX session: at start-up, and for each replacement. */
  readonly onWorkerStart?: () => void;
}

export interface ScoringPool {
  /** One result per event, in order; events that went past a per-email limit carry `errorCode: SCORING_TIMEOUT`. */
  run(events: readonly Uint8Array[]): Promise<ScoreTaskResult>;
  onPressure(listener: (saturated: boolean) => void): void;
  readonly utilisation: () => number;
  readonly queued: () => number;
  /** Waits for the runs in progress (re-runs after a timeout included), then stops the workers. */
  close(): Promise<void>;
}

interface RunningTask {
  readonly progress: Int32Array;
  readonly clockBaseMs: number;
  readonly controller: AbortController;
  /** The email (its index within the task) that went past a limit, once the watchdog has fired. */
  stopped: { readonly email: number; readonly exceeded: EmailLimitExceeded } | null;
}

type TaskOutcome = { readonly result: ScoreTaskResult } | { readonly stopped: NonNullable<RunningTask['stopped']> };

export function createScoringPool(options: ScoringPoolOptions): ScoringPool {
  const workerData: WorkerOptions = options.model;
  const emailTimeoutMs = options.emailTimeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
  const emailCpuLimitMs = Math.min(options.emailCpuLimitMs ?? DEFAULT_EMAIL_CPU_LIMIT_MS, emailTimeoutMs);
  const limits = { cpuMs: emailCpuLimitMs, wallMs: emailTimeoutMs };
  const piscina = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: options.threads,
    maxThreads: options.threads,
    // A limit piscina never reaches: the callers' own bound on tasks in flight. `maxQueue` above
    // is where the consumer is told to pause; piscina rejecting would fail the chunk instead.
    maxQueue: Math.max(options.maxTasksInFlight ?? options.maxQueue * 2, 1),
    concurrentTasksPerWorker: 1,
    // Bounded heaps keep memory flat under any backlog; a roomy young generation keeps the
    // short-lived per-email garbage in cheap scavenges.
    resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 48 },
    workerData,
  });
  // piscina emits this once the worker has loaded worker.ts (its ONNX session included).
  if (options.onWorkerStart !== undefined) piscina.on('workerCreate', options.onWorkerStart);
  const listeners: Array<(saturated: boolean) => void> = [];
  let saturated = false;
  const update = () => {
    const now = piscina.queueSize >= options.maxQueue;
    if (now !== saturated) {
      saturated = now;
      for (const listener of listeners) listener(now);
    }
  };

  const running = new Set<RunningTask>();
  let watchdog: NodeJS.Timeout | undefined;
  // A quarter of the (smaller) limit between looks: an email is stopped within 1.25× the limit.
  const watchEveryMs = Math.min(Math.max(Math.floor(emailCpuLimitMs / 4), 1), 250);
  const watch = () => {
    const now = sharedClockMs();
    for (const task of running) {
      if (task.stopped !== null) continue;
      const { progress } = task;
      // The index, then the email's start, then the index again (the worker writes the start
      // first): if the index moved on meanwhile, the start may be the next email's; look next time.
      const email = Atomics.load(progress, Progress.email);
      if (email === Progress.idle) continue;
      const wallMs = now - task.clockBaseMs - Atomics.load(progress, Progress.startedMs);
      const over = emailLimitExceeded(wallMs, () => emailCpuMs(progress), limits);
      if (over === null || Atomics.load(progress, Progress.email) !== email) continue;
      task.stopped = { email, exceeded: over };
      // piscina terminates the worker running an aborted task and starts a replacement.
      task.controller.abort(new Error(`email ${email} of the task went past the per-email ${over.limit} limit of ${over.limitMs} ms`));
      options.onEmailTimeout?.(over);
    }
  };

  async function runTask(events: readonly Uint8Array[]): Promise<TaskOutcome> {
    const packed = packEvents(events);
    const progress = new Int32Array(new SharedArrayBuffer(Progress.slots * Int32Array.BYTES_PER_ELEMENT));
    progress[Progress.email] = Progress.idle;
    const task: RunningTask = { progress, clockBaseMs: sharedClockMs(), controller: new AbortController(), stopped: null };
    const message: ScoreTask = { ...packed, progress, clockBaseMs: task.clockBaseMs };
    running.add(task);
    watchdog ??= setInterval(watch, watchEveryMs);
    const pending = piscina.run(message, {
      transferList: [packed.payload, packed.offsets.buffer as ArrayBuffer],
      signal: task.controller.signal,
    }) as Promise<ScoreTaskResult>;
    update();
    try {
      return { result: await pending };
    } catch (err) {
      if (task.stopped !== null) return { stopped: task.stopped };
      throw err;
    } finally {
      running.delete(task);
      if (running.size === 0) {
        clearInterval(watchdog);
        watchdog = undefined;
      }
      update();
    }
  }

  async function run(events: readonly Uint8Array[]): Promise<ScoreTaskResult> {
    const count = events.length;
    const probabilities = new Float32Array(count).fill(Number.NaN);
    const flags = new Uint32Array(count);
    const details: EmailDetail[] = new Array(count);
    const timings = { featuresMs: 0, inferenceMs: 0 };
    // Positions (in `events`) of the emails still to score.
    let remaining = events.map((_, i) => i);
    while (remaining.length > 0) {
      const outcome = await runTask(remaining.map((i) => events[i]!));
      if ('stopped' in outcome) {
        const culprit = remaining[outcome.stopped.email]!;
        details[culprit] = unscoredDetail(
          ScoringFailureCode.timeout,
          `${limitReason(outcome.stopped.exceeded)}; its worker was stopped and the rest of its chunk scored without it`,
        );
        remaining = remaining.filter((i) => i !== culprit);
        continue;
      }
      const { result } = outcome;
      remaining.forEach((position, j) => {
        probabilities[position] = result.probabilities[j]!;
        flags[position] = result.flags[j]!;
        details[position] = result.details[j]!;
      });
      timings.featuresMs += result.timings.featuresMs;
      timings.inferenceMs += result.timings.inferenceMs;
      break;
    }
    return { modelVersion: options.model.card.version, probabilities, flags, details, timings };
  }

  const inFlight = new Set<Promise<unknown>>();
  const tracked = (events: readonly Uint8Array[]) => {
    const promise = run(events);
    const settled = promise.catch(() => undefined);
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return promise;
  };

  return {
    run: tracked,
    onPressure: (listener) => void listeners.push(listener),
    utilisation: () => piscina.utilization,
    queued: () => piscina.queueSize,
    async close() {
      // A run may still need a re-run after a timeout; piscina refuses new tasks once closing.
      while (inFlight.size > 0) await Promise.all(inFlight);
      await piscina.close();
    },
  };
}

/**
 * The limit an email in progress has gone past, if any, after `wallMs` of wall time: the
 * wall-time backstop first, then its CPU time (`readCpuMs`, null where it cannot be read, when
 * the wall time stands in). `readCpuMs` is called only once the wall time has reached the CPU
 * limit (one thread cannot use more CPU than the time that passed), so most looks read no file.
 */
export function emailLimitExceeded(wallMs: number, readCpuMs: () => number | null, limits: { readonly cpuMs: number; readonly wallMs: number }): EmailLimitExceeded | null {
  if (wallMs < limits.cpuMs && wallMs < limits.wallMs) return null;
  const cpuMs = readCpuMs();
  if (wallMs >= limits.wallMs) return { limit: EmailLimit.wall, limitMs: limits.wallMs, cpuMs, wallMs };
  return (cpuMs ?? wallMs) >= limits.cpuMs ? { limit: EmailLimit.cpu, limitMs: limits.cpuMs, cpuMs, wallMs } : null;
}

/** CPU milliseconds the email in progress has used, or null where its thread's CPU time cannot be read. */
function emailCpuMs(progress: Int32Array): number | null {
  const nowUs = readThreadCpuMicros(Atomics.load(progress, Progress.thread));
  return nowUs === null ? null : Math.max(cpuMicrosSince(Atomics.load(progress, Progress.startedCpuUs), nowUs), 0) / 1000;
}

/** The dead letter's reason: which limit, by how much, and the setting that holds it. */
export function limitReason(over: EmailLimitExceeded): string {
  if (over.limit === EmailLimit.wall) {
    return `scoring this email took longer than the per-email wall-time limit of ${over.limitMs} ms (SCORER_EMAIL_TIMEOUT_MS): ${Math.round(over.wallMs)} ms`;
  }
  const used = over.cpuMs === null ? `${Math.round(over.wallMs)} ms of wall time (this system cannot read a thread's CPU time, so wall time stood in)` : `${Math.round(over.cpuMs)} ms`;
  return `scoring this email used more than the per-email CPU limit of ${over.limitMs} ms (SCORER_EMAIL_CPU_LIMIT_MS): ${used}`;
}
