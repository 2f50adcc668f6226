// requires-services: PostgreSQL. The rescore write of `mailscore replay rescore` and the daily
// partitions a replay creates for old days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createPostgresSink, createSinkMetrics, WriteMode } from '../index.ts';
import type { ScoredEmail } from '../../schemas/contracts.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30);

async function freshSchema(t: { after: (fn: () => Promise<void>) => void }) {
  const schema = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailscore';
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  t.after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });
  const sink = createPostgresSink(pool, { premakeDays: 2, retentionDays: 7 }, createSinkMetrics(new Registry()), () => NOW);
  await sink.migrate(schema);
  await sink.maintainPartitions(NOW);
  return { pool, sink };
}

function row(messageId: string, modelVersion: string, riskScore: number, overrides: Partial<ScoredEmail> = {}): ScoredEmail {
  return {
    tenantId: 'acme', messageId, receivedAtMs: NOW - 1000, scoredAtMs: NOW, riskScore, verdict: riskScore >= 50 ? 'malicious' : 'clean', modelProbability: riskScore / 100,
    modelVersion, reasons: [{ code: 'model.spam_probability', points: riskScore }], explanations: [], shadow: null, mailFrom: 'a@b.example', fromAddress: 'a@b.example',
    subject: 'hello', alert: riskScore >= 50, source: { topic: 'in', partition: 0, offset: '1' }, ...overrides,
  };
}

test('a rescore replaces rows of another model version, keeps them in email_scores_previous, inserts the missing, and is idempotent', async (t) => {
  const { pool, sink } = await freshSchema(t);
  assert.deepEqual(await sink.write([row('<a>', 'v1', 10), row('<b>', 'v1', 20), row('<c>', 'v1', 30)]), { inserted: 3, duplicates: 0, refused: [] });

  // <a> twice in one chunk (a message sent twice): saved once, updated once.
  const rescored = [row('<a>', 'v2', 90, { scoredAtMs: NOW + 5 }), row('<a>', 'v2', 90, { scoredAtMs: NOW + 5 }), row('<b>', 'v2', 60, { scoredAtMs: NOW + 5 }), row('<d>', 'v2', 5)];
  assert.deepEqual(await sink.write(rescored, WriteMode.rescore), { inserted: 1, duplicates: 1, replaced: 2, refused: [] });

  const { rows } = await pool.query<{ message_id: string; model_version: string; risk_score: number; verdict: string }>(
    'SELECT message_id, model_version, risk_score, verdict FROM email_scores ORDER BY message_id');
  assert.deepEqual(rows.map((r) => [r.message_id, r.model_version, r.risk_score, r.verdict]),
    [['<a>', 'v2', 90, 'malicious'], ['<b>', 'v2', 60, 'malicious'], ['<c>', 'v1', 30, 'clean'], ['<d>', 'v2', 5, 'clean']]);
  const { rows: previous } = await pool.query<{ message_id: string; model_version: string; risk_score: number; verdict: string; replaced_by_version: string; scored_at: Date }>(
    'SELECT message_id, model_version, risk_score, verdict, replaced_by_version, scored_at FROM email_scores_previous ORDER BY message_id');
  assert.deepEqual(previous.map((r) => [r.message_id, r.model_version, r.risk_score, r.verdict, r.replaced_by_version, r.scored_at.getTime()]),
    [['<a>', 'v1', 10, 'clean', 'v2', NOW], ['<b>', 'v1', 20, 'clean', 'v2', NOW]]);

  // The same scores again: nothing replaced, nothing saved, nothing inserted.
  assert.deepEqual(await sink.write(rescored, WriteMode.rescore), { inserted: 0, duplicates: 4, replaced: 0, refused: [] });
  assert.equal((await pool.query('SELECT 1 FROM email_scores_previous')).rowCount, 2);
  // A fill never touches a stored row, whatever its version.
  assert.deepEqual(await sink.write([row('<c>', 'v3', 99)]), { inserted: 0, duplicates: 1, refused: [] });
  assert.equal((await pool.query<{ v: string }>(`SELECT model_version AS v FROM email_scores WHERE message_id = '<c>'`)).rows[0]!.v, 'v1');
});
