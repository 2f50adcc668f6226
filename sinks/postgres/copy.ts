// Writes scored emails with one COPY per batch, all or nothing.
//
// No duplicates on redelivery: rows are COPYed into a per-connection temporary staging table,
// then moved with INSERT ... ON CONFLICT DO NOTHING on the primary key (tenant_id, message_id,
// received_at), in one transaction. A record delivered twice (crash before the offset commit,
// rebalance, replay) finds its row already there and adds nothing.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ScoredEmail } from '../../schemas/contracts.ts';
import { postgresError } from '../errors.ts';
import { checkout } from './checkout.ts';
import { COPY_COLUMNS, toCopyLine } from './rows.ts';
import type { SinkMetrics } from '../metrics.ts';

const STAGING_TABLE = 'email_scores_stage';
const COLUMN_LIST = COPY_COLUMNS.join(', ');

export interface WriteReport {
  readonly inserted: number;
  readonly duplicates: number;
}

export function createCopyWriter(pool: Pool, metrics: SinkMetrics) {
  const staged = new WeakSet<PoolClient>();

  async function write(rows: readonly ScoredEmail[]): Promise<WriteReport> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    const endTimer = metrics.copySeconds.startTimer();
    const { client, release } = await checkout(pool, 'connecting to write email_scores');
    let broken = false;
    try {
      if (!staged.has(client)) {
        await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (LIKE email_scores INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
        staged.add(client);
      }
      await client.query('BEGIN');
      let payload = '';
      for (const row of rows) payload += toCopyLine(row);
      await pipeline(Readable.from([payload]), client.query(copyFrom(`COPY ${STAGING_TABLE} (${COLUMN_LIST}) FROM STDIN`)));
      const moved = await client.query(
        `INSERT INTO email_scores (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${STAGING_TABLE} ON CONFLICT DO NOTHING`,
      );
      await client.query('COMMIT');
      const inserted = moved.rowCount ?? 0;
      metrics.rowsWritten.inc(inserted);
      metrics.duplicates.inc(rows.length - inserted);
      metrics.batchRows.observe(rows.length);
      return { inserted, duplicates: rows.length - inserted };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      const error = postgresError(err, `writing ${rows.length} rows to email_scores`);
      // A connection that failed mid-protocol is not handed out again.
      if (error.retriable) broken = true;
      throw error;
    } finally {
      release(broken);
      endTimer();
    }
  }

  return { write };
}
