// The lag exporter's pure core against hand-computed values, and against the expectations of Kafka
// Lag Exporter's own LookupTableSpec (seglo/kafka-lag-exporter) where its rules are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddOutcome, createOffsetHistory, createPartitionHistories, lagSeconds, measureLag, timeOfOffset,
  type GroupOffsets, type OffsetHistory, type TopicOffsets,
} from './lag_history.ts';

const history = (capacity: number, points: Array<[offset: number, timeMs: number]>): OffsetHistory => {
  const table = createOffsetHistory(capacity);
  for (const [offset, timeMs] of points) table.add({ offset, timeMs });
  return table;
};
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
const timeOf = (table: OffsetHistory, offset: number): number => {
  const found = table.lookup(offset);
  assert.ok(found.kind === 'interpolated' || found.kind === 'extrapolated', `expected an estimate for ${offset}, got ${found.kind}`);
  return found.timeMs;
};

test('interpolation between the two readings around the offset, by hand', () => {
  // End offset 100 at t=1000 ms, 200 at 2000, 400 at 3000.
  const table = history(60, [[100, 1000], [200, 2000], [400, 3000]]);
  // 150 is halfway from 100 to 200: t = 2000 − (200 − 150) × 1000 / 100 = 1500.
  assert.deepEqual(table.lookup(150), { kind: 'interpolated', timeMs: 1500 });
  // 300 is halfway from 200 to 400: t = 3000 − (400 − 300) × 1000 / 200 = 2500.
  assert.deepEqual(table.lookup(300), { kind: 'interpolated', timeMs: 2500 });
  // A reading's own offset: its time.
  assert.deepEqual(table.lookup(200), { kind: 'interpolated', timeMs: 2000 });
  // Committed 300, now 4000 ms: 4000 − 2500 = 1.5 s behind.
  assert.equal(lagSeconds(table, 300, 4000), 1.5);
  // Older than the table: the line through the oldest (100, 1000) and newest (400, 3000) points,
  // t = 3000 − (400 − 50) × 2000 / 300 = 666.67; at 4000 ms that is 3.3333 s.
  assert.equal(table.lookup(50).kind, 'extrapolated');
  near(timeOf(table, 50), 3000 - (350 * 2000) / 300);
  near(lagSeconds(table, 50, 4000), (4000 - (3000 - (350 * 2000) / 300)) / 1000);
});

test('caught up, too few points, never negative', () => {
  const table = history(60, [[100, 1000], [200, 2000]]);
  assert.deepEqual(table.lookup(200), { kind: 'caught-up' });
  assert.equal(lagSeconds(table, 200, 9000), 0);
  // A commit read after the end offset: caught up, not a time in the future.
  assert.deepEqual(table.lookup(250), { kind: 'caught-up' });
  const single = history(60, [[100, 1000]]);
  assert.deepEqual(single.lookup(40), { kind: 'too-few-points' });
  assert.ok(Number.isNaN(lagSeconds(single, 40, 2000)));
  assert.deepEqual(single.lookup(100), { kind: 'caught-up' });
  assert.deepEqual(createOffsetHistory(2).lookup(0), { kind: 'too-few-points' });
  // A clock that disagrees with the readings never gives a negative lag.
  assert.equal(lagSeconds(table, 150, 0), 0);
});

test("Kafka Lag Exporter's LookupTableSpec: steady timestamps, different rates", () => {
  const table = history(60, [[0, 0], [10, 1], [200, 2], [3000, 3], [40000, 4]]);
  assert.equal(table.points().length, 5);
  near(timeOf(table, 1600), 2.5);
  near(timeOf(table, 0), 0);
  near(timeOf(table, 1), 0.09999999999999998);
  near(timeOf(table, 9), 0.9);
  near(timeOf(table, 10), 1);
  near(timeOf(table, 200), 2);
  near(timeOf(table, 2999), 2.9996428571428573);
  near(timeOf(table, 3000), 3);
  near(timeOf(table, 3001), 3.000027027027027);
  assert.deepEqual(table.lookup(40000), { kind: 'caught-up' });
  near(timeOf(table, -10000), -1);
});

test("Kafka Lag Exporter's LookupTableSpec: flat sections keep their first and latest reading", () => {
  const table = createOffsetHistory(60);
  assert.equal(table.add({ offset: 100, timeMs: 30 }), AddOutcome.inserted);
  assert.equal(table.add({ offset: 200, timeMs: 60 }), AddOutcome.inserted);
  assert.equal(table.add({ offset: 200, timeMs: 120 }), AddOutcome.inserted);
  assert.equal(table.add({ offset: 200, timeMs: 700 }), AddOutcome.updated);
  assert.deepEqual(table.points(), [{ offset: 100, timeMs: 30 }, { offset: 200, timeMs: 60 }, { offset: 200, timeMs: 700 }]);
  table.add({ offset: 300, timeMs: 730 });
  table.add({ offset: 300, timeMs: 9000 });
  table.add({ offset: 400, timeMs: 9030 });
  near(timeOf(table, 199), 59.7);
  // The latest time the end offset still was 200 (the right-hand end of the flat run).
  near(timeOf(table, 200), 700);
  near(timeOf(table, 201), 700.3);
  near(timeOf(table, 250), 715);
  near(timeOf(table, 299), 729.7);
  near(timeOf(table, 300), 9000);
  near(timeOf(table, 301), 9000.3);
});

test('a history that is flat from end to end: the lag is at least the age of its oldest reading', () => {
  const table = history(60, [[100, 1000], [100, 2000], [100, 3000], [100, 4000]]);
  assert.deepEqual(table.points(), [{ offset: 100, timeMs: 1000 }, { offset: 100, timeMs: 4000 }]);
  // Kafka Lag Exporter divides by zero here; offset 40 was written before t=1000, so at 5000 ms
  // it is at least 4 s old.
  assert.deepEqual(table.lookup(40), { kind: 'extrapolated', timeMs: 1000 });
  assert.equal(lagSeconds(table, 40, 5000), 4);
  assert.equal(timeOfOffset(40, { offset: 100, timeMs: 1000 }, { offset: 100, timeMs: 4000 }), 1000);
});

test('bounded: the oldest reading goes first; out-of-order readings are ignored; a lower offset starts again', () => {
  const table = history(3, [[0, 0], [10, 1000], [20, 2000], [30, 3000]]);
  assert.deepEqual(table.points().map((p) => p.offset), [10, 20, 30]);
  for (let i = 4; i < 1000; i++) table.add({ offset: i * 10, timeMs: i * 1000 });
  assert.equal(table.points().length, 3);
  assert.equal(table.add({ offset: 99999, timeMs: 999_000 }), AddOutcome.outOfOrder);
  assert.equal(table.add({ offset: 99999, timeMs: 500 }), AddOutcome.outOfOrder);
  assert.deepEqual(table.points().at(-1), { offset: 9990, timeMs: 999_000 });
  // The topic was recreated: its old readings say nothing about the new one.
  assert.equal(table.add({ offset: 5, timeMs: 1_000_000 }), AddOutcome.restarted);
  assert.deepEqual(table.points(), [{ offset: 5, timeMs: 1_000_000 }]);
  assert.throws(() => createOffsetHistory(1), RangeError);
});

test('partition histories are created on first reading and dropped when a partition is no longer polled', () => {
  const histories = createPartitionHistories(10);
  histories.add('a', 0, { offset: 1, timeMs: 1 });
  histories.add('a', 1, { offset: 1, timeMs: 1 });
  histories.add('b', 0, { offset: 1, timeMs: 1 });
  histories.add('b', 0, { offset: 2, timeMs: 2 });
  assert.equal(histories.size, 3);
  assert.equal(histories.get('b', 0)?.points().length, 2);
  histories.retain((topic) => topic === 'b');
  assert.equal(histories.size, 1);
  assert.equal(histories.get('a', 0), undefined);
});

test('lag of every group on every partition: committed, never committed, caught up, topics absent', () => {
  const histories = createPartitionHistories(60);
  // Partition 0 of "events" grew by 100 records a second from t=0; partition 1 is idle at 50.
  for (const [offset, timeMs] of [[0, 0], [100, 1000], [200, 2000]] as const) histories.add('events', 0, { offset, timeMs });
  for (const timeMs of [0, 1000, 2000]) histories.add('events', 1, { offset: 50, timeMs });
  for (const timeMs of [0, 1000, 2000]) histories.add('other', 0, { offset: 7, timeMs });
  const topics = new Map<string, TopicOffsets>([
    ['events', { topic: 'events', partitions: [{ partition: 0, start: 0, end: 200 }, { partition: 1, start: 20, end: 50 }] }],
    ['other', { topic: 'other', partitions: [{ partition: 0, start: 0, end: 7 }] }],
  ]);
  const groups: GroupOffsets[] = [
    // Committed 150 on partition 0 (written at t=1500 ms) and nothing on partition 1; and offsets
    // of a topic since deleted.
    { groupId: 'scorer', committed: new Map([['events', new Map([[0, 150]])], ['deleted', new Map([[0, 3]])]]) },
    // Never committed anything, but reads "events" (an expected topic); caught up on "other".
    { groupId: 'fresh', committed: new Map([['other', new Map([[0, 7]])]]) },
  ];
  const lags = measureLag({ groups, topics, expectedTopics: ['events', 'missing'], histories, nowMs: 2500 });
  const row = (groupId: string, topic: string, partition: number) => lags.find((l) => l.groupId === groupId && l.topic === topic && l.partition === partition);
  assert.equal(lags.length, 5);
  assert.deepEqual(row('scorer', 'events', 0), { groupId: 'scorer', topic: 'events', partition: 0, committed: 150, end: 200, records: 50, seconds: 1 });
  // Never committed on partition 1: what it would read from the first retained offset (20). The
  // history is flat at 50 since t=0, so offset 20 is at least 2.5 s old.
  assert.deepEqual(row('scorer', 'events', 1), { groupId: 'scorer', topic: 'events', partition: 1, committed: null, end: 50, records: 30, seconds: 2.5 });
  assert.deepEqual(row('fresh', 'events', 0), { groupId: 'fresh', topic: 'events', partition: 0, committed: null, end: 200, records: 200, seconds: 2.5 });
  assert.equal(row('fresh', 'events', 1)?.records, 30);
  assert.deepEqual(row('fresh', 'other', 0), { groupId: 'fresh', topic: 'other', partition: 0, committed: 7, end: 7, records: 0, seconds: 0 });
  assert.equal(row('scorer', 'other', 0), undefined, '"other" is neither expected nor committed by scorer');
  assert.equal(lags.some((l) => l.topic === 'deleted' || l.topic === 'missing'), false);
});

test('a partition seen for the first time has an unknown age (NaN) unless nothing is behind', () => {
  const histories = createPartitionHistories(60);
  histories.add('t', 0, { offset: 10, timeMs: 1000 });
  const topics = new Map<string, TopicOffsets>([['t', { topic: 't', partitions: [{ partition: 0, start: 0, end: 10 }] }]]);
  const [behind] = measureLag({ groups: [{ groupId: 'g', committed: new Map([['t', new Map([[0, 4]])]]) }], topics, expectedTopics: [], histories, nowMs: 1000 });
  assert.equal(behind?.records, 6);
  assert.ok(Number.isNaN(behind?.seconds));
  const [caughtUp] = measureLag({ groups: [{ groupId: 'g', committed: new Map([['t', new Map([[0, 10]])]]) }], topics, expectedTopics: [], histories, nowMs: 1000 });
  assert.equal(caughtUp?.seconds, 0);
});
