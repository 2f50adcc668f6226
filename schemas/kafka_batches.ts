// What one produce request may carry. The broker refuses a record batch larger than the topic's
// max.message.bytes (broker default message.max.bytes, about 1 MiB) with MESSAGE_TOO_LARGE, which
// no retry cures. kafkajs puts everything one `send` gives a partition into one batch, so whoever
// sends a list that is not bounded by configuration (a chunk's dead letters, a chunk's alerts,
// a test's or load generator's events) splits it here first.
import type { IHeaders } from 'kafkajs';

/**
 * The default cap on the estimated size of one send: 1 MiB (the broker's default limit) less
 * about 48 KiB for the batch header, the request and anything the estimate below misses.
 */
export const DEFAULT_MAX_SEND_BYTES = 1_000_000;

/**
 * A record's framing in the v2 record format, at its largest: length, attributes, timestamp
 * delta, offset delta, key length, value length and header count varints (5+1+10+5+5+5+5).
 */
export const RECORD_OVERHEAD_BYTES = 36;
/** One header's framing: its name length and value length varints. */
export const HEADER_OVERHEAD_BYTES = 10;

export type KafkaBytes = Buffer | string | null | undefined;

export interface SizedRecord {
  readonly key?: KafkaBytes;
  readonly value: KafkaBytes;
  readonly headers?: IHeaders | undefined;
}

export function bytesOf(data: KafkaBytes): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** Names and values of `headers` with their framing; a header with several values counts once each. */
export function headerBytes(headers: IHeaders | undefined): number {
  if (headers === undefined) return 0;
  let total = 0;
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) total += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + bytesOf(one);
  }
  return total;
}

/** An upper bound on what one record adds to an uncompressed record batch. */
export function recordBytes(record: SizedRecord): number {
  return RECORD_OVERHEAD_BYTES + bytesOf(record.key) + bytesOf(record.value) + headerBytes(record.headers);
}

/**
 * `items` in order, cut into runs whose sizes add up to at most `limit`. An item larger than the
 * limit on its own gets a run of its own: the caller decides what to do with it (see
 * ingest/dead_letter.ts, which cuts such a record down before it gets here).
 */
export function chunkByBytes<T>(items: readonly T[], sizeOf: (item: T) => number, limit = DEFAULT_MAX_SEND_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Whether a failed send is worth another try, by the rule kafkajs itself applies when its
 * consumer crashes: its own retries ran out, or the innermost cause says it is retriable.
 * MESSAGE_TOO_LARGE, for one, is not.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  if ((err as { name?: unknown } | null)?.name === 'KafkaJSNumberOfRetriesExceeded') return true;
  let cause = err as { cause?: unknown; retriable?: unknown } | null;
  for (let depth = 0; depth < 10 && cause?.cause !== undefined && cause.cause !== null; depth++) cause = cause.cause as typeof cause;
  return cause?.retriable === true;
}
