// Raw messages come out held to EVENT_LIMITS, and what the parser reads of hostile input is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_LIMITS } from '../schemas/limits.ts';
import { eventFromRawMessage, MimeLimitCode, PARSE_LIMITS } from './mime.ts';

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
  // The message itself is one of the nodes.
  assert.equal((await parse(parts(PARSE_LIMITS.mimeParts - 1))).textBody!.split('x').length - 1, PARSE_LIMITS.mimeParts - 1);
  await assert.rejects(parse(parts(PARSE_LIMITS.mimeParts)), { code: MimeLimitCode.tooManyParts });
});

test('a header block larger than allowed is refused', async () => {
  const to = Array.from({ length: 5000 }, (_, i) => `a${i}@example.com`).join(', ');
  assert.ok(to.length > PARSE_LIMITS.headerBytes);
  await assert.rejects(parse(`To: ${to}\r\nSubject: x\r\n\r\nbody\r\n`), { code: MimeLimitCode.headerTooLarge });
});

test('HTML is never converted to text by the parser: features read it through their own linear scan', async () => {
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

/** CPU milliseconds `parse` takes on `message` (rejecting or not), and how it ended. */
async function cost(message: string): Promise<{ ms: number; outcome: unknown }> {
  const raw = Buffer.from(message);
  const before = process.cpuUsage();
  const outcome = await eventFromRawMessage(raw, identity).catch((err: unknown) => err);
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, outcome };
}

// A generous bound: an email may take 100 ms of CPU in the workers, and these must stay well
// under it even on a shared machine; ordinary mail takes tens of microseconds.
const HOSTILE_CPU_MS = 50;

test('hostile input is refused or capped within a bounded cost', async (t) => {
  await t.test('10,000 MIME parts: refused', async () => {
    const message = `Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\n\r\nx\r\n'.repeat(10_000)}--b--\r\n`;
    const { ms, outcome } = await cost(message);
    assert.equal((outcome as { code?: string }).code, MimeLimitCode.tooManyParts);
    assert.ok(ms < HOSTILE_CPU_MS, `${ms} ms`);
  });
  await t.test('a 5 MB header block: refused', async () => {
    const message = `Subject: x\r\nX-Filler: ${'a'.repeat(5 * 1024 * 1024)}\r\n\r\nbody\r\n`;
    const { ms, outcome } = await cost(message);
    assert.equal((outcome as { code?: string }).code, MimeLimitCode.headerTooLarge);
    assert.ok(ms < HOSTILE_CPU_MS, `${ms} ms`);
  });
  await t.test('5,000 multiparts nested in one another: refused', async () => {
    let message = '';
    for (let i = 0; i < 5000; i++) message += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    const { ms, outcome } = await cost(message);
    assert.equal((outcome as { code?: string }).code, MimeLimitCode.tooDeep);
    assert.ok(ms < HOSTILE_CPU_MS, `${ms} ms`);
  });
  await t.test('a part that declares 100 MB and is cut off: only the first rawMessageBytes are decoded', async () => {
    const head = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream; name="big.bin"\r\n'
      + 'Content-Disposition: attachment; filename="big.bin"; size=104857600\r\nContent-Length: 104857600\r\nContent-Transfer-Encoding: base64\r\n\r\n';
    // 2 MiB of base64 lines, no closing delimiter: the sender stopped (or the record was cut).
    const body = `${'QUFB'.repeat(19)}\r\n`.repeat((2 * 1024 * 1024) / 78);
    const { ms, outcome } = await cost(head + body);
    const event = outcome as Awaited<ReturnType<typeof eventFromRawMessage>>;
    assert.equal(event.attachments!.length, 1);
    const size = event.attachments![0]!.sizeBytes as number;
    assert.ok(size > 0 && size <= (EVENT_LIMITS.rawMessageBytes * 3) / 4, `${size} bytes`);
    assert.equal(event.attachments![0]!.filename, 'big.bin');
    assert.ok(ms < HOSTILE_CPU_MS, `${ms} ms`);
  });
});

test('legacy charsets are decoded, in bodies and in encoded words', async () => {
  const cases: Array<[charset: string, bytes: number[], text: string]> = [
    ['windows-1252', [0x93, 0x43, 0x94, 0x20, 0x80, 0x35], '\u201cC\u201d \u20ac5'],
    ['iso-8859-2', [0xb3, 0xf3, 0x64, 0xbc], 'łódź'],
    ['koi8-r', [0xd0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], 'привет'],
    ['gb2312', [0xc4, 0xe3, 0xba, 0xc3], '你好'],
    ['iso-2022-jp', [0x1b, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x1b, 0x28, 0x42], 'こん'],
  ];
  for (const [charset, bytes, text] of cases) {
    const subject = `=?${charset}?B?${Buffer.from(bytes).toString('base64')}?=`;
    const head = Buffer.from(`Subject: ${subject}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`);
    const event = await eventFromRawMessage(Buffer.concat([head, Buffer.from(bytes), Buffer.from('\r\n')]), identity);
    assert.equal(event.subject, text, charset);
    assert.equal(event.textBody!.trim(), text, charset);
  }
});

test('quoted-printable: soft breaks joined, escapes decoded, transport whitespace at line ends dropped', async () => {
  const event = await parse('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nna=C3=AFve caf=\r\n=C3=A9   \r\nkept=20\r\n');
  assert.equal(event.textBody, 'naïve café\nkept \n');
});

test('text and HTML bodies: one representation of an alternative, every part of a mixed message', async () => {
  const alternative = 'Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nplain\r\n--a\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--a--\r\n';
  const event = await parse(alternative);
  assert.equal(event.textBody, 'plain');
  assert.equal(event.htmlBody, '<b>html</b>');
  const mixed = await parse('Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nintro\r\n--m\r\n'
    + 'Content-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--m--\r\n');
  assert.equal(mixed.textBody, 'intro');
  assert.deepEqual(mixed.attachments, [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 5, sha256: '38523c087796e5d5dd1cf9bad1fb026781a838dd9dd2cf8af58b9f6502a46778' }]);
});
