import type { Pool, PoolClient } from 'pg';
import { postgresError } from '../errors.ts';
import { checkout } from './checkout.ts';

/**
 * Runs `work` in one transaction holding a transaction-level advisory lock, so that instances
 * doing the same chore at the same moment take turns. Errors come out as SinkError.
 */
export async function inLockedTransaction<T>(pool: Pool, lock: number, what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkout(pool, what);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    const failed = postgresError(err, what);
    await client.query('ROLLBACK').catch(() => undefined);
    // A connection that failed mid-protocol is not handed out again.
    release(failed.retriable);
    throw failed;
  } finally {
    release();
  }
}
