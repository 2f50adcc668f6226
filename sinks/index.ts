// Sinks: PostgreSQL through COPY (the durable record of every score) and the alert topic.
import type { Pool } from 'pg';
import type { ScoredEmail } from '../schemas/contracts.ts';
import { createCopyWriter, WriteMode, type WriteReport } from './postgres/copy.ts';
import { createPartitionKeeper, type PartitionPlan, type RefusedRow } from './postgres/partitions.ts';
import { migrate } from './postgres/migrate.ts';
import type { SinkMetrics } from './metrics.ts';

export { createSinkMetrics, type SinkMetrics } from './metrics.ts';
export { createAlertPublisher, alertId, ALERT_ID_HEADER, type AlertPublisher } from './alerts/producer.ts';
export { FailureKind, isSocketOutage, SinkError, sqlStateKind } from './errors.ts';
export {
  DEFAULT_MAX_AHEAD_DAYS, ensureDailyPartitions, partitionName, storableDays, windowRefusal, WindowRefusal,
  type PartitionPlan, type MaintenanceReport, type RefusedRow,
} from './postgres/partitions.ts';
export { quoteIdentifier } from './postgres/migrate.ts';
export { WriteMode, type WriteReport } from './postgres/copy.ts';

export interface SinkWriteReport extends WriteReport {
  /** Rows not written because of their received_at (outside the window of storable days); the others were. */
  readonly refused: readonly RefusedRow[];
}

/** `clock` says what "today" is for the window of storable days (tests set it). */
export function createPostgresSink(pool: Pool, plan: PartitionPlan, metrics: SinkMetrics, clock: () => number = Date.now) {
  const writer = createCopyWriter(pool, metrics);
  const partitions = createPartitionKeeper(pool, plan, clock);
  return {
    migrate: (schema: string) => migrate(pool, schema),
    maintainPartitions: async (nowMs = clock()) => {
      const report = await partitions.maintain(nowMs);
      metrics.partitionsCreated.inc({ by: 'maintenance' }, report.created.length);
      metrics.partitionsMaintained(report.daysAhead, nowMs);
      return report;
    },
    /**
     * Stores the rows whose received_at falls inside the window of storable days, creating the
     * daily partitions they need first, all or nothing; refuses the others (see partitions.ts).
     */
    async write(rows: readonly ScoredEmail[], mode: WriteMode = WriteMode.fill): Promise<SinkWriteReport> {
      const { storable, refused } = partitions.admit(rows);
      // In its own short transaction before the COPY's: the partition lock, and the lock ATTACH
      // takes on the default partition, are held for the creation only, never for a whole COPY.
      const created = await partitions.ensure(storable);
      if (created.length > 0) metrics.partitionsCreated.inc({ by: 'write' }, created.length);
      const report = await writer.write(storable, mode);
      return { ...report, refused };
    },
  };
}
export type PostgresSink = ReturnType<typeof createPostgresSink>;
