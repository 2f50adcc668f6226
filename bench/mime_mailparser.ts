// The raw-MIME path as scorer/mime.ts had it before its own parser (commit 8008198): mailparser
// with the same options and bounds. Kept as the reference bench/mime_parsers.ts compares against.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { EVENT_LIMITS, truncateChars } from '../schemas/limits.ts';
import { extractUrls, type RawIdentity } from '../scorer/mime.ts';

/**
 * What mailparser may parse before it refuses a message (the promise rejects, and the worker
 * reports the event as failed). Its own defaults (1,000 MIME parts, a 1 MiB header block per
 * part) let one 512 KiB message cost more than the 100 ms of CPU an email may take: a To: header
 * of thousands of addresses, or thousands of tiny parts. Ordinary mail is far below both: in
 * the SpamAssassin corpus the largest header block is 15 KiB.
 */
export const PARSE_LIMITS = {
  /** MIME nodes, the message itself included. */
  mimeParts: 256,
  /** Bytes of one node's header block. */
  headerBytes: 64 * 1024,
} as const;
const PARSER_OPTIONS = {
  skipImageLinks: true,
  // mailparser's HTML-to-text conversion (html-to-text) costs about 1 ms of CPU per KiB of dense
  // markup (`<p>x` repeated), more than one email may take at 48 KiB. HTML stays HTML here, and
  // features read it through features.ts's own linear htmlToText; on the held-out split the
  // model scores exactly as it did with the conversion (F1 0.9927, FPR 0).
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // Passed on to the MIME splitter (@zone-eu/mailsplit); not in mailparser's type declarations.
  maxChildNodes: PARSE_LIMITS.mimeParts,
  maxHeadSize: PARSE_LIMITS.headerBytes,
};

const KEPT_HEADERS = new Set(['received', 'x-mailer', 'user-agent', 'list-unsubscribe', 'precedence', 'x-priority', 'mime-version', 'content-type']);

/**
 * The event a raw message describes, every field held to EVENT_LIMITS: only the first
 * `rawMessageBytes` are parsed, and what comes out is cut (never inside a character) or
 * shortened the way ingest cuts structured events.
 */
export async function mailparserEvent(raw: Buffer, identity: RawIdentity): Promise<EmailEventFields> {
  const parsed = await simpleParser(raw.subarray(0, EVENT_LIMITS.rawMessageBytes), PARSER_OPTIONS);
  const html = typeof parsed.html === 'string' ? truncateChars(parsed.html, EVENT_LIMITS.bodyChars) : '';
  const text = truncateChars(parsed.text ?? '', EVENT_LIMITS.bodyChars);
  const from = firstAddress(parsed.from);
  const to = allAddresses(parsed.to);
  return {
    tenantId: identity.tenantId,
    messageId: parsed.messageId ?? identity.fallbackMessageId,
    receivedAtMs: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.getTime() : identity.fallbackReceivedAtMs,
    envelope: { mailFrom: from?.address ?? '', rcptTo: to.map((a) => a.address), clientIp: '', helo: '' },
    from: from ?? null,
    replyTo: firstAddress(parsed.replyTo) ?? null,
    to,
    cc: allAddresses(parsed.cc),
    subject: truncateChars(parsed.subject ?? '', EVENT_LIMITS.subjectChars),
    textBody: text,
    htmlBody: html,
    urls: extractUrls(text, html),
    attachments: parsed.attachments.slice(0, EVENT_LIMITS.attachments).map((a) => ({
      filename: truncateChars(a.filename ?? '', EVENT_LIMITS.attachmentTextChars),
      contentType: truncateChars(a.contentType, EVENT_LIMITS.attachmentTextChars),
      sizeBytes: a.size,
      sha256: createHash('sha256').update(a.content).digest('hex'),
    })),
    headers: keptHeaders(parsed),
  };
}

function keptHeaders(parsed: ParsedMail): Array<{ name: string; value: string }> {
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

function allAddresses(field: AddressObject | AddressObject[] | undefined): Array<{ name: string; address: string }> {
  if (field === undefined) return [];
  const objects = Array.isArray(field) ? field : [field];
  return objects
    .flatMap((o) => o.value)
    .slice(0, EVENT_LIMITS.recipients)
    .map((a) => ({
      name: truncateChars(a.name ?? '', EVENT_LIMITS.displayNameChars),
      address: truncateChars((a.address ?? '').toLowerCase(), EVENT_LIMITS.addressChars),
    }));
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): { name: string; address: string } | undefined {
  return allAddresses(field)[0];
}
