// requires-services: real Kafka, PostgreSQL and Redis.
// Issue 7: what is stored is what was sent (or reversibly escaped, and flagged), and no email's
// alert is lost because its row could not be stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRows, publish, readTopic, startTestPipeline, waitFor } from './testing.ts';
import { AlertCodec, SUBJECT_MAX_CHARS, Verdict, type EmailEventFields } from '../schemas/contracts.ts';
import { DeadLetterHeader } from '../ingest/index.ts';
import { unescapeStoredJson, unescapeStoredText } from '../sinks/postgres/rows.ts';

interface StoredRow {
  message_id: string;
  text_escaped: boolean;
  subject: string;
  mail_from: string;
  from_address: string;
  alerted: boolean;
  reasons: Array<{ code: string; points: number; detail?: string }>;
  explanations: Array<{ feature: string; contribution: number }>;
}

const BLOCKING_POLICY = { suspiciousAt: 50, spamAt: 80, alertVerdicts: [Verdict.malicious], allowSenders: [], blockSenders: ['spam.example'] };
const body = { textBody: 'Please find the figures attached, see you at the meeting.' };

async function storedRows(pool: import('pg').Pool, schema: string): Promise<Map<string, StoredRow>> {
  const { rows } = await pool.query<StoredRow>(
    `SELECT message_id, text_escaped, subject, mail_from, from_address, alerted, reasons, explanations FROM ${schema}.email_scores`);
  return new Map(rows.map((r) => [r.message_id, r]));
}

/** A row as the email had it: unescaped when the row says its text is escaped. */
function original(row: StoredRow): StoredRow {
  if (!row.text_escaped) return row;
  return {
    ...row,
    subject: unescapeStoredText(row.subject), mail_from: unescapeStoredText(row.mail_from), from_address: unescapeStoredText(row.from_address),
    reasons: unescapeStoredJson(row.reasons), explanations: unescapeStoredJson(row.explanations),
  };
}

test('NUL and lone surrogates are stored reversibly, subjects are cut between characters, a block-listed sender with a NUL gets a row and an alert', async (t) => {
  const { env, pipeline } = await startTestPipeline(t);
  await pipeline.policies.put({ tenantId: 'hostile', ...BLOCKING_POLICY });
  const receivedAtMs = Date.now();
  const emoji = 'a'.repeat(SUBJECT_MAX_CHARS - 1) + '😀 and more';
  const mathBold = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x1d400 + ((i * 7) % 52)) + (i % 5 === 4 ? ' ' : '')).join('');
  // A lone high surrogate (D800) inside a UTF-16 encoded word. A protobuf string cannot carry one
  // (the event is refused as NOT_PROTOBUF), and the MIME parser decodes it to U+FFFD, so no lone
  // surrogate reaches a row today; the escaped form still covers one if a parser ever lets it by.
  const utf16 = Buffer.from([0x00, 0x61, 0xd8, 0x00, 0x00, 0x62]).toString('base64');
  const events: EmailEventFields[] = [
    { tenantId: 'hostile', messageId: '<nul@x>', receivedAtMs, subject: 'win\u0000 money \\ now', ...body,
      from: { name: 'Ann', address: 'ann\u0000@colleague.example' }, envelope: { mailFrom: 'bounce\u0000@colleague.example' } },
    { tenantId: 'hostile', messageId: '<surrogate@x>', receivedAtMs, envelope: { mailFrom: 'boss@spam.example' },
      rawMessage: Buffer.from(`From: Boss <boss@spam.example>\r\nSubject: =?UTF-16BE?B?${utf16}?=\r\n\r\nSee you at the meeting.\r\n`) },
    { tenantId: 'hostile', messageId: '<emoji@x>', receivedAtMs, subject: emoji, ...body, from: { name: 'Ann', address: 'ann@colleague.example' } },
    { tenantId: 'hostile', messageId: '<bold@x>', receivedAtMs, subject: mathBold, ...body, from: { name: 'Ann', address: 'ann@colleague.example' } },
    { tenantId: 'hostile', messageId: '<blocked@x>', receivedAtMs, subject: 'Invoice', ...body,
      from: { name: 'Boss', address: 'boss\u0000@spam.example' }, envelope: { mailFrom: 'boss\u0000@spam.example' } },
  ];
  await publish(env.kafka, env.config.topics.input, events);
  await waitFor('every event to be stored', () => countRows(env.pool, env.id), (n) => n >= events.length);
  const rows = await storedRows(env.pool, env.id);
  assert.deepEqual([...rows.keys()].sort(), events.map((e) => e.messageId).sort());

  const nul = rows.get('<nul@x>')!;
  assert.equal(nul.text_escaped, true);
  assert.equal(nul.subject, 'win\\u0000 money \\\\ now', 'the documented escape');
  assert.equal(original(nul).subject, 'win\u0000 money \\ now');
  assert.equal(original(nul).from_address, 'ann\u0000@colleague.example');
  assert.equal(original(nul).mail_from, 'bounce\u0000@colleague.example');

  const surrogate = rows.get('<surrogate@x>')!;
  assert.equal(surrogate.text_escaped, false);
  assert.equal(surrogate.subject, 'a\ufffdb');

  const cut = rows.get('<emoji@x>')!;
  assert.equal(cut.text_escaped, false, 'a cut between characters leaves nothing to escape');
  assert.equal(cut.subject, 'a'.repeat(SUBJECT_MAX_CHARS - 1));

  const bold = rows.get('<bold@x>')!;
  assert.equal(original(bold).subject, mathBold.slice(0, SUBJECT_MAX_CHARS));
  assert.ok(!bold.subject.includes('\ufffd'));
  for (const e of original(bold).explanations) assert.equal(typeof e.feature, 'string');

  const blocked = rows.get('<blocked@x>')!;
  assert.equal(blocked.text_escaped, true);
  assert.equal(blocked.alerted, true);
  const block = original(blocked).reasons.find((r) => r.code === 'policy.block_sender');
  assert.equal(block?.detail, 'boss\u0000@spam.example');

  // Every alert decodes (protobuf strings are UTF-8: the lone surrogate is U+FFFD there).
  const alerts = new Map((await readTopic(env.kafka, env.config.topics.alerts, 2)).map((m) => AlertCodec.decode(m.value!)).map((a) => [a.messageId, a]));
  assert.deepEqual([...alerts.keys()].sort(), ['<blocked@x>', '<surrogate@x>']);
  assert.equal(alerts.get('<blocked@x>')!.fromAddress, 'boss\u0000@spam.example', 'the alert carries the text as sent');
  assert.equal(alerts.get('<surrogate@x>')!.subject, 'a\ufffdb');
  assert.deepEqual(await readTopic(env.kafka, env.config.topics.deadLetter, 0, 1_000), []);
});

test('an email whose row PostgreSQL refuses is dead-lettered and still alerted', async (t) => {
  const { env, pipeline } = await startTestPipeline(t);
  await pipeline.policies.put({ tenantId: 'hostile', ...BLOCKING_POLICY });
  // A row-level refusal no escaping can avoid: a CHECK the test adds to its own schema.
  await env.pool.query(`ALTER TABLE ${env.id}.email_scores ADD CONSTRAINT refuse_marked CHECK (subject NOT LIKE '%refuse me%')`);
  const receivedAtMs = Date.now();
  const from = { name: 'Boss', address: 'boss@spam.example' };
  await publish(env.kafka, env.config.topics.input, [
    { tenantId: 'hostile', messageId: '<refused@x>', receivedAtMs, subject: 'please refuse me', ...body, from },
    { tenantId: 'hostile', messageId: '<kept@x>', receivedAtMs, subject: 'Invoice', ...body, from },
  ]);
  const deadLetters = await readTopic(env.kafka, env.config.topics.deadLetter, 1);
  assert.equal(deadLetters.length, 1);
  assert.equal(deadLetters[0]!.headers![DeadLetterHeader.errorCode]!.toString(), 'PG_23514');
  await waitFor('the other row', () => countRows(env.pool, env.id), (n) => n >= 1);
  assert.deepEqual([...(await storedRows(env.pool, env.id)).keys()], ['<kept@x>']);
  const alerts = (await readTopic(env.kafka, env.config.topics.alerts, 2)).map((m) => AlertCodec.decode(m.value!).messageId).sort();
  assert.deepEqual(alerts, ['<kept@x>', '<refused@x>']);
});
