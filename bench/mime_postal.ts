// scorer/mime.ts's contract implemented on postal-mime, as measured by bench/mime_parsers.ts.
import { createHash } from 'node:crypto';
import PostalMime, { type Address, type Email } from 'postal-mime';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { EVENT_LIMITS, truncateChars } from '../schemas/limits.ts';
import { extractUrls, type RawIdentity } from '../scorer/mime.ts';

const KEPT_HEADERS = new Set(['received', 'x-mailer', 'user-agent', 'list-unsubscribe', 'precedence', 'x-priority', 'mime-version', 'content-type']);

export async function postalEvent(raw: Buffer, identity: RawIdentity): Promise<EmailEventFields> {
  const parsed = await PostalMime.parse(raw.subarray(0, EVENT_LIMITS.rawMessageBytes), { maxHeadersSize: 64 * 1024, maxNestingDepth: 32, maxRfc822NestingDepth: 10 });
  const html = truncateChars(parsed.html ?? '', EVENT_LIMITS.bodyChars);
  const text = truncateChars(parsed.text ?? '', EVENT_LIMITS.bodyChars);
  const from = parsed.from === undefined ? undefined : addresses([parsed.from])[0];
  const to = addresses(parsed.to);
  const date = parsed.date === undefined ? Number.NaN : Date.parse(parsed.date);
  return {
    tenantId: identity.tenantId,
    messageId: parsed.messageId ?? identity.fallbackMessageId,
    receivedAtMs: Number.isNaN(date) ? identity.fallbackReceivedAtMs : date,
    envelope: { mailFrom: from?.address ?? '', rcptTo: to.map((a) => a.address), clientIp: '', helo: '' },
    from: from ?? null,
    replyTo: addresses(parsed.replyTo)[0] ?? null,
    to,
    cc: addresses(parsed.cc),
    subject: truncateChars(parsed.subject ?? '', EVENT_LIMITS.subjectChars),
    textBody: text,
    htmlBody: html,
    urls: extractUrls(text, html),
    attachments: parsed.attachments.slice(0, EVENT_LIMITS.attachments).map((a) => {
      const content = typeof a.content === 'string' ? Buffer.from(a.content) : new Uint8Array(a.content as ArrayBuffer);
      return {
        filename: truncateChars(a.filename ?? '', EVENT_LIMITS.attachmentTextChars),
        contentType: truncateChars(a.mimeType, EVENT_LIMITS.attachmentTextChars),
        sizeBytes: content.byteLength,
        sha256: createHash('sha256').update(content).digest('hex'),
      };
    }),
    headers: keptHeaders(parsed),
  };
}

function keptHeaders(parsed: Email): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of parsed.headerLines) {
    if (headers.length === EVENT_LIMITS.headers) break;
    if (KEPT_HEADERS.has(line.key)) {
      const value = line.line.slice(line.line.indexOf(':') + 1).trim();
      headers.push({ name: line.key, value: truncateChars(value, EVENT_LIMITS.headerValueChars) });
    }
  }
  return headers;
}

function addresses(list: Address[] | undefined): Array<{ name: string; address: string }> {
  if (list === undefined) return [];
  return list.slice(0, EVENT_LIMITS.recipients).map((a) => ({
    name: truncateChars(a.name ?? '', EVENT_LIMITS.displayNameChars),
    address: truncateChars((a.address ?? '').toLowerCase(), EVENT_LIMITS.addressChars),
  }));
}
