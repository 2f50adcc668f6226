// requires-services: PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createPostgresSink, createSinkMetrics, partitionName, SinkError } from '../index.ts';
import type { ScoredEmail } from '../../schemas/contracts.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 15, 30);

async function freshSchema(t: { after: (fn: () => Promise<void>) => void }) {
  const schema = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailscore';
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  t.after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });
  const sink = createPostgresSink(pool, { premakeDays: 2, retentionDays: 7 }, createSinkMetrics(new Registry()));
  await sink.migrate(schema);
  return { pool, sink, schema };
}

function row(messageId: string, receivedAtMs: number, overrides: Partial<ScoredEmail> = {}): ScoredEmail {
  return {
    tenantId: 'acme', messageId, receivedAtMs, scoredAtMs: NOW, riskScore: 12, verdict: 'clean', modelProbability: 0.12,
    modelVersion: 'test', reasons: [{ code: 'model.spam_probability', points: 12 }], explanations: [], shadow: null, mailFrom: 'a@b.example', fromAddress: 'a@b.example',
    subject: 'tab\there, newline\nthere, backslash \\ too', alert: false, source: { topic: 'in', partition: 0, offset: '1' }, ...overrides,
  };
}

const partitions = async (pool: pg.Pool) =>
  (await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'email_scores'::regclass ORDER BY 1`)).rows.map((r) => r.name);

test('daily partitions are created ahead, rows outside them land in the default partition and move out later', async (t) => {
  const { pool, sink } = await freshSchema(t);
  const report = await sink.maintainPartitions(NOW);
  const today = Math.floor(NOW / DAY) * DAY;
  assert.deepEqual(report.created, [-1, 0, 1, 2].map((d) => partitionName(today + d * DAY)));
  assert.deepEqual(await partitions(pool), ['email_scores_default', ...report.created].sort());

  // Ten days ahead has no partition yet: the row must not fail the batch.
  const future = today + 10 * DAY + 3_600_000;
  const written = await sink.write([row('<now@x>', NOW), row('<future@x>', future)]);
  assert.deepEqual(written, { inserted: 2, duplicates: 0 });
  const where = async (id: string) => (await pool.query<{ t: string }>(`SELECT tableoid::regclass::text AS t FROM email_scores WHERE message_id = $1`, [id])).rows[0]!.t;
  assert.equal(await where('<future@x>'), 'email_scores_default');
  assert.equal(await where('<now@x>'), partitionName(today));

  // Eight days later the future row's day gets its partition and the row moves into it.
  const later = await sink.maintainPartitions(NOW + 8 * DAY);
  assert.equal(later.movedFromDefault, 1);
  assert.equal(await where('<future@x>'), partitionName(today + 10 * DAY));
  // ...and the retention of 7 days dropped the partitions of the first run.
  assert.ok(later.dropped.includes(partitionName(today - DAY)) && later.dropped.includes(partitionName(today)));
  assert.equal((await pool.query('SELECT 1 FROM email_scores WHERE message_id = $1', ['<now@x>'])).rowCount, 0);
});

test('writing the same rows again adds nothing, and text survives COPY escaping', async (t) => {
  const { pool, sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  const rows = Array.from({ length: 300 }, (_, i) => row(`<m${i}@x>`, NOW - i * 1000));
  assert.deepEqual(await sink.write(rows), { inserted: 300, duplicates: 0 });
  // A redelivered batch overlapping the first, with a duplicate inside itself.
  const again = [...rows.slice(250), row('<new@x>', NOW), row('<new@x>', NOW)];
  assert.deepEqual(await sink.write(again), { inserted: 1, duplicates: 51 });
  const { rows: [stats] } = await pool.query<{ n: string; subject: string }>(`SELECT count(*) AS n, min(subject) AS subject FROM email_scores`);
  assert.equal(stats!.n, '301');
  assert.equal(stats!.subject, 'tab\there, newline\nthere, backslash \\ too');
});

test('a row PostgreSQL can never take is a typed, non-retriable error', async (t) => {
  const { sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  await assert.rejects(sink.write([row('<bad@x>', NOW, { riskScore: 101 })]), (err: unknown) => {
    assert.ok(err instanceof SinkError);
    assert.equal(err.code, 'PG_23514');
    assert.equal(err.retriable, false);
    return true;
  });
});
