// The paced producer's pre-encoded events get their received time by seven bytes written at send
// time; the pipeline's decoder must read exactly that time and the rest of the event unchanged.
// Also the bench's PostgreSQL CPU accounting across backends that come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLimitedEvent } from '../schemas/limits.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { postgresCpuBetween, stampReceivedAt, withReceivedAtSlot } from './scenarios.ts';

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

test("PostgreSQL's CPU between two readings counts new backends from zero and never goes negative when one exits", () => {
  const before = { pipeline: 0, broker: 0, postgres: new Map([[10, 5], [11, 40]]) };
  // 11 exited (its 40 s are gone from /proc), 12 started, 10 used 2 s more.
  const after = { pipeline: 0, broker: 0, postgres: new Map([[10, 7], [12, 3]]) };
  assert.equal(postgresCpuBetween(before, after), 5);
});
