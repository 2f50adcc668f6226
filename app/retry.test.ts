// The retry policy's pure core: what kind each failure is, and how long each kind is retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FailureKind, SinkError } from '../sinks/index.ts';
import { failureKind, PipelineHaltError, StoppingError, untilDone, type OutageHooks } from './retry.ts';

const logger = pino({ level: 'silent' });
const policy = { attempts: 3, initialDelayMs: 1, maxDelayMs: 2, outageMaxDelayMs: 2 };
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('failureKind: sink kinds, socket codes, SQLSTATE classes, client give-ups, causes', () => {
  assert.equal(failureKind(new SinkError('x', 'PG_23505', FailureKind.row)), FailureKind.row);
  assert.equal(failureKind(new SinkError('x', 'PG_57P01', FailureKind.outage)), FailureKind.outage);
  assert.equal(failureKind(new SinkError('x', 'PG_25006', FailureKind.fault)), FailureKind.fault);
  assert.equal(failureKind(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')), FailureKind.outage);
  assert.equal(failureKind(withCode('terminating connection due to administrator command', '57P01')), FailureKind.outage);
  assert.equal(failureKind(withCode('the database system is starting up', '57P03')), FailureKind.outage);
  assert.equal(failureKind(withCode('cannot execute INSERT in a read-only transaction', '25006')), FailureKind.fault);
  assert.equal(failureKind(withCode('permission denied', '42501')), FailureKind.fault);
  assert.equal(failureKind(new Error('Connection terminated unexpectedly')), FailureKind.outage);
  assert.equal(failureKind(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })), FailureKind.outage);
  assert.equal(failureKind(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' })), FailureKind.outage);
  assert.equal(failureKind(new Error('wrapper', { cause: withCode('reset', 'ECONNRESET') })), FailureKind.outage);
  const aggregate = new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], 'all failed');
  assert.equal(failureKind(aggregate), FailureKind.outage);
  assert.equal(failureKind(new RangeError('Maximum call stack size exceeded')), FailureKind.fault);
  assert.equal(failureKind('a string'), FailureKind.fault);
});

function hooks(signal = new AbortController().signal) {
  const seen = { outages: 0, recovered: 0, retries: 0 };
  const h: OutageHooks = { signal, onOutage: () => void seen.outages++, onRecovered: () => void seen.recovered++, onRetry: () => void seen.retries++ };
  return { h, seen };
}

test('untilDone: an outage is waited out for as many tries as it takes, and its end reported', async () => {
  const { h, seen } = hooks();
  let calls = 0;
  const result = await untilDone('x', policy, logger, h, async () => {
    if (++calls < 25) throw withCode('down', 'ECONNREFUSED');
    return 'done';
  });
  assert.equal(result, 'done');
  assert.equal(calls, 25, 'far more tries than policy.attempts');
  assert.equal(seen.outages, 24);
  assert.equal(seen.recovered, 1);
  assert.equal(seen.retries, 24, 'each try after a failure is one retry');
});

test('untilDone: a fault is tried policy.attempts times, then halts the pipeline', async () => {
  const { h, seen } = hooks();
  let calls = 0;
  await assert.rejects(
    untilDone('x', policy, logger, h, async () => {
      calls++;
      throw new SinkError('read-only', 'PG_25006', FailureKind.fault);
    }),
    (err: unknown) => err instanceof PipelineHaltError && err.retriable === false,
  );
  assert.equal(calls, policy.attempts);
  assert.equal(seen.retries, policy.attempts - 1);
});

test('untilDone: a row error is thrown at once, for the caller to set the row aside', async () => {
  const { h, seen } = hooks();
  let calls = 0;
  const row = new SinkError('bad row', 'PG_22P02', FailureKind.row);
  await assert.rejects(untilDone('x', policy, logger, h, async () => { calls++; throw row; }), (err) => err === row);
  assert.equal(calls, 1);
  assert.equal(seen.retries, 0);
});

test('untilDone: stopping ends the wait for a dependency promptly', async () => {
  const controller = new AbortController();
  const { h } = hooks(controller.signal);
  const slow = { ...policy, outageMaxDelayMs: 60_000, initialDelayMs: 60_000 };
  const started = Date.now();
  const waiting = untilDone('x', slow, logger, h, async () => { throw withCode('down', 'ECONNREFUSED'); });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(waiting, (err) => err instanceof StoppingError);
  assert.ok(Date.now() - started < 30_000, 'did not sit out the backoff');
});
