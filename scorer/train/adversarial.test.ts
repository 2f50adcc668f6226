import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { loadCorpus, type CorpusMessage } from './corpus.ts';
import {
  adversarialTrainingSet, buildPaddingPool, DEFAULT_ADVERSARIAL_OPTIONS, homoglyphTable, messageSeed, transformCorpus, transformMessage,
  TRANSFORMS, ZERO_WIDTH_CHARACTERS, type PaddingPool,
} from './adversarial.ts';

let corpus: CorpusMessage[];
let pool: PaddingPool;
let heldOutSpam: CorpusMessage[];
/** A held-out spam message with a plain-text body of some length. */
let sample: CorpusMessage;

before(async () => {
  corpus = await loadCorpus();
  pool = await buildPaddingPool(corpus.filter((m) => !m.heldOut));
  heldOutSpam = corpus.filter((m) => m.heldOut && m.spam);
  sample = heldOutSpam.find((m) => !/content-type:\s*text\/html/i.test(m.raw.toString('latin1')) && m.raw.length > 2000)!;
});

const rewrite = (transform: Parameters<typeof transformMessage>[1], seed = 7, message = sample) => transformMessage(message.raw, transform, seed, { pool });
const words = (text: string) => text.split(/\s+/).filter(Boolean);
const INVISIBLE = new RegExp(`[${ZERO_WIDTH_CHARACTERS.join('')}]`, 'g');

test('the same seed, options and input give the same bytes; another seed gives other bytes', async () => {
  for (const transform of TRANSFORMS) {
    assert.ok((await rewrite(transform, 11)).equals(await rewrite(transform, 11)), transform);
  }
  for (const transform of ['homoglyphs', 'zero_width', 'html_split', 'padding', 'combined'] as const) {
    assert.ok(!(await rewrite(transform, 11)).equals(await rewrite(transform, 12)), transform);
  }
  assert.notEqual(messageSeed(1, 'a', 'padding'), messageSeed(1, 'a', 'homoglyphs'));
});

test('the homoglyph table is TR39 inverted: Cyrillic/Greek letters whose skeleton is one ASCII letter', async () => {
  const table = await homoglyphTable();
  assert.deepEqual(table.get('a'), ['α', 'а']);
  assert.ok(table.get('o')!.includes('о') && table.get('p')!.includes('р') && table.get('e')!.includes('е'));
  for (const [ascii, sources] of table) {
    assert.match(ascii, /^[A-Za-z]$/);
    for (const s of sources) assert.match(s, /^[\p{Script=Cyrillic}\p{Script=Greek}]$/u);
  }
});

test('homoglyphs: look-alike letters in the body whose ASCII skeleton is the original text', async () => {
  const table = await homoglyphTable();
  const skeleton = new Map([...table].flatMap(([ascii, sources]) => sources.map((s) => [s, ascii] as const)));
  const clean = await simpleParser(await rewrite('none'));
  const out = await simpleParser(await rewrite('homoglyphs'));
  const swapped = [...out.text!].filter((c) => skeleton.has(c)).length;
  assert.ok(swapped >= 10, `only ${swapped} look-alike letters`);
  assert.equal([...out.text!].map((c) => skeleton.get(c) ?? c).join(''), clean.text);
});

test('homoglyphs and zero-width characters reach the subject, which decodes from RFC 2047', async () => {
  const raw = Buffer.from('From: a@example.com\r\nSubject: Incredible discount pharmacy offers today\r\nMessage-ID: <x@example.com>\r\n\r\nHello there friend\r\n');
  const options = { ...DEFAULT_ADVERSARIAL_OPTIONS, homoglyphWordRate: 1, zeroWidthWordRate: 1 };
  const out = await transformMessage(raw, 'combined', 3, { pool, options });
  assert.match(out.toString('latin1'), /^Subject: =\?UTF-8\?B\?/m);
  const parsed = await simpleParser(out);
  assert.notEqual(parsed.subject, 'Incredible discount pharmacy offers today');
  assert.match(parsed.subject!, INVISIBLE);
  assert.match(parsed.subject!, /[\p{Script=Cyrillic}\p{Script=Greek}]/u);
  assert.equal(parsed.messageId, '<x@example.com>');
  assert.equal(parsed.from?.text, 'a@example.com');
});

test('zero_width: invisible characters inside words; removing them gives the original text', async () => {
  const clean = await simpleParser(await rewrite('none'));
  const out = await simpleParser(await rewrite('zero_width'));
  const inserted = out.text!.match(INVISIBLE) ?? [];
  assert.ok(inserted.length >= 10, `only ${inserted.length} invisible characters`);
  assert.equal(out.text!.replace(INVISIBLE, ''), clean.text);
  // inside words: a letter on both sides
  assert.match(out.text!, new RegExp(`\\p{L}[${ZERO_WIDTH_CHARACTERS.join('')}]+\\p{L}`, 'u'));
});

test('html_split: HTML only, words split by empty elements and letters as references, the same words when rendered', async () => {
  const raw = await rewrite('html_split');
  const head = raw.toString('latin1').split('\r\n\r\n')[0]!;
  assert.match(head, /^Content-Type: text\/html; charset=UTF-8$/m);
  const parsed = await simpleParser(raw);
  assert.equal(typeof parsed.html, 'string');
  assert.match(parsed.html as string, /\p{L}<(b|span|i|font|u|em)><\/\1>\p{L}/u);
  assert.match(parsed.html as string, /&#(\d+|x[0-9a-f]+);/);
  const rendered = new Set(words(parsed.text!.replace(/[.,!?:$%()]/g, '')));
  const original = words((await simpleParser(await rewrite('none'))).text!.replace(/[.,!?:$%()]/g, ''));
  const missing = original.filter((w) => !rendered.has(w));
  assert.deepEqual(missing, []);
});

test('reencode: base64 or quoted-printable declared and used; the text is unchanged', async () => {
  const clean = await simpleParser(await rewrite('none'));
  const seen = new Set<string>();
  for (let seed = 1; seed <= 8; seed += 1) {
    const raw = await rewrite('reencode', seed);
    const cte = /^Content-Transfer-Encoding: (.+)$/m.exec(raw.toString('latin1'))![1]!;
    seen.add(cte);
    assert.equal((await simpleParser(raw)).text, clean.text);
  }
  assert.deepEqual([...seen].sort(), ['base64', 'quoted-printable']);
});

test('padding: 200-600 words appended, every one from the training-ham pool', async () => {
  const poolWords = new Set(pool.documents.flatMap((d) => d.words));
  const clean = (await simpleParser(await rewrite('none'))).text!.trimEnd();
  for (const seed of [1, 2, 3]) {
    const text = (await simpleParser(await rewrite('padding', seed))).text!;
    assert.ok(text.startsWith(clean));
    const appended = words(text.slice(clean.length));
    assert.ok(appended.length >= 200 && appended.length <= 600, `${appended.length} words`);
    assert.deepEqual(appended.filter((w) => !poolWords.has(w)), []);
  }
});

test('the padding pool holds training ham only, and held-out messages are refused', async () => {
  const trainHam = new Set(corpus.filter((m) => !m.heldOut && !m.spam).map((m) => m.key));
  assert.ok(pool.documents.length > 1000);
  for (const d of pool.documents) assert.ok(trainHam.has(d.key), d.key);
  await assert.rejects(buildPaddingPool(corpus.slice(0, 200)), /held out/);
  await assert.rejects(adversarialTrainingSet(corpus.slice(0, 200)), /held out/);
});

test('adversarialTrainingSet: training messages only, spam through any transform, ham through light ones, deterministic', async () => {
  const train = corpus.filter((m) => !m.heldOut);
  const subset = [...train.filter((m) => m.spam).slice(0, 30), ...train.filter((m) => !m.spam).slice(0, 60)];
  const first = await adversarialTrainingSet(subset, DEFAULT_ADVERSARIAL_OPTIONS, 5);
  const again = await adversarialTrainingSet(subset, DEFAULT_ADVERSARIAL_OPTIONS, 5);
  assert.deepEqual(first.map((m) => m.key), again.map((m) => m.key));
  first.forEach((m, i) => assert.ok(m.raw.equals(again[i]!.raw), m.key));
  assert.equal(first.filter((m) => m.spam).length, 30);
  const ham = first.filter((m) => !m.spam);
  assert.ok(ham.length > 10 && ham.length < 60, `${ham.length} ham rewritten of 60 at share 0.5`);
  for (const m of first) {
    assert.equal(m.heldOut, false);
    const transform = m.key.split('#adv-')[1]!;
    assert.ok(m.spam ? (TRANSFORMS as readonly string[]).includes(transform) : ['reencode', 'html_split', 'padding'].includes(transform), m.key);
  }
  assert.ok(new Set(first.filter((m) => m.spam).map((m) => m.key.split('#adv-')[1])).size >= 4);
});

test('every held-out spam message through combined parses back, with well-formed lines', async () => {
  const rewritten = await transformCorpus(heldOutSpam, 'combined', 99, { pool });
  assert.equal(rewritten.length, heldOutSpam.length);
  for (const m of rewritten) {
    assert.ok(m.key.endsWith('#combined') && m.spam && m.heldOut);
    const text = m.raw.toString('latin1');
    assert.ok(!/(^|[^\r])\n/.test(text), `${m.key}: bare LF`);
    const [head, ...body] = text.split('\r\n\r\n');
    assert.match(head!, /^MIME-Version: 1\.0$/m);
    assert.match(head!, /^Content-Transfer-Encoding: (base64|quoted-printable)$/m);
    for (const line of body.join('\r\n\r\n').split('\r\n')) assert.ok(line.length <= 76, `${m.key}: line of ${line.length}`);
    const parsed = await simpleParser(m.raw);
    assert.equal(typeof parsed.html, 'string', m.key);
    assert.ok(parsed.text!.length > 0, m.key);
  }
});
