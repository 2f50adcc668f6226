// The metrics that belong to the pipeline as a whole rather than to one stage: how long an email
// takes from receipt to its durable row, and how the dependencies behave.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const E2E_LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60] as const;

export interface PipelineMetrics {
  readonly e2eLatency: Histogram;
}

export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  return {
    e2eLatency: new Histogram({
      name: 'mailscore_e2e_latency_seconds',
      help: 'Per email, from its received_at to its row committed in PostgreSQL (redelivered rows already stored included); 0 for a received_at in the future',
      // Dense around the 500 ms objective, so that its ratio is read from a bucket boundary.
      buckets: [...E2E_LATENCY_BUCKETS],
      registers: [registry],
    }),
  };
}

export interface DependencyMetrics {
  readonly retries: Counter<'dependency'>;
  readonly up: Gauge<'dependency'>;
}

export function createDependencyMetrics(registry: Registry): DependencyMetrics {
  const registers = [registry];
  return {
    retries: new Counter({ name: 'mailscore_dependency_retries_total', help: 'Calls tried again after a failure, by the dependency that failed them (postgres, kafka, redis): start-up waits, COPY, scoring lookups, alert publishing', labelNames: ['dependency'], registers }),
    up: new Gauge({ name: 'mailscore_dependency_up', help: '0 while the pipeline finds the dependency in an outage (not ready meanwhile), 1 otherwise', labelNames: ['dependency'], registers }),
  };
}
