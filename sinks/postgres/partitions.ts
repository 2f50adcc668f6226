// Daily partitions of email_scores: created ahead of time, dropped after the retention period.
// Creating a partition moves any rows the default partition holds for that day into it, so the
// default partition never blocks a new day and never keeps rows that have a home.
import type { Pool } from 'pg';
import { inLockedTransaction } from './transaction.ts';

const DAY_MS = 86_400_000;
const PARTITION_LOCK = 7_311_002;
const PARTITION_NAME = /^email_scores_p(\d{4})(\d{2})(\d{2})$/;

export interface PartitionPlan {
  /** Days ahead of today (UTC) that must have a partition. */
  readonly premakeDays: number;
  /** Days of history kept; older partitions are dropped and older default-partition rows deleted. */
  readonly retentionDays: number;
}

export interface MaintenanceReport {
  readonly created: string[];
  readonly dropped: string[];
  readonly movedFromDefault: number;
  readonly deletedFromDefault: number;
  /** Consecutive days after today (UTC) that have a partition once the run is done. */
  readonly daysAhead: number;
}

export function partitionName(dayStartMs: number): string {
  return `email_scores_p${new Date(dayStartMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** How many consecutive days after the day of `nowMs` (UTC) have a daily partition among `names`. */
export function consecutiveDaysAhead(names: ReadonlySet<string>, nowMs: number): number {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  let days = 0;
  while (names.has(partitionName(today + (days + 1) * DAY_MS))) days++;
  return days;
}

/**
 * `daysAhead` as found by a run on the day of `runMs`, on the day of `nowMs`: every day that has
 * passed since without another run used one up. Partitions ahead are only ever made by a run, so
 * this is what exists, and it reaches 0 when runs keep failing.
 */
export function daysAheadSince(daysAhead: number, runMs: number, nowMs: number): number {
  const passed = Math.floor(nowMs / DAY_MS) - Math.floor(runMs / DAY_MS);
  return Math.max(0, daysAhead - Math.max(0, passed));
}

export async function maintainPartitions(pool: Pool, plan: PartitionPlan, nowMs = Date.now()): Promise<MaintenanceReport> {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const oldestKept = today - plan.retentionDays * DAY_MS;
  return inLockedTransaction(pool, PARTITION_LOCK, 'maintaining email_scores partitions', async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'email_scores'::regclass`,
    );
    const existing = new Set(rows.map((r) => r.name));
    const created: string[] = [];
    const dropped: string[] = [];
    let movedFromDefault = 0;

    for (let day = Math.max(today - DAY_MS, oldestKept); day <= today + plan.premakeDays * DAY_MS; day += DAY_MS) {
      const name = partitionName(day);
      if (existing.has(name)) continue;
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      await client.query(`CREATE TABLE ${name} (LIKE email_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      const moved = await client.query(
        `WITH moved AS (DELETE FROM email_scores_default WHERE received_at >= $1 AND received_at < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await client.query(`ALTER TABLE email_scores ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
      created.push(name);
      movedFromDefault += moved.rowCount ?? 0;
    }

    for (const name of existing) {
      const match = PARTITION_NAME.exec(name);
      if (match === null) continue;
      const dayEnd = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + DAY_MS;
      if (dayEnd <= oldestKept) {
        await client.query(`DROP TABLE ${name}`);
        dropped.push(name);
      }
    }
    const deleted = await client.query('DELETE FROM email_scores_default WHERE received_at < $1', [new Date(oldestKept).toISOString()]);
    const now = new Set([...existing, ...created].filter((name) => !dropped.includes(name)));
    return { created, dropped, movedFromDefault, deletedFromDefault: deleted.rowCount ?? 0, daysAhead: consecutiveDaysAhead(now, nowMs) };
  });
}
