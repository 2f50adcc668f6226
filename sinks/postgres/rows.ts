// Pure: a scored email as one line of PostgreSQL's COPY text format.
//
// What is stored is what was sent. A JavaScript string can hold two things PostgreSQL cannot:
// NUL (U+0000; neither `text` nor `jsonb` take it) and a lone surrogate (a UTF-16 unit in
// D800-DFFF without its partner, which UTF-8 cannot encode: Buffer would silently write U+FFFD,
// and jsonb refuses the `\udXXX` escape JSON.stringify writes for it). Both come from whoever
// wrote the email (a NUL in an address, a UTF-16 encoded-word subject), and an attacker must not
// escape scoring or alerting by using them, so such a row is not refused: it is stored in a
// reversible escaped form and says so.
//
// The stored-text escape, decided per row and recorded in the boolean column `text_escaped`:
//
//   text_escaped = false: mail_from, from_address, subject and every string value inside
//     reasons and explanations are exactly the scored email's text.
//   text_escaped = true: one of those values held a NUL or a lone surrogate, and then EVERY one
//     of them (clean ones too) is stored escaped:
//       \ (backslash)                    → \\
//       U+0000                           → \u0000
//       lone surrogate U+D800..U+DFFF    → \uXXXX, 4 lowercase hex digits (e.g. \udc80)
//       anything else (surrogate pairs included) is unchanged.
//     In an escaped value a backslash is always followed by a backslash or by `u` and 4 hex
//     digits, so decoding is unambiguous: unescapeStoredText() for one value,
//     unescapeStoredJson() for the parsed reasons / explanations. A reader therefore needs the
//     row's flag only, never a flag per value.
//
// The other text columns are never escaped: tenant_id and message_id are refused at decode when
// they hold control characters or lone surrogates, and model_version and source_topic are ours.
// If one still cannot be stored, the row is refused (ROW_TEXT_UNSTORABLE, a row-level failure:
// that row is dead-lettered, its alert still goes out), never altered.
import type { ScoredEmail } from '../../schemas/contracts.ts';
import { FailureKind, SinkError } from '../errors.ts';

/** Column order of every COPY into the staging table; matches email_scores. */
export const COPY_COLUMNS = [
  'tenant_id', 'message_id', 'received_at', 'scored_at', 'risk_score', 'verdict', 'model_probability', 'model_version',
  'reasons', 'mail_from', 'from_address', 'subject', 'alerted', 'source_topic', 'source_partition', 'source_offset',
  'explanations', 'shadow_model_version', 'shadow_probability', 'shadow_risk_score', 'shadow_verdict', 'text_escaped',
] as const;

/** A text column that is stored verbatim held something PostgreSQL cannot store. */
export const ROW_TEXT_UNSTORABLE = 'ROW_TEXT_UNSTORABLE';

const NULL = '\\N';

/**
 * What a value may need: COPY's escapes (backslash, tab, newline, carriage return) or a look at
 * whether PostgreSQL can store it (NUL, any surrogate). Most values hold none of these, and this
 * one scan per value is all they cost.
 */
const NEEDS_A_LOOK = /[\\\t\n\r\u0000\ud800-\udfff]/;

export function toCopyLine(row: ScoredEmail): string {
  const reasonsJson = JSON.stringify(row.reasons);
  const explanationsJson = JSON.stringify(row.explanations);
  // One scan per value settles the common case. JSON.stringify escapes tabs and newlines
  // itself, so JSON text without a backslash needs nothing either.
  const plainMailFrom = !NEEDS_A_LOOK.test(row.mailFrom);
  const plainFromAddress = !NEEDS_A_LOOK.test(row.fromAddress);
  const plainSubject = !NEEDS_A_LOOK.test(row.subject);
  const plainReasons = !reasonsJson.includes('\\');
  const plainExplanations = !explanationsJson.includes('\\');
  const escaped =
    (!plainMailFrom && !storableText(row.mailFrom)) || (!plainFromAddress && !storableText(row.fromAddress)) ||
    (!plainSubject && !storableText(row.subject)) || (!plainReasons && !storableJson(reasonsJson)) ||
    (!plainExplanations && !storableJson(explanationsJson));
  const mailFrom = escaped ? escapeText(escapeStoredText(row.mailFrom)) : copyText(row.mailFrom, plainMailFrom);
  const fromAddress = escaped ? escapeText(escapeStoredText(row.fromAddress)) : copyText(row.fromAddress, plainFromAddress);
  const subject = escaped ? escapeText(escapeStoredText(row.subject)) : copyText(row.subject, plainSubject);
  const reasons = escaped ? escapeText(JSON.stringify(row.reasons, escapeStringValue)) : copyText(reasonsJson, plainReasons);
  const explanations = escaped ? escapeText(JSON.stringify(row.explanations, escapeStringValue)) : copyText(explanationsJson, plainExplanations);
  return [
    verbatimText(row.tenantId, 'tenant_id'),
    verbatimText(row.messageId, 'message_id'),
    new Date(row.receivedAtMs).toISOString(),
    new Date(row.scoredAtMs).toISOString(),
    String(row.riskScore),
    row.verdict,
    probabilityText(row.modelProbability),
    verbatimText(row.modelVersion, 'model_version'),
    reasons,
    mailFrom,
    fromAddress,
    subject,
    row.alert ? 't' : 'f',
    verbatimText(row.source.topic, 'source_topic'),
    String(row.source.partition),
    row.source.offset,
    explanations,
    row.shadow === null ? NULL : verbatimText(row.shadow.modelVersion, 'shadow_model_version'),
    row.shadow === null ? NULL : probabilityText(row.shadow.modelProbability),
    row.shadow === null ? NULL : String(row.shadow.riskScore),
    row.shadow === null ? NULL : row.shadow.verdict,
    escaped ? 't' : 'f',
  ].join('\t') + '\n';
}

function copyText(value: string, plain: boolean): string {
  return plain ? value : escapeText(value);
}

function probabilityText(p: number): string {
  return Number.isFinite(p) ? p.toPrecision(7) : 'NaN';
}

/** True when PostgreSQL stores `value` as it is: no NUL, no lone surrogate. */
export function storableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/**
 * True when jsonb takes this output of JSON.stringify: it holds no `\u0000` escape and no
 * `\udXXX` escape (JSON.stringify writes surrogate pairs as they are, so a `\ud` escape is always a
 * lone surrogate). A match preceded by an odd number of backslashes is text, not an escape.
 */
function storableJson(json: string): boolean {
  return !hasJsonEscape(json, '\\u0000') && !hasJsonEscape(json, '\\ud');
}

function hasJsonEscape(json: string, escape: string): boolean {
  for (let at = json.indexOf(escape); at >= 0; at = json.indexOf(escape, at + 1)) {
    let backslashes = 0;
    for (let i = at - 1; i >= 0 && json.charCodeAt(i) === 0x5c; i--) backslashes++;
    if (backslashes % 2 === 0) return true;
  }
  return false;
}

function escapeStringValue(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? escapeStoredText(value) : value;
}

/** The stored-text escape (see the top of this file): backslash, NUL and lone surrogates. */
export function escapeStoredText(value: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) {
      out += value.slice(start, i) + '\\\\';
    } else if (c === 0) {
      out += value.slice(start, i) + '\\u0000';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < value.length) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
      }
      out += value.slice(start, i) + '\\u' + c.toString(16);
    } else {
      continue;
    }
    start = i + 1;
  }
  return start === 0 ? value : out + value.slice(start);
}

/**
 * The inverse of escapeStoredText: the original text of a value read from a row whose
 * `text_escaped` is true. Anything escapeStoredText cannot have written is a RangeError.
 */
export function unescapeStoredText(stored: string): string {
  let at = stored.indexOf('\\');
  if (at < 0) return stored;
  let out = '';
  let start = 0;
  while (at >= 0) {
    out += stored.slice(start, at);
    if (stored.charCodeAt(at + 1) === 0x5c) {
      out += '\\';
      start = at + 2;
    } else {
      const code = stored.charCodeAt(at + 1) === 0x75 ? hexUnit(stored, at + 2) : -1;
      if (code !== 0 && !(code >= 0xd800 && code <= 0xdfff)) {
        throw new RangeError(`not escaped stored text: unexpected backslash sequence at ${at}: ${JSON.stringify(stored.slice(at, at + 6))}`);
      }
      out += String.fromCharCode(code);
      start = at + 6;
    }
    at = stored.indexOf('\\', start);
  }
  return out + stored.slice(start);
}

/** Four lowercase hex digits at `from` as a number, or -1. */
function hexUnit(text: string, from: number): number {
  if (from + 4 > text.length) return -1;
  let code = 0;
  for (let i = from; i < from + 4; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
    if (digit < 0) return -1;
    code = code * 16 + digit;
  }
  return code;
}

/** unescapeStoredText applied to every string value of parsed reasons or explanations. */
export function unescapeStoredJson<T>(value: T): T {
  if (typeof value === 'string') return unescapeStoredText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => unescapeStoredJson(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeStoredJson(v)])) as T;
  }
  return value;
}

/** A column stored as it is, or the row is refused: never silently altered. */
function verbatimText(value: string, column: string): string {
  if (!NEEDS_A_LOOK.test(value)) return value;
  if (!storableText(value)) {
    throw new SinkError(`${column} ${JSON.stringify(value.slice(0, 80))} holds a NUL or a lone surrogate, which PostgreSQL cannot store`, ROW_TEXT_UNSTORABLE, FailureKind.row);
  }
  return escapeText(value);
}

/**
 * COPY text format: backslash, tab, newline and carriage return are escaped. Callers pass only
 * storable text; a NUL that got here anyway is written as `\000`, which PostgreSQL refuses
 * (SQLSTATE 22021) instead of storing something other than what was sent.
 */
export function escapeText(value: string): string {
  if (!/[\\\t\n\r\u0000]/.test(value)) return value;
  return value.replace(/[\\\t\n\r\u0000]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\000'));
}
