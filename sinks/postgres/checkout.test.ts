// requires-services: PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { checkout } from './checkout.ts';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailscore';

test('a checked-out client whose connection the server ends between two queries fails its next query, not the process', async (t) => {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  t.after(async () => { await pool.end(); await admin.end(); });

  const { client, release } = await checkout(pool, 'testing');
  const { pid } = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
  // What a server shutdown does to every connection: FATAL 57P01, here while no query is active.
  // Without a listener on the checked-out client that 'error' event would end this process.
  assert.equal((await admin.query('SELECT pg_terminate_backend($1) AS done', [pid])).rows[0].done, true);
  // The backend sends its FATAL before it exits: once it is gone, the message is on our socket.
  while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount !== 0) await sleep(20);
  await sleep(100);
  await assert.rejects(client.query('SELECT 1'));
  release();

  // The ended client was discarded: the pool's next client is a new, working connection.
  const next = await checkout(pool, 'testing');
  try {
    const { pid: nextPid } = (await next.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
    assert.notEqual(nextPid, pid);
  } finally {
    next.release();
  }
});
