// The piscina pool of scoring workers. Its queue is bounded; `onPressure` tells the caller when
// it fills (pause fetching) and when it drains (resume).
import { Piscina } from 'piscina';
import { packEvents } from './batch_codec.ts';
import type { ScoreTaskResult, WorkerOptions } from './worker_contract.ts';
import type { LoadedModel } from './model_card.ts';

export interface ScoringPoolOptions {
  readonly model: LoadedModel;
  readonly threads: number;
  /** Tasks allowed to wait for a worker before the pool reports pressure. */
  readonly maxQueue: number;
}

export interface ScoringPool {
  run(events: readonly Uint8Array[]): Promise<ScoreTaskResult>;
  onPressure(listener: (saturated: boolean) => void): void;
  readonly utilisation: () => number;
  readonly queued: () => number;
  close(): Promise<void>;
}

export function createScoringPool(options: ScoringPoolOptions): ScoringPool {
  const workerData: WorkerOptions = options.model;
  const piscina = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: options.threads,
    maxThreads: options.threads,
    // Twice the bound: piscina rejects beyond maxQueue, we only want to slow the producer down.
    maxQueue: options.maxQueue * 2,
    concurrentTasksPerWorker: 1,
    // Bounded heaps keep memory flat under any backlog; a roomy young generation keeps the
    // short-lived per-email garbage in cheap scavenges.
    resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 48 },
    workerData,
  });
  const listeners: Array<(saturated: boolean) => void> = [];
  let saturated = false;
  const update = () => {
    const now = piscina.queueSize >= options.maxQueue;
    if (now !== saturated) {
      saturated = now;
      for (const listener of listeners) listener(now);
    }
  };

  async function run(events: readonly Uint8Array[]): Promise<ScoreTaskResult> {
    const packed = packEvents(events);
    const task = piscina.run(packed, { transferList: [packed.payload, packed.offsets.buffer as ArrayBuffer] }) as Promise<ScoreTaskResult>;
    update();
    try {
      return await task;
    } finally {
      update();
    }
  }

  return {
    run,
    onPressure: (listener) => void listeners.push(listener),
    utilisation: () => piscina.utilization,
    queued: () => piscina.queueSize,
    close: () => piscina.close(),
  };
}
