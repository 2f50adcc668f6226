// The piscina pool of scoring workers, with a per-email time limit.
//
// Queue: piscina refuses tasks beyond its `maxQueue` ("Task queue is at limit"), which would fail
// the whole chunk, so its queue is sized to hold every task that can ever be in flight
// (`maxTasksInFlight`, derived from the configuration by the caller). Back-pressure is the
// consumer's job: `onPressure` reports when more than `maxQueue` tasks wait (pause fetching) and
// when they drain (resume).
//
// Time limit: a hostile email can make one regular expression or parser call run for seconds,
// and nothing inside the thread can interrupt it. Each task carries a small shared array in which
// the worker records which email it is on and since when; a watchdog here aborts the task of an
// email that has run longer than `emailTimeoutMs`, which makes piscina terminate that worker and
// start a replacement (which loads its own ONNX session before it takes work). The chunk is then
// run again without that email, which comes back failed with `ScoringFailureCode.timeout`. A
// chunk with k such emails costs at most k extra runs.
import { Piscina } from 'piscina';
import { packEvents } from './batch_codec.ts';
import { Progress, ScoringFailureCode, sharedClockMs, type EmailDetail, type ScoreTask, type ScoreTaskResult, type WorkerOptions } from './worker_contract.ts';
import type { LoadedModel } from './model_card.ts';

/**
 * Default per-email limit. The cost cap is 100 ms of CPU per email at the default field caps, so
 * an email reaching 2 s of wall time is not slow by accident: the margin absorbs a machine busy
 * with other work (wall time, not CPU time, is what the main thread can observe), garbage
 * collection and a cold JIT in a fresh worker, while still bounding what one email can cost.
 */
export const DEFAULT_EMAIL_TIMEOUT_MS = 2_000;

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
  /** Wall time one email may take in a worker before it is set aside. */
  readonly emailTimeoutMs?: number;
  /** Called once per email set aside for running past `emailTimeoutMs`. */
  readonly onEmailTimeout?: (event: { elapsedMs: number; emailTimeoutMs: number }) => void;
  /** Called when a worker thread has started and loaded its ONNX session: at start-up, and for each replacement. */
  readonly onWorkerStart?: () => void;
}

export interface ScoringPool {
  /** One result per event, in order; events that timed out carry `errorCode: SCORING_TIMEOUT`. */
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
  /** Index within the task of the email that ran out of time, once the watchdog has fired. */
  timedOut: number | null;
}

type TaskOutcome = { readonly result: ScoreTaskResult } | { readonly timedOut: number };

export function createScoringPool(options: ScoringPoolOptions): ScoringPool {
  const workerData: WorkerOptions = options.model;
  const emailTimeoutMs = options.emailTimeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
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
  // A quarter of the limit between looks: an email is stopped within 1.25× the limit.
  const watchEveryMs = Math.min(Math.max(Math.floor(emailTimeoutMs / 4), 1), 250);
  const watch = () => {
    const now = sharedClockMs();
    for (const task of running) {
      if (task.timedOut !== null) continue;
      // Index first, then its start time (the worker writes them in the other order).
      const email = Atomics.load(task.progress, Progress.email);
      if (email === Progress.idle) continue;
      const elapsedMs = now - task.clockBaseMs - Atomics.load(task.progress, Progress.startedMs);
      if (elapsedMs < emailTimeoutMs) continue;
      task.timedOut = email;
      // piscina terminates the worker running an aborted task and starts a replacement.
      task.controller.abort(new Error(`email ${email} of the task ran past ${emailTimeoutMs} ms`));
      options.onEmailTimeout?.({ elapsedMs, emailTimeoutMs });
    }
  };

  async function runTask(events: readonly Uint8Array[]): Promise<TaskOutcome> {
    const packed = packEvents(events);
    const progress = new Int32Array(new SharedArrayBuffer(Progress.slots * Int32Array.BYTES_PER_ELEMENT));
    progress[Progress.email] = Progress.idle;
    const task: RunningTask = { progress, clockBaseMs: sharedClockMs(), controller: new AbortController(), timedOut: null };
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
      if (task.timedOut !== null) return { timedOut: task.timedOut };
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
      if ('timedOut' in outcome) {
        const culprit = remaining[outcome.timedOut]!;
        details[culprit] = {
          indicators: { domains: [], urls: [], ips: [], attachmentHashes: [] },
          explanations: [],
          error: `scoring this email ran past the per-email limit of ${emailTimeoutMs} ms (SCORER_EMAIL_TIMEOUT_MS); its worker was stopped and the rest of its chunk scored without it`,
          errorCode: ScoringFailureCode.timeout,
        };
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
