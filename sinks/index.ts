// Sinks: PostgreSQL through COPY (the durable record of every score) and the alert topic.
import type { Pool } from 'pg';
import { createCopyWriter } from './postgres/copy.ts';
import { maintainPartitions, type PartitionPlan } from './postgres/partitions.ts';
import { migrate } from './postgres/migrate.ts';
import type { SinkMetrics } from './metrics.ts';

export { createSinkMetrics, type SinkMetrics } from './metrics.ts';
export { createAlertPublisher, alertId, ALERT_ID_HEADER, type AlertPublisher } from './alerts/producer.ts';
export { FailureKind, isSocketOutage, SinkError, sqlStateKind } from './errors.ts';
export { partitionName, type PartitionPlan, type MaintenanceReport } from './postgres/partitions.ts';
export { quoteIdentifier } from './postgres/migrate.ts';
export { WriteMode, type WriteReport } from './postgres/copy.ts';

export function createPostgresSink(pool: Pool, plan: PartitionPlan, metrics: SinkMetrics) {
  const writer = createCopyWriter(pool, metrics);
  return {
    migrate: (schema: string) => migrate(pool, schema),
    maintainPartitions: async (nowMs = Date.now()) => {
      const report = await maintainPartitions(pool, plan, nowMs);
      metrics.partitionsMaintained(report.daysAhead, nowMs);
      return report;
    },
    write: writer.write,
    /**
     * Daily partitions for every day from `fromMs` to `toMs` (UTC) that is still inside the
     * retention period, created the way maintenance creates them (moving the default partition's
     * rows for those days in). `mailscore replay` calls it before writing old days.
     */
    ensureDailyPartitions: async (fromMs: number, toMs: number, nowMs = Date.now()) => {
      const day = 86_400_000;
      const today = Math.floor(nowMs / day);
      // Nothing older than the retention period (maintenance would drop it again) and nothing
      // past the premade days (those rows go to the default partition, as in the live pipeline).
      const first = Math.max(Math.floor(fromMs / day), today - plan.retentionDays);
      const last = Math.min(Math.floor(toMs / day), today + plan.premakeDays);
      if (last < first) return [];
      // Maintenance as if run on the day after `first` (never later than today, so that it drops
      // nothing today's maintenance keeps): it creates from the day before its today to
      // premakeDays after it.
      const runDay = Math.min(first + 1, today);
      const report = await maintainPartitions(pool, { premakeDays: last - runDay, retentionDays: plan.retentionDays }, runDay * day);
      return report.created;
    },
  };
}
export type PostgresSink = ReturnType<typeof createPostgresSink>;
