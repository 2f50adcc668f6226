import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEmailEvent, DecodeFailureCode } from './decode.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';

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
