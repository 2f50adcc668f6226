// RFC 5322 → EmailEvent, the way an MTA integration fills the structured fields. Used by the
// `produce` command, by training (so the model learns from exactly what serving sees) and by
// the workers for events that carry only `raw_message`.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { EmailEventFields } from '../schemas/contracts.ts';

/** Bodies beyond this are cut: scoring needs the start of a message, not all of a 20 MB one. */
export const BODY_CAP_CHARS = 256 * 1024;
const KEPT_HEADERS = new Set(['received', 'x-mailer', 'user-agent', 'list-unsubscribe', 'precedence', 'x-priority', 'mime-version', 'content-type']);
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"')\]]+/gi;

export interface RawIdentity {
  readonly tenantId: string;
  /** Used when the message has no Message-ID header. */
  readonly fallbackMessageId: string;
  /** Used when the message has no parseable Date header. */
  readonly fallbackReceivedAtMs: number;
}

export async function eventFromRawMessage(raw: Buffer, identity: RawIdentity): Promise<EmailEventFields> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const html = typeof parsed.html === 'string' ? parsed.html.slice(0, BODY_CAP_CHARS) : '';
  const text = (parsed.text ?? '').slice(0, BODY_CAP_CHARS);
  const from = firstAddress(parsed.from);
  return {
    tenantId: identity.tenantId,
    messageId: parsed.messageId ?? identity.fallbackMessageId,
    receivedAtMs: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.getTime() : identity.fallbackReceivedAtMs,
    envelope: { mailFrom: from?.address ?? '', rcptTo: allAddresses(parsed.to).map((a) => a.address), clientIp: '', helo: '' },
    from: from ?? null,
    replyTo: firstAddress(parsed.replyTo) ?? null,
    to: allAddresses(parsed.to),
    cc: allAddresses(parsed.cc),
    subject: parsed.subject ?? '',
    textBody: text,
    htmlBody: html,
    urls: extractUrls(text, html),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      sizeBytes: a.size,
      sha256: createHash('sha256').update(a.content).digest('hex'),
    })),
    headers: keptHeaders(parsed),
  };
}

export function extractUrls(text: string, html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/href\s*=\s*["']?(https?:\/\/[^"'\s>]+)/gi)) if (m[1]) found.add(m[1]);
  // Sentence punctuation right after a URL in prose is not part of it.
  for (const m of text.matchAll(URL_PATTERN)) found.add(m[0].replace(/[.,;:!?]+$/, ''));
  return [...found].slice(0, 200);
}

function keptHeaders(parsed: ParsedMail): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of parsed.headerLines) {
    if (KEPT_HEADERS.has(line.key)) {
      headers.push({ name: line.key, value: line.line.slice(line.line.indexOf(':') + 1).trim().slice(0, 1000) });
    }
  }
  return headers;
}

function allAddresses(field: AddressObject | AddressObject[] | undefined): Array<{ name: string; address: string }> {
  if (field === undefined) return [];
  const objects = Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value).map((a) => ({ name: a.name ?? '', address: (a.address ?? '').toLowerCase() }));
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): { name: string; address: string } | undefined {
  return allAddresses(field)[0];
}
