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
export type { WriteReport } from './postgres/copy.ts';

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
  };
}
export type PostgresSink = ReturnType<typeof createPostgresSink>;
