import type { Pool, PoolClient } from 'pg';
import { postgresError } from '../errors.ts';

/**
 * Runs `work` in one transaction holding a transaction-level advisory lock, so that instances
 * doing the same chore at the same moment take turns. Errors come out as SinkError.
 */
export async function inLockedTransaction<T>(pool: Pool, lock: number, what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => { throw postgresError(err, what); });
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw postgresError(err, what);
  } finally {
    client.release();
  }
}
