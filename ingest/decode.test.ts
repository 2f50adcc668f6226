import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEmailEvent, DecodeFailureCode, encodeFrame, MAX_MESSAGE_INDEXES, parseFrame, readEmailIdentity } from './decode.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { boundRepeatedFields, decodeLimitedEvent, EVENT_LIMITS, limitEvent } from '../schemas/limits.ts';
import { createHash } from 'node:crypto';

const valid = {
  tenantId: 'acme',
  messageId: '<1@example.org>',
  receivedAtMs: Date.UTC(2026, 10, 26, 12),
  subject: 'hello',
  from: { name: 'A', address: 'a@example.org' },
};

test('a complete event decodes', () => {
  const result = decodeEmailEvent(EmailEventCodec.encode(valid).finish());
  assert.equal(result.ok, true);
  assert.equal(result.ok && result.event.messageId, '<1@example.org>');
  assert.equal(result.ok && result.event.receivedAtMs, valid.receivedAtMs);
});

test('bad input is refused with a code and a reason', () => {
  const cases: Array<[Uint8Array | null, DecodeFailureCode]> = [
    [null, DecodeFailureCode.emptyValue],
    [new Uint8Array(), DecodeFailureCode.emptyValue],
    [Buffer.from('{"json": "is not protobuf"}'), DecodeFailureCode.notProtobuf],
    [EmailEventCodec.encode({ ...valid, tenantId: '' }).finish(), DecodeFailureCode.missingField],
    [EmailEventCodec.encode({ ...valid, receivedAtMs: 0 }).finish(), DecodeFailureCode.missingField],
    [EmailEventCodec.encode({ ...valid, receivedAtMs: 1_764_000_000 }).finish(), DecodeFailureCode.invalidField],
    [EmailEventCodec.encode({ ...valid, messageId: 'a\nb' }).finish(), DecodeFailureCode.invalidField],
    [EmailEventCodec.encode({ tenantId: 't', messageId: 'm', receivedAtMs: valid.receivedAtMs }).finish(), DecodeFailureCode.missingField],
  ];
  for (const [bytes, code] of cases) {
    const result = decodeEmailEvent(bytes);
    assert.equal(result.ok, false, `expected ${code}`);
    if (!result.ok) {
      assert.equal(result.code, code);
      assert.ok(result.reason.length > 0);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The consumer reads only an event's identity (issue 10): it must take and refuse exactly what
// the full decode takes and refuses, wherever the fault is in the identity or the top level.

test('the identity read takes and refuses the events the full decode does, with the same identity, code and reason', () => {
  // Choices drawn from a hash of a counter: the same cases on every run.
  let draws = 0;
  const random = () => createHash('sha256').update(`identity-${draws++}`).digest().readUInt32BE(0) / 2 ** 32;
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;
  const ids = ['', 'acme', '<1@example.org>', 'a\nb', 'é'.repeat(3), 'x'.repeat(EVENT_LIMITS.idChars + 1), '\ufeffbom'];
  const times = [0, valid.receivedAtMs, 1_764_000_000, -5, 2 ** 52, Date.UTC(2099, 0, 1)];
  const cases: Uint8Array[] = [];
  for (let n = 0; n < 400; n++) {
    const fields: EmailEventFields = { tenantId: pick(ids), messageId: pick(ids), receivedAtMs: pick(times) };
    if (random() < 0.4) fields.subject = pick(['', 'hello']);
    if (random() < 0.2) fields.textBody = pick(['', 'body']);
    if (random() < 0.2) fields.htmlBody = pick(['', '<p>body</p>']);
    if (random() < 0.2) fields.rawMessage = pick([Buffer.alloc(0), Buffer.from('Subject: x\r\n\r\nbody')]);
    if (random() < 0.3) fields.from = { address: 'a@example.org' };
    if (random() < 0.3) fields.headers = [{ name: 'X-Mailer', value: 'test' }];
    let bytes = encode(fields);
    // A field given twice: the last occurrence wins, in both readers.
    if (random() < 0.3) bytes = Buffer.concat([bytes, encode({ [pick(['tenantId', 'messageId', 'subject', 'textBody'] as const)]: pick(['', 'later']) })]);
    if (random() < 0.2) bytes = Buffer.concat([bytes, encode({ receivedAtMs: pick(times) })]);
    cases.push(bytes);
  }
  // Faults in the top level: truncated, a broken length, a stray byte, field number 0, invalid UTF-8 in an id.
  const whole = encode(valid);
  cases.push(whole.subarray(0, whole.length - 3), Buffer.concat([whole, Buffer.of(0x0a, 0x7f)]), Buffer.concat([whole, Buffer.of(0xff)]), Buffer.of(0x00, 0x01));
  cases.push(Buffer.concat([encode(valid), Buffer.of(0x0a, 0x02, 0xc3, 0x28)]));
  let accepted = 0;
  for (const bytes of cases) {
    const full = decodeEmailEvent(bytes);
    const identity = readEmailIdentity(bytes);
    assert.equal(identity.ok, full.ok, `${Buffer.from(bytes).toString('hex')}: ${full.ok ? 'taken' : full.reason} by the full decode`);
    if (full.ok && identity.ok) {
      accepted++;
      assert.deepEqual([identity.identity.tenantId, identity.identity.messageId, identity.identity.receivedAtMs],
        [full.event.tenantId, full.event.messageId, full.event.receivedAtMs]);
    } else if (!full.ok && !identity.ok) {
      assert.equal(identity.code, full.code);
      if (full.code !== DecodeFailureCode.notProtobuf) assert.equal(identity.reason, full.reason);
    }
  }
  assert.ok(accepted > 20 && accepted < cases.length - 20, `both outcomes are exercised (${accepted} of ${cases.length} taken)`);
});

test('a fault below the top level is left to the workers, which decode the whole event', () => {
  // An Address (field 5) whose body is a truncated field: the top level is well formed.
  const bytes = Buffer.concat([encode({ tenantId: 't', messageId: 'm', receivedAtMs: valid.receivedAtMs, subject: 's' }), Buffer.of(0x2a, 0x02, 0x0a, 0x05)]);
  assert.equal(decodeEmailEvent(bytes).ok, false);
  assert.equal(readEmailIdentity(bytes).ok, true);
});

// ---------------------------------------------------------------------------------------------
// Every field held to EVENT_LIMITS at decode (issue 7).

const encode = (fields: EmailEventFields) => EmailEventCodec.encode(fields).finish();
const decodeOk = (bytes: Uint8Array) => {
  const result = decodeEmailEvent(bytes);
  assert.ok(result.ok, result.ok ? '' : `${result.code}: ${result.reason}`);
  return result;
};

test('an event within every cap decodes unchanged, with nothing reported cut', () => {
  const fields: EmailEventFields = {
    ...valid,
    to: [{ name: 'B', address: 'b@example.org' }],
    envelope: { mailFrom: 'a@example.org', rcptTo: ['b@example.org'], clientIp: '192.0.2.1', helo: 'mx.example.org' },
    urls: ['https://example.org/'],
    headers: [{ name: 'X-Mailer', value: 'test' }],
    rawMessage: Buffer.from('Subject: hello\r\n\r\nbody'),
  };
  const bytes = encode(fields);
  const bounded = boundRepeatedFields(bytes);
  assert.equal(bounded.bytes, bytes, 'no copy when nothing is over a cap');
  const result = decodeOk(bytes);
  assert.deepEqual(result.cut, []);
  assert.deepEqual(result.event.toJSON(), EmailEventCodec.decode(bytes).toJSON());
});

test('every text field and list is cut to its cap, and the cut fields are named', () => {
  const L = EVENT_LIMITS;
  const long = (n: number) => 'x'.repeat(n + 10);
  const address = { name: long(L.displayNameChars), address: long(L.addressChars) };
  const raw = Buffer.alloc(L.rawMessageBytes + 100, 0x61);
  const result = decodeOk(encode({
    ...valid,
    subject: long(L.subjectChars),
    textBody: long(L.bodyChars),
    htmlBody: long(L.bodyChars),
    from: address,
    replyTo: address,
    to: Array.from({ length: L.recipients + 5 }, () => address),
    cc: Array.from({ length: L.recipients + 5 }, () => address),
    envelope: { mailFrom: long(L.addressChars), rcptTo: Array.from({ length: L.recipients + 5 }, () => long(L.addressChars)), clientIp: long(L.envelopeTextChars), helo: long(L.envelopeTextChars) },
    urls: Array.from({ length: L.urls + 5 }, () => long(L.urlChars)),
    attachments: Array.from({ length: L.attachments + 5 }, () => ({ filename: long(L.attachmentTextChars), contentType: long(L.attachmentTextChars), sha256: long(L.attachmentHashChars), sizeBytes: 10 })),
    headers: Array.from({ length: L.headers + 5 }, () => ({ name: long(L.headerNameChars), value: long(L.headerValueChars) })),
    rawMessage: raw,
  }));
  const e = result.event;
  assert.equal(e.subject.length, L.subjectChars);
  assert.equal(e.textBody.length, L.bodyChars);
  assert.equal(e.htmlBody.length, L.bodyChars);
  for (const a of [e.from!, e.replyTo!, ...e.to, ...e.cc]) {
    assert.equal(a.name!.length, L.displayNameChars);
    assert.equal(a.address!.length, L.addressChars);
  }
  assert.equal(e.to.length, L.recipients);
  assert.equal(e.cc.length, L.recipients);
  assert.equal(e.envelope!.mailFrom!.length, L.addressChars);
  assert.equal(e.envelope!.clientIp!.length, L.envelopeTextChars);
  assert.equal(e.envelope!.helo!.length, L.envelopeTextChars);
  assert.equal(e.envelope!.rcptTo!.length, L.recipients);
  for (const r of e.envelope!.rcptTo!) assert.equal(r.length, L.addressChars);
  assert.equal(e.urls.length, L.urls);
  for (const u of e.urls) assert.equal(u.length, L.urlChars);
  assert.equal(e.attachments.length, L.attachments);
  for (const a of e.attachments) {
    assert.equal(a.filename!.length, L.attachmentTextChars);
    assert.equal(a.contentType!.length, L.attachmentTextChars);
    assert.equal(a.sha256!.length, L.attachmentHashChars);
  }
  assert.equal(e.headers.length, L.headers);
  for (const h of e.headers) {
    assert.equal(h.name!.length, L.headerNameChars);
    assert.equal(h.value!.length, L.headerValueChars);
  }
  assert.equal(e.rawMessage.length, L.rawMessageBytes);
  assert.deepEqual(new Set(result.cut), new Set([
    'subject', 'text_body', 'html_body', 'from.name', 'from.address', 'reply_to.name', 'reply_to.address',
    'to', 'to.name', 'to.address', 'cc', 'cc.name', 'cc.address',
    'envelope.mail_from', 'envelope.client_ip', 'envelope.helo', 'envelope.rcpt_to',
    'urls', 'attachments', 'attachments.filename', 'attachments.content_type', 'attachments.sha256',
    'headers', 'headers.name', 'headers.value', 'raw_message',
  ]));
});

test('raw_message is cut without a copy, and text is never cut inside a character', () => {
  const raw = new Uint8Array(EVENT_LIMITS.rawMessageBytes + 1);
  const event = { subject: `${'a'.repeat(EVENT_LIMITS.subjectChars - 1)}😀tail`, rawMessage: raw };
  const cut = limitEvent(event);
  assert.deepEqual(cut, ['subject', 'raw_message']);
  // The emoji would straddle the cap: it goes entirely, leaving no lone surrogate.
  assert.equal(event.subject, 'a'.repeat(EVENT_LIMITS.subjectChars - 1));
  assert.ok(event.subject.isWellFormed());
  assert.equal(event.rawMessage.buffer, raw.buffer, 'a view of the same memory');
  assert.equal(event.rawMessage.length, EVENT_LIMITS.rawMessageBytes);
});

test('ids are refused, not cut: too long, control characters, lone surrogates', () => {
  const cases: EmailEventFields[] = [
    { ...valid, tenantId: 'x'.repeat(EVENT_LIMITS.idChars + 1) },
    { ...valid, messageId: `<${'m'.repeat(EVENT_LIMITS.idChars)}@example.org>` },
    { ...valid, messageId: '<a\u007fb@example.org>' },
    { ...valid, tenantId: 'ten\u0000ant' },
    // protobufjs writes a lone surrogate as (invalid) UTF-8; strict decoding refuses it.
    { ...valid, tenantId: 'acme\ud800' },
  ];
  for (const fields of cases) {
    const result = decodeEmailEvent(encode(fields));
    assert.equal(result.ok, false, JSON.stringify(fields.tenantId ?? '').slice(0, 40));
  }
  assert.equal(decodeOk(encode({ ...valid, tenantId: 'x'.repeat(EVENT_LIMITS.idChars) })).event.tenantId.length, EVENT_LIMITS.idChars);
});

/** A record of `valid` followed by `count` empty entries of repeated field `field` (2 bytes each). */
function emptyEntries(field: number, bytes: number): Uint8Array {
  const head = encode(valid);
  const count = (bytes - head.length) >> 1;
  const out = new Uint8Array(head.length + 2 * count);
  out.set(head);
  for (let i = 0; i < count; i++) out[head.length + 2 * i] = (field << 3) | 2;
  return out;
}

test('a 1 MiB record of empty `to` entries decodes to at most the recipient cap, in bounded heap', () => {
  // Before the pre-scan: 524,280 Address objects, 16.6 MiB of heap built from one 1 MiB record
  // (node --expose-gc, EmailEventCodec.decode), only then cut to 100 entries. Now the decoder
  // sees a copy of the record with 100 entries: the heap grows by a few KiB. Read right after the
  // decode, with no collection in between, heapUsed still counts what the decode built and threw
  // away, which is what a 1 MiB record multiplied into.
  const bytes = emptyEntries(7, 1024 * 1024);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const result = decodeOk(bytes);
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(result.event.to.length, EVENT_LIMITS.recipients);
  assert.deepEqual(result.cut, ['to']);
  assert.equal(result.event.subject, 'hello', 'fields before the dropped entries survive');
  assert.ok(grown < 4 * 1024 * 1024, `decoding grew the heap by ${(grown / 1048576).toFixed(1)} MiB`);
});

test('the pre-scan keeps the first `cap` occurrences of each field, and every other field in order', () => {
  const L = EVENT_LIMITS;
  const parts: Uint8Array[] = [];
  // Interleaved: urls, headers and cc mixed with single fields, several envelopes (protobuf merges
  // them, so rcpt_to is counted over all of them), and unknown fields, which are skipped.
  for (let i = 0; i < 300; i++) {
    parts.push(encode({ urls: [`https://u${i}.example/`], headers: [{ name: `h${i}`, value: 'v' }], cc: [{ address: `c${i}@example.org` }] }));
    if (i % 50 === 0) parts.push(encode({ envelope: { rcptTo: Array.from({ length: 40 }, (_, k) => `r${i}.${k}@example.org`), helo: `helo${i}` } }));
    if (i === 150) parts.push(encode({ subject: 'middle' }));
    parts.push(Uint8Array.of((99 << 3) | 0, 0x01)); // unknown field 99, varint 1
  }
  parts.push(encode(valid));
  parts.push(encode({ subject: 'last wins', attachments: [{ filename: 'a.pdf' }] }));
  const bytes = Buffer.concat(parts);

  const expected = EmailEventCodec.decode(bytes);
  expected.urls = expected.urls.slice(0, L.urls);
  expected.headers = expected.headers.slice(0, L.headers);
  expected.cc = expected.cc.slice(0, L.recipients);
  expected.envelope!.rcptTo = expected.envelope!.rcptTo!.slice(0, L.recipients);

  const bounded = boundRepeatedFields(bytes);
  assert.notEqual(bounded.bytes, bytes);
  assert.ok(bounded.bytes.length < bytes.length);
  assert.deepEqual(new Set(bounded.cut), new Set(['urls', 'headers', 'cc', 'envelope.rcpt_to']));
  const { event, cut } = decodeLimitedEvent(bytes);
  assert.deepEqual(event.toJSON(), expected.toJSON());
  assert.equal(event.subject, 'last wins');
  assert.equal(event.envelope!.helo, 'helo250');
  assert.deepEqual(new Set(cut), new Set(bounded.cut));
});

test('malformed bytes are still refused as not protobuf', () => {
  const entries = emptyEntries(7, 4096);
  const truncated = entries.subarray(0, entries.length - 1); // a `to` tag without its length
  const withBadTail = Buffer.concat([emptyEntries(7, 4096), Uint8Array.of(0x3a, 0x05, 0x00)]);
  for (const bytes of [truncated, withBadTail, Buffer.concat([encode(valid), Uint8Array.of(0x22, 0x03, 0x12, 0x09)])]) {
    const result = decodeEmailEvent(bytes);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, DecodeFailureCode.notProtobuf);
  }
});

// The Confluent wire format: magic byte 0, schema id, message indexes, payload.
const frame = (...bytes: number[]) => Uint8Array.from(bytes);

test('plain protobuf is told apart from a Confluent frame by its first byte', () => {
  const plain = EmailEventCodec.encode(valid).finish();
  assert.notEqual(plain[0], 0);
  const parsed = parseFrame(plain);
  assert.deepEqual(parsed, { ok: true, framed: false, payload: plain });
});

test('a Confluent frame gives its schema id, message indexes and payload', () => {
  const payload = EmailEventCodec.encode(valid).finish();
  for (const indexes of [[0], [1], [2, 0], [0, 3, 200]]) {
    const framed = encodeFrame(70_000, indexes, payload);
    const parsed = parseFrame(framed);
    assert.equal(parsed.ok && parsed.framed, true);
    if (!parsed.ok || !parsed.framed) continue;
    assert.equal(parsed.schemaId, 70_000);
    assert.deepEqual(parsed.messageIndexes, indexes);
    assert.deepEqual(Buffer.from(parsed.payload), Buffer.from(payload));
    const decoded = decodeEmailEvent(parsed.payload);
    assert.equal(decoded.ok && decoded.event.messageId, '<1@example.org>');
  }
  // [0] is the single byte 0 (what Confluent's serializer writes for the first message).
  assert.deepEqual([...encodeFrame(1, [0], Uint8Array.of(0x0a))], [0, 0, 0, 0, 1, 0, 0x0a]);
  // Written the long way (count 1, index 0) it is the same path.
  assert.deepEqual(parseFrame(frame(0, 0, 0, 0, 1, 2, 0, 0x0a)), { ok: true, framed: true, schemaId: 1, messageIndexes: [0], payload: Uint8Array.of(0x0a) });
});

test('a broken Confluent frame is BAD_FRAME, with a reason and without reading past the bytes', () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [frame(0), /shorter than the 5-byte header/],
    [frame(0, 0, 0, 1), /shorter than the 5-byte header/],
    [frame(0, 0x80, 0, 0, 1, 0), /negative schema id/],
    [frame(0, 0, 0, 0, 1), /message index count: truncated varint/],
    [frame(0, 0, 0, 0, 1, 0x80), /message index count: truncated varint/],
    [frame(0, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), /varint (overflows 32 bits|longer than 5 bytes)/],
    [frame(0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f), /overflows 32 bits/],
    [frame(0, 0, 0, 0, 1, 1), /count -1 is not between 0 and 16/],
    [frame(0, 0, 0, 0, 1, 4, 0), /message index 1: truncated varint/],
    [frame(0, 0, 0, 0, 1, 2, 1), /message index 0 is negative/],
  ];
  for (const [bytes, reason] of cases) {
    const parsed = parseFrame(bytes);
    assert.equal(parsed.ok, false, `${[...bytes]}`);
    assert.equal(!parsed.ok && parsed.code, DecodeFailureCode.badFrame);
    assert.match(!parsed.ok ? parsed.reason : '', reason);
  }
});

test('a huge message index count is refused before anything is allocated for it', () => {
  // 2^31 - 1 indexes announced, zigzag-encoded: refused on the count alone.
  const parsed = parseFrame(frame(0, 0, 0, 0, 1, 0xfe, 0xff, 0xff, 0xff, 0x0f));
  assert.equal(parsed.ok, false);
  assert.match(!parsed.ok ? parsed.reason : '', /count 2147483647 is not between 0 and 16/);
  // 16 levels are allowed (deeper than any real schema), 17 are not.
  const deep = (n: number) => frame(0, 0, 0, 0, 1, n * 2, ...Array<number>(n).fill(0), 0x0a);
  assert.equal(parseFrame(deep(MAX_MESSAGE_INDEXES)).ok, true);
  assert.equal(parseFrame(deep(MAX_MESSAGE_INDEXES + 1)).ok, false);
});
