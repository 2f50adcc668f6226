import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatures, flagNames, hashFeature, HASH_BUCKETS } from './features.ts';
import { extractUrls } from './mime.ts';

const base = { tenantId: 't', messageId: 'm', receivedAtMs: 1, subject: 'Your invoice', textBody: 'Hello, the invoice is attached.', from: { name: 'Billing', address: 'billing@shop.example' } };

test('plain mail raises no rule', () => {
  const f = extractFeatures(base);
  assert.deepEqual(flagNames(f.flags), []);
  assert.ok(f.indices.length > 5);
  assert.ok(f.indices.every((i, k) => i >= 0 && i < HASH_BUCKETS && (k === 0 || i > f.indices[k - 1]!)), 'sorted unique buckets');
  const norm = Math.sqrt(f.values.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5);
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
    'displayNameSpoof', 'dkimFail', 'dmarcFail', 'linkTextMismatch', 'replyToMismatch', 'riskyAttachment', 'spfFail', 'urlIpLiteral', 'urlPunycode', 'urlShortener',
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
  assert.equal(hashFeature('b:free'), 93475);
  assert.equal(hashFeature('f:reply_to_mismatch'), 23754);
});

test('URLs are found in text and in HTML links', () => {
  assert.deepEqual(extractUrls('see http://a.example/x, and https://b.example.', '<a href="https://c.example/y">c</a>').sort(),
    ['http://a.example/x', 'https://b.example', 'https://c.example/y'].sort());
});
