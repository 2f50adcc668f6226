import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  readonly received: Counter<'topic'>;
  readonly deadLettered: Counter<'code'>;
  readonly skipped: Counter<'code'>;
  readonly fieldsCut: Counter<'field'>;
  readonly batchSize: Histogram;
  readonly handlerSeconds: Histogram;
  readonly decodeSeconds: Counter;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly paused: Gauge;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    received: new Counter({ name: 'mailscore_ingest_events_total', help: 'Records read from the input topic', labelNames: ['topic'], registers }),
    deadLettered: new Counter({ name: 'mailscore_ingest_dead_lettered_total', help: 'Records sent to the dead-letter topic, by error code', labelNames: ['code'], registers }),
    skipped: new Counter({ name: 'mailscore_ingest_skipped_total', help: 'Invalid records dropped under the SKIP policy, by error code', labelNames: ['code'], registers }),
    fieldsCut: new Counter({ name: 'mailscore_ingest_fields_cut_total', help: 'Event fields cut or lists shortened to their caps (schemas/limits.ts), by field', labelNames: ['field'], registers }),
    batchSize: new Histogram({ name: 'mailscore_ingest_batch_events', help: 'Events handed to the pipeline per batch', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers }),
    handlerSeconds: new Histogram({ name: 'mailscore_ingest_batch_seconds', help: 'Time from a batch handed over to all its results durable', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    decodeSeconds: new Counter({ name: 'mailscore_ingest_decode_seconds_total', help: 'Main-thread time spent decoding and validating events', registers }),
    lag: new Gauge({ name: 'mailscore_ingest_consumer_lag_records', help: 'High watermark minus committed offset, per partition', labelNames: ['topic', 'partition'], registers }),
    paused: new Gauge({ name: 'mailscore_ingest_paused', help: '1 while fetching is paused because a downstream stage is behind', registers }),
  };
}
