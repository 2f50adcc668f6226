import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { daysAheadSince } from './postgres/partitions.ts';

export interface SinkMetrics {
  readonly copySeconds: Histogram;
  readonly rowsWritten: Counter;
  readonly duplicates: Counter;
  readonly batchRows: Histogram;
  readonly alertsPublished: Counter;
  readonly alertSeconds: Histogram;
  /** Daily partitions of email_scores this process created, by="maintenance" or by="write" (a day a batch needed). */
  readonly partitionsCreated: Counter<'by'>;
  /** A partition maintenance run at `runMs` left `daysAhead` days after that day with a partition. */
  partitionsMaintained(daysAhead: number, runMs: number): void;
}

export function createSinkMetrics(registry: Registry): SinkMetrics {
  const registers = [registry];
  let lastRun: { daysAhead: number; runMs: number } | undefined;
  const partitionDaysAhead = new Gauge({
    name: 'mailscore_sink_partition_days_ahead',
    help: 'Consecutive days after today (UTC) with a daily partition of email_scores, as of the last maintenance run, less the days passed since (0: no partition for tomorrow)',
    // Registered at the first run: before it, 0 would claim that no partition exists.
    registers: [],
    // Worked out at each scrape, so that it falls at midnight when maintenance keeps failing.
    collect() {
      if (lastRun !== undefined) this.set(daysAheadSince(lastRun.daysAhead, lastRun.runMs, Date.now()));
    },
  });
  return {
    partitionsMaintained(daysAhead, runMs) {
      if (lastRun === undefined) registry.registerMetric(partitionDaysAhead);
      lastRun = { daysAhead, runMs };
    },
    copySeconds: new Histogram({ name: 'mailscore_sink_copy_seconds', help: 'One COPY batch into email_scores, commit included', buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
    rowsWritten: new Counter({ name: 'mailscore_sink_rows_written_total', help: 'Rows inserted into email_scores', registers }),
    duplicates: new Counter({ name: 'mailscore_sink_duplicate_rows_total', help: 'Redelivered rows that were already in email_scores', registers }),
    batchRows: new Histogram({ name: 'mailscore_sink_batch_rows', help: 'Rows per COPY', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers }),
    partitionsCreated: new Counter({ name: 'mailscore_sink_partitions_created_total', help: 'Daily partitions of email_scores created by this process: by maintenance (premade days) or by the write path (a day a batch needed)', labelNames: ['by'], registers }),
    alertsPublished: new Counter({ name: 'mailscore_sink_alerts_published_total', help: 'Alerts published to the alert topic', registers }),
    alertSeconds: new Histogram({ name: 'mailscore_sink_alert_publish_seconds', help: 'Publishing one batch of alerts, broker ack included', buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers }),
  };
}
