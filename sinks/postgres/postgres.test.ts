// requires-services: PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createPostgresSink, createSinkMetrics, ensureDailyPartitions, partitionName, SinkError, WindowRefusal, type PartitionPlan } from '../index.ts';
import { unescapeStoredJson, unescapeStoredText } from './rows.ts';
import { consecutiveDaysAhead, daysAheadSince } from './partitions.ts';
import type { ScoredEmail } from '../../schemas/contracts.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 15, 30);

const PLAN: PartitionPlan = { premakeDays: 2, retentionDays: 7, maxAheadDays: 4 };
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailscore';
const poolOn = (schema: string) => new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });

/** A fresh schema and a sink on it whose "today" is the day of NOW, unless `clock` says otherwise. */
async function freshSchema(t: { after: (fn: () => Promise<void>) => void }, clock: () => number = () => NOW) {
  const schema = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const pool = poolOn(schema);
  t.after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });
  const registry = new Registry();
  const sink = createPostgresSink(pool, PLAN, createSinkMetrics(registry), clock);
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

const where = async (pool: pg.Pool, id: string) =>
  (await pool.query<{ t: string }>(`SELECT tableoid::regclass::text AS t FROM email_scores WHERE message_id = $1`, [id])).rows[0]?.t;

/** A row put straight into the default partition, as versions before on-demand partitions left them. */
async function intoDefault(pool: pg.Pool, messageId: string, receivedAtMs: number) {
  await pool.query(`INSERT INTO email_scores_default (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
    VALUES ('acme', $1, $2, now(), 1, 'clean', 0.01, 'old', '[]', 'a@b', 'a@b', 's', false, 'in', 0, 1)`, [messageId, new Date(receivedAtMs)]);
}

test('daily partitions are created ahead, rows left in the default partition move out when their day gets one, old ones go with retention', async (t) => {
  const { pool, sink } = await freshSchema(t);
  const report = await sink.maintainPartitions(NOW);
  const today = Math.floor(NOW / DAY) * DAY;
  assert.deepEqual(report.created, [-1, 0, 1, 2].map((d) => partitionName(today + d * DAY)));
  assert.equal(report.daysAhead, 2);
  assert.deepEqual(await partitions(pool), ['email_scores_default', ...report.created].sort());

  const written = await sink.write([row('<now@x>', NOW)]);
  assert.deepEqual(written, { inserted: 1, duplicates: 0, refused: [] });
  assert.equal(await where(pool, '<now@x>'), partitionName(today));
  // Ten days ahead, left in the default partition by an older version.
  const future = today + 10 * DAY + 3_600_000;
  await intoDefault(pool, '<future@x>', future);

  // Eight days later the future row's day gets its partition and the row moves into it.
  const later = await sink.maintainPartitions(NOW + 8 * DAY);
  assert.equal(later.movedFromDefault, 1);
  assert.equal(await where(pool, '<future@x>'), partitionName(today + 10 * DAY));
  // ...and the retention of 7 days dropped the partitions of the first run.
  assert.ok(later.dropped.includes(partitionName(today - DAY)) && later.dropped.includes(partitionName(today)));
  assert.equal((await pool.query('SELECT 1 FROM email_scores WHERE message_id = $1', ['<now@x>'])).rowCount, 0);
});

test('the write path creates a missing day inside the window, moving what the default partition held for it', async (t) => {
  const { pool, sink, registry } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  const today = Math.floor(NOW / DAY) * DAY;
  // Five days old (retention 7) and four ahead (the last day PARTITION_MAX_AHEAD_DAYS allows): no partition premade.
  await intoDefault(pool, '<legacy@x>', today - 5 * DAY + 60_000);
  const written = await sink.write([row('<old@x>', today - 5 * DAY + 7_200_000), row('<now@x>', NOW), row('<ahead@x>', today + 4 * DAY + 1)]);
  assert.deepEqual(written, { inserted: 3, duplicates: 0, refused: [] });
  assert.equal(await where(pool, '<old@x>'), partitionName(today - 5 * DAY));
  assert.equal(await where(pool, '<legacy@x>'), partitionName(today - 5 * DAY), 'moved out of the default partition');
  assert.equal(await where(pool, '<ahead@x>'), partitionName(today + 4 * DAY));
  assert.equal(await where(pool, '<now@x>'), partitionName(today));
  assert.equal((await pool.query('SELECT 1 FROM email_scores_default')).rowCount, 0);
  const created = (await registry.getSingleMetric('mailscore_sink_partitions_created_total')!.get()).values;
  assert.deepEqual(created.map((v) => [v.labels.by, v.value]).sort(), [['maintenance', 4], ['write', 2]]);
  // The first instant of the oldest day kept is inside, the one before is not.
  const oldest = today - 7 * DAY;
  const edge = await sink.write([row('<edge-in@x>', oldest), row('<edge-out@x>', oldest - 1)]);
  assert.equal(edge.inserted, 1);
  assert.deepEqual(edge.refused.map((r) => [r.row.messageId, r.error.code]), [['<edge-out@x>', WindowRefusal.outsideRetention]]);
  assert.equal(await where(pool, '<edge-in@x>'), partitionName(oldest));
});

test('rows outside the window are refused row by row with a code and a reason, the rest of the batch is stored, nothing lands in the default partition', async (t) => {
  const { pool, sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  const today = Math.floor(NOW / DAY) * DAY;
  const before = await partitions(pool);
  const batch = [
    row('<a@x>', NOW),
    row('<stale@x>', today - 8 * DAY + 3_600_000),
    row('<b@x>', NOW - 1000),
    row('<ahead@x>', today + 5 * DAY),
    row('<y2099@x>', Date.UTC(2099, 0, 1)),
  ];
  const written = await sink.write(batch);
  assert.equal(written.inserted, 2);
  const refused = new Map(written.refused.map((r) => [r.row.messageId, r.error]));
  assert.deepEqual([...refused.keys()], ['<stale@x>', '<ahead@x>', '<y2099@x>']);
  const stale = refused.get('<stale@x>')!;
  assert.ok(stale instanceof SinkError);
  assert.equal(stale.code, 'OUTSIDE_RETENTION');
  assert.equal(stale.retriable, false, 'final: the pipeline dead-letters it');
  assert.match(stale.message, /older than the retention window \(RETENTION_DAYS=7: the oldest day kept is 2026-11-19\)/);
  assert.equal(refused.get('<ahead@x>')!.code, 'RECEIVED_TOO_FAR_AHEAD');
  assert.match(refused.get('<y2099@x>')!.message, /received_at 2099-01-01T00:00:00.000Z is more than 4 days after today \(2026-11-26 UTC/);
  assert.deepEqual(await partitions(pool), before, 'no partition made for a refused row');
  assert.equal((await pool.query('SELECT 1 FROM email_scores_default')).rowCount, 0);

  // A batch of hostile received_at, one per day for years ahead: every row refused, nothing created.
  const hostile = Array.from({ length: 1000 }, (_, i) => row(`<h${i}@x>`, today + (5 + i) * DAY));
  const all = await sink.write(hostile);
  assert.deepEqual([all.inserted, all.refused.length], [0, 1000]);
  assert.deepEqual(await partitions(pool), before);
});

test('a batch whose days all have a known partition costs one connection, the COPY: no catalog query', async (t) => {
  const { pool, sink } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  let checkouts = 0;
  const queries: string[] = [];
  pool.on('acquire', (client) => {
    checkouts++;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // Counts what this checkout sends; the wrapper goes with the client back to the pool, so only the
    // first checkout of each client is wrapped.
    if ((client as { counted?: boolean }).counted === true) return;
    (client as { counted?: boolean }).counted = true;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text ?? 'COPY';
      queries.push(text);
      return query(...args);
    };
  });
  await sink.write([row('<a@x>', NOW), row('<b@x>', NOW - DAY)]);
  await sink.write([row('<c@x>', NOW), row('<d@x>', NOW + 2 * DAY)]);
  assert.equal(checkouts, 2, 'one checkout per batch');
  assert.ok(!queries.some((q) => q.includes('pg_inherits')), queries.join('\n'));
  // A day without a partition is looked up (and created) once, then known.
  await sink.write([row('<e@x>', NOW - 3 * DAY)]);
  const lookups = queries.filter((q) => q.includes('pg_inherits')).length;
  await sink.write([row('<f@x>', NOW - 3 * DAY)]);
  assert.equal(queries.filter((q) => q.includes('pg_inherits')).length, lookups);
  assert.equal(await where(pool, '<f@x>'), partitionName(Math.floor((NOW - 3 * DAY) / DAY) * DAY));
});

test('writers on two pools creating the same new days at the same moment, with maintenance running, all succeed', async (t) => {
  const { pool, sink, schema } = await freshSchema(t);
  const other = poolOn(schema);
  t.after(() => other.end());
  const second = createPostgresSink(other, PLAN, createSinkMetrics(new Registry()), () => NOW);
  const today = Math.floor(NOW / DAY) * DAY;
  // No maintenance first: every day of the batches is missing.
  const days = [-6, -4, -2, 0, 3];
  const batch = (writer: string, n: number) => days.map((d) => row(`<${writer}-${n}-${d}@x>`, today + d * DAY + n * 1000));
  const results = await Promise.all([
    ...Array.from({ length: 6 }, (_, n) => sink.write(batch('a', n))),
    ...Array.from({ length: 6 }, (_, n) => second.write(batch('b', n))),
    sink.maintainPartitions(NOW),
    second.maintainPartitions(NOW),
  ]);
  const writes = results.slice(0, 12) as Array<{ inserted: number; refused: readonly unknown[] }>;
  assert.ok(writes.every((w) => w.inserted === days.length && w.refused.length === 0));
  const names = await partitions(pool);
  for (const d of days) assert.equal(names.filter((n) => n === partitionName(today + d * DAY)).length, 1);
  const { rows } = await pool.query<{ t: string; n: string }>(`SELECT tableoid::regclass::text AS t, count(*) AS n FROM email_scores GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(rows, days.map((d) => ({ t: partitionName(today + d * DAY), n: '12' })).sort((a, b) => a.t.localeCompare(b.t)));
});

test('ensureDailyPartitions creates the days inside the window that lack a partition, once, and leaves the others alone', async (t) => {
  const { pool } = await freshSchema(t);
  const today = Math.floor(NOW / DAY) * DAY;
  const created = await ensureDailyPartitions(pool, PLAN, [today - 3 * DAY + 5, today - 3 * DAY, today - 20 * DAY, today + 30 * DAY, today], NOW);
  assert.deepEqual(created, [partitionName(today - 3 * DAY), partitionName(today)]);
  assert.deepEqual(await ensureDailyPartitions(pool, PLAN, [today - 3 * DAY, today], NOW), []);
  assert.deepEqual(await partitions(pool), ['email_scores_default', partitionName(today - 3 * DAY), partitionName(today)].sort());
});

test('mailscore_sink_partition_days_ahead: absent before the first maintenance run, then the days made ahead of today', async (t) => {
  const { pool, sink, registry } = await freshSchema(t, Date.now);
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
  assert.deepEqual(await sink.write(rows), { inserted: 300, duplicates: 0, refused: [] });
  // A redelivered batch overlapping the first, with a duplicate inside itself.
  const again = [...rows.slice(250), row('<new@x>', NOW), row('<new@x>', NOW)];
  assert.deepEqual(await sink.write(again), { inserted: 1, duplicates: 51, refused: [] });
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
  assert.deepEqual(await sink.write(sent), { inserted: 3, duplicates: 0, refused: [] });
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
  assert.deepEqual(await sink.write([row('<ok@x>', NOW)]), { inserted: 1, duplicates: 0, refused: [] });
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
  assert.deepEqual(await sink.write([row('<new@x>', NOW, { subject: 'x\u0000' })]), { inserted: 1, duplicates: 0, refused: [] });
});

test('the spam-verdict migration widens the verdict CHECK on every partition, carries alert_at over to alert_verdicts, and runs again harmlessly', async (t) => {
  const { pool, sink, schema } = await freshSchema(t);
  await sink.maintainPartitions(NOW);
  // A database as it was before 006: the old CHECK, no alert_verdicts, rows in a daily and the default partition.
  await pool.query(`ALTER TABLE email_scores DROP CONSTRAINT email_scores_verdict_known,
    ADD CONSTRAINT email_scores_verdict_check CHECK (verdict IN ('clean', 'suspicious', 'malicious'))`);
  await pool.query('ALTER TABLE tenant_policy DROP COLUMN alert_verdicts');
  await pool.query(`INSERT INTO tenant_policy (tenant_id, suspicious_at, malicious_at, alert_at)
    VALUES ('default', 50, 80, 80), ('nervous', 40, 80, 40), ('quiet', 50, 80, 101)`);
  await pool.query(`INSERT INTO email_scores (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
    SELECT 'acme', m, r, now(), 95, 'malicious', 0.95, 'old', '[]', 'a@b', 'a@b', 's', true, 'in', 0, 1 FROM (VALUES ('<old@x>', $1::timestamptz), ('<far@x>', $2::timestamptz)) v(m, r)`,
  [new Date(NOW), new Date(NOW + 100 * DAY)]);
  await assert.rejects(sink.write([row('<early@x>', NOW, { verdict: 'spam' })]), 'before 006 the table refuses spam');

  await sink.migrate(schema);
  const quiet = async () => (await pool.query<{ alert_verdicts: string[] }>(`SELECT alert_verdicts FROM tenant_policy WHERE tenant_id = 'quiet'`)).rows[0]!.alert_verdicts;
  assert.deepEqual(await quiet(), [], 'alert_at 101 alerted on nothing');
  await pool.query(`UPDATE tenant_policy SET alert_verdicts = '{clean}' WHERE tenant_id = 'quiet'`);
  await sink.migrate(schema);
  const { rows: policies } = await pool.query<{ tenant_id: string; alert_verdicts: string[] }>('SELECT tenant_id, alert_verdicts FROM tenant_policy ORDER BY 1');
  assert.deepEqual(policies, [
    { tenant_id: 'default', alert_verdicts: ['malicious'] },
    { tenant_id: 'nervous', alert_verdicts: ['suspicious', 'spam', 'malicious'] },
    { tenant_id: 'quiet', alert_verdicts: ['clean'] }, // carried over once ('{}'), then the tenant's own choice, kept by the second run
  ]);
  const { rows: old } = await pool.query<{ message_id: string; verdict: string }>('SELECT message_id, verdict FROM email_scores ORDER BY 1');
  assert.deepEqual(old, [{ message_id: '<far@x>', verdict: 'malicious' }, { message_id: '<old@x>', verdict: 'malicious' }]);

  // Spam is stored in a partition that held rows before, in the default partition and in one created after.
  assert.deepEqual(await sink.write([row('<spam@x>', NOW, { verdict: 'spam' })]), { inserted: 1, duplicates: 0, refused: [] });
  await pool.query(`INSERT INTO email_scores_default (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
    VALUES ('acme', '<spam-default@x>', $1, now(), 85, 'spam', 0.85, 'new', '[]', 'a@b', 'a@b', 's', false, 'in', 0, 2)`, [new Date(NOW + 200 * DAY)]);
  assert.deepEqual(await sink.write([row('<spam-later@x>', NOW + 3 * DAY, { verdict: 'spam' })]), { inserted: 1, duplicates: 0, refused: [] });
  // And a verdict the contract does not have is still refused, everywhere (check_violation).
  for (const receivedAt of [NOW, NOW + 3 * DAY, NOW + 200 * DAY]) {
    await assert.rejects(
      pool.query(`INSERT INTO email_scores (tenant_id, message_id, received_at, scored_at, risk_score, verdict, model_probability, model_version, reasons, mail_from, from_address, subject, alerted, source_topic, source_partition, source_offset)
        VALUES ('acme', '<bogus@x>', $1, now(), 85, 'phishing', 0.85, 'new', '[]', 'a@b', 'a@b', 's', false, 'in', 0, 3)`, [new Date(receivedAt)]),
      (err: { code?: string }) => err.code === '23514');
  }
  const { rows: checks } = await pool.query<{ conname: string; n: number }>(
    `SELECT conname, count(*)::int AS n FROM pg_constraint WHERE contype = 'c' AND connamespace = $1::regnamespace AND conname LIKE 'email_scores_verdict%' GROUP BY 1`, [schema]);
  assert.deepEqual(checks, [{ conname: 'email_scores_verdict_known', n: (await partitions(pool)).length + 1 }], 'one verdict CHECK, on the table and each partition');
});
