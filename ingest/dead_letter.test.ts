import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deadLetterRecord, DeadLetterHeader, MIN_DEAD_LETTER_BYTES, previousAttempts, type DeadLetter } from './dead_letter.ts';
import { recordBytes } from '../schemas/kafka_batches.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const header = (headers: Record<string, unknown>, name: string) => (headers[name] === undefined ? undefined : String(headers[name]));

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    source: { topic: 'email.events', partition: 3, offset: '12345' },
    key: Buffer.from('tenant-1'),
    value: Buffer.from('not protobuf'),
    headers: { trace: Buffer.from('abc') },
    code: 'NOT_PROTOBUF',
    reason: 'invalid wire type 7',
    stage: 'ingest',
    ...overrides,
  };
}

test('a letter that fits is stored whole, with the refusal headers and no truncation notes', () => {
  const record = deadLetterRecord(letter(), '2026-01-01T00:00:00.000Z', 100_000);
  assert.deepEqual(record.key, Buffer.from('tenant-1'));
  assert.deepEqual(record.value, Buffer.from('not protobuf'));
  assert.deepEqual(record.headers.trace, Buffer.from('abc'));
  assert.equal(header(record.headers, DeadLetterHeader.errorCode), 'NOT_PROTOBUF');
  assert.equal(header(record.headers, DeadLetterHeader.sourceOffset), '12345');
  assert.equal(record.headers[DeadLetterHeader.truncated], undefined);
  assert.equal(record.headers[DeadLetterHeader.originalSha256], undefined);
});

test('a value larger than the limit is cut to fit, with its size and the SHA-256 of the whole', () => {
  const value = Buffer.alloc(300_000);
  for (let i = 0; i < value.length; i++) value[i] = (i * 7919) & 0xff;
  const maxBytes = 100_000;
  const record = deadLetterRecord(letter({ value }), 'now', maxBytes);
  assert.ok(recordBytes(record) <= maxBytes, `${recordBytes(record)} <= ${maxBytes}`);
  assert.ok(record.value!.length > maxBytes * 0.9, 'the value keeps nearly all the room');
  assert.ok(value.subarray(0, record.value!.length).equals(record.value!), 'the kept part is the start of the original');
  assert.equal(header(record.headers, DeadLetterHeader.truncated), 'true');
  assert.equal(header(record.headers, DeadLetterHeader.originalSize), '300000');
  assert.equal(header(record.headers, DeadLetterHeader.originalSha256), sha256(value));
  // Small key and headers are kept as they were.
  assert.deepEqual(record.key, Buffer.from('tenant-1'));
  assert.deepEqual(record.headers.trace, Buffer.from('abc'));
  assert.equal(record.headers[DeadLetterHeader.originalKeySize], undefined);
  assert.equal(record.headers[DeadLetterHeader.originalHeadersDropped], undefined);
});

test('a huge key and huge headers are cut too, with notes, and leave the value at least half the room', () => {
  const key = Buffer.alloc(80_000, 'k');
  const headers = { small: 'kept', big: Buffer.alloc(50_000, 'h'), many: ['a', 'b'] };
  const value = Buffer.alloc(200_000, 'v');
  const maxBytes = MIN_DEAD_LETTER_BYTES * 4;
  const record = deadLetterRecord(letter({ key, headers, value, reason: 'ü'.repeat(5000) }), 'now', maxBytes);
  assert.ok(recordBytes(record) <= maxBytes, `${recordBytes(record)} <= ${maxBytes}`);
  assert.equal(header(record.headers, DeadLetterHeader.originalKeySize), '80000');
  assert.equal(header(record.headers, DeadLetterHeader.originalKeySha256), sha256(key));
  assert.ok(key.subarray(0, record.key!.length).equals(record.key!));
  // The key comes first and took all the room key and headers may have: every header is left out.
  assert.equal(header(record.headers, DeadLetterHeader.originalHeadersDropped), '4');
  assert.equal(header(record.headers, DeadLetterHeader.originalHeadersSize), String('small'.length + 4 + 'big'.length + 50_000 + 2 * ('many'.length + 1)));
  assert.equal(record.headers.big, undefined);
  assert.equal(record.headers.small, undefined);
  assert.ok(record.value!.length >= (maxBytes - 10_000) / 2, `value keeps ${record.value!.length} bytes`);
  assert.equal(header(record.headers, DeadLetterHeader.originalSha256), sha256(value));
  assert.equal(header(record.headers, DeadLetterHeader.errorReason)!.length, 1000);
});

test('a big key keeps whatever room a small value leaves, and small headers survive beside a cut value', () => {
  const key = Buffer.alloc(20_000, 'k');
  const keyOnly = deadLetterRecord(letter({ key, value: Buffer.alloc(10, 'v') }), 'now', MIN_DEAD_LETTER_BYTES * 2);
  assert.equal(keyOnly.key!.length, 20_000);
  assert.equal(keyOnly.value!.length, 10);
  assert.equal(header(keyOnly.headers, DeadLetterHeader.truncated), undefined);

  const headers = { small: 'kept', big: Buffer.alloc(40_000, 'h') };
  const cut = deadLetterRecord(letter({ headers, value: Buffer.alloc(100_000, 'v') }), 'now', 64 * 1024);
  assert.equal(String(cut.headers.small), 'kept');
  assert.equal(cut.headers.big, undefined);
  assert.equal(header(cut.headers, DeadLetterHeader.originalHeadersDropped), '1');
  assert.equal(header(cut.headers, DeadLetterHeader.truncated), 'true');
});

test('every shape of oversized letter fits the smallest allowed limit', () => {
  for (const size of [0, 1, 1000, MIN_DEAD_LETTER_BYTES, 1_000_000]) {
    for (const keySize of [0, 100, MIN_DEAD_LETTER_BYTES, 1_000_000]) {
      const record = deadLetterRecord(letter({
        key: keySize === 0 ? null : Buffer.alloc(keySize, 1),
        value: Buffer.alloc(size, 2),
        headers: { a: Buffer.alloc(size, 3), b: 'x' },
        source: { topic: 't'.repeat(249), partition: 1023, offset: '9'.repeat(19) },
        reason: '\u{1F4A5}'.repeat(1000),
      }), new Date().toISOString(), MIN_DEAD_LETTER_BYTES);
      assert.ok(recordBytes(record) <= MIN_DEAD_LETTER_BYTES, `value ${size}, key ${keySize}: ${recordBytes(record)} bytes`);
    }
  }
});

test('attempts count up from the incoming dlq.attempts header, which is not believed when it is not a small number', () => {
  const attempts = (headers: DeadLetter['headers']) => header(deadLetterRecord(letter({ headers }), '2026-01-01T00:00:00.000Z', 100_000).headers, DeadLetterHeader.attempts);
  assert.equal(attempts(undefined), '1');
  assert.equal(attempts({ trace: 'x' }), '1');
  assert.equal(attempts({ [DeadLetterHeader.attempts]: Buffer.from('1') }), '2');
  assert.equal(attempts({ [DeadLetterHeader.attempts]: '2' }), '3');
  // A repeated header: the last one counts, as Kafka clients that read one value take the last.
  assert.equal(attempts({ [DeadLetterHeader.attempts]: [Buffer.from('1'), Buffer.from('4')] }), '5');
  for (const hostile of ['-1', '1e3', ' 2', 'two', '9'.repeat(8), '9'.repeat(100_000), '', '0x10']) {
    assert.equal(attempts({ [DeadLetterHeader.attempts]: Buffer.from(hostile) }), '1', hostile.slice(0, 20));
  }
  assert.deepEqual(previousAttempts({ [DeadLetterHeader.attempts]: '1000000' }), 1_000_000);
  assert.deepEqual(previousAttempts({ [DeadLetterHeader.attempts]: '1000001' }), 0);
});
