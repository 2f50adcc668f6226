// What one event may cost: every field of an EmailEvent is written by whoever wrote the email,
// so each has a cap. Ingest applies them when it decodes (text is cut, lists are shortened),
// the workers apply the same caps to what they decode, and everything downstream (features,
// rules, intel lookups, rows, alerts) is bounded by these numbers, never by the input.
// The README's "Limits" table lists them; change both together.
export const EVENT_LIMITS = {
  /** tenant_id and message_id go into primary keys and alert ids: longer ones are refused, not cut. */
  idChars: 512,
  /** An address (From, Reply-To, To, Cc, envelope MAIL FROM and RCPT TO). RFC 5321 allows 254. */
  addressChars: 320,
  /** A display name. */
  displayNameChars: 256,
  /** The subject (RFC 5322 lines stop at 998). */
  subjectChars: 998,
  /** text_body and html_body each. */
  bodyChars: 256 * 1024,
  /** Entries of each of to, cc and envelope.rcpt_to. */
  recipients: 100,
  /** Entries of urls. */
  urls: 200,
  /** One URL. */
  urlChars: 2048,
  /** Entries of attachments. */
  attachments: 64,
  /** An attachment's filename or content type. */
  attachmentTextChars: 255,
  /** Entries of headers. */
  headers: 100,
  /** A header's name. */
  headerNameChars: 128,
  /** A header's value. */
  headerValueChars: 1000,
  /** envelope.client_ip and envelope.helo. */
  envelopeTextChars: 255,
  /** raw_message bytes parsed by the workers; the rest of a longer message is not looked at. */
  rawMessageBytes: 512 * 1024,
} as const;
export type EventLimits = typeof EVENT_LIMITS;

/**
 * The first `maxChars` UTF-16 units of `text`, one fewer when the cut would split a surrogate
 * pair: a truncated string is always as well-formed as the original.
 */
export function truncateChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const last = text.charCodeAt(maxChars - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}
