import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialHarvestUrl, formActionsIn, lookAlikeSender, registrableDomain, skeleton, withinOneEdit } from './phishing.ts';

test('credentialHarvestUrl: a sign-in page on someone else\'s host', () => {
  assert.equal(credentialHarvestUrl(['https://paypal-login.example.net/x'], 'paypal.com'), true, 'word in the host');
  assert.equal(credentialHarvestUrl(['http://203.0.113.9/webscr?cmd=_login'], 'bank.example'), true, 'word in the path of an IP host');
  assert.equal(credentialHarvestUrl(['https://cdn.example.org/wp-admin/includes/'], 'shop.example'), true, 'two-word spelling');
  assert.equal(credentialHarvestUrl(['https://evil.example/Account/Verify'], ''), true, 'no sender domain: every host is foreign');
  assert.equal(credentialHarvestUrl(['data:text/html;base64,PGZvcm0+'], 'bank.example'), true, 'a data: page has no host to trust');
});

test('credentialHarvestUrl: own domain, harmless words, queries and weak halves do not count', () => {
  assert.equal(credentialHarvestUrl(['https://accounts.bank.example/login'], 'mail.bank.example'), false, 'same registrable domain');
  assert.equal(credentialHarvestUrl(['https://www.bank.co.uk/signin'], 'alerts.bank.co.uk'), false, 'same registrable under co.uk');
  assert.equal(credentialHarvestUrl(['https://news.example/blog/weblogic-sign-up?next=/login'], 'shop.example'), false, 'login only in the query, sign without in');
  assert.equal(credentialHarvestUrl(['https://list.example/subscribe/confirm?id=1', 'https://pay.example/billing/invoice'], 'shop.example'), false);
  assert.equal(credentialHarvestUrl(['data:image/png;base64,iVBOR', 'mailto:someone@login.example'], 'shop.example'), false, 'images and hostless URLs');
  assert.equal(credentialHarvestUrl([], 'shop.example'), false);
});

test('credentialHarvestUrl: bounded to the first 100 URLs, 2,048 characters of each', () => {
  const harmless = Array.from({ length: 100 }, (_, i) => `https://cdn.example/${i}`);
  assert.equal(credentialHarvestUrl([...harmless, 'https://evil.example/login'], 'shop.example'), false, 'the 101st URL is not read');
  assert.equal(credentialHarvestUrl([`https://evil.example/${'a'.repeat(5000)}/login`], 'shop.example'), false, 'past 2,048 characters is not read');
  const started = performance.now();
  credentialHarvestUrl(Array(100).fill(`https://${'@'.repeat(3000)}${'a-'.repeat(500)}`), 'x.example');
  credentialHarvestUrl(Array(100).fill(`https://${'a.'.repeat(2000)}`), 'x.example');
  assert.ok(performance.now() - started < 500, 'pathological URLs take linear time');
});

test('credentialHarvestUrl: forms that post anywhere but the sender\'s domain', () => {
  const html = `<p>Confirm</p><FORM method=post ACTION="https://collect.evil.example/p.php"><input name=pw></form>
    <form action='/search'></form><form class="x">`;
  assert.deepEqual(formActionsIn(html), ['https://collect.evil.example/p.php', '/search', '']);
  assert.equal(credentialHarvestUrl([], 'bank.example', formActionsIn(html)), true);
  assert.equal(credentialHarvestUrl([], 'bank.example', ['https://www.bank.example/search']), false, 'a form posting to the sender\'s own site');
  assert.equal(credentialHarvestUrl([], 'bank.example', ['/search']), true, 'a relative action posts nowhere of the sender\'s');
  assert.deepEqual(formActionsIn('<form'.repeat(100_000)), [], 'a tag never closed ends the search');
  assert.equal(formActionsIn('<form action=x>'.repeat(1_000)).length, 20, 'at most 20 forms');
});

test('skeleton: TR39 prototypes; look-alike letters share one', () => {
  assert.equal(skeleton('pаypal'), skeleton('paypal'), 'Cyrillic а');
  assert.equal(skeleton('rnicrosoft'), skeleton('microsoft'), 'rn and m');
  assert.equal(skeleton('paypa1'), skeleton('paypal'), 'digit one and l');
  assert.notEqual(skeleton('paypal'), skeleton('paypol'));
});

test('withinOneEdit: Damerau distance at most one', () => {
  for (const [a, b] of [['amazon', 'amazon'], ['amazon', 'amazom'], ['amazon', 'amazonn'], ['amazon', 'mazon'], ['microsoft', 'microsfot'], ['ab', 'ba']]) {
    assert.equal(withinOneEdit(a!, b!), true, `${a} ${b}`);
  }
  for (const [a, b] of [['amazon', 'amzaom'], ['amazon', 'amaz'], ['microsoft', 'micrsooft2'], ['abc', 'cba']]) {
    assert.equal(withinOneEdit(a!, b!), false, `${a} ${b}`);
  }
});

test('lookAlikeSender: imitations of a brand or of the domain the display name shows', () => {
  assert.equal(lookAlikeSender('paypa1.com', 'PayPal'), true, 'confusable digit');
  assert.equal(lookAlikeSender('mail.rnicrosoft.com', 'Microsoft account team'), true, 'rn for m, on a subdomain');
  assert.equal(lookAlikeSender('xn--pypal-4ve.com', 'Service'), true, 'punycode of a Cyrillic а');
  assert.equal(lookAlikeSender('amazom.co.uk', ''), true, 'one substitution of a brand');
  assert.equal(lookAlikeSender('micorsoft.net', ''), true, 'a transposition');
  assert.equal(lookAlikeSender('contoso-payrol.com', 'payroll@contoso-payroll.com'), true, 'one deletion from the domain the display name shows');
  assert.equal(lookAlikeSender('g00gle.com', 'Google'), true, 'zeros for o');
});

test('lookAlikeSender: never for the domain itself, a brand\'s own, a suffix swap or short names one edit apart', () => {
  assert.equal(lookAlikeSender('paypal.com', 'PayPal <service@paypal.com>'), false, 'equal domains');
  assert.equal(lookAlikeSender('mail.paypal.com', 'paypa1.com'), false, 'the sender is the brand');
  assert.equal(lookAlikeSender('contoso-payroll.com', 'payroll@contoso-payroll.com'), false, 'the display name shows the sender');
  assert.equal(lookAlikeSender('paypal.de', 'PayPal'), false, 'only the public suffix differs');
  assert.equal(lookAlikeSender('apply.com', 'Apply'), false, 'five letters: one edit is another real name');
  assert.equal(lookAlikeSender('example.org', 'Bob Smith'), false);
  assert.equal(lookAlikeSender('', 'PayPal'), false);
  assert.equal(lookAlikeSender('gmail.com', 'Mr. J.R. Smith'), false);
});

test('registrableDomain: last two labels, three under a short country second level', () => {
  assert.deepEqual(['a.b.example.com', 'x.bank.co.uk', 'example.com', 'localhost'].map(registrableDomain),
    ['example.com', 'bank.co.uk', 'example.com', 'localhost']);
});
