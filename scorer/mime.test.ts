// Raw messages come out held to EVENT_LIMITS, and what mailparser may parse is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_LIMITS } from '../schemas/limits.ts';
import { eventFromRawMessage, PARSE_LIMITS } from './mime.ts';

const identity = { tenantId: 't', fallbackMessageId: 'm', fallbackReceivedAtMs: 1 };
const parse = (message: string) => eventFromRawMessage(Buffer.from(message), identity);

test('every field of a parsed message is held to its cap, never splitting a character', async () => {
  const emoji = '\u{1F600}';
  const subject = `a${emoji.repeat(600)}`; // the cap (998) falls inside a pair
  // The whole header block stays under PARSE_LIMITS.headerBytes.
  const to = [`"${'N'.repeat(300)}" <${'r'.repeat(400)}@example.com>`, ...Array.from({ length: 149 }, (_, i) => `r${i}@example.com`)].join(', ');
  const urls = Array.from({ length: 300 }, (_, i) => `http://u${i}.example/${'p'.repeat(i === 0 ? 5000 : 1)}`).join(' ');
  const received = Array.from({ length: 150 }, (_, i) => `Received: from a by b ${'x'.repeat(i === 0 ? 1500 : 10)}`).join('\r\n');
  const event = await parse(`From: "${'F'.repeat(400)}" <f@example.com>\r\nTo: ${to}\r\nSubject: =?utf-8?B?${Buffer.from(subject).toString('base64')}?=\r\n${received}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${urls}\r\n`);
  assert.equal(event.subject, `a${emoji.repeat(498)}`);
  assert.ok(event.subject!.isWellFormed());
  assert.equal(event.from!.name!.length, EVENT_LIMITS.displayNameChars);
  assert.equal(event.to!.length, EVENT_LIMITS.recipients);
  assert.equal(event.envelope!.rcptTo!.length, EVENT_LIMITS.recipients);
  assert.ok(event.to!.every((a) => a.address!.length <= EVENT_LIMITS.addressChars && a.name!.length <= EVENT_LIMITS.displayNameChars));
  assert.equal(event.urls!.length, EVENT_LIMITS.urls);
  assert.equal(event.urls![0]!.length, EVENT_LIMITS.urlChars);
  assert.equal(event.headers!.length, EVENT_LIMITS.headers);
  assert.equal(event.headers![0]!.value!.length, EVENT_LIMITS.headerValueChars);
});

test('only the first rawMessageBytes of a message are parsed', async () => {
  const head = 'Subject: long\r\nContent-Type: text/plain\r\n\r\n';
  const event = await parse(`${head}${'a '.repeat(EVENT_LIMITS.rawMessageBytes)}TAIL`);
  assert.equal(event.textBody!.length, EVENT_LIMITS.bodyChars);
  // An attachment past the first rawMessageBytes is never seen.
  const padding = `--b\r\nContent-Type: text/plain\r\n\r\n${'a '.repeat(EVENT_LIMITS.rawMessageBytes / 2)}\r\n`;
  const attachment = '--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="late.exe"\r\n\r\nMZ\r\n--b--\r\n';
  const multipart = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n';
  assert.equal((await parse(`${multipart}${attachment}`)).attachments!.length, 1);
  assert.equal((await parse(`${multipart}${padding}${attachment}`)).attachments!.length, 0);
});

test('a message of more MIME parts than allowed is refused', async () => {
  const parts = (n: number) => `Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(n)}--b--\r\n`;
  assert.equal((await parse(parts(10))).textBody!.split('x').length - 1, 10);
  await assert.rejects(parse(parts(PARSE_LIMITS.mimeParts + 1)), /child nodes/);
});

test('a header block larger than allowed is refused', async () => {
  const to = Array.from({ length: 5000 }, (_, i) => `a${i}@example.com`).join(', ');
  assert.ok(to.length > PARSE_LIMITS.headerBytes);
  await assert.rejects(parse(`To: ${to}\r\nSubject: x\r\n\r\nbody\r\n`), /header size/);
});

test('HTML is never converted to text by mailparser: features read it through their own linear scan', async () => {
  const html = (words: string) => `<p>${words}</p>`;
  const part = (body: string) => `--b\r\nContent-Type: text/html\r\n\r\n${body}\r\n`;
  const text = '--b\r\nContent-Type: text/plain\r\n\r\nintro\r\n';
  const event = await parse(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${text}${part(html('first'))}${part(html('second'))}--b--\r\n`);
  assert.equal(event.textBody!.trim(), 'intro');
  assert.match(event.htmlBody!, /first/);
  const htmlOnly = await parse(`Content-Type: text/html\r\n\r\n${html('x '.repeat(48 * 1024))}\r\n`);
  assert.equal(htmlOnly.textBody, '');
  assert.ok(htmlOnly.htmlBody!.length > 48 * 1024);
});
