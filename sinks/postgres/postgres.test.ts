// requires-services: PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createPostgresSink, createSinkMetrics, partitionName, SinkError } from '../index.ts';
import { unescapeStoredJson, unescapeStoredText } from './rows.ts';
import { consecutiveDaysAhead, daysAheadSince } from './partitions.ts';
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
  const registry = new Registry();
  const sink = createPostgresSink(pool, { premakeDays: 2, retentionDays: 7 }, createSinkMetrics(registry));
  await sink.migrate(schema);
  return { pool, sink, schema, registry };
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
  assert.equal(report.daysAhead, 2);
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

test('mailscore_sink_partition_days_ahead: absent before the first maintenance run, then the days made ahead of today', async (t) => {
  const { pool, sink, registry } = await freshSchema(t);
  const gauge = async () => (await registry.getMetricsAsJSON()).find((m) => m.name === 'mailscore_sink_partition_days_ahead')?.values[0]?.value;
  assert.equal(await gauge(), undefined, 'no value is better than a 0 that claims no partition exists');
  const report = await sink.maintainPartitions();
  assert.equal(report.daysAhead, 2);
  assert.equal(await gauge(), 2, 'PARTITION_PREMAKE_DAYS of this sink');
  // Tomorrow's partition gone (by hand): the next run makes it again, and says so.
  const tomorrow = partitionName(Math.floor(Date.now() / DAY) * DAY + DAY);
  await pool.query(`DROP TABLE ${tomorrow}`);
  const again = await sink.maintainPartitions();
  assert.deepEqual(again.created, [tomorrow]);
  assert.equal(again.daysAhead, 2);
  assert.equal(await gauge(), 2);
});

test('days ahead: consecutive days after today only, and used up by the days that pass without a run', () => {
  const today = Math.floor(NOW / DAY) * DAY;
  const names = (days: number[]) => new Set(days.map((d) => partitionName(today + d * DAY)));
  assert.equal(consecutiveDaysAhead(names([-1, 0, 1, 2, 3]), NOW), 3);
  assert.equal(consecutiveDaysAhead(names([0, 1, 3, 4]), NOW), 1, 'a gap ends the run');
  assert.equal(consecutiveDaysAhead(names([0, 2, 3]), NOW), 0, 'no partition for tomorrow');
  assert.equal(consecutiveDaysAhead(new Set(['email_scores_default', ...names([1])]), NOW), 1);
  assert.equal(daysAheadSince(3, NOW, NOW + 3_600_000), 3, 'same day');
  assert.equal(daysAheadSince(3, NOW, today + DAY), 2, 'past midnight one day is used up');
  assert.equal(daysAheadSince(3, NOW, NOW + 10 * DAY), 0, 'never below 0');
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

test('text PostgreSQL cannot hold is stored escaped and flagged, and unescapes to what was sent; clean rows stay verbatim', async (t) => {
  const { pool, sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  const sent = [
    row('<clean@x>', NOW, { subject: 'C:\\temp \\u0000 is text 😀 𝐁𝐨𝐥𝐝' }),
    row('<nul@x>', NOW, {
      subject: 'win\u0000 money \\ now', mailFrom: 'boss\u0000@spam.example', fromAddress: 'ceo\u0000@spam.example',
      reasons: [{ code: 'policy.block_sender', points: 100, detail: 'boss\u0000@spam.example' }],
    }),
    row('<surrogate@x>', NOW, { subject: 'cut emoji \ud83d', explanations: [{ feature: 'n:\udc00\ud835', contribution: 0.5 }] }),
  ];
  assert.deepEqual(await sink.write(sent), { inserted: 3, duplicates: 0 });
  const { rows } = await pool.query<{ message_id: string; text_escaped: boolean; subject: string; mail_from: string; from_address: string; reasons: unknown; explanations: unknown }>(
    `SELECT message_id, text_escaped, subject, mail_from, from_address, reasons, explanations FROM email_scores`);
  const stored = new Map(rows.map((r) => [r.message_id, r]));
  for (const original of sent) {
    const r = stored.get(original.messageId)!;
    assert.equal(r.text_escaped, original.messageId !== '<clean@x>', original.messageId);
    const read = (v: string) => (r.text_escaped ? unescapeStoredText(v) : v);
    const readJson = (v: unknown) => (r.text_escaped ? unescapeStoredJson(v) : v);
    assert.equal(read(r.subject), original.subject);
    assert.equal(read(r.mail_from), original.mailFrom);
    assert.equal(read(r.from_address), original.fromAddress);
    assert.deepEqual(readJson(r.reasons), original.reasons);
    assert.deepEqual(readJson(r.explanations), original.explanations);
  }
  assert.equal(stored.get('<clean@x>')!.subject, 'C:\\temp \\u0000 is text 😀 𝐁𝐨𝐥𝐝');
  assert.equal(stored.get('<surrogate@x>')!.subject, 'cut emoji \\ud83d', 'no U+FFFD');
});

test('a verbatim column that PostgreSQL cannot store refuses its row with a row-level error', async (t) => {
  const { pool, sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  await assert.rejects(sink.write([row('<a\u0000b@x>', NOW)]), (err: unknown) => {
    assert.ok(err instanceof SinkError);
    assert.equal(err.code, 'ROW_TEXT_UNSTORABLE');
    assert.equal(err.retriable, false);
    return true;
  });
  // The connection is still good for the next batch.
  assert.deepEqual(await sink.write([row('<ok@x>', NOW)]), { inserted: 1, duplicates: 0 });
  assert.equal((await pool.query('SELECT 1 FROM email_scores')).rowCount, 1);
});

test('the text_escaped migration reaches the partitioned table and the partitions that already hold rows, and runs again harmlessly', async (t) => {
  const { pool, sink, schema } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  // A database as it was before the column existed, with rows in a daily and the default partition.
  await pool.query('ALTER TABLE email_scores DROP COLUMN text_escaped');
  await pool.query(`INSERT INTO email_scores (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
    SELECT 'acme', m, r, now(), 1, 'clean', 0.01, 'old', '[]', 'a@b', 'a@b', 's', false, 'in', 0, 1 FROM (VALUES ('<old@x>', $1::timestamptz), ('<far@x>', $2::timestamptz)) v(m, r)`,
  [new Date(NOW), new Date(NOW + 100 * DAY)]);
  await sink.migrate(schema);
  await sink.migrate(schema);
  const { rows } = await pool.query<{ t: string; text_escaped: boolean }>(`SELECT tableoid::regclass::text AS t, text_escaped FROM email_scores ORDER BY 1`);
  assert.deepEqual(rows, [{ t: 'email_scores_default', text_escaped: false }, { t: partitionName(Math.floor(NOW / DAY) * DAY), text_escaped: false }]);
  // Every partition, old and new, has the column, NOT NULL.
  await sink.maintainPartitions(NOW + 3 * DAY);
  const { rows: missing } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'email_scores'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'text_escaped' AND a.attnotnull AND NOT a.attisdropped)`);
  assert.deepEqual(missing, []);
  assert.deepEqual(await sink.write([row('<new@x>', NOW, { subject: 'x\u0000' })]), { inserted: 1, duplicates: 0 });
});
