import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdict, type ScoredEmail } from '../../schemas/contracts.ts';
import { SinkError } from '../errors.ts';
import { COPY_COLUMNS, escapeStoredText, escapeText, ROW_TEXT_UNSTORABLE, storableText, toCopyLine, unescapeStoredJson, unescapeStoredText } from './rows.ts';

function scored(overrides: Partial<ScoredEmail> = {}): ScoredEmail {
  return {
    tenantId: 'acme', messageId: '<x\ty@z>', receivedAtMs: Date.UTC(2026, 10, 26), scoredAtMs: Date.UTC(2026, 10, 26, 0, 0, 1),
    riskScore: 93, verdict: 'malicious', modelProbability: 0.93, modelVersion: 'v1',
    reasons: [{ code: 'model.spam_probability', points: 93, detail: '0.9300' }], mailFrom: 'a@b', fromAddress: 'a@b',
    explanations: [{ feature: 'b:free', contribution: 1.25 }], shadow: null,
    subject: 'line1\nline2', alert: true, source: { topic: 'email.events', partition: 3, offset: '42' }, ...overrides,
  };
}

/** The fields of a COPY line with the COPY escaping undone (what PostgreSQL will store). */
function columns(line: string): Record<(typeof COPY_COLUMNS)[number], string> {
  assert.ok(line.endsWith('\n'));
  const fields = line.slice(0, -1).split('\t');
  assert.equal(fields.length, COPY_COLUMNS.length);
  const copyUnescape = (f: string) => f.replace(/\\([\\tnr])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
  return Object.fromEntries(COPY_COLUMNS.map((c, i) => [c, copyUnescape(fields[i]!)])) as Record<(typeof COPY_COLUMNS)[number], string>;
}

/** What jsonb refuses in JSON text: a \u0000 escape or a lone-surrogate escape (or a raw one). */
function jsonbAcceptable(json: string): boolean {
  return json.isWellFormed() && !/(^|[^\\])(\\\\)*\\u(0000|d[89a-f])/i.test(json);
}

test('COPY text escaping keeps every value on one line and one column, and never deletes a NUL', () => {
  assert.equal(escapeText('plain'), 'plain');
  assert.equal(escapeText('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  // PostgreSQL refuses \000 (22021): the row is refused, not stored without its NUL.
  assert.equal(escapeText('e\u0000f'), 'e\\000f');
});

test('a row becomes one tab-separated line with every column', () => {
  const line = toCopyLine(scored());
  const fields = line.slice(0, -1).split('\t');
  assert.equal(fields.length, COPY_COLUMNS.length);
  assert.equal(fields[1], '<x\\ty@z>');
  assert.equal(fields[2], '2026-11-26T00:00:00.000Z');
  assert.equal(fields[11], 'line1\\nline2');
  assert.deepEqual(fields.slice(12, 16), ['t', 'email.events', '3', '42']);
  assert.equal(fields[16], '[{"feature":"b:free","contribution":1.25}]');
  assert.deepEqual(fields.slice(17, 21), ['\\N', '\\N', '\\N', '\\N'], 'no shadow model: NULLs');
  assert.equal(fields[21], 'f', 'clean text is stored verbatim');
});

test('clean text is stored verbatim, backslashes and text that looks like an escape included', () => {
  const row = scored({
    subject: 'C:\\temp \\u0000 \\ud800 😀 𝐁𝐨𝐥𝐝', mailFrom: 'a\\b@x', fromAddress: '\\\\@y',
    reasons: [{ code: 'policy.block_sender', points: 100, detail: 'x\\u0000@y' }],
    explanations: [{ feature: 's:\\ud83d', contribution: 1 }],
  });
  const c = columns(toCopyLine(row));
  assert.equal(c.text_escaped, 'f');
  assert.equal(c.subject, row.subject);
  assert.equal(c.mail_from, row.mailFrom);
  assert.equal(c.from_address, row.fromAddress);
  assert.deepEqual(JSON.parse(c.reasons), row.reasons);
  assert.deepEqual(JSON.parse(c.explanations), row.explanations);
});

test('NUL or a lone surrogate anywhere in the row: every text value is stored escaped and well-formed, and unescapes to the original', () => {
  const cases: Array<Partial<ScoredEmail>> = [
    { subject: 'win\u0000 money \\ now' },
    { mailFrom: 'boss\u0000@spam.example' },
    { fromAddress: 'x@y\u0000' },
    { subject: 'cut emoji \ud83d' },
    { subject: '\udc00 low first' },
    { reasons: [{ code: 'policy.block_sender', points: 100, detail: 'boss\u0000@spam.example' }] },
    { explanations: [{ feature: 'n:\ud835', contribution: 0.5 }, { feature: 'n:\udc01x', contribution: 0.25 }] },
  ];
  for (const overrides of cases) {
    const row = scored({ subject: 'back\\slash', mailFrom: 'a\\b@x', ...overrides });
    const c = columns(toCopyLine(row));
    assert.equal(c.text_escaped, 't', JSON.stringify(overrides));
    for (const column of ['subject', 'mail_from', 'from_address', 'reasons', 'explanations'] as const) {
      assert.ok(storableText(c[column]), `${column} holds no NUL and no lone surrogate`);
    }
    assert.ok(jsonbAcceptable(c.reasons) && jsonbAcceptable(c.explanations), c.reasons + c.explanations);
    assert.equal(unescapeStoredText(c.subject), row.subject);
    assert.equal(unescapeStoredText(c.mail_from), row.mailFrom);
    assert.equal(unescapeStoredText(c.from_address), row.fromAddress);
    assert.deepEqual(unescapeStoredJson(JSON.parse(c.reasons)), row.reasons);
    assert.deepEqual(unescapeStoredJson(JSON.parse(c.explanations)), row.explanations);
  }
});

test('the stored-text escape is exactly the documented one', () => {
  assert.equal(escapeStoredText('plain 😀'), 'plain 😀');
  assert.equal(escapeStoredText('a\\b'), 'a\\\\b');
  assert.equal(escapeStoredText('a\u0000b'), 'a\\u0000b');
  assert.equal(escapeStoredText('\ud83d|\ude00|\ud83d\ude00'), '\\ud83d|\\ude00|😀');
  assert.equal(escapeStoredText('\\u0000'), '\\\\u0000', 'text that looks like an escape stays text');
  for (const bad of ['\\', 'a\\x', '\\u00', '\\u0041', '\\uD800', '\\ue000']) {
    assert.throws(() => unescapeStoredText(bad), RangeError, JSON.stringify(bad));
  }
});

test('unescape(escape(s)) === s for random strings of NUL, backslashes, lone and paired surrogates, astral and escape-like text', () => {
  // A seeded generator: the same strings on every run.
  let seed = 0x7e57;
  const next = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const alphabet = ['\u0000', '\\', 'u', '0', 'd', '8', 'a', ' ', '\t', '\ud800', '\udbff', '\udc00', '\udfff', '😀', '𝐀', 'é', '\uffff', '"'];
  for (let n = 0; n < 5000; n++) {
    let s = '';
    const length = Math.floor(next() * 24);
    for (let i = 0; i < length; i++) s += next() < 0.1 ? String.fromCharCode(Math.floor(next() * 0x10000)) : alphabet[Math.floor(next() * alphabet.length)]!;
    const escaped = escapeStoredText(s);
    assert.ok(storableText(escaped), JSON.stringify(s));
    assert.equal(unescapeStoredText(escaped), s, JSON.stringify(s));
  }
});

test('a verbatim column PostgreSQL cannot store refuses the row, never alters it', () => {
  for (const overrides of [{ messageId: '<a\u0000b@x>' }, { tenantId: 't\ud800' }, { modelVersion: 'v\u0000' }]) {
    assert.throws(() => toCopyLine(scored(overrides)), (err: unknown) => {
      assert.ok(err instanceof SinkError);
      assert.equal(err.code, ROW_TEXT_UNSTORABLE);
      assert.equal(err.retriable, false);
      return true;
    });
  }
});

test('every verdict of the contract is stored as its name (the values email_scores\' CHECK admits)', () => {
  for (const verdict of Object.values(Verdict)) {
    assert.equal(columns(toCopyLine(scored({ verdict, alert: verdict === Verdict.malicious }))).verdict, verdict);
  }
  assert.deepEqual(Object.values(Verdict), ['clean', 'suspicious', 'spam', 'malicious']);
});
