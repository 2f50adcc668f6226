// Applies schemas/sql/*.sql in name order. Every file is idempotent; an advisory lock keeps
// instances that start together from racing.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { postgresError } from '../errors.ts';

const SQL_DIRECTORY = new URL('../../schemas/sql/', import.meta.url).pathname;
const MIGRATION_LOCK = 7_311_001;

export async function migrate(pool: Pool, schema: string): Promise<string[]> {
  const files = (await readdir(SQL_DIRECTORY)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    for (const file of files) await client.query(await readFile(join(SQL_DIRECTORY, file), 'utf8'));
    await client.query('COMMIT');
    return files;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw postgresError(err, 'applying schemas/sql');
  } finally {
    client.release();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
