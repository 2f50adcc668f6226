// The dead-letter topic: every record the pipeline refuses goes there with its original key,
// value and headers, plus headers that say where it came from and why it was refused, so it
// can be inspected and replayed.
//
// What the broker accepts bounds what one send may carry (schemas/kafka_batches.ts): a chunk's
// letters go in as many sends as their estimated size needs, each at most `maxBytes`, one after
// another. A letter that cannot fit on its own (its value is the refused record, which may be as
// large as the input topic allows) is stored TRUNCATED, never dropped:
//   - `dlq.truncated: true`, and `dlq.original.size` (bytes) and `dlq.original.sha256` (hex) of
//     the WHOLE original value, so a copy found elsewhere can be matched to it;
//   - the key and the original headers are kept as long as they leave at least half of the room
//     to the value; otherwise the key is cut to what is left (with `dlq.original.key.size` and
//     `dlq.original.key.sha256` of the whole key) and the original headers that do not fit are
//     left out, in order (with `dlq.original.headers.size`, the bytes of all original header names
//     and values, and `dlq.original.headers.dropped`, how many were left out);
//   - the value is cut to the room that remains.
// The dlq.* headers describing the refusal are never cut (the reason is capped at 1,000
// characters), so every letter says where it came from and why.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IHeaders, Message, Producer } from 'kafkajs';
import type { SourcePosition } from '../schemas/contracts.ts';
import { truncateChars } from '../schemas/limits.ts';
import { bytesOf, chunkByBytes, headerBytes, isRetriableKafkaError, recordBytes, HEADER_OVERHEAD_BYTES, RECORD_OVERHEAD_BYTES } from '../schemas/kafka_batches.ts';

export const DeadLetterHeader = {
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  errorCode: 'dlq.error.code',
  errorReason: 'dlq.error.reason',
  stage: 'dlq.stage',
  attempts: 'dlq.attempts',
  failedAt: 'dlq.failed.at',
  truncated: 'dlq.truncated',
  originalSize: 'dlq.original.size',
  originalSha256: 'dlq.original.sha256',
  originalKeySize: 'dlq.original.key.size',
  originalKeySha256: 'dlq.original.key.sha256',
  originalHeadersSize: 'dlq.original.headers.size',
  originalHeadersDropped: 'dlq.original.headers.dropped',
  /** Set by `mailscore dlq redrive` on the record it sends back: `<dead-letter topic>/<partition>@<offset>`. */
  redrivenFrom: 'dlq.redriven.from',
} as const;

/** Attempts above this in an incoming header are not believed (a hostile or broken producer): counted from 0. */
const MAX_BELIEVED_ATTEMPTS = 1_000_000;

/**
 * How many times the record had already been dead-lettered: the `dlq.attempts` header a redrive
 * puts on the record it sends back, 0 when absent or not a plain small number (the header is as
 * hostile as the rest of the record). A letter's own attempts are this plus one.
 */
export function previousAttempts(headers: IHeaders | undefined): number {
  let value = headers?.[DeadLetterHeader.attempts];
  if (Array.isArray(value)) value = value[value.length - 1];
  if (value === undefined) return 0;
  // Looked at only when short: a megabyte of digits is not a count.
  if (value.length > 7) return 0;
  const text = value.toString('latin1');
  if (!/^\d{1,7}$/.test(text)) return 0;
  const n = Number(text);
  return n <= MAX_BELIEVED_ATTEMPTS ? n : 0;
}

/** Characters of the refusal reason kept in its header. */
const REASON_CHARS = 1000;

export interface DeadLetter {
  readonly source: SourcePosition;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  readonly code: string;
  readonly reason: string;
  readonly stage: 'ingest' | 'scorer' | 'sink';
}

export interface DeadLetterRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/** The room every truncation note may take, at its longest (a 20-digit size, a 64-digit hash). */
const NOTES_BYTES = headerBytes({
  [DeadLetterHeader.truncated]: 'true',
  [DeadLetterHeader.originalSize]: '9'.repeat(20),
  [DeadLetterHeader.originalSha256]: 'f'.repeat(64),
  [DeadLetterHeader.originalKeySize]: '9'.repeat(20),
  [DeadLetterHeader.originalKeySha256]: 'f'.repeat(64),
  [DeadLetterHeader.originalHeadersSize]: '9'.repeat(20),
  [DeadLetterHeader.originalHeadersDropped]: '9'.repeat(20),
});

/**
 * The smallest `maxBytes` a letter is guaranteed to fit in: the refusal headers at their longest
 * (a topic name of 249 characters, a reason of 1,000 characters of up to 3 bytes each), the
 * notes, and some room for the record itself. The configuration refuses anything smaller.
 */
export const MIN_DEAD_LETTER_BYTES = 16 * 1024;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The record stored for `letter`: whole when it fits in `maxBytes`, cut down as described above when not. */
export function deadLetterRecord(letter: DeadLetter, failedAt: string, maxBytes: number): DeadLetterRecord {
  const refusal: IHeaders = {
    [DeadLetterHeader.sourceTopic]: letter.source.topic,
    [DeadLetterHeader.sourcePartition]: String(letter.source.partition),
    [DeadLetterHeader.sourceOffset]: letter.source.offset,
    [DeadLetterHeader.errorCode]: letter.code,
    [DeadLetterHeader.errorReason]: truncateChars(letter.reason, REASON_CHARS),
    [DeadLetterHeader.stage]: letter.stage,
    // A redriven record that fails again comes back counted: the redrive refuses past its maximum.
    [DeadLetterHeader.attempts]: String(previousAttempts(letter.headers) + 1),
    [DeadLetterHeader.failedAt]: failedAt,
  };
  const whole: DeadLetterRecord = { key: letter.key, value: letter.value, headers: { ...letter.headers, ...refusal } };
  if (recordBytes(whole) <= maxBytes) return whole;

  const room = maxBytes - RECORD_OVERHEAD_BYTES - headerBytes(refusal) - NOTES_BYTES;
  if (room <= 0) throw new RangeError(`a dead letter needs more than ${maxBytes} bytes for its headers alone; raise the limit (at least ${MIN_DEAD_LETTER_BYTES})`);
  const valueBytes = bytesOf(letter.value);
  // The key and headers may use what the value does not need, but never more than half the room.
  const metaRoom = room - Math.min(valueBytes, Math.ceil(room / 2));
  const notes: IHeaders = { [DeadLetterHeader.truncated]: 'true' };

  let key = letter.key;
  if (key !== null && key.length > metaRoom) {
    notes[DeadLetterHeader.originalKeySize] = String(key.length);
    notes[DeadLetterHeader.originalKeySha256] = sha256(key);
    key = key.subarray(0, metaRoom);
  }
  let used = bytesOf(key);

  const kept: IHeaders = {};
  let dropped = 0;
  for (const [name, value] of Object.entries(letter.headers ?? {})) {
    if (name in refusal) continue; // replaced by this refusal's own header anyway
    const size = headerBytes({ [name]: value });
    if (used + size <= metaRoom) {
      kept[name] = value;
      used += size;
    } else {
      dropped += Array.isArray(value) ? value.length : 1;
    }
  }
  if (dropped > 0) {
    notes[DeadLetterHeader.originalHeadersSize] = String(headerBytes(letter.headers) - HEADER_OVERHEAD_BYTES * countHeaders(letter.headers));
    notes[DeadLetterHeader.originalHeadersDropped] = String(dropped);
  }

  let value = letter.value;
  if (value !== null) {
    notes[DeadLetterHeader.originalSize] = String(value.length);
    notes[DeadLetterHeader.originalSha256] = sha256(value);
    value = value.subarray(0, Math.max(0, room - used));
  }
  return { key, value, headers: { ...kept, ...refusal, ...notes } };
}

function countHeaders(headers: IHeaders | undefined): number {
  let count = 0;
  for (const value of Object.values(headers ?? {})) count += Array.isArray(value) ? value.length : 1;
  return count;
}

export class DeadLetterError extends Error {
  readonly code = 'DEAD_LETTER_FAILED';
  readonly retriable = false;
}

export interface DeadLetterSendOptions {
  /** The most bytes (estimated as in schemas/kafka_batches.ts) one send may carry. */
  readonly maxBytes: number;
  /** Asked before each new attempt: false gives up (the chunk is then neither committed nor finished). */
  readonly keepTrying: () => boolean;
  /** Told of every retriable failure before its wait. */
  readonly onRetry: (err: unknown, attempt: number, delayMs: number) => void;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Sends `letters` in pieces the broker accepts. A retriable failure (broker or leader away,
 * topic missing, too few in-sync replicas) is retried for as long as `keepTrying` says so,
 * resending only the piece that failed and those after it: an outage is waited out here rather
 * than by failing the chunk, because kafkajs would redeliver a failed chunk and the pipeline
 * would publish its alerts again. Anything else throws DeadLetterError (non-retriable: the
 * consumer stops without committing). Returns false if it gave up because `keepTrying` said so.
 */
export async function sendDeadLetters(producer: Producer, topic: string, letters: readonly DeadLetter[], options: DeadLetterSendOptions): Promise<boolean> {
  if (letters.length === 0) return true;
  const failedAt = new Date().toISOString();
  const records: Message[] = letters.map((letter) => deadLetterRecord(letter, failedAt, options.maxBytes));
  const initialDelayMs = options.initialDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  for (const piece of chunkByBytes(records, recordBytes, options.maxBytes)) {
    for (let attempt = 1; ; attempt++) {
      if (!options.keepTrying()) return false;
      try {
        await producer.send({ topic, acks: -1, messages: piece });
        break;
      } catch (err) {
        if (!isRetriableKafkaError(err)) {
          throw new DeadLetterError(`sending ${piece.length} dead letters to ${topic}: ${(err as Error).message}`, { cause: err });
        }
        const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 20)) * (0.5 + Math.random() / 2);
        options.onRetry(err, attempt, Math.round(delay));
        await sleep(delay);
      }
    }
  }
  return true;
}
