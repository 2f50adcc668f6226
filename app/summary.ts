// `mailscore summary`: what the pipeline produced, for people (the demo) and quick checks.
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createKafka, createPostgresPool } from './pipeline.ts';
import { VERDICTS } from '../scorer/index.ts';

async function topicSize(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function printSummary(config: Config, logger: Logger): Promise<void> {
  const pool = createPostgresPool(config);
  const kafka = createKafka(config, logger);
  try {
    // Least to most severe; which verdicts alert is each tenant's choice, hence the alerted count.
    const { rows: byVerdict } = await pool.query<{ verdict: string; rows: string; alerted: string; mean_risk: string }>(
      `SELECT verdict, count(*) AS rows, count(*) FILTER (WHERE alerted) AS alerted, round(avg(risk_score), 1) AS mean_risk
         FROM email_scores GROUP BY verdict ORDER BY array_position($1::text[], verdict), verdict`,
      [VERDICTS],
    );
    const { rows: [totals] } = await pool.query<{ rows: string; tenants: string; models: string; partitions: string; first: Date | null; last: Date | null }>(
      `SELECT count(*) AS rows, count(DISTINCT tenant_id) AS tenants, string_agg(DISTINCT model_version, ', ') AS models,
              (SELECT count(*) FROM pg_inherits WHERE inhparent = 'email_scores'::regclass) AS partitions,
              min(scored_at) AS first, max(scored_at) AS last
         FROM email_scores`,
    );
    const { rows: topReasons } = await pool.query<{ code: string; n: string }>(
      `SELECT r->>'code' AS code, count(*) AS n FROM email_scores, jsonb_array_elements(reasons) r
        WHERE verdict <> 'clean' AND (r->>'points')::int > 0 GROUP BY 1 ORDER BY 2 DESC LIMIT 5`,
    );
    const [alerts, deadLetters, input] = await Promise.all([
      topicSize(kafka, config.topics.alerts), topicSize(kafka, config.topics.deadLetter), topicSize(kafka, config.topics.input),
    ]);
    const lines = [
      `email_scores: ${totals?.rows ?? 0} rows, ${totals?.tenants ?? 0} tenants, ${totals?.partitions ?? 0} partitions, model ${totals?.models ?? '-'}`,
      ...byVerdict.map((v) => `  ${v.verdict.padEnd(10)} ${v.rows.padStart(8)} rows, ${v.alerted} alerted, mean risk ${v.mean_risk}`),
      `  top reasons for non-clean verdicts: ${topReasons.map((r) => `${r.code} (${r.n})`).join(', ') || '-'}`,
      `topics: ${config.topics.input} ${input} records, ${config.topics.alerts} ${alerts} alerts, ${config.topics.deadLetter} ${deadLetters} dead letters`,
    ];
    if (totals?.first && totals.last) {
      const seconds = (totals.last.getTime() - totals.first.getTime()) / 1000;
      lines.push(`scored ${totals.rows} emails over ${seconds.toFixed(1)} s: ${Math.round(Number(totals.rows) / Math.max(seconds, 0.001))} emails/s`);
    }
    console.log(lines.join('\n'));
  } finally {
    await pool.end();
  }
}
