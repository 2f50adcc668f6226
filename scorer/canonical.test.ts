import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalText, visibleTextOfHtml } from './canonical.ts';

/**
 * A guard against quadratic scans, not a benchmark: linear work on these inputs takes tens of
 * milliseconds, quadratic work minutes. CPU time, so that a busy machine does not fail the test.
 */
const QUADRATIC_GUARD_MS = 2000;

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(start);
  return { result, ms: (used.user + used.system) / 1000 };
}

test('pure ASCII comes back as it is, with nothing counted', () => {
  const text = 'Hello m 0 1 I l |, rn O: nothing here is touched.\n\tTabs and newlines stay.';
  const canonical = canonicalText(text);
  assert.equal(canonical.text, text);
  assert.deepEqual({ ...canonical, text: '' }, { text: '', invisible: 0, confusables: 0, mixedScriptWords: 0 });
});

test('ASCII characters TR39 folds ("m"→"rn", "0"→"O", "1"/"I"→"l") never change, even next to look-alikes', () => {
  const canonical = canonicalText('mоm 0ff1ce IІ l1m1t');
  // Only the Cyrillic о and І change; every ASCII letter and digit keeps its place.
  assert.equal(canonical.text, 'mom 0ff1ce II l1m1t');
  assert.equal(canonical.confusables, 2);
  assert.equal(canonical.mixedScriptWords, 2);
});

test('Cyrillic and Greek look-alikes inside Latin words map to ASCII, one mixed word each', () => {
  assert.deepEqual(canonicalText('Buy vіаgra now'), { text: 'Buy viagra now', invisible: 0, confusables: 2, mixedScriptWords: 1 });
  assert.deepEqual(canonicalText('Your Αpple ID'), { text: 'Your Apple ID', invisible: 0, confusables: 1, mixedScriptWords: 1 });
  assert.deepEqual(canonicalText('раypal sеcurity'), { text: 'paypal security', invisible: 0, confusables: 3, mixedScriptWords: 2 });
  // An upper-case look-alike of "I" reads as "I", not TR39's shared prototype "l".
  assert.equal(canonicalText('VІAGRA').text, 'VIAGRA');
  assert.equal(canonicalText('VΙAGRA').text, 'VIAGRA');
  assert.deepEqual(canonicalText('РАУРАL'), { text: 'PAYPAL', invisible: 0, confusables: 5, mixedScriptWords: 1 });
  assert.equal(canonicalText('Ьuy').text, 'buy');
});

test('a word made only of look-alikes is mapped among Latin words, or alone', () => {
  assert.deepEqual(canonicalText('Please рау now'), { text: 'Please pay now', invisible: 0, confusables: 3, mixedScriptWords: 0 });
  assert.equal(canonicalText('рау').text, 'pay');
  assert.equal(canonicalText('Click to рау уоur bill').text, 'Click to pay your bill');
  assert.equal(canonicalText('Run сору 2024 ехе').text, 'Run copy 2024 exe', 'numbers do not break a run of look-alike words');
});

test('genuine Russian, Greek and Japanese text is left alone', () => {
  for (const text of [
    'Привет, как дела? Я у сестры, а ты? Сор и рос.',
    'а у с о',
    'Καλημέρα κόσμε, τι κάνεις;',
    'ΚΑΙ ΤΟ ΝΕΟ',
    'Tシャツ と iPhone手机',
    'Ваш заказ №123 готов',
  ]) {
    const canonical = canonicalText(text);
    assert.equal(canonical.text, text.normalize('NFKC'), text);
    assert.equal(canonical.confusables, 0, text);
    assert.equal(canonical.mixedScriptWords, 0, text);
  }
  // A look-alike word next to foreign text is a foreign word.
  assert.equal(canonicalText('Hello рау привет').text, 'Hello рау привет');
});

test('every kind of invisible character is removed and counted', () => {
  const kinds: Record<string, string> = {
    'zero-width space': '\u200B',
    'zero-width non-joiner': '\u200C',
    'zero-width joiner': '\u200D',
    'word joiner': '\u2060',
    'byte-order mark': '\uFEFF',
    'soft hyphen': '\u00AD',
    'left-to-right mark': '\u200E',
    'right-to-left mark': '\u200F',
    'bidi embedding LRE': '\u202A',
    'bidi override RLO': '\u202E',
    'bidi isolate LRI': '\u2066',
    'pop directional isolate': '\u2069',
    'variation selector 16': '\uFE0F',
    'variation selector 256 (astral)': '\u{E01EF}',
    'tag character': '\u{E0041}',
    'combining grapheme joiner': '\u034F',
    'Hangul choseong filler': '\u115F',
    'Hangul filler': '\u3164',
    'halfwidth Hangul filler': '\uFFA0',
    'Mongolian vowel separator': '\u180E',
    'invisible times': '\u2062',
  };
  for (const [kind, char] of Object.entries(kinds)) {
    assert.deepEqual(canonicalText(`fr${char}ee ${char}${char}gift`), { text: 'free gift', invisible: 3, confusables: 0, mixedScriptWords: 0 }, kind);
  }
  assert.deepEqual(canonicalText('line one\r\nline\ttwo\u00A0three\u2028'), { text: 'line one\r\nline\ttwo three\u2028', invisible: 0, confusables: 0, mixedScriptWords: 0 }, 'white space stays (NBSP folds to a space)');
});

test('NFKC folds fullwidth letters and ligatures', () => {
  assert.equal(canonicalText('ｖｉａｇｒａ').text, 'viagra');
  assert.equal(canonicalText('ﬁnancial ﬂow').text, 'financial flow');
  assert.equal(canonicalText('𝐟𝐫𝐞𝐞 ①').text, 'free 1');
  assert.equal(canonicalText('caf\u00e9 \u2160nvoice').text, 'café Invoice', 'Latin-1 letters stay; the Roman numeral one folds to I');
});

test('invisible characters and look-alikes together', () => {
  assert.deepEqual(canonicalText('v\u200Bі\u00ADаgra'), { text: 'viagra', invisible: 2, confusables: 2, mixedScriptWords: 1 });
});

test('lone surrogates survive without throwing', () => {
  assert.equal(canonicalText('a\uD800b \uDC00c').text, 'a\uD800b \uDC00c');
  assert.equal(canonicalText('vі\uD800аgra\u200B').text, 'vi\uD800agra');
  assert.equal(canonicalText('\uDBFF').text, '\uDBFF');
  assert.equal(visibleTextOfHtml('<b>\uD800</b>x\uDC00').text, '\uD800x\uDC00');
});

test('inline and empty tags inside a word leave one word; block tags separate words', () => {
  assert.equal(visibleTextOfHtml('V<b></b>iagra').text, 'Viagra');
  assert.equal(visibleTextOfHtml('Vi<span>ag</span>ra').text, 'Viagra');
  assert.equal(visibleTextOfHtml('V<font color="red">i</font>a<wbr>g<o:p></o:p>r<SPAN STYLE="color:red">a</SPAN>').text, 'Viagra');
  assert.equal(visibleTextOfHtml('fr<!-- filler -->ee').text, 'free');
  assert.deepEqual(visibleTextOfHtml('one<br>two<p>three</p><div>four</div><table><tr><td>five</td><td>six</td></tr></table>seven').text.split(/\s+/).filter(Boolean),
    ['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
  assert.equal(visibleTextOfHtml('<a href="https://x.example/?a=1&b=2" title="a>b">link</a> text').text, 'link text', 'a > inside a quoted value does not end the tag');
  assert.equal(visibleTextOfHtml('if a < b and c<>d').text, 'if a < b and c<>d', 'a < that starts no tag is text');
});

test('script, style, comments and declarations are dropped', () => {
  const html = '<!DOCTYPE html><?xml version="1.0"?><html><head><title>t</title><style>p { color: red }</style></head>'
    + '<body>Hello<script type="text/javascript">if (a < b) document.write("<b>x</b>")</script> world<![CDATA[ c ]]><!-- <b>no</b> --></body></html>';
  assert.deepEqual(visibleTextOfHtml(html).text.split(/\s+/).filter(Boolean), ['Hello', 'world']);
  assert.equal(visibleTextOfHtml('a<SCRIPT>x</Script >b').text, 'ab');
  assert.equal(visibleTextOfHtml('a<script>never closed').text, 'a', 'an unclosed script hides the rest, as in a browser');
});

test('entities are decoded in every form', () => {
  assert.equal(visibleTextOfHtml('V&#105;agra &#x56;iagra &#X56;iagra').text, 'Viagra Viagra Viagra');
  assert.equal(visibleTextOfHtml('caf&eacute; &amp; cr&egrave;me &lt;b&gt;').text, 'café & crème <b>');
  assert.equal(visibleTextOfHtml('a&nbsp;b&NonBreakingSpace;c&#160;d').text, 'a b c d');
  assert.equal(visibleTextOfHtml('AT&T &unknown; &').text, 'AT&T &unknown; &');
  assert.equal(visibleTextOfHtml('fr&shy;ee').text, 'fr\u00ADee', 'a soft hyphen decodes here and canonicalText removes it');
  assert.equal(canonicalText(visibleTextOfHtml('V&#1110;agra fr&#8203;ee').text).text, 'Viagra free');
});

test('text inside hidden elements is left out and counted', () => {
  assert.deepEqual(visibleTextOfHtml('<div style="display: none">lorem ipsum</div>Buy now'), { text: '\n\nBuy now', hiddenChars: 10 });
  assert.deepEqual(visibleTextOfHtml("<span style='visibility:hidden'>x</span>y"), { text: 'y', hiddenChars: 1 });
  assert.deepEqual(visibleTextOfHtml('<span style="font-size:0px">ham words</span>spam'), { text: 'spam', hiddenChars: 8 });
  assert.deepEqual(visibleTextOfHtml('<font style=font-size:0>a</font>b'), { text: 'b', hiddenChars: 1 });
  assert.deepEqual(visibleTextOfHtml('<p hidden>a</p>b').text.trim(), 'b');
  assert.deepEqual(visibleTextOfHtml('<span style="color:#ffffff;background-color:#fff">w</span>k'), { text: 'k', hiddenChars: 1 });
  assert.deepEqual(visibleTextOfHtml('<span style="font-size:12px">shown</span>'), { text: 'shown', hiddenChars: 0 });
  assert.deepEqual(visibleTextOfHtml('<span style="background-color:white">shown</span>'), { text: 'shown', hiddenChars: 0 });
  // Nested elements of the same name inside the hidden one do not end it early.
  assert.deepEqual(visibleTextOfHtml('<div style="display:none">a<div>b</div>c<span>d</div>e').text.trim(), 'e');
  // A hidden cell ends at the next cell, as a browser closes it.
  assert.deepEqual(visibleTextOfHtml('<table><tr><td style="display:none">x<td>y</table>').text.trim(), 'y');
  assert.equal(visibleTextOfHtml('<div style="display:none">a<script>s</script></div>b').hiddenChars, 1);
});

test('hostile HTML is linear: unclosed tags, endless nesting, long runs', () => {
  const cases: { html: string; expect: (text: string) => void }[] = [
    { html: '<'.repeat(200_000), expect: (text) => assert.equal(text.length, 200_000) },
    { html: '<span>'.repeat(100_000) + 'x', expect: (text) => assert.equal(text, 'x') },
    { html: '<span style="display:none">'.repeat(50_000) + 'x' + '</div>'.repeat(50_000) + '</span>'.repeat(50_000) + 'y', expect: (text) => assert.equal(text.trim(), 'y') },
    { html: '<div style="display:none">' + '<p>'.repeat(100_000) + '</div>z', expect: (text) => assert.equal(text.trim(), 'z') },
    { html: 'a<span' + ' <span'.repeat(100_000), expect: (text) => assert.equal(text, 'a') },
    { html: '<!--'.repeat(50_000), expect: (text) => assert.equal(text, '') },
    { html: '<a title="'.repeat(50_000), expect: (text) => assert.equal(text, '') },
    { html: '<script>'.repeat(50_000), expect: (text) => assert.equal(text, '') },
    { html: 'x<b>'.repeat(50_000) + '&'.repeat(100_000) + '&#'.repeat(50_000), expect: (text) => assert.ok(text.startsWith('x'.repeat(50_000))) },
  ];
  for (const { html, expect } of cases) {
    const { result, ms } = timed(() => visibleTextOfHtml(html));
    expect(result.text);
    assert.ok(ms < QUADRATIC_GUARD_MS, `${html.slice(0, 20)}… took ${ms.toFixed(0)} ms`);
  }
});

test('hostile text is linear: long words, long runs of look-alike words, invisible runs', () => {
  const cases: { text: string; expect: (canonical: ReturnType<typeof canonicalText>) => void }[] = [
    { text: 'а'.repeat(300_000), expect: (c) => assert.equal(c.text, 'a'.repeat(300_000)) },
    { text: 'рау '.repeat(100_000) + 'now', expect: (c) => assert.equal(c.confusables, 300_000) },
    { text: 'рау '.repeat(100_000) + 'привет', expect: (c) => assert.equal(c.confusables, 0) },
    { text: 'vі'.repeat(150_000), expect: (c) => assert.equal(c.mixedScriptWords, 1) },
    { text: 'a\u200B'.repeat(150_000), expect: (c) => assert.equal(c.invisible, 150_000) },
    { text: '\uD800'.repeat(300_000), expect: (c) => assert.equal(c.text.length, 300_000) },
  ];
  for (const { text, expect } of cases) {
    const { result, ms } = timed(() => canonicalText(text));
    expect(result);
    assert.ok(ms < QUADRATIC_GUARD_MS, `${text.slice(0, 8)}… took ${ms.toFixed(0)} ms`);
  }
});
