import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeText, toCopyLine, COPY_COLUMNS } from './rows.ts';

test('COPY text escaping keeps every value on one line and one column', () => {
  assert.equal(escapeText('plain'), 'plain');
  assert.equal(escapeText('a\tb\nc\\d\re\u0000f'), 'a\\tb\\nc\\\\d\\ref');
});

test('a row becomes one tab-separated line with every column', () => {
  const line = toCopyLine({
    tenantId: 'acme', messageId: '<x\ty@z>', receivedAtMs: Date.UTC(2026, 10, 26), scoredAtMs: Date.UTC(2026, 10, 26, 0, 0, 1),
    riskScore: 93, verdict: 'malicious', modelProbability: 0.93, modelVersion: 'v1',
    reasons: [{ code: 'model.spam_probability', points: 93, detail: '0.9300' }], mailFrom: 'a@b', fromAddress: 'a@b',
    explanations: [{ feature: 'b:free', contribution: 1.25 }], shadow: null,
    subject: 'line1\nline2', alert: true, source: { topic: 'email.events', partition: 3, offset: '42' },
  });
  assert.ok(line.endsWith('\n'));
  const fields = line.slice(0, -1).split('\t');
  assert.equal(fields.length, COPY_COLUMNS.length);
  assert.equal(fields[1], '<x\\ty@z>');
  assert.equal(fields[2], '2026-11-26T00:00:00.000Z');
  assert.equal(fields[11], 'line1\\nline2');
  assert.deepEqual(fields.slice(12, 16), ['t', 'email.events', '3', '42']);
  assert.equal(fields[16], '[{"feature":"b:free","contribution":1.25}]');
  assert.deepEqual(fields.slice(17), ['\\N', '\\N', '\\N', '\\N'], 'no shadow model: NULLs');
});
