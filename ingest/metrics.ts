import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  readonly received: Counter<'topic'>;
  readonly deadLettered: Counter<'code'>;
  readonly skipped: Counter<'code'>;
  readonly fieldsCut: Counter<'field'>;
  readonly batchSize: Histogram;
  readonly handlerSeconds: Histogram;
  readonly decodeSeconds: Counter;
  readonly lastCommittedTimestamp: Gauge<'topic' | 'partition'>;
  readonly rebalances: Counter;
  readonly assignedPartitions: Gauge<'topic'>;
  readonly commitFailures: Counter;
  readonly paused: Gauge;
  readonly framed: Counter;
  readonly schemaLookups: Counter<'outcome'>;
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
    // Consumer lag is not measured here: a consumer that stalls or dies cannot report its own lag.
    // The lag exporter reads it from the broker (kafka_consumergroup_lag*).
    lastCommittedTimestamp: new Gauge({ name: 'mailscore_ingest_last_committed_record_timestamp_seconds', help: 'Kafka timestamp of the last record this process committed, per partition it holds (Unix seconds)', labelNames: ['topic', 'partition'], registers }),
    rebalances: new Counter({ name: 'mailscore_ingest_rebalances_total', help: 'Times this consumer joined its group: the first join and every rebalance after it', registers }),
    assignedPartitions: new Gauge({ name: 'mailscore_ingest_assigned_partitions', help: 'Partitions of the topic assigned to this consumer at its last group join; 0 once it stopped or crashed', labelNames: ['topic'], registers }),
    commitFailures: new Counter({ name: 'mailscore_ingest_commit_failures_total', help: 'Offset commits that failed (the chunk is not committed and comes again)', registers }),
    paused: new Gauge({ name: 'mailscore_ingest_paused', help: '1 while fetching is paused because a downstream stage is behind', registers }),
    schemaLookups: new Counter({ name: 'mailscore_ingest_schema_lookups_total', help: 'Schema ids of framed events looked up: answered from the cache, or asked of the registry (ours, unknown, wrong, unavailable)', labelNames: ['outcome'], registers }),
    framed: new Counter({ name: 'mailscore_ingest_confluent_framed_events_total', help: 'Records in the Confluent wire format (magic byte, schema id, message indexes) read from the input topic', registers }),
  };
}
