import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareOffsets, parseDescribe } from './consumer_groups.ts';

// Printed by Kafka 4.4's ConsumerGroupCommand for a group without members (stderr's note included).
const output = `
GROUP                           TOPIC                         PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
opscheck-sample-1795796458478-g opscheck-sample-1795796458478 1          0               11              11              -               -               -
opscheck-sample-1795796458478-g opscheck-sample-1795796458478 0          3               13              10              -               -               -
opscheck-sample-1795796458478-g opscheck-sample-1795796458478 2          -               6               -               -               -               -

Consumer group 'opscheck-sample-1795796458478-g' has no active members.
`;
const group = 'opscheck-sample-1795796458478-g';
const topic = 'opscheck-sample-1795796458478';

test('parseDescribe reads the offsets table, sorted, with "-" as null', () => {
  assert.deepEqual(parseDescribe(output, group), [
    { topic, partition: 0, currentOffset: 3, logEndOffset: 13, lag: 10 },
    { topic, partition: 1, currentOffset: 0, logEndOffset: 11, lag: 11 },
    { topic, partition: 2, currentOffset: null, logEndOffset: 6, lag: null },
  ]);
  assert.deepEqual(parseDescribe(output, 'another-group'), []);
  assert.deepEqual(parseDescribe("Consumer group 'x' does not exist.", 'x'), []);
});

test('compareOffsets lists every difference and accepts equal numbers', () => {
  const kafka = parseDescribe(output, group);
  const same = [
    { topic, partition: 0, lag: 10, currentOffset: 3, endOffset: 13 },
    { topic, partition: 1, lag: 11, currentOffset: 0, endOffset: 11 },
    // Never committed: Kafka prints no lag, the exporter may count from the log start.
    { topic, partition: 2, lag: 6, currentOffset: undefined, endOffset: 6 },
  ];
  assert.deepEqual(compareOffsets(kafka, same), []);
  const off = [
    { topic, partition: 0, lag: 9, currentOffset: 3, endOffset: 12 },
    { topic, partition: 2, lag: 6, currentOffset: undefined, endOffset: 6 },
    { topic, partition: 7, lag: 0, currentOffset: 5, endOffset: 5 },
  ];
  assert.deepEqual(compareOffsets(kafka, off).map((m) => `${m.partition} ${m.field} ${m.kafka} ${m.exporter}`), [
    '0 log end offset 13 12',
    '0 lag 10 9',
    '1 log end offset 11 null',
    '1 committed offset 0 null',
    '1 lag 11 null',
    '7 partition unknown to Kafka null 5',
  ]);
});
