import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { compatibilityViolations, type DescriptorJson } from './evolution.ts';

const here = new URL('.', import.meta.url).pathname;
const released = JSON.parse(readFileSync(`${here}released/email_v1.json`, 'utf8')) as DescriptorJson;
const current = () =>
  protobuf.loadSync([`${here}email/v1/email_event.proto`, `${here}email/v1/alert.proto`]).toJSON() as DescriptorJson;

test('email.v1 evolves compatibly with the last released descriptor', () => {
  assert.deepEqual(compatibilityViolations(released, current()), []);
});

test('the check catches retyped, reused, renamed and removed tags', () => {
  const changed = structuredClone(current()) as { nested: any };
  const event = changed.nested.email.nested.v1.nested.EmailEvent;
  event.fields.receivedAtMs.type = 'string';
  delete event.fields.subject;
  event.fields.urls.rule = undefined;
  event.fields.htmlBodyV2 = { ...event.fields.htmlBody };
  delete event.fields.htmlBody;
  changed.nested.email.nested.v1.nested.Verdict.values = { VERDICT_UNSPECIFIED: 0, VERDICT_CLEAN: 1 };
  const violations = compatibilityViolations(released, changed);
  assert.ok(violations.some((v) => v.includes('receivedAtMs (tag 3) changed type')), violations.join('\n'));
  assert.ok(violations.some((v) => v.includes('subject (tag 9) was removed without reserving')));
  assert.ok(violations.some((v) => v.includes('urls (tag 12) changed label')));
  assert.ok(violations.some((v) => v.includes('tag 11 was renamed from htmlBody to htmlBodyV2')));
  assert.ok(violations.some((v) => v.includes('VERDICT_MALICIOUS (3) was removed')));
});

test('reserving a removed tag is allowed; reusing it is not', () => {
  const changed = structuredClone(current()) as { nested: any };
  const event = changed.nested.email.nested.v1.nested.EmailEvent;
  delete event.fields.headers;
  event.reserved = [[16, 16], 'headers'];
  assert.deepEqual(compatibilityViolations(released, changed), []);
  event.fields.receivedHops = { type: 'uint32', id: 16 };
  assert.ok(compatibilityViolations(released, changed).some((v) => v.includes('reuses reserved tag 16')));
});

test('a new enum value with a new number is compatible; giving it a released number is not', () => {
  const changed = structuredClone(current()) as { nested: any };
  const verdict = changed.nested.email.nested.v1.nested.Verdict;
  assert.equal(verdict.values.VERDICT_SPAM, 4, 'spam was added after the released values, with the next number');
  assert.deepEqual(compatibilityViolations(released, changed), []);
  verdict.values = { ...verdict.values, VERDICT_SPAM: 3, VERDICT_MALICIOUS: 4 };
  assert.ok(compatibilityViolations(released, changed).some((v) => v.includes('value 3 was renamed from VERDICT_MALICIOUS to VERDICT_SPAM')));
});
