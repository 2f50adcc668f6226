// Writes scored emails with one COPY per batch, all or nothing.
//
// No duplicates on redelivery: rows are COPYed into a per-connection temporary staging table,
// then moved with INSERT ... ON CONFLICT DO NOTHING on the primary key (tenant_id, message_id,
// received_at), in one transaction. A record delivered twice (crash before the offset commit,
// rebalance, replay) finds its row already there and adds nothing.
//
// A rescore (`mailscore replay rescore`) writes differently: a stored row whose model_version
// differs from the new score's is copied to email_scores_previous and updated in place, in the
// same transaction; a row with the same version is left alone (rescoring twice changes nothing);
// a missing row is inserted as above. The key never changes, so there is still one row per message.
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
const KEY_COLUMNS = ['tenant_id', 'message_id', 'received_at'] as const;
/** What a rescore replaces: everything but the key. stored_at stays: when the message was first stored. */
const REPLACED_COLUMNS = COPY_COLUMNS.filter((c) => !(KEY_COLUMNS as readonly string[]).includes(c));
const SAME_KEY = KEY_COLUMNS.map((c) => `e.${c} = s.${c}`).join(' AND ');
/**
 * The staged rows, one per key: a chunk can hold one message twice (an MTA that sent it twice),
 * and the replaced row must be saved once and updated from one of them, as the insert keeps one.
 */
const ONE_PER_KEY = `(SELECT DISTINCT ON (${KEY_COLUMNS.join(', ')}) * FROM ${STAGING_TABLE})`;
/** The columns of email_scores_previous taken from the replaced row. */
const PREVIOUS_COLUMNS = [
  'tenant_id', 'message_id', 'received_at', 'model_version', 'model_probability', 'risk_score', 'verdict', 'reasons', 'explanations', 'alerted',
  'shadow_model_version', 'shadow_probability', 'shadow_risk_score', 'shadow_verdict', 'text_escaped', 'scored_at',
] as const;

export const WriteMode = {
  /** Store what is missing; a stored row is never touched (the live pipeline, `replay fill`). */
  fill: 'fill',
  /** Also replace a stored row scored by another model version, keeping it in email_scores_previous. */
  rescore: 'rescore',
} as const;
export type WriteMode = (typeof WriteMode)[keyof typeof WriteMode];

export interface WriteReport {
  readonly inserted: number;
  readonly duplicates: number;
  /** Rows rescored in place (present in rescore mode only); counted in neither inserted nor duplicates. */
  readonly replaced?: number;
}

export function createCopyWriter(pool: Pool, metrics: SinkMetrics) {
  const staged = new WeakSet<PoolClient>();

  async function write(rows: readonly ScoredEmail[], mode: WriteMode = WriteMode.fill): Promise<WriteReport> {
    if (rows.length === 0) return mode === WriteMode.rescore ? { inserted: 0, duplicates: 0, replaced: 0 } : { inserted: 0, duplicates: 0 };
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
      let replaced = 0;
      if (mode === WriteMode.rescore) {
        // Locked first, so that the row saved is the row updated.
        await client.query(
          `INSERT INTO email_scores_previous (${PREVIOUS_COLUMNS.join(', ')}, replaced_by_version)
           SELECT ${PREVIOUS_COLUMNS.map((c) => `e.${c}`).join(', ')}, s.model_version
             FROM email_scores e JOIN ${ONE_PER_KEY} s ON ${SAME_KEY}
            WHERE e.model_version <> s.model_version
              FOR UPDATE OF e`,
        );
        const updated = await client.query(
          `UPDATE email_scores e SET ${REPLACED_COLUMNS.map((c) => `${c} = s.${c}`).join(', ')}
             FROM ${ONE_PER_KEY} s
            WHERE ${SAME_KEY} AND e.model_version <> s.model_version`,
        );
        replaced = updated.rowCount ?? 0;
      }
      const moved = await client.query(
        `INSERT INTO email_scores (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${STAGING_TABLE} ON CONFLICT DO NOTHING`,
      );
      await client.query('COMMIT');
      const inserted = moved.rowCount ?? 0;
      metrics.rowsWritten.inc(inserted);
      metrics.duplicates.inc(rows.length - inserted - replaced);
      metrics.batchRows.observe(rows.length);
      const duplicates = rows.length - inserted - replaced;
      return mode === WriteMode.rescore ? { inserted, duplicates, replaced } : { inserted, duplicates };
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
