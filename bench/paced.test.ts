// The paced producer's pre-encoded events get their received time by seven bytes written at send
// time; the pipeline's decoder must read exactly that time and the rest of the event unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLimitedEvent } from '../schemas/limits.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { stampReceivedAt, withReceivedAtSlot } from './scenarios.ts';

test('a stamped pre-encoded event decodes with the stamped time, whatever was encoded before', () => {
  const event = { tenantId: 't1', messageId: '<m1@x>', subject: 'hello', textBody: 'body', rawMessage: Buffer.from('Subject: hi\r\n\r\nbody') };
  const value = withReceivedAtSlot(EmailEventCodec.encode(event).finish());
  for (const ms of [2 ** 35, Date.UTC(2026, 10, 27, 19, 30), 2 ** 42 - 1]) {
    stampReceivedAt(value, ms);
    const decoded = decodeLimitedEvent(value).event;
    assert.equal(Number(decoded.receivedAtMs), ms);
    assert.equal(decoded.subject, 'hello');
    assert.equal(decoded.messageId, '<m1@x>');
    assert.equal(Buffer.from(decoded.rawMessage!).toString(), 'Subject: hi\r\n\r\nbody');
  }
});

test('a time outside six varint bytes is refused rather than written wrong', () => {
  const value = withReceivedAtSlot(EmailEventCodec.encode({ tenantId: 't' }).finish());
  assert.throws(() => stampReceivedAt(value, 2 ** 42), RangeError);
  assert.throws(() => stampReceivedAt(value, 1000), RangeError);
});
