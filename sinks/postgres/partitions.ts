// Daily partitions of email_scores: created ahead of time, created on demand by the write path for
// a day that has none, dropped after the retention period. Creating a partition moves any rows the
// default partition holds for that day into it, so the default partition never blocks a new day
// and never keeps rows that have a home.
//
// The window of storable days. A row is stored only when its received_at falls on a day from
// today − RETENTION_DAYS (the oldest day maintenance keeps) to today + PARTITION_MAX_AHEAD_DAYS
// (UTC). Older, it would be stored and then deleted by the next maintenance run without anyone
// knowing; later, a hostile or misclocked received_at could make the write path create a
// partition for every day until 2100 (or fill the default partition, which is never cleaned and
// which every ATTACH PARTITION has to scan). Such a row is refused, row by row, with its own code:
// the pipeline sends it to the dead-letter topic (stage "sink") with the rest of its batch stored.
import type { Pool, PoolClient } from 'pg';
import type { ScoredEmail } from '../../schemas/contracts.ts';
import { FailureKind, postgresError, SinkError } from '../errors.ts';
import { inLockedTransaction } from './transaction.ts';

const DAY_MS = 86_400_000;
const PARTITION_LOCK = 7_311_002;
const PARTITION_NAME = /^email_scores_p(\d{4})(\d{2})(\d{2})$/;
const LIST_PARTITIONS = `SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'email_scores'::regclass`;

/** Days ahead of today a row may be received when PARTITION_MAX_AHEAD_DAYS is not set (never fewer than the premade days). */
export const DEFAULT_MAX_AHEAD_DAYS = 7;

export interface PartitionPlan {
  /** Days ahead of today (UTC) that must have a partition. */
  readonly premakeDays: number;
  /** Days of history kept; older partitions are dropped and older default-partition rows deleted. */
  readonly retentionDays: number;
  /**
   * The last day after today (UTC) a row may be received on: the write path creates partitions up
   * to it and refuses rows past it. Default: DEFAULT_MAX_AHEAD_DAYS or premakeDays, the larger.
   */
  readonly maxAheadDays?: number;
}

/** Codes of the rows the write path refuses for their received_at (SinkError, kind row). */
export const WindowRefusal = {
  /** Older than the retention window: it would be deleted by the next maintenance run. */
  outsideRetention: 'OUTSIDE_RETENTION',
  /** Further ahead than PARTITION_MAX_AHEAD_DAYS: no partition is made that far ahead. */
  tooFarAhead: 'RECEIVED_TOO_FAR_AHEAD',
} as const;
export type WindowRefusal = (typeof WindowRefusal)[keyof typeof WindowRefusal];

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

/** The start (UTC) of the day `ms` falls on. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function dayOfPartition(name: string): number | null {
  const match = PARTITION_NAME.exec(name);
  return match === null ? null : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

const isoDay = (dayMs: number) => new Date(dayMs).toISOString().slice(0, 10);

/** The days rows may be stored on at `nowMs`: the starts (UTC) of the first and the last, inclusive. */
export function storableDays(plan: PartitionPlan, nowMs: number): { readonly first: number; readonly last: number } {
  const today = dayStart(nowMs);
  const ahead = plan.maxAheadDays ?? Math.max(DEFAULT_MAX_AHEAD_DAYS, plan.premakeDays);
  return { first: today - plan.retentionDays * DAY_MS, last: today + ahead * DAY_MS };
}

/** Why a row received at `receivedAtMs` may not be stored at `nowMs`, or null when it may. */
export function windowRefusal(plan: PartitionPlan, receivedAtMs: number, nowMs: number): SinkError | null {
  const { first, last } = storableDays(plan, nowMs);
  const day = dayStart(receivedAtMs);
  const at = new Date(receivedAtMs).toISOString();
  if (day < first) {
    return new SinkError(
      `received_at ${at} is older than the retention window (RETENTION_DAYS=${plan.retentionDays}: the oldest day kept is ${isoDay(first)}); ` +
      'stored, it would be deleted by the next partition maintenance', WindowRefusal.outsideRetention, FailureKind.row);
  }
  if (day > last) {
    return new SinkError(
      `received_at ${at} is more than ${(last - dayStart(nowMs)) / DAY_MS} days after today (${isoDay(dayStart(nowMs))} UTC; PARTITION_MAX_AHEAD_DAYS): ` +
      'no partition is made that far ahead; check the clock of the MTA that sent it', WindowRefusal.tooFarAhead, FailureKind.row);
  }
  return null;
}

/** How many consecutive days after the day of `nowMs` (UTC) have a daily partition among `names`. */
export function consecutiveDaysAhead(names: ReadonlySet<string>, nowMs: number): number {
  const today = dayStart(nowMs);
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

async function listPartitions(client: Pool | PoolClient): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(LIST_PARTITIONS);
  return new Set(rows.map((r) => r.name));
}

/**
 * Creates the partition of each of `days` (day starts, UTC) that `existing` lacks, moving the
 * default partition's rows for that day into it. Called holding PARTITION_LOCK; adds what it
 * creates to `existing`.
 */
async function createDays(client: PoolClient, days: Iterable<number>, existing: Set<string>): Promise<{ created: string[]; moved: number }> {
  const created: string[] = [];
  let moved = 0;
  for (const day of days) {
    const name = partitionName(day);
    if (existing.has(name)) continue;
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY_MS).toISOString();
    await client.query(`CREATE TABLE ${name} (LIKE email_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const result = await client.query(
      `WITH moved AS (DELETE FROM email_scores_default WHERE received_at >= $1 AND received_at < $2 RETURNING *)
       INSERT INTO ${name} SELECT * FROM moved`,
      [from, to],
    );
    await client.query(`ALTER TABLE email_scores ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
    existing.add(name);
    created.push(name);
    moved += result.rowCount ?? 0;
  }
  return { created, moved };
}

/** A maintenance run, and the partitions that exist when it is done. */
async function maintain(pool: Pool, plan: PartitionPlan, nowMs: number): Promise<{ report: MaintenanceReport; names: Set<string> }> {
  const today = dayStart(nowMs);
  const oldestKept = today - plan.retentionDays * DAY_MS;
  return inLockedTransaction(pool, PARTITION_LOCK, 'maintaining email_scores partitions', async (client) => {
    const names = await listPartitions(client);
    const premade: number[] = [];
    for (let day = Math.max(today - DAY_MS, oldestKept); day <= today + plan.premakeDays * DAY_MS; day += DAY_MS) premade.push(day);
    const { created, moved } = await createDays(client, premade, names);

    const dropped: string[] = [];
    for (const name of [...names]) {
      const day = dayOfPartition(name);
      if (day !== null && day + DAY_MS <= oldestKept) {
        await client.query(`DROP TABLE ${name}`);
        names.delete(name);
        dropped.push(name);
      }
    }
    const deleted = await client.query('DELETE FROM email_scores_default WHERE received_at < $1', [new Date(oldestKept).toISOString()]);
    const report = { created, dropped, movedFromDefault: moved, deletedFromDefault: deleted.rowCount ?? 0, daysAhead: consecutiveDaysAhead(names, nowMs) };
    return { report, names };
  });
}

export async function maintainPartitions(pool: Pool, plan: PartitionPlan, nowMs = Date.now()): Promise<MaintenanceReport> {
  return (await maintain(pool, plan, nowMs)).report;
}

/**
 * Makes sure each of `days` (any instants; their UTC days count) inside the window of storable
 * days has its daily partition, creating the missing ones under the lock maintenance takes, so
 * that instances creating the same day at the same moment take turns and the second finds it
 * made. Days outside the window are left alone. Returns the partitions it created.
 */
export async function ensureDailyPartitions(pool: Pool, plan: PartitionPlan, days: Iterable<number>, nowMs = Date.now()): Promise<string[]> {
  return (await ensureDays(pool, plan, days, nowMs)).created;
}

async function ensureDays(pool: Pool, plan: PartitionPlan, days: Iterable<number>, nowMs: number): Promise<{ created: string[]; names: Set<string> }> {
  const { first, last } = storableDays(plan, nowMs);
  const wanted = [...new Set([...days].map(dayStart))].filter((day) => day >= first && day <= last).sort((a, b) => a - b);
  // A look without the lock first: a day another instance made needs no turn at the lock, which
  // maintenance may hold for as long as it takes to move rows out of the default partition.
  const seen = await listPartitions(pool).catch((err: unknown) => { throw postgresError(err, 'listing email_scores partitions'); });
  if (wanted.every((day) => seen.has(partitionName(day)))) return { created: [], names: seen };
  return inLockedTransaction(pool, PARTITION_LOCK, 'creating email_scores partitions', async (client) => {
    const names = await listPartitions(client);
    const { created } = await createDays(client, wanted, names);
    return { created, names };
  });
}

export interface RefusedRow {
  readonly row: ScoredEmail;
  readonly error: SinkError;
}

/**
 * The write path's side of partitioning: splits a batch into rows it may store and rows it
 * refuses for their received_at, and makes sure the days of the stored ones have a partition.
 * The days known to have one are remembered, so a batch whose days are all known costs no query;
 * only days inside the window are remembered, so the memory is bounded by the window.
 */
export function createPartitionKeeper(pool: Pool, plan: PartitionPlan, clock: () => number = Date.now) {
  const known = new Set<number>();

  function remember(names: Iterable<string>, nowMs: number): void {
    const { first, last } = storableDays(plan, nowMs);
    for (const day of known) if (day < first) known.delete(day);
    for (const name of names) {
      const day = dayOfPartition(name);
      if (day !== null && day >= first && day <= last) known.add(day);
    }
  }

  return {
    /** Rows whose received_at may be stored, and the others with the reason each is refused. */
    admit(rows: readonly ScoredEmail[]): { storable: ScoredEmail[]; refused: RefusedRow[] } {
      const nowMs = clock();
      const storable: ScoredEmail[] = [];
      const refused: RefusedRow[] = [];
      for (const row of rows) {
        const error = windowRefusal(plan, row.receivedAtMs, nowMs);
        if (error === null) storable.push(row);
        else refused.push({ row, error });
      }
      return { storable, refused };
    },
    /** Creates the partitions the days of `rows` lack; no query when every day is known to have one. */
    async ensure(rows: readonly ScoredEmail[]): Promise<string[]> {
      const days = new Set<number>();
      for (const row of rows) {
        const day = dayStart(row.receivedAtMs);
        if (!known.has(day)) days.add(day);
      }
      if (days.size === 0) return [];
      const nowMs = clock();
      const { created, names } = await ensureDays(pool, plan, days, nowMs);
      remember(names, nowMs);
      return created;
    },
    /** A maintenance run in this process, which also refreshes what is known. */
    async maintain(nowMs = clock()): Promise<MaintenanceReport> {
      const { report, names } = await maintain(pool, plan, nowMs);
      // Dropped days may have been remembered: start again from what exists.
      known.clear();
      remember(names, nowMs);
      return report;
    },
  };
}
export type PartitionKeeper = ReturnType<typeof createPartitionKeeper>;
