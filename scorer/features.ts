// Pure feature extraction, shared by training and serving: an EmailEvent in, hashed sparse
// features in parts (scorer/feature_vector.ts), rule flags and threat-intel indicators out.
// Changing anything here changes what the model sees: bump FEATURE_SPEC_VERSION so a model
// trained on another spec is refused.
//
// Text is read as a reader sees it, not as it was typed: canonicalised first (scorer/canonical.ts:
// invisible characters removed, NFKC, look-alike letters inside Latin words mapped to the letters
// they imitate), and HTML read as its visible text. Tokens are hashed straight from the text's
// code units, lower-cased through a table; no string is cut per word.
//
// Everything here reads text an attacker wrote, so every scan runs in time linear in its input:
// no pattern may retry a long run from each of its starting points. Where a regular expression
// would, a small loop finds the few places where a match can start and runs an anchored (sticky)
// pattern there; each replacement gives exactly what the pattern it replaces gave (the
// differential tests in features.test.ts compare them on random text).
import type { EmailEventFields } from '../schemas/contracts.ts';
import { truncateChars } from '../schemas/limits.ts';
import { canonicalText as canonical, visibleTextOfHtml } from './canonical.ts';
import { combine, fnvString, fnvUnit, FNV_OFFSET, HASH_BUCKETS, PartBuilder, SourceKind, type Namer, type SparseParts } from './feature_vector.ts';
import { credentialHarvestUrl, formActionsIn, lookAlikeSender, registrableDomain as registrable } from './phishing.ts';

export { HASH_BITS, HASH_BUCKETS } from './feature_vector.ts';
export const FEATURE_SPEC_VERSION = 'fs4';
/** Body words looked at: the start of a message carries its intent, and each word costs CPU. */
const MAX_BODY_WORDS = 1024;
/**
 * Body characters canonicalised and read: enough for MAX_BODY_WORDS ordinary words several times
 * over. NFKC can make a text 18 times longer ("\uFDFA" is 18 characters), so canonicalising all
 * 256 Ki characters a body may hold cost up to 110 ms of CPU; this prefix bounds it.
 */
const MAX_BODY_CHARS_READ = 32 * 1024;
/** Body words per window: a window is scored on its own, so padding appended to spam sits in windows of its own. */
export const WINDOW_WORDS = 64;
// The body also gets one wide window over all the words read, with the character n-grams: spam
// that needs more than 64 words to show itself is read as a whole there, as the old single bag
// read it (held-out F1 0.9869 with a 256-word wide window, 0.9913 with all 1,024 words), while
// padding still cannot dilute the narrow windows.
/** Subject and display-name words looked at. */
const MAX_SUBJECT_WORDS = 200;
/** Subject characters looked at for character n-grams: obfuscated words ("v1agra", "fr.ee") live there. */
const MAX_SUBJECT_NGRAM_CHARS = 200;
/** Body characters looked at for character n-grams (in the wide window). */
const MAX_BODY_NGRAM_CHARS = 300;
/** Many overlapping n-grams per word: each counts for less than a word so they do not drown words out. */
const CHAR_NGRAM_WEIGHT = 0.25;
/** Words longer than this are one feature, `#long`: a run of 10,000 letters is not 10,000 n-grams of meaning. */
const MAX_WORD_UNITS = 30;

/**
 * Groups of hashed features, each switchable for ablation (`make eval` trains without each one
 * to show what it earns on the held-out split). Serving always uses every group.
 */
export const FeatureGroup = {
  words: 'words',
  charNgrams: 'char_ngrams',
  headers: 'headers',
  structure: 'structure',
  urls: 'urls',
  attachments: 'attachments',
  auth: 'auth',
} as const;
export type FeatureGroup = (typeof FeatureGroup)[keyof typeof FeatureGroup];
export const ALL_GROUPS: ReadonlySet<FeatureGroup> = new Set(Object.values(FeatureGroup));

/** Rule signals the risk engine scores explicitly, besides feeding them to the model. */
export const RuleFlag = {
  replyToMismatch: 1 << 0,
  displayNameSpoof: 1 << 1,
  urlIpLiteral: 1 << 2,
  urlPunycode: 1 << 3,
  urlShortener: 1 << 4,
  linkTextMismatch: 1 << 5,
  riskyAttachment: 1 << 6,
  spfFail: 1 << 7,
  dkimFail: 1 << 8,
  dmarcFail: 1 << 9,
  htmlOnly: 1 << 10,
  hiddenText: 1 << 11,
  /** A link whose host or path asks for credentials (login, verify, account) on a host that is not the sender's. */
  credentialHarvestUrl: 1 << 12,
  /** The sender's domain is a look-alike (confusable skeleton or small edit) of a domain named in the display name or a well-known brand. */
  lookAlikeSender: 1 << 13,
  /** Invisible or format characters (zero-width, soft hyphen, bidi controls) inside words. */
  invisibleCharacters: 1 << 14,
  /** Words that mix scripts (Latin with Cyrillic or Greek letters): look-alike letters. */
  mixedScriptWords: 1 << 15,
} as const;
export type RuleFlagName = keyof typeof RuleFlag;

export interface Indicators {
  readonly domains: string[];
  readonly urls: string[];
  readonly ips: string[];
  readonly attachmentHashes: string[];
}

export interface EmailFeatures extends SparseParts, Namer {
  readonly flags: number;
  readonly indicators: Indicators;
}

const SHORTENERS = new Set(['bit.ly', 'tinyurl.com', 'goo.gl', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly', 'shorturl.at', 'tiny.cc', 'rb.gy', 'x.co', 'lnkd.in']);
const RISKY_EXTENSIONS = new Set(['exe', 'scr', 'js', 'jse', 'vbs', 'vbe', 'bat', 'cmd', 'com', 'pif', 'hta', 'jar', 'msi', 'ps1', 'wsf', 'lnk', 'iso', 'img', 'docm', 'xlsm', 'pptm', 'one']);
const ARCHIVE_EXTENSIONS = new Set(['zip', 'rar', '7z', 'gz', 'tgz', 'ace', 'cab']);
// AuthResult enum numbers from email.v1 (FAIL = 3, SOFTFAIL = 4).
const AUTH_NAMES = ['unspecified', 'none', 'pass', 'fail', 'softfail', 'neutral', 'temperror', 'permerror'] as const;
/** The domain of an address written in text (`[\w.+-]+@(?:[\w-]+\.)+[\w-]+`), tried right after each `@`. */
const DOMAIN_AFTER_AT = /(?:[\w-]+\.)+[\w-]+/y;
const LOCAL_PART_CHAR = /[\w.+-]/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// Hidden text: one of these, or white text on a white background within one tag (see hasHiddenStyle).
const HIDDEN_DECLARATION = /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.\d+)?(?:px|pt|em)?\s*[;"']/i;
const WHITE_COLOR = /color\s*:\s*#?(?:fff(?:fff)?|white)\b/gi;
const WHITE_BACKGROUND = /background(?:-color)?\s*:\s*#?(?:fff(?:fff)?|white)\b/gi;

// Per UTF-16 unit of the BMP: is it part of a word (a letter, digit or mark, or $ € £), and its
// lower case when that is one unit. Built once per thread; surrogates are looked at as pairs.
const WORD_UNIT = new Uint8Array(0x10000);
const LOWER_UNIT = new Uint16Array(0x10000);
{
  const wordCharacter = /^[\p{L}\p{N}\p{M}$€£]$/u;
  for (let code = 0; code < 0x10000; code++) {
    LOWER_UNIT[code] = code;
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const character = String.fromCharCode(code);
    if (code < 0x80 ? /[A-Za-z0-9$]/.test(character) : wordCharacter.test(character)) WORD_UNIT[code] = 1;
    const lower = character.toLowerCase();
    if (lower.length === 1) LOWER_UNIT[code] = lower.charCodeAt(0);
  }
}
const ASTRAL_WORD_CHARACTER = /^[\p{L}\p{N}\p{M}]$/u;
const ROLL_P = 0x01000193;
const ROLL_P3 = Math.imul(Math.imul(ROLL_P, ROLL_P), ROLL_P);
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const SPACE = 32;

/** How many units the word character at `at` takes (1 or 2), or 0 when it is not a word character. */
function wordUnitsAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0xd800 || code > 0xdfff) return WORD_UNIT[code]!;
  if (code > 0xdbff || at + 1 >= text.length) return 0;
  const low = text.charCodeAt(at + 1);
  if (low < 0xdc00 || low > 0xdfff) return 0;
  return ASTRAL_WORD_CHARACTER.test(text.slice(at, at + 2)) ? 2 : 0;
}

const hashOfWord = (word: string) => fnvString(FNV_OFFSET, word);
const LONG_WORD = hashOfWord('#long');
const NUMBER_OF_LENGTH = Array.from({ length: 9 }, (_, n) => hashOfWord(`#num${n}`));

/** A word as a feature names it: lower case, long numbers by their length, very long words as one. */
function wordName(raw: string): string {
  if (raw.length > MAX_WORD_UNITS) return '#long';
  const word = raw.toLowerCase();
  if (/^\d+$/.test(word)) return word.length <= 2 ? word : `#num${Math.min(word.length, 8)}`;
  return word;
}

/** A character n-gram as a feature names it: lower case, every run of other characters one space. */
function ngramName(raw: string): string {
  return raw.toLowerCase().replace(/[^\p{L}\p{N}\p{M}$€£]+/gu, ' ');
}

const builder = new PartBuilder((kind, text, start, end) => (kind === SourceKind.ngram ? ngramName : wordName)(text.slice(start, end)));

/** Namespaces: hashed once, registered per email for names. */
class Namespace {
  readonly name: string;
  readonly hash: number;
  constructor(name: string) {
    this.name = name;
    this.hash = fnvUnit(fnvString(FNV_OFFSET, name), 58 /* : */);
  }
}
const NS = {
  subject: new Namespace('s'),
  subjectPairs: new Namespace('s2'),
  subjectNgrams: new Namespace('sc'),
  body: new Namespace('b'),
  bodyPairs: new Namespace('b2'),
  bodyNgrams: new Namespace('bc'),
  displayName: new Namespace('dn'),
  displayNamePairs: new Namespace('dn2'),
  mailer: new Namespace('h:mailer'),
  mailerPairs: new Namespace('h:mailer2'),
} as const;

/**
 * Feeds the words of a text to the open part: each word, and each pair of neighbours, hashed from
 * the text's units. For the body, the open part is a narrow window, which `endWindow` adds to the
 * wide part; the pair that spans two windows, and the character 4-grams, go to the wide part
 * directly. For other texts (the subject) everything goes to the open part.
 */
class WordFeeder {
  private text = '';
  private textId = -1;
  private namespaceId = -1;
  private pairsId = -1;
  private ngramsId = -1;
  private words!: Namespace;
  private pairs!: Namespace;
  private ngrams: Namespace | undefined;
  private previous = { hash: 0, start: -1, end: -1 };
  /** The next pair spans two narrow windows: it belongs to the wide part only. */
  private pairAcrossWindows = false;
  /** N-grams go to the wide part (the body), not the open one (the subject). */
  private ngramsWide = false;
  private ngramBudget = 0;
  // The last four characters fed to the n-gram roller (code points), and where each began, in a ring.
  private readonly ring = new Int32Array(4);
  private readonly ringAt = new Int32Array(4);
  private ringLength = 0;
  private rolling = 0;
  private lastEnd = 0;

  start(text: string, words: Namespace, pairs: Namespace, ngrams: Namespace | undefined, ngramChars: number, body = false): void {
    this.text = text;
    this.textId = -1;
    this.words = words;
    this.pairs = pairs;
    this.ngrams = ngrams;
    this.namespaceId = -1;
    this.pairsId = -1;
    this.ngramsId = -1;
    this.previous.start = -1;
    this.pairAcrossWindows = false;
    this.ngramsWide = body;
    this.ngramBudget = ngrams === undefined ? 0 : ngramChars;
    this.ringLength = 0;
    this.rolling = 0;
    if (this.ngramBudget > 0) this.pushCharacter(SPACE, 0);
  }

  /** A new narrow window: its first pair reaches back into the last one, so only the wide part has it. */
  newWindow(): void {
    this.pairAcrossWindows = this.previous.start !== -1;
  }

  /** Where the next word starts at or after `at`, or -1 when no word is left (also for `at` = -1). */
  skipToWord(at: number): number {
    if (at === -1) return -1;
    const text = this.text;
    while (at < text.length && wordUnitsAt(text, at) === 0) at++;
    return at < text.length ? at : -1;
  }

  /** The text's next word from `at`: feeds it and returns where it ends, or -1 when no word is left. */
  next(at: number, wordWeight: number): number {
    const text = this.text;
    const length = text.length;
    let units = 0;
    while (at < length && (units = wordUnitsAt(text, at)) === 0) at++;
    if (at >= length) return -1;
    const start = at;
    let hash = FNV_OFFSET;
    let digits = true;
    while (units > 0) {
      if (units === 1) {
        const code = text.charCodeAt(at);
        if (code < DIGIT_0 || code > DIGIT_9) digits = false;
        hash = Math.imul(hash ^ LOWER_UNIT[code]!, 0x01000193);
      } else {
        digits = false;
        hash = fnvUnit(fnvUnit(hash, text.charCodeAt(at)), text.charCodeAt(at + 1));
      }
      at += units;
      if (at >= length) break;
      const next = text.charCodeAt(at);
      units = next < 0x80 ? WORD_UNIT[next]! : wordUnitsAt(text, at);
    }
    const wordLength = at - start;
    if (wordLength > MAX_WORD_UNITS) hash = LONG_WORD;
    else if (digits && wordLength > 2) hash = NUMBER_OF_LENGTH[Math.min(wordLength, 8)]!;
    if (wordWeight > 0) this.addWord(hash, start, at, wordWeight);
    if (this.ngramBudget > 0) this.feedNgrams(start, at);
    return at;
  }

  /** Feeds `maxWords` words from the start of the text. */
  all(maxWords: number, wordWeight: number): void {
    let at = 0;
    for (let n = 0; n < maxWords && at !== -1; n++) at = this.next(at, wordWeight);
    this.flushNgrams();
  }

  /** Ends the n-grams with the closing space. */
  flushNgrams(): void {
    if (this.ngramBudget > 0 && this.ringLength > 0) this.pushCharacter(SPACE, this.lastEnd);
    this.ngramBudget = 0;
  }

  private textIdentity(): number {
    if (this.textId === -1) this.textId = builder.text(this.text);
    return this.textId;
  }

  /** A word, and the pair it ends, into the open part (a pair across two windows into the wide part). */
  private addWord(hash: number, start: number, end: number, weight: number): void {
    if (builder.bump(combine(this.words.hash, hash), weight)) {
      if (this.namespaceId === -1) this.namespaceId = builder.text(this.words.name);
      builder.source(SourceKind.word, this.namespaceId, this.textIdentity(), start, end);
    }
    const previous = this.previous;
    if (previous.start !== -1) {
      const pair = combine(combine(this.pairs.hash, previous.hash), hash);
      if (this.pairAcrossWindows ? builder.bumpWide(pair, weight) : builder.bump(pair, weight)) this.pairSource(previous, start, end);
      this.pairAcrossWindows = false;
    }
    previous.hash = hash;
    previous.start = start;
    previous.end = end;
  }

  private pairSource(previous: { start: number; end: number }, start: number, end: number): void {
    if (this.pairsId === -1) this.pairsId = builder.text(this.pairs.name);
    builder.source(SourceKind.pair, this.pairsId, this.textIdentity(), previous.start, previous.end, start, end);
  }

  private feedNgrams(start: number, end: number): void {
    const text = this.text;
    if (this.ringLength > 1) this.pushCharacter(SPACE, this.lastEnd);
    for (let at = start; at < end && this.ngramBudget > 0; ) {
      const code = text.charCodeAt(at);
      const units = code >= 0xd800 && code <= 0xdbff && at + 1 < end ? 2 : 1;
      this.lastEnd = at + units;
      this.pushCharacter(units === 2 ? text.codePointAt(at)! : LOWER_UNIT[code]!, at);
      this.ngramBudget--;
      at += units;
    }
  }

  /**
   * One character into the roller; from the fourth on, each makes the n-gram of the last four.
   * The n-gram's hash rolls: h = c0·P³ + c1·P² + c2·P + c3 (mod 2³²), updated in O(1).
   */
  private pushCharacter(code: number, at: number): void {
    const slot = this.ringLength & 3;
    const leaving = this.ringLength >= 4 ? this.ring[slot]! : 0;
    this.ring[slot] = code;
    this.ringAt[slot] = at;
    this.ringLength++;
    this.rolling = (Math.imul(this.rolling - Math.imul(leaving, ROLL_P3), ROLL_P) + code) | 0;
    if (this.ringLength < 4 || this.ngrams === undefined) return;
    const ngram = combine(this.ngrams.hash, this.rolling);
    if (this.ngramsWide ? builder.bumpWide(ngram, CHAR_NGRAM_WEIGHT) : builder.bump(ngram, CHAR_NGRAM_WEIGHT)) {
      if (this.ngramsId === -1) this.ngramsId = builder.text(this.ngrams.name);
      builder.source(SourceKind.ngram, this.ngramsId, this.textIdentity(), this.ringAt[(this.ringLength - 4) & 3]!, Math.max(at + 1, this.lastEnd));
    }
  }
}
const feeder = new WordFeeder();

/** Whole-name features: hashed from the name, which is kept for explanations. */
function feature(name: string, weight = 1): void {
  if (builder.bump(combine(fnvString(FNV_OFFSET, name), 0), weight)) builder.source(SourceKind.name, builder.text(name), 0, 0, 0);
}

function words(text: string, words: Namespace, pairs: Namespace, maxWords: number): void {
  feeder.start(text, words, pairs, undefined, 0);
  feeder.all(maxWords, 1);
}

/**
 * What `make eval`'s ablation turns off to show what each defence buys: the canonical text, and
 * the narrow windows (without them the body is one window of MAX_BODY_WORDS words beside the wide
 * one). Serving always uses SHIPPED.
 */
export interface FeatureVariant { readonly canonicalText: boolean; readonly narrowWindows: boolean }
export const SHIPPED: FeatureVariant = { canonicalText: true, narrowWindows: true };
const AS_WRITTEN = (text: string) => ({ text, invisible: 0, confusables: 0, mixedScriptWords: 0 });

export function extractFeatures(email: EmailEventFields, groups: ReadonlySet<FeatureGroup> = ALL_GROUPS, variant: FeatureVariant = SHIPPED): EmailFeatures {
  const canonicalText = variant.canonicalText ? canonical : AS_WRITTEN;
  const windowWords = variant.narrowWindows ? WINDOW_WORDS : MAX_BODY_WORDS;
  builder.begin();
  const wordsOn = groups.has(FeatureGroup.words);
  const ngramsOn = groups.has(FeatureGroup.charNgrams);
  const headersOn = groups.has(FeatureGroup.headers);
  const structureOn = groups.has(FeatureGroup.structure);
  let flags = 0;

  // Part 0, the context: who sent it, how, what it links to and carries, and its subject.
  const subject = canonicalText(email.subject ?? '');
  const text = email.textBody ?? '';
  const html = email.htmlBody ?? '';
  const visible = html.length > 0 ? visibleTextOfHtml(html) : { text: '', hiddenChars: 0 };
  const body = canonicalText(truncateChars(text.trim().length > 0 ? text : visible.text, MAX_BODY_CHARS_READ));
  if (wordsOn || ngramsOn) {
    feeder.start(subject.text, NS.subject, NS.subjectPairs, ngramsOn ? NS.subjectNgrams : undefined, MAX_SUBJECT_NGRAM_CHARS);
    feeder.all(MAX_SUBJECT_WORDS, wordsOn ? 1 : 0);
  }
  if (structureOn) addSubjectStyle(subject.text);
  if (text.trim().length === 0 && html.length > 0) {
    flags |= RuleFlag.htmlOnly;
    if (structureOn) feature('f:html_only');
  }
  if (visible.hiddenChars > 0 || (html.length > 0 && hasHiddenStyle(html))) {
    flags |= RuleFlag.hiddenText;
    if (structureOn) feature('f:hidden_text');
  }
  const invisible = subject.invisible + body.invisible;
  if (invisible > 0) {
    flags |= RuleFlag.invisibleCharacters;
    if (structureOn) feature(`f:invisible:${bucketOf(invisible)}`);
  }
  const mixed = subject.mixedScriptWords + body.mixedScriptWords;
  if (mixed > 0) {
    flags |= RuleFlag.mixedScriptWords;
    if (structureOn) feature(`f:mixed_script:${bucketOf(mixed)}`);
  }
  if (structureOn && subject.confusables + body.confusables > 0) feature(`f:confusables:${bucketOf(subject.confusables + body.confusables)}`);
  // No feature of the body's length: padding controls it, and the context must not move with padding.

  const fromAddress = (email.from?.address ?? email.envelope?.mailFrom ?? '').toLowerCase();
  const fromDomain = domainOf(fromAddress);
  const replyToDomain = domainOf(email.replyTo?.address ?? '');
  const domains = new Set<string>();
  if (fromDomain !== '') {
    domains.add(fromDomain);
    if (headersOn) {
      feature(`fd:${fromDomain}`);
      feature(`ftld:${fromDomain.slice(fromDomain.lastIndexOf('.') + 1)}`);
    }
  } else if (headersOn) {
    feature('f:no_from');
  }
  if (replyToDomain !== '') {
    domains.add(replyToDomain);
    if (fromDomain !== '' && registrable(replyToDomain) !== registrable(fromDomain)) {
      flags |= RuleFlag.replyToMismatch;
      if (headersOn) feature('f:reply_to_mismatch');
    }
  }
  const displayName = email.from?.name ?? '';
  const spoofed = addressDomainInText(displayName);
  if (spoofed !== undefined && registrable(spoofed.toLowerCase()) !== registrable(fromDomain)) {
    flags |= RuleFlag.displayNameSpoof;
    if (headersOn) feature('f:display_name_spoof');
  }
  if (fromDomain !== '' && lookAlikeSender(fromDomain, displayName)) {
    flags |= RuleFlag.lookAlikeSender;
    if (headersOn) feature('f:look_alike_sender');
  }
  if (displayName.length > 0 && headersOn) words(canonicalText(displayName).text, NS.displayName, NS.displayNamePairs, 10);

  const urlSignals = urlFeatures(email.urls ?? [], html, groups.has(FeatureGroup.urls));
  flags |= urlSignals.flags;
  if (credentialHarvestUrl(email.urls ?? [], fromDomain, formActionsIn(html))) {
    flags |= RuleFlag.credentialHarvestUrl;
    if (groups.has(FeatureGroup.urls)) feature('f:credential_harvest_url');
  }
  for (const host of urlSignals.hosts) domains.add(host);
  // Intel lists name registrable domains; a lookup must also match their subdomains.
  for (const domain of [...domains]) domains.add(registrable(domain));

  const ips = new Set<string>(urlSignals.ips);
  const clientIp = email.envelope?.clientIp ?? '';
  if (clientIp !== '') ips.add(clientIp);

  const attachmentsOn = groups.has(FeatureGroup.attachments);
  const attachmentHashes: string[] = [];
  for (const attachment of email.attachments ?? []) {
    const name = (attachment.filename ?? '').toLowerCase();
    const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
    if (attachmentsOn) {
      feature(`a:type:${(attachment.contentType ?? '').toLowerCase()}`);
      if (extension !== '') feature(`a:ext:${extension}`);
    }
    if (RISKY_EXTENSIONS.has(extension) || (ARCHIVE_EXTENSIONS.has(extension) && /\.(exe|scr|js|vbs|bat)\./.test(name))) {
      flags |= RuleFlag.riskyAttachment;
      if (attachmentsOn) feature('f:risky_attachment');
    }
    if (attachment.sha256) attachmentHashes.push(attachment.sha256.toLowerCase());
  }
  if (attachmentsOn) feature(`a:count:${bucketOf(email.attachments?.length ?? 0)}`);

  const auth = email.auth;
  const spf = AUTH_NAMES[auth?.spf ?? 0] ?? 'unspecified';
  const dkim = AUTH_NAMES[auth?.dkim ?? 0] ?? 'unspecified';
  const dmarc = AUTH_NAMES[auth?.dmarc ?? 0] ?? 'unspecified';
  // An unreported result is no evidence either way: only results the MTA gave become features.
  if (groups.has(FeatureGroup.auth)) {
    if (spf !== 'unspecified') feature(`auth:spf:${spf}`);
    if (dkim !== 'unspecified') feature(`auth:dkim:${dkim}`);
    if (dmarc !== 'unspecified') feature(`auth:dmarc:${dmarc}`);
  }
  if (spf === 'fail' || spf === 'softfail') flags |= RuleFlag.spfFail;
  if (dkim === 'fail') flags |= RuleFlag.dkimFail;
  if (dmarc === 'fail') flags |= RuleFlag.dmarcFail;

  if (headersOn) {
    let received = 0;
    for (const header of email.headers ?? []) {
      const name = (header.name ?? '').toLowerCase();
      const value = header.value ?? '';
      if (name === 'received') {
        received += 1;
        receivedPathFeatures(value);
      } else if (name === 'x-mailer' || name === 'user-agent') words(value, NS.mailer, NS.mailerPairs, 3);
      else if (name === 'list-unsubscribe') feature('h:list_unsubscribe');
      else if (name === 'precedence') feature(`h:precedence:${value.toLowerCase()}`);
      else if (name === 'x-priority') feature(`h:priority:${firstCharacter(value.trim())}`);
    }
    feature(`h:received:${bucketOf(received)}`);
    feature(`r:to:${bucketOf((email.to?.length ?? 0) + (email.cc?.length ?? 0))}`);
  }
  builder.endPart();

  // Parts 1…: the body in narrow windows of WINDOW_WORDS words, each scored on its own, then the
  // wide window over all of them, their sum.
  feeder.start(body.text, NS.body, NS.bodyPairs, ngramsOn ? NS.bodyNgrams : undefined, MAX_BODY_NGRAM_CHARS, true);
  let at = wordsOn || ngramsOn ? feeder.skipToWord(0) : -1;
  let windows = 0;
  do {
    feeder.newWindow();
    for (let n = 0; n < windowWords && at !== -1; n++) at = feeder.skipToWord(feeder.next(at, wordsOn ? 1 : 0));
    builder.endWindow();
  } while (at !== -1 && ++windows * windowWords < MAX_BODY_WORDS);
  feeder.flushNgrams();
  builder.endWidePart();

  const vector = builder.finish();
  return {
    indices: vector.indices,
    values: vector.values,
    parts: vector.parts,
    nameAt: vector.nameAt,
    flags,
    indicators: { domains: [...domains], urls: urlSignals.urls, ips: [...ips], attachmentHashes },
  };
}

export function flagNames(flags: number): RuleFlagName[] {
  return (Object.keys(RuleFlag) as RuleFlagName[]).filter((name) => (flags & RuleFlag[name]) !== 0);
}

/** The bucket of a whole-name feature (`f:html_only`, `fd:example.com`). */
export function hashFeature(feature: string): number {
  return combine(fnvString(FNV_OFFSET, feature), 0) & (HASH_BUCKETS - 1);
}

/** The first character of `text`, a whole surrogate pair if it is one. */
function firstCharacter(text: string): string {
  return (text.codePointAt(0) ?? 0) > 0xffff ? text.slice(0, 2) : text.charAt(0);
}

/** What a Received header says about the path: relays without reverse DNS, IP-literal HELOs. */
function receivedPathFeatures(value: string): void {
  const lower = value.toLowerCase();
  if (/from\s+unknown\b|\(unknown\s+\[/.test(lower)) feature('rcv:unknown_host');
  if (/from\s+\[?\d{1,3}(\.\d{1,3}){3}\]?\s/.test(lower)) feature('rcv:ip_helo');
  if (/\bwith\s+e?smtps?a\b/.test(lower)) feature('rcv:authenticated');
  const by = /\bby\s+([\w.-]+\.[a-z]{2,})/.exec(lower)?.[1];
  if (by !== undefined) feature(`rcv:by:${registrable(by)}`);
}

function addSubjectStyle(subject: string): void {
  const letters = subject.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 6) {
    const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
    if (upper / letters.length > 0.6) feature('f:subject_shouting');
  }
  if (/!{2,}|\?{2,}|\$\$/.test(subject)) feature('f:subject_punctuation');
  if (subject.trim() === '') feature('f:subject_empty');
}

interface UrlSignals { flags: number; hosts: Set<string>; ips: string[]; urls: string[] }

function urlFeatures(urls: readonly string[], html: string, on: boolean): UrlSignals {
  const signals: UrlSignals = { flags: 0, hosts: new Set(), ips: [], urls: [] };
  const add = (name: string) => {
    if (on) feature(name);
  };
  for (const raw of urls.slice(0, 100)) {
    const host = hostOf(raw);
    if (host === '') continue;
    signals.urls.push(raw.toLowerCase());
    signals.hosts.add(host);
    add(`uh:${registrable(host)}`);
    if (IPV4.test(host) || host.startsWith('[')) {
      signals.flags |= RuleFlag.urlIpLiteral;
      signals.ips.push(host.replace(/^\[|\]$/g, ''));
      add('f:url_ip');
    }
    if (host.split('.').some((label) => label.startsWith('xn--'))) {
      signals.flags |= RuleFlag.urlPunycode;
      add('f:url_punycode');
    }
    if (SHORTENERS.has(host)) {
      signals.flags |= RuleFlag.urlShortener;
      add('f:url_shortener');
    }
  }
  add(`u:count:${bucketOf(urls.length)}`);
  // Link text that itself looks like a URL pointing somewhere other than the href.
  for (const link of linksWithText(html)) {
    const shown = hostShownIn(link.text);
    if (shown !== undefined && registrable(shown.toLowerCase()) !== registrable(hostOf(link.href))) {
      signals.flags |= RuleFlag.linkTextMismatch;
      add('f:link_text_mismatch');
      break;
    }
  }
  return signals;
}

const LINK_OPEN = /<a\s/gi;
const HREF_AT = /href\s*=\s*["']?(https?:\/\/[^"'\s>]+)/iy;
const HREF_WORD = /href/gi;
const LINK_CLOSE_AT = /<\/a>/iy;

/**
 * The links `<a …href="http…"…>text</a>` with 4 to 200 characters of text, in the order and with
 * the values of `html.matchAll(/<a\s[^>]*href\s*=\s*["']?(https?:\/\/[^"'\s>]+)[^>]*>([^<]{4,200})<\/a>/gi)`,
 * which is cubic on `<a href=http://x ` repeated. The pattern's tag ends at the first `>`, its text
 * at the next `<`, and its greedy `[^>]*` picks the last `href` of the tag that is followed by a URL;
 * every `<a` inside a tag that fails fails the same way, so the scan moves on past that tag's `>`.
 */
export function* linksWithText(html: string): Generator<{ href: string; text: string }> {
  let from = 0;
  for (;;) {
    LINK_OPEN.lastIndex = from;
    if (LINK_OPEN.exec(html) === null) return;
    const tagStart = LINK_OPEN.lastIndex;
    const tagEnd = html.indexOf('>', tagStart);
    if (tagEnd === -1) return;
    from = tagEnd + 1;
    const textEnd = html.indexOf('<', tagEnd + 1);
    const textLength = textEnd - tagEnd - 1;
    if (textEnd === -1 || textLength < 4 || textLength > 200) continue;
    LINK_CLOSE_AT.lastIndex = textEnd;
    if (!LINK_CLOSE_AT.test(html)) continue;
    const href = lastHref(html.slice(tagStart, tagEnd));
    if (href === undefined) continue;
    from = textEnd + 4;
    yield { href, text: html.slice(tagEnd + 1, textEnd) };
  }
}

/** The URL of the last `href=http…` in a tag's attributes. */
function lastHref(attributes: string): string | undefined {
  const starts: number[] = [];
  HREF_WORD.lastIndex = 0;
  for (let m = HREF_WORD.exec(attributes); m !== null; m = HREF_WORD.exec(attributes)) starts.push(m.index);
  for (let k = starts.length - 1; k >= 0; k--) {
    HREF_AT.lastIndex = starts[k]!;
    const m = HREF_AT.exec(attributes);
    if (m !== null) return m[1];
  }
  return undefined;
}

const SHOWN_HOST_AT = /(?:https?:\/\/)?((?:[\w-]+\.)+[a-z]{2,})/iy;
const SCHEME_AT = /https?:\/\//iy;
const LABEL_CHAR = /[\w-]/;

/**
 * The host name in a link's text: what `/(?:https?:\/\/)?((?:[\w-]+\.)+[a-z]{2,})/i.exec(text)?.[1]`
 * gives, without retrying a failed run of labels from each of its characters. When the pattern
 * fails at the start of a run `a.b.c…`, it fails at every later point of that run too (the same
 * dots follow), except where a scheme `http://` begins.
 */
export function hostShownIn(text: string): string | undefined {
  let failedUntil = 0;
  for (let at = 0; at < text.length; at++) {
    if (at < failedUntil) {
      SCHEME_AT.lastIndex = at;
      if (!SCHEME_AT.test(text)) continue;
    } else if (!LABEL_CHAR.test(text.charAt(at))) continue;
    SHOWN_HOST_AT.lastIndex = at;
    const m = SHOWN_HOST_AT.exec(text);
    if (m !== null) return m[1];
    if (at >= failedUntil) failedUntil = endOfLabels(text, at);
  }
  return undefined;
}

/** Where the run of `label.label.…` that starts at `at` ends. */
function endOfLabels(text: string, at: number): number {
  let end = at;
  for (;;) {
    let label = end;
    while (label < text.length && LABEL_CHAR.test(text.charAt(label))) label++;
    if (label === end || text.charCodeAt(label) !== DOT) return label;
    end = label + 1;
  }
}

/**
 * The domain of the first address in `text`, as `/[\w.+-]+@([\w-]+\.)+[\w-]+/.exec(text)` finds it:
 * tried after each `@` that follows a local-part character, never from each character of a long
 * local part.
 */
export function addressDomainInText(text: string): string | undefined {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_PART_CHAR.test(text.charAt(at - 1))) continue;
    DOMAIN_AFTER_AT.lastIndex = at + 1;
    const m = DOMAIN_AFTER_AT.exec(text);
    if (m !== null) return m[0];
  }
  return undefined;
}

/**
 * `/…color:white…[^>]*background:white…/i.test(html)` without scanning from each white colour to
 * the end of the text: the first white background and the first `>` at or after a point only move
 * forward, so each is searched for once per stretch of text.
 */
export function hasHiddenStyle(html: string): boolean {
  if (HIDDEN_DECLARATION.test(html)) return true;
  let background = -1;
  let tagEnd = -1;
  WHITE_COLOR.lastIndex = 0;
  for (let color = WHITE_COLOR.exec(html); color !== null; color = WHITE_COLOR.exec(html)) {
    const end = WHITE_COLOR.lastIndex;
    if (background < end) {
      WHITE_BACKGROUND.lastIndex = end;
      const found = WHITE_BACKGROUND.exec(html);
      if (found === null) return false;
      background = found.index;
    }
    if (tagEnd < end) {
      tagEnd = html.indexOf('>', end);
      if (tagEnd === -1) tagEnd = html.length;
    }
    if (background < tagEnd) return true;
  }
  return false;
}

export function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)/i.exec(url.trim());
  return match?.[1]?.toLowerCase().replace(/\.$/, '') ?? '';
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  // Trailing `>` and white space cut by hand: /[>\s]+$/ retries a long run of them from each one.
  const domain = address.slice(at + 1).toLowerCase();
  let end = domain.length;
  while (end > 0 && TRAILING_JUNK.test(domain.charAt(end - 1))) end--;
  return domain.slice(0, end);
}
const TRAILING_JUNK = /[>\s]/;

/**
 * A feature name as explanations show it: feature names carry text from the email, which may
 * hold NUL or lone surrogates that JSON stores (PostgreSQL's jsonb) refuse; both become U+FFFD.
 * Called for the few names an explanation keeps, not for every feature.
 */
export function explanationName(name: string): string {
  const wellFormed = name.isWellFormed() ? name : name.toWellFormed();
  return wellFormed.includes('\0') ? wellFormed.replaceAll('\0', '\uFFFD') : wellFormed;
}


function bucketOf(n: number): string {
  if (n <= 1) return String(n);
  if (n <= 3) return '2-3';
  if (n <= 7) return '4-7';
  if (n <= 15) return '8-15';
  return '16+';
}

const DOT = 46;
