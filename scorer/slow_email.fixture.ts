// Test fixture: an email that is honestly expensive to score, for the tests of the per-email CPU
// limit (scorer/pool.test.ts, app/pool_limits.test.ts). There is no test-only hook in the worker:
// the cost is real work, at the default field caps, of the kind scorer/fuzz.ts finds worst
// (`node scorer/fuzz.ts --seed 2 --iterations 300`: "raw text count=14204 repeat("\r\n")"). It is
// built with the fuzzer's own generator: a raw-only message (parsed in the worker) whose
// text/plain body is EVENT_LIMITS.rawMessageBytes of empty lines, 262,000 of them, each of which
// the MIME parser handles on its own.
//
// The property the tests rely on: scoring `slowEmail` in a worker costs several times
// SLOW_EMAIL_CPU_LIMIT_MS of CPU, and an ordinary email a small fraction of it. CPU time, unlike
// wall time, does not grow when the machine is busy, so this holds on a loaded test machine.
// Measured on this project's 2-core machine, as the pool's watchdog reads it (the worker thread's
// schedstat minus its CPU at the email's start, polled every ~1 ms): this email 35-85 ms of CPU
// (41-77 ms as the first email of a fresh worker); the corpus emails the tests use at most
// 8-11 ms (a major GC of the worker's heap landing in one), 0-1 ms typically. If a faster parser
// makes this email cheap, pick another of the fuzzer's worst and re-check both numbers.
import type { EmailEventFields } from '../schemas/contracts.ts';
import { buildEvent } from './fuzz.ts';

/**
 * The CPU limit the tests set (SCORER_EMAIL_CPU_LIMIT_MS): between an ordinary email's worst
 * (~11 ms, GC included) and this email's cheapest run (~35 ms), with room on both sides for the
 * one scheduler tick (4 ms) by which a thread's CPU reading can lag.
 */
export const SLOW_EMAIL_CPU_LIMIT_MS = 20;

/** A raw-only event: a text/plain message whose body is 512 KiB of CRLF. */
export function slowEmail(messageId: string, tenantId = 'slow'): EmailEventFields & { rawMessage: Uint8Array } {
  const { rawMessage } = buildEvent({ kind: 'raw', shape: 'text', count: 0, content: { units: ['\r\n'], mode: 'repeat', seed: 1, tail: '' } });
  return { tenantId, messageId, receivedAtMs: Date.now(), rawMessage: rawMessage! };
}
