// Test fixture: an email that really is slow to score today, for the tests of the per-email time
// limit (scorer/pool.test.ts, app/pool_limits.test.ts). There is no test-only hook in the worker;
// the slowness is real work in mailparser and the feature extractor.
//
// To swap it (once the parsers it leans on are linear and the fields capped, it stops being
// slow), keep one property: scoring `slowEmail` in a worker takes at least ten times
// SLOW_EMAIL_TIMEOUT_MS, while an ordinary email takes a small fraction of it. Measure with
//   node -e "import('./scorer/slow_email.fixture.ts').then(async (m) => { const { eventFromRawMessage } = await import('./scorer/mime.ts'); const { extractFeatures } = await import('./scorer/features.ts'); const s = performance.now(); extractFeatures(await eventFromRawMessage(Buffer.from(m.slowEmail('x').rawMessage), { tenantId: 't', fallbackMessageId: 'x', fallbackReceivedAtMs: 0 })); console.log(performance.now() - s, 'ms'); })"
// Measured on this branch (2 cores shared with other tests): mailparser 0.3–1 s on the address
// groups, then `htmlToText` 5–12 s on the unclosed tags (quadratic): at least 5× the limit.
import type { EmailEventFields } from '../schemas/contracts.ts';

/**
 * The limit the tests set (SCORER_EMAIL_TIMEOUT_MS). Wall time, so it must stay far above an
 * ordinary email's cost on a machine running other tests (the slowest corpus email takes 11 ms
 * warm; a cold worker on two cores shared by ten runnable threads makes that several hundred).
 */
export const SLOW_EMAIL_TIMEOUT_MS = 1_000;

/** A raw-only event (parsed in the worker): 30,000 empty address groups, then 30,000 unclosed `<a ` tags as its HTML body. */
export function slowEmail(messageId: string, tenantId = 'slow'): EmailEventFields & { rawMessage: Uint8Array } {
  const raw = [
    'From: sender@slow.example',
    `To: ${'g:a@b.c;'.repeat(30_000)}`,
    `Message-ID: ${messageId}`,
    'Subject: slow',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=us-ascii',
    '',
    '<a '.repeat(30_000),
    '',
  ].join('\r\n');
  return { tenantId, messageId, receivedAtMs: Date.now(), rawMessage: Buffer.from(raw) };
}
