// The ladder's rules: where it stops climbing and which rate is the knee.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { climbLadder, knee, type LadderStep } from './ladder.ts';

const step = (rate: number, p99: number, landed = 100): LadderStep => ({ rate, achieved_rate: rate, producer_us_per_email: 50, count: 100, landed, p50: p99 / 2, p95: p99, p99, max: p99 });

test('climbing stops after two steps in a row far over budget, not after one', async () => {
  const p99At = new Map([[1000, 100], [2000, 2500], [4000, 400], [6000, 3000], [8000, 9000], [12000, 1], [16000, 1]]);
  const tried: number[] = [];
  const { steps, stopped_early } = await climbLadder([16000, 1000, 2000, 4000, 6000, 8000, 12000], 500, async (rate) => {
    tried.push(rate);
    return step(rate, p99At.get(rate)!);
  });
  assert.deepEqual(tried, [1000, 2000, 4000, 6000, 8000], 'rising order; 2000 alone is far over, 6000 and 8000 together stop it');
  assert.equal(stopped_early, true);
  assert.equal(steps.length, 5);
});

test('a step whose events did not all land counts as far over and is never the knee', async () => {
  const { steps } = await climbLadder([1000, 2000, 4000], 500, async (rate) => step(rate, 50, rate === 1000 ? 100 : 90));
  assert.equal(knee(steps, 500), 1000);
  assert.equal(steps.length, 3, 'the ladder had no rate left after the second far-over step');
});

test('the knee is the highest rate within budget, even above a rate that missed it', () => {
  assert.equal(knee([step(1000, 20), step(2000, 600), step(4000, 450), step(6000, 5000)], 500), 4000);
  assert.equal(knee([step(1000, 501)], 500), null);
  assert.equal(knee([step(1000, 500)], 500), 1000, 'the budget itself is within it');
});
