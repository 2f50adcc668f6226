import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressDomainInText, domainOf, explanationName, extractFeatures, flagNames, hashFeature, hasHiddenStyle, HASH_BUCKETS, hostShownIn, linksWithText, WINDOW_WORDS, FeatureGroup,
  type EmailFeatures,
} from './features.ts';
import { createRandom } from './random.ts';
import { extractUrls } from './mime.ts';

/** Every feature's name, in the order of `indices`. */
const namesOf = (f: EmailFeatures): string[] => Array.from(f.indices, (_, k) => f.nameAt(k));

const base = { tenantId: 't', messageId: 'm', receivedAtMs: 1, subject: 'Your invoice', textBody: 'Hello, the invoice is attached.', from: { name: 'Billing', address: 'billing@shop.example' } };

test('plain mail raises no rule; each part is a unit vector of unique buckets', () => {
  const f = extractFeatures(base);
  assert.deepEqual(flagNames(f.flags), []);
  assert.equal(f.parts.length, 3, 'the context, one narrow window and the wide one');
  let from = 0;
  for (const end of f.parts) {
    const buckets = f.indices.subarray(from, end);
    assert.ok(buckets.length > 3);
    assert.ok(buckets.every((i) => i >= 0 && i < HASH_BUCKETS));
    assert.equal(new Set(buckets).size, buckets.length, 'unique buckets within a part');
    const norm = Math.sqrt(f.values.subarray(from, end).reduce((s, v) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5);
    from = end;
  }
});

test('the body is read in windows, so text appended to it cannot change the first window', () => {
  const spam = 'Buy cheap meds now, best prices online, order today and save big on every pill';
  const padding = Array.from({ length: 300 }, (_, i) => `ordinary${i % 37} words`).join(' ');
  const alone = extractFeatures({ ...base, textBody: spam });
  const aloneNames = namesOf(alone);
  const padded = extractFeatures({ ...base, textBody: `${spam} ${'more '.repeat(WINDOW_WORDS - 16)}\n${padding}` });
  const paddedNames = namesOf(padded);
  assert.equal(alone.parts.length, 3);
  assert.ok(padded.parts.length >= 2 + Math.ceil(600 / WINDOW_WORDS), 'one window per WINDOW_WORDS words, and the wide one');
  const firstWindow = new Set(paddedNames.slice(padded.parts[0], padded.parts[1]));
  for (const name of aloneNames.slice(alone.parts[0], alone.parts[1])) assert.ok(firstWindow.has(name), name);
  assert.deepEqual(paddedNames.slice(0, padded.parts[0]), aloneNames.slice(0, alone.parts[0]), 'the context is the same');
  const empty = extractFeatures({ ...base, textBody: '' });
  assert.equal(empty.parts.length, 3, 'an empty body still has its (empty) windows');
  assert.equal(empty.parts[2], empty.parts[0]);
});

test('words are hashed from their code units as their lower-cased names would be', () => {
  const f = extractFeatures({ ...base, subject: 'FREE Money 12345 ' + 'x'.repeat(40), textBody: 'Ünïcode ÉTÉ 42 $100 😀word' });
  const names = namesOf(f);
  for (const name of ['s:free', 's:money', 's:#num5', 's:#long', 's2:free money', 'b:ünïcode', 'b:été', 'b:42', 'b:$100', 'b2:ünïcode été']) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
  assert.equal(new Set(names.filter((n) => n.startsWith('s:'))).size, names.filter((n) => n.startsWith('s:')).length);
  // Same words, other case, other separators: the same word buckets.
  const onlyWords = new Set([FeatureGroup.words]);
  const one = extractFeatures({ ...base, subject: 'FREE Money 12345 ' + 'x'.repeat(40), textBody: 'Ünïcode ÉTÉ 42 $100 😀word' }, onlyWords);
  const other = extractFeatures({ ...base, subject: 'free  money\t12399 ' + 'y'.repeat(35), textBody: 'ÜNÏCODE été, 42 $100 😀word' }, onlyWords);
  assert.ok(one.indices.length > 10);
  assert.deepEqual([...other.indices].sort(), [...one.indices].sort());
});

test('header tricks, URLs, attachments and authentication failures are flagged', () => {
  const f = extractFeatures({
    ...base,
    from: { name: 'security@paypal.com', address: 'alerts@evil-mailer.example' },
    replyTo: { name: '', address: 'collect@elsewhere.example' },
    urls: ['http://192.168.13.7/login', 'https://xn--pypal-4ve.com/verify', 'https://bit.ly/3abc'],
    htmlBody: '<p>Log in at <a href="https://collector.example/x">https://www.paypal.com/signin</a></p>',
    attachments: [{ filename: 'invoice.pdf.exe', contentType: 'application/octet-stream', sizeBytes: 1000, sha256: 'AB'.repeat(32) }],
    auth: { spf: 3, dkim: 3, dmarc: 3 },
  });
  assert.deepEqual(flagNames(f.flags).sort(), [
    'credentialHarvestUrl', 'displayNameSpoof', 'dkimFail', 'dmarcFail', 'linkTextMismatch', 'replyToMismatch', 'riskyAttachment', 'spfFail', 'urlIpLiteral', 'urlPunycode', 'urlShortener',
  ]);
  assert.deepEqual(f.indicators.attachmentHashes, ['ab'.repeat(32)]);
  assert.ok(f.indicators.ips.includes('192.168.13.7'));
  assert.ok(f.indicators.domains.includes('evil-mailer.example') && f.indicators.domains.includes('bit.ly'));
});

test('an HTML-only body is read through its text', () => {
  const f = extractFeatures({ ...base, textBody: '', htmlBody: '<html><body><b>WIN</b> a free cruise <script>x()</script></body></html>' });
  assert.deepEqual(flagNames(f.flags), ['htmlOnly']);
  const withText = extractFeatures({ ...base, textBody: 'WIN a free cruise', htmlBody: '' });
  const shared = [...withText.indices].filter((i) => f.indices.includes(i));
  assert.ok(shared.length >= withText.indices.length - 4, 'the same words are found in the HTML');
});

test('hashing is stable across processes and releases', () => {
  // Changing these values changes every model: bump FEATURE_SPEC_VERSION if they must change.
  assert.equal(hashFeature('f:html_only'), 22563);
  assert.equal(hashFeature('f:reply_to_mismatch'), 78791);
});

test('URLs are found in text and in HTML links', () => {
  assert.deepEqual(extractUrls('see http://a.example/x, and https://b.example.', '<a href="https://c.example/y">c</a>').sort(),
    ['http://a.example/x', 'https://b.example', 'https://c.example/y'].sort());
});

// The scanners were rewritten to run in linear time; each must give exactly what the pattern it
// replaced gave, so a trained model sees the same features. The old patterns are the oracles
// here, on random short strings built from the pieces each pattern reacts to.
const differential = <T>(units: readonly string[], seed: number, oracle: (text: string) => T, subject: (text: string) => T) => {
  const random = createRandom(seed);
  for (let n = 0; n < 4000; n++) {
    const parts: string[] = [];
    const length = Math.floor(random() * 24);
    for (let i = 0; i < length; i++) parts.push(units[Math.floor(random() * units.length)]!);
    const text = parts.join('');
    assert.deepEqual(subject(text), oracle(text), JSON.stringify(text));
  }
};

test('an address in a display name is found as /[\\w.+-]+@([\\w-]+\\.)+[\\w-]+/ finds it', () => {
  const units = ['a', 'B', '1', '_', '.', '..', '+', '-', '@', ' ', '>', 'ſ', 'K', 'é', 'x@y.z', 'a.b'];
  const oracle = (text: string) => {
    const m = /[\w.+-]+@([\w-]+\.)+[\w-]+/.exec(text);
    return m === null ? undefined : m[0].slice(m[0].lastIndexOf('@') + 1);
  };
  differential(units, 1, oracle, addressDomainInText);
});

test("a link's text is read for a host as /(?:https?:\\/\\/)?((?:[\\w-]+\\.)+[a-z]{2,})/i reads it", () => {
  const units = ['a', 'Z', '1', '-', '_', '.', '..', 'http://', 'https://', 'HTTP://', 'http', 'h', ':', '/', ' ', 'ab', '.co', 'ſ', 'K', 'é'];
  differential(units, 2, (text) => /(?:https?:\/\/)?((?:[\w-]+\.)+[a-z]{2,})/i.exec(text)?.[1], hostShownIn);
});

test('links with text are found as the old pattern found them, in order', () => {
  const units = ['<a ', '<A\n', '<a', 'href=', 'HREF = ', 'href', '"', "'", 'http://a.b', 'https://c.d/e', 'HTTP://F.G', 'x', '>', '<', '</a>', '</A>', 'abcd', 'ab', ' ', '=', '<a href=http://x>', 'ab.cd', 'z'.repeat(90)];
  const oracle = (html: string) => [...html.matchAll(/<a\s[^>]*href\s*=\s*["']?(https?:\/\/[^"'\s>]+)[^>]*>([^<]{4,200})<\/a>/gi)].map((m) => ({ href: m[1], text: m[2] }));
  differential(units, 3, oracle, (html) => [...linksWithText(html)]);
});

test('hidden text is found as the old pattern found it', () => {
  const units = ['color', 'COLOR', ':', ' ', '#', 'fff', 'white', 'WHITE', 'background', '-color', '>', 'x', 'display', 'none', 'visibility', 'hidden', 'font-size', '0', '.5', 'px', ';', '"', 'ffffff', 'f', 'color:white', 'background:#fff'];
  const oracle = (html: string) => /(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.\d+)?(?:px|pt|em)?\s*[;"']|color\s*:\s*#?(?:fff(?:fff)?|white)\b[^>]*background(?:-color)?\s*:\s*#?(?:fff(?:fff)?|white)\b)/i.test(html);
  differential(units, 4, oracle, hasHiddenStyle);
});

test('the domain of an address is cut as the old pattern cut it', () => {
  const units = ['a', '@', '>', ' ', '\t', '\n', '\u00a0', '\u3000', '\ufeff', 'x.y', 'İ', 'B'];
  differential(units, 6, (address) => {
    const at = address.lastIndexOf('@');
    return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/[>\s]+$/, '');
  }, domainOf);
});

test('URLs are extracted as the old patterns extracted them', () => {
  const units = ['http://', 'https://', 'a.b', '/x', '.', ',', '!', '?', ';', ':', ' ', '<', '"', 'href=', 'HREF = ', "'", ')', 'x'];
  const oracle = (text: string) => {
    const found = new Set<string>();
    for (const m of text.matchAll(/href\s*=\s*["']?(https?:\/\/[^"'\s>]+)/gi)) if (m[1]) found.add(m[1]);
    for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"')\]]+/gi)) found.add(m[0].replace(/[.,;:!?]+$/, ''));
    return [...found].slice(0, 200);
  };
  differential(units, 7, oracle, (text) => extractUrls(text, text));
});

test('character n-grams never split a surrogate pair', () => {
  // Gothic letters: astral, and neither NFKC nor the look-alike map turns them into ASCII.
  const subject = '\u{10330}\u{10331}\u{10332}\u{10333} \u{10334}\u{10335}\u{10336}\u{10337}\u{10338}'.repeat(30);
  const f = extractFeatures({ ...base, subject, textBody: `${subject} 😀😀😀 end` });
  const names = namesOf(f);
  const ngrams = names.filter((name) => name.startsWith('sc:') || name.startsWith('bc:'));
  assert.ok(ngrams.length > 5);
  for (const name of names) assert.ok(name.isWellFormed(), JSON.stringify(name));
  assert.ok(ngrams.includes('sc:\u{10330}\u{10331}\u{10332}\u{10333}'), 'four characters, not four UTF-16 units');
  // BMP text: four characters are four units.
  assert.ok(namesOf(extractFeatures({ ...base, subject: 'free' })).includes('sc:free'));
});

test('disguised words give the features of the words they imitate', () => {
  const onlyWords = new Set([FeatureGroup.words]);
  const plain = extractFeatures({ ...base, subject: 'free viagra', textBody: 'Buy viagra online, cheap pills, free shipping' }, onlyWords);
  const disguised = [
    // Mathematical bold and fullwidth letters (NFKC), Cyrillic look-alikes inside Latin words (TR39), zero-width characters and soft hyphens.
    { subject: '\u{1D41F}\u{1D42B}\u{1D41E}\u{1D41E} ｖｉａｇｒａ', textBody: 'Buy vi\u0430gr\u0430 onl\u0456ne, ch\u0435\u0430p pills, fr\u200Bee ship\u00ADping' },
  ];
  for (const fields of disguised) {
    const f = extractFeatures({ ...base, ...fields }, onlyWords);
    assert.deepEqual([...f.indices].sort(), [...plain.indices].sort(), JSON.stringify(fields));
  }
  const flagged = extractFeatures({ ...base, ...disguised[0]! });
  assert.deepEqual(flagNames(flagged.flags).sort(), ['invisibleCharacters', 'mixedScriptWords']);
  // Words split by empty tags and written with entities read as the words.
  const html = extractFeatures({ ...base, subject: 'free viagra', textBody: '', htmlBody: '<p>Buy v<b></b>iagra onl&#105;ne, ch<span>ea</span>p pills, fr&#x65;e shipping</p>' }, onlyWords);
  assert.deepEqual([...html.indices].sort(), [...plain.indices].sort());
});

test('names kept for explanations are well-formed and hold no NUL', () => {
  const f = extractFeatures({
    ...base,
    from: { name: 'x', address: 'boss\u0000@spam\ud800.example' },
    headers: [{ name: 'X-Priority', value: '\ud83d\ude00 high' }, { name: 'Precedence', value: 'bulk\udc00\u0000' }],
  });
  const raw = namesOf(f);
  const names = raw.map(explanationName);
  assert.ok(raw.some((name) => !name.isWellFormed() || name.includes('\0')), 'the email carries both');
  for (const name of names) assert.ok(name.isWellFormed() && !name.includes('\0'), JSON.stringify(name));
  assert.ok(names.includes('fd:spam\uFFFD.example'));
  assert.ok(raw.includes('h:priority:\ud83d\ude00'), 'the first character of X-Priority is a whole character');
  assert.equal(explanationName('b:free'), 'b:free');
});
