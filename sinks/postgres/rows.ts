// Pure: a scored email as one line of PostgreSQL's COPY text format.
import type { ScoredEmail } from '../../schemas/contracts.ts';

/** Column order of every COPY into the staging table; matches email_scores. */
export const COPY_COLUMNS = [
  'tenant_id', 'message_id', 'received_at', 'scored_at', 'risk_score', 'verdict', 'model_probability', 'model_version',
  'reasons', 'mail_from', 'from_address', 'subject', 'alerted', 'source_topic', 'source_partition', 'source_offset',
  'explanations', 'shadow_model_version', 'shadow_probability', 'shadow_risk_score', 'shadow_verdict',
] as const;

const NULL = '\\N';

export function toCopyLine(row: ScoredEmail): string {
  return [
    escapeText(row.tenantId),
    escapeText(row.messageId),
    new Date(row.receivedAtMs).toISOString(),
    new Date(row.scoredAtMs).toISOString(),
    String(row.riskScore),
    row.verdict,
    probabilityText(row.modelProbability),
    escapeText(row.modelVersion),
    escapeText(JSON.stringify(row.reasons)),
    escapeText(row.mailFrom),
    escapeText(row.fromAddress),
    escapeText(row.subject),
    row.alert ? 't' : 'f',
    escapeText(row.source.topic),
    String(row.source.partition),
    row.source.offset,
    escapeText(JSON.stringify(row.explanations)),
    row.shadow === null ? NULL : escapeText(row.shadow.modelVersion),
    row.shadow === null ? NULL : probabilityText(row.shadow.modelProbability),
    row.shadow === null ? NULL : String(row.shadow.riskScore),
    row.shadow === null ? NULL : row.shadow.verdict,
  ].join('\t') + '\n';
}

function probabilityText(p: number): string {
  return Number.isFinite(p) ? p.toPrecision(7) : 'NaN';
}

/** COPY text format: backslash, tab, newline and carriage return are escaped; NUL cannot be stored in text. */
export function escapeText(value: string): string {
  if (!/[\\\t\n\r\u0000]/.test(value)) return value;
  return value.replace(/[\\\t\n\r\u0000]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : ''));
}
