// The worker pool on real worker threads and the trained model (no services needed): the
// per-email time limit, and a queue that never refuses what its callers can have in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { loadModel } from './model_card.ts';
import { createScoringPool } from './pool.ts';
import { SLOW_EMAIL_TIMEOUT_MS, slowEmail } from './slow_email.fixture.ts';

const MODEL_DIR = fileURLToPath(new URL('../models/current', import.meta.url));
const encode = (event: EmailEventFields) => EmailEventCodec.encode(event).finish();
const ordinary = (i: number) => encode({
  tenantId: 't', messageId: `<${i}@pool.test>`, receivedAtMs: Date.UTC(2026, 0, 1),
  from: { name: 'Ann', address: `ann${i}@example.com` }, subject: `Minutes of meeting ${i}`,
  textBody: `Hello, the minutes of meeting ${i} are attached. Win a free prize now ${'!'.repeat(i)}`,
});

test('an email that runs past the per-email limit comes back as SCORING_TIMEOUT; the rest of its chunk is scored as if it were not there', async (t) => {
  const timeouts: number[] = [];
  const pool = createScoringPool({
    model: await loadModel(MODEL_DIR), threads: 2, maxQueue: 4, emailTimeoutMs: SLOW_EMAIL_TIMEOUT_MS,
    onEmailTimeout: ({ elapsedMs }) => void timeouts.push(elapsedMs),
  });
  t.after(() => pool.close());
  const good = Array.from({ length: 6 }, (_, i) => ordinary(i));
  const slow = encode(slowEmail('<slow@pool.test>'));
  const reference = await pool.run(good);
  assert.ok(reference.details.every((d) => d.error === undefined));

  // Two slow emails in one chunk, one in the middle and one last: two re-runs, two workers replaced.
  const chunk = [good[0]!, good[1]!, slow, good[2]!, good[3]!, good[4]!, good[5]!, slow];
  const result = await pool.run(chunk);
  assert.equal(result.details.length, chunk.length);
  for (const at of [2, 7]) {
    assert.equal(result.details[at]!.errorCode, 'SCORING_TIMEOUT');
    assert.match(result.details[at]!.error!, new RegExp(`per-email limit of ${SLOW_EMAIL_TIMEOUT_MS} ms \\(SCORER_EMAIL_TIMEOUT_MS\\)`));
    assert.ok(Number.isNaN(result.probabilities[at]!));
  }
  const scored = [0, 1, 3, 4, 5, 6];
  assert.deepEqual(scored.map((at) => result.details[at]!.error), scored.map(() => undefined));
  assert.deepEqual(scored.map((at) => result.probabilities[at]), [...reference.probabilities]);
  assert.deepEqual(scored.map((at) => result.details[at]!.explanations), reference.details.map((d) => d.explanations));
  assert.equal(timeouts.length, 2);
  assert.ok(timeouts.every((ms) => ms >= SLOW_EMAIL_TIMEOUT_MS));

  // A chunk of nothing but a slow email, and then the pool (with its replaced workers) goes on.
  const alone = await pool.run([slow]);
  assert.equal(alone.details[0]!.errorCode, 'SCORING_TIMEOUT');
  assert.equal(timeouts.length, 3);
  const after = await pool.run(good);
  assert.deepEqual([...after.probabilities], [...reference.probabilities]);
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
