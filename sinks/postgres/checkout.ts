import type { Pool, PoolClient } from 'pg';
import { postgresError } from '../errors.ts';

export interface CheckedOut {
  readonly client: PoolClient;
  /** Back to the pool; a client that failed mid-protocol or saw the server end it is discarded. */
  release(broken?: boolean): void;
}

/**
 * A client taken from the pool, listened to for errors for as long as it is out. pg-pool drops its
 * own listener at checkout, so a server that ends the connection between two of our queries (a
 * shutdown or restart: 57P01) would emit an unhandled 'error' and end the process; instead the next
 * query fails as in any outage, and the client is discarded on release.
 */
export async function checkout(pool: Pool, what: string): Promise<CheckedOut> {
  const client = await pool.connect().catch((err: unknown) => { throw postgresError(err, what); });
  let ended = false;
  const onError = () => { ended = true; };
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(broken = false) {
      if (released) return;
      released = true;
      client.off('error', onError);
      client.release(broken || ended);
    },
  };
}
