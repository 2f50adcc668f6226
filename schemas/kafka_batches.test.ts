import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { IHeaders } from 'kafkajs';
import { chunkByBytes, isRetriableKafkaError, recordBytes, type SizedRecord } from './kafka_batches.ts';

// kafkajs's own v2 record encoder: the estimate must never be below what it really writes.
const encodeRecord = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0/index.js') as
  (record: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers: IHeaders }) => { buffer: Buffer };

test('recordBytes is an upper bound on the encoded record, and close to it', () => {
  const records: SizedRecord[] = [
    { key: null, value: null },
    { key: 'tenant-1', value: Buffer.alloc(0) },
    { key: Buffer.from('k'), value: Buffer.alloc(300_000, 1), headers: { a: 'x', 'dlq.error.reason': 'é'.repeat(1000) } },
    { key: null, value: Buffer.from('v'), headers: { repeated: [Buffer.from('one'), 'two', 'three'] } },
  ];
  for (const record of records) {
    const toBuffer = (b: SizedRecord['value']) => (b === null || b === undefined ? null : Buffer.from(b));
    const encoded = encodeRecord({
      // The largest deltas a batch of a few thousand records sent now could carry.
      offsetDelta: 100_000, timestampDelta: 3_600_000,
      key: toBuffer(record.key), value: toBuffer(record.value), headers: record.headers ?? {},
    }).buffer.length;
    const estimate = recordBytes(record);
    assert.ok(estimate >= encoded, `estimate ${estimate} >= encoded ${encoded}`);
    assert.ok(estimate - encoded <= 64, `estimate ${estimate} close to encoded ${encoded}`);
  }
});

test('chunkByBytes keeps order, stays under the limit, and gives an oversized item a run of its own', () => {
  const sizes = [400, 400, 300, 1500, 100, 900, 100];
  const chunks = chunkByBytes(sizes, (n) => n, 1000);
  assert.deepEqual(chunks, [[400, 400], [300], [1500], [100, 900], [100]]);
  assert.deepEqual(chunks.flat(), sizes);
  assert.deepEqual(chunkByBytes([], (n: number) => n, 10), []);
});

test('isRetriableKafkaError follows kafkajs: exhausted retries and retriable causes are, MESSAGE_TOO_LARGE is not', () => {
  const protocol = (type: string, retriable: boolean) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
  assert.equal(isRetriableKafkaError(protocol('MESSAGE_TOO_LARGE', false)), false);
  assert.equal(isRetriableKafkaError(protocol('NOT_LEADER_OR_FOLLOWER', true)), true);
  const exhausted = Object.assign(new Error('retries'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: protocol('UNKNOWN_TOPIC_OR_PARTITION', true) });
  assert.equal(isRetriableKafkaError(exhausted), true);
  const wrapped = Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', retriable: false, cause: protocol('TOPIC_AUTHORIZATION_FAILED', false) });
  assert.equal(isRetriableKafkaError(wrapped), false);
  assert.equal(isRetriableKafkaError(new TypeError('bug')), false);
  assert.equal(isRetriableKafkaError(null), false);
});
