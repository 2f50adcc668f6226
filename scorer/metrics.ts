import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ScorerMetrics {
  readonly scored: Counter<'verdict'>;
  readonly failed: Counter;
  readonly batchSeconds: Histogram;
  readonly stageSeconds: Counter<'stage'>;
  readonly poolUtilisation: Gauge;
  readonly poolQueue: Gauge;
  readonly modelInfo: Gauge<'role' | 'version'>;
  readonly modelReloads: Counter<'role'>;
  readonly modelReloadFailures: Counter<'role'>;
  readonly shadowFailures: Counter;
  readonly emailTimeouts: Counter<'role' | 'limit'>;
  readonly workerStarts: Counter<'role'>;
  readonly intelUnavailable: Counter;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createScorerMetrics(registry: Registry): ScorerMetrics {
  const registers = [registry];
  return {
    scored: new Counter({ name: 'mailscore_scorer_emails_scored_total', help: 'Emails scored, by verdict', labelNames: ['verdict'], registers }),
    failed: new Counter({ name: 'mailscore_scorer_emails_failed_total', help: 'Emails the workers could not score (dead-lettered)', registers }),
    batchSeconds: new Histogram({ name: 'mailscore_scorer_batch_seconds', help: 'Time to score one batch, queueing in the pool included', buckets: LATENCY_BUCKETS, registers }),
    stageSeconds: new Counter({ name: 'mailscore_scorer_stage_seconds_total', help: 'Wall time by stage, not CPU time: features and inference per worker task (performance.now in the worker; tasks run in parallel, so their sum can exceed elapsed time), risk on the main thread (threat intel and policy lookups, their waits on Redis and PostgreSQL included, then the risk rules)', labelNames: ['stage'], registers }),
    poolUtilisation: new Gauge({ name: 'mailscore_scorer_pool_utilisation_ratio', help: 'Share of worker time spent running tasks (piscina utilization)', registers }),
    poolQueue: new Gauge({ name: 'mailscore_scorer_pool_queue_tasks', help: 'Batches waiting for a worker', registers }),
    modelInfo: new Gauge({ name: 'mailscore_scorer_model_info', help: 'The model versions in service (1), by role (current, shadow)', labelNames: ['role', 'version'], registers }),
    modelReloads: new Counter({ name: 'mailscore_scorer_model_reloads_total', help: 'Models hot-reloaded, by role', labelNames: ['role'], registers }),
    modelReloadFailures: new Counter({ name: 'mailscore_scorer_model_reload_failures_total', help: 'Checks that found a new model card but could not load its model (half-written, corrupt, another format), by role', labelNames: ['role'], registers }),
    emailTimeouts: new Counter({ name: 'mailscore_scorer_email_timeouts_total', help: 'Emails set aside (dead-lettered as SCORING_TIMEOUT for the current model, left without a shadow score for the shadow) for going past a per-email limit: limit="cpu" SCORER_EMAIL_CPU_LIMIT_MS of CPU time, limit="wall" SCORER_EMAIL_TIMEOUT_MS of wall time; each one stopped a worker', labelNames: ['role', 'limit'], registers }),
    workerStarts: new Counter({ name: 'mailscore_scorer_worker_starts_total', help: 'Scoring worker threads started, each loading its own ONNX session: the pool at start-up and every replacement of a stopped worker', labelNames: ['role'], registers }),
    shadowFailures: new Counter({ name: 'mailscore_scorer_shadow_failures_total', help: 'Batches the shadow model failed to score (recorded without shadow results)', registers }),
    intelUnavailable: new Counter({ name: 'mailscore_scorer_intel_unavailable_total', help: 'Emails scored without threat intel because Redis failed or did not answer in time (reason intel.unavailable on the row)', registers }),
  };
}
