// The worker pool on real worker threads and the trained model (no services needed): the
// per-email CPU and wall-time limits, and a queue that never refuses what its callers can have in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { loadModel } from './model_card.ts';
import { createScoringPool, emailLimitExceeded, limitReason, type EmailLimitExceeded } from './pool.ts';
import { SLOW_EMAIL_CPU_LIMIT_MS, slowEmail } from './slow_email.fixture.ts';
import { cpuMicrosSince, linuxThreadId, readThreadCpuMicros, threadCpuMicros } from './worker_contract.ts';

const MODEL_DIR = fileURLToPath(new URL('../models/current', import.meta.url));
const encode = (event: EmailEventFields) => EmailEventCodec.encode(event).finish();
const ordinary = (i: number) => encode({
  tenantId: 't', messageId: `<${i}@pool.test>`, receivedAtMs: Date.UTC(2026, 0, 1),
  from: { name: 'Ann', address: `ann${i}@example.com` }, subject: `Minutes of meeting ${i}`,
  textBody: `Hello, the minutes of meeting ${i} are attached. Win a free prize now ${'!'.repeat(i)}`,
});

test('an email that uses more than the per-email CPU limit comes back as SCORING_TIMEOUT; the rest of its chunk is scored as if it were not there', async (t) => {
  const stops: EmailLimitExceeded[] = [];
  const pool = createScoringPool({
    // A wall-time backstop the slow email never reaches: only the CPU limit can stop it.
    model: await loadModel(MODEL_DIR), threads: 2, maxQueue: 4, emailCpuLimitMs: SLOW_EMAIL_CPU_LIMIT_MS, emailTimeoutMs: 600_000,
    onEmailTimeout: (event) => void stops.push(event),
  });
  t.after(() => pool.close());
  const good = Array.from({ length: 6 }, (_, i) => ordinary(i));
  const slow = encode(slowEmail('<slow@pool.test>'));
  const reference = await pool.run(good);
  assert.deepEqual(reference.details.map((d) => d.error), good.map(() => undefined));

  // Two slow emails in one chunk, one in the middle and one last: two re-runs, two workers replaced.
  const chunk = [good[0]!, good[1]!, slow, good[2]!, good[3]!, good[4]!, good[5]!, slow];
  const result = await pool.run(chunk);
  assert.equal(result.details.length, chunk.length);
  for (const at of [2, 7]) {
    assert.equal(result.details[at]!.errorCode, 'SCORING_TIMEOUT');
    assert.match(result.details[at]!.error!, new RegExp(`per-email CPU limit of ${SLOW_EMAIL_CPU_LIMIT_MS} ms \\(SCORER_EMAIL_CPU_LIMIT_MS\\): \\d+ ms; its worker was stopped`));
    assert.ok(Number.isNaN(result.probabilities[at]!));
  }
  const scored = [0, 1, 3, 4, 5, 6];
  assert.deepEqual(scored.map((at) => result.details[at]!.error), scored.map(() => undefined));
  assert.deepEqual(scored.map((at) => result.probabilities[at]), [...reference.probabilities]);
  assert.deepEqual(scored.map((at) => result.details[at]!.explanations), reference.details.map((d) => d.explanations));
  assert.equal(stops.length, 2);
  for (const stop of stops) {
    assert.equal(stop.limit, 'cpu');
    assert.equal(stop.limitMs, SLOW_EMAIL_CPU_LIMIT_MS);
    // Measured from /proc, not stood in for by wall time (this machine has it).
    assert.ok(stop.cpuMs !== null && stop.cpuMs >= SLOW_EMAIL_CPU_LIMIT_MS, `CPU ${stop.cpuMs} ms`);
  }

  // A chunk of nothing but a slow email, and then the pool (with its replaced workers) goes on.
  const alone = await pool.run([slow]);
  assert.equal(alone.details[0]!.errorCode, 'SCORING_TIMEOUT');
  assert.equal(stops.length, 3);
  const after = await pool.run(good);
  assert.deepEqual([...after.probabilities], [...reference.probabilities]);
});

test('an email past the wall-time backstop is stopped as a wall-time stop, with the setting that holds it', async (t) => {
  const stops: EmailLimitExceeded[] = [];
  // The slow email takes tens of ms of wall time at least (its CPU time); a 10 ms backstop cuts it.
  const wallMs = 10;
  const pool = createScoringPool({
    model: await loadModel(MODEL_DIR), threads: 1, maxQueue: 4, emailCpuLimitMs: wallMs, emailTimeoutMs: wallMs,
    onEmailTimeout: (event) => void stops.push(event),
  });
  t.after(() => pool.close());
  const result = await pool.run([encode(slowEmail('<slow-wall@pool.test>'))]);
  assert.equal(result.details[0]!.errorCode, 'SCORING_TIMEOUT');
  assert.match(result.details[0]!.error!, new RegExp(`per-email wall-time limit of ${wallMs} ms \\(SCORER_EMAIL_TIMEOUT_MS\\)`));
  assert.deepEqual(stops.map((s) => s.limit), ['wall']);
});

test('which limit an email in progress has gone past: the wall-time backstop, else CPU time (wall time standing in where it cannot be read)', () => {
  const limits = { cpuMs: 1_000, wallMs: 10_000 };
  let reads = 0;
  const cpu = (ms: number | null) => () => (reads++, ms);
  // Less wall time than the CPU limit: no thread can be over it, and no file is read.
  assert.equal(emailLimitExceeded(999, cpu(5_000), limits), null);
  assert.equal(reads, 0);
  // A thread descheduled on a busy machine: much wall time, little CPU.
  assert.equal(emailLimitExceeded(5_000, cpu(20), limits), null);
  assert.deepEqual(emailLimitExceeded(5_000, cpu(1_000), limits), { limit: 'cpu', limitMs: 1_000, cpuMs: 1_000, wallMs: 5_000 });
  assert.deepEqual(emailLimitExceeded(10_000, cpu(20), limits), { limit: 'wall', limitMs: 10_000, cpuMs: 20, wallMs: 10_000 });
  // No per-thread CPU clock (no /proc): the email's wall time stands in, stricter, never laxer.
  assert.deepEqual(emailLimitExceeded(1_000, cpu(null), limits), { limit: 'cpu', limitMs: 1_000, cpuMs: null, wallMs: 1_000 });
  assert.match(limitReason({ limit: 'cpu', limitMs: 1_000, cpuMs: null, wallMs: 1_000 }), /CPU limit of 1000 ms \(SCORER_EMAIL_CPU_LIMIT_MS\): 1000 ms of wall time \(this system cannot read a thread's CPU time/);
});

test("a thread's CPU time read from /proc by another thread matches what the thread reads itself, and survives the 32-bit wrap", { skip: linuxThreadId() === 0 && 'no /proc here' }, () => {
  const tid = linuxThreadId();
  // Spins until this thread's own reading shows `ms` more CPU time (wall time would not do on a busy machine).
  const spin = (ms: number) => {
    const from = threadCpuMicros();
    while (cpuMicrosSince(from, threadCpuMicros()) < ms * 1000);
  };
  spin(10);
  const own = threadCpuMicros();
  const fromProc = readThreadCpuMicros(tid);
  assert.ok(fromProc !== null);
  // Same kernel counter; the readings are microseconds apart, plus at most one scheduler tick of lag.
  assert.ok(Math.abs(cpuMicrosSince(own, fromProc)) < 10_000, `${own} vs ${fromProc}`);
  const before = threadCpuMicros();
  spin(50);
  const used = cpuMicrosSince(before, readThreadCpuMicros(tid)!);
  assert.ok(used >= 49_000 && used < 60_000, `${used} µs read from /proc for 50 ms of CPU`);
  assert.equal(readThreadCpuMicros(2 ** 30), null, 'a thread that is not (or no longer) there');
  assert.equal(cpuMicrosSince(2 ** 31 - 100, (2 ** 31 + 900) | 0), 1_000);
});

test('the pool holds every task its callers can have in flight: pressure pauses, piscina never refuses', async (t) => {
  // One thread and a pressure threshold of one task, as SCORER_MAX_QUEUE=1 gives; 300 tasks at once,
  // as 4 partitions × 75 one-event tasks would submit.
  const inFlight = 300;
  const pool = createScoringPool({ model: await loadModel(MODEL_DIR), threads: 1, maxQueue: 1, maxTasksInFlight: inFlight });
  t.after(() => pool.close());
  const pressure: boolean[] = [];
  pool.onPressure((saturated) => pressure.push(saturated));
  const results = await Promise.all(Array.from({ length: inFlight }, (_, i) => pool.run([ordinary(i % 10)])));
  assert.equal(results.length, inFlight);
  assert.ok(results.every((r) => r.details[0]!.error === undefined && r.probabilities[0]! >= 0));
  assert.deepEqual(pressure, [true, false], 'the consumer is paused once and resumed once');
  assert.equal(pool.queued(), 0);
});
