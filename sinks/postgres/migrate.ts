// Applies schemas/sql/*.sql in name order. Every file is idempotent; an advisory lock keeps
// instances that start together from racing.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { inLockedTransaction } from './transaction.ts';

const SQL_DIRECTORY = new URL('../../schemas/sql/', import.meta.url).pathname;
const MIGRATION_LOCK = 7_311_001;

export async function migrate(pool: Pool, schema: string): Promise<string[]> {
  const files = (await readdir(SQL_DIRECTORY)).filter((f) => f.endsWith('.sql')).sort();
  return inLockedTransaction(pool, MIGRATION_LOCK, 'applying schemas/sql', async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    for (const file of files) await client.query(await readFile(join(SQL_DIRECTORY, file), 'utf8'));
    return files;
  });
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
