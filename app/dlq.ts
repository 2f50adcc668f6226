// `mailscore dlq list | show | redrive`: the dead-letter topic read by people.
//
// Reading never joins or moves a group anyone else uses. kafkajs has no assign(): each read is a
// consumer in a throwaway group (`mailscore-dlq-reader-<uuid>`) that seeks every partition to the
// start of the range, never commits, stops at end offsets fixed when the read starts, and deletes
// its group afterwards.
//
// A letter is a record of the dead-letter topic: the refused record's key, value and headers,
// with the dlq.* headers of ingest/dead_letter.ts saying where it came from and why. Everything in
// it is as hostile as the record it holds: what is printed is escaped and bounded.
//
// Redrive sends a letter's original record back to the input topic with `dlq.attempts` set to
// the letter's attempts (a record that fails again is dead-lettered with attempts + 1) and
// `dlq.redriven.from` naming the letter. Each redriven letter is then recorded on a marker topic,
// `<dead-letter topic>.redriven` (key `<partition>:<offset>` of the letter), and a redrive skips
// letters recorded there: running the same redrive twice sends nothing the second time. The
// marker is written after the record: a crash between the two sends the record again on the
// next run, which the sinks drop as a repeat of a stored row (at least once, never lost).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type IHeaders, type Kafka, type KafkaMessage, type Message } from 'kafkajs';
import { DeadLetterHeader, decodeEmailEvent, parseFrame } from '../ingest/index.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../schemas/kafka_batches.ts';
import { decodeLimitedEvent, type LimitedEvent } from '../schemas/limits.ts';

const { Partitioners } = kafkajs;

export class DeadLetterToolError extends Error {
  readonly code = 'DLQ_TOOL_FAILED';
  readonly retriable = false;
}

/** What selects letters; every field optional, all given ones must hold. */
export interface LetterFilter {
  readonly codes?: readonly string[];
  readonly stages?: readonly string[];
  readonly sourcePartitions?: readonly number[];
  /** Record time (ms) at or after. */
  readonly sinceMs?: number;
  /** Record time (ms) before. */
  readonly untilMs?: number;
}

/** One letter as read back, its dlq.* headers parsed. */
export interface StoredLetter {
  /** Where the letter itself is, on the dead-letter topic. */
  readonly partition: number;
  readonly offset: string;
  readonly timestampMs: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly code: string;
  readonly reason: string;
  readonly stage: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number | null;
  readonly sourceOffset: string;
  readonly attempts: number;
  readonly failedAt: string;
  readonly truncated: boolean;
  readonly redrivenFrom: string | null;
}

/** Bytes of a header value read for parsing: the refusal headers are short, anything longer is cut. */
const HEADER_READ_BYTES = 4096;

function headerText(headers: IHeaders, name: string): string | null {
  let value = headers[name];
  if (Array.isArray(value)) value = value[value.length - 1];
  if (value === undefined) return null;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return bytes.subarray(0, HEADER_READ_BYTES).toString('utf8');
}

const wholeNumber = (text: string | null): number | null => (text !== null && /^\d{1,9}$/.test(text) ? Number(text) : null);

/** Pure: a record of the dead-letter topic as a letter. A record without the dlq.* headers still reads (as `?`). */
export function parseLetter(partition: number, message: KafkaMessage): StoredLetter {
  const headers = message.headers ?? {};
  return {
    partition,
    offset: message.offset,
    timestampMs: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers,
    code: headerText(headers, DeadLetterHeader.errorCode) ?? '?',
    reason: headerText(headers, DeadLetterHeader.errorReason) ?? '',
    stage: headerText(headers, DeadLetterHeader.stage) ?? '?',
    sourceTopic: headerText(headers, DeadLetterHeader.sourceTopic) ?? '?',
    sourcePartition: wholeNumber(headerText(headers, DeadLetterHeader.sourcePartition)),
    sourceOffset: headerText(headers, DeadLetterHeader.sourceOffset) ?? '?',
    attempts: wholeNumber(headerText(headers, DeadLetterHeader.attempts)) ?? 1,
    failedAt: headerText(headers, DeadLetterHeader.failedAt) ?? '',
    truncated: headerText(headers, DeadLetterHeader.truncated) === 'true',
    redrivenFrom: headerText(headers, DeadLetterHeader.redrivenFrom),
  };
}

/** Pure. */
export function matches(letter: StoredLetter, filter: LetterFilter): boolean {
  if (filter.codes !== undefined && filter.codes.length > 0 && !filter.codes.includes(letter.code)) return false;
  if (filter.stages !== undefined && filter.stages.length > 0 && !filter.stages.includes(letter.stage)) return false;
  if (filter.sourcePartitions !== undefined && filter.sourcePartitions.length > 0 &&
    (letter.sourcePartition === null || !filter.sourcePartitions.includes(letter.sourcePartition))) return false;
  if (filter.sinceMs !== undefined && letter.timestampMs < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && letter.timestampMs >= filter.untilMs) return false;
  return true;
}

/** `<dead-letter topic>/<partition>@<offset>`: how a letter is named in `dlq.redriven.from` and on the command line. */
export const letterId = (topic: string, letter: Pick<StoredLetter, 'partition' | 'offset'>): string => `${topic}/${letter.partition}@${letter.offset}`;
const markerKey = (letter: Pick<StoredLetter, 'partition' | 'offset'>): string => `${letter.partition}:${letter.offset}`;
export const isRedriven = (redriven: ReadonlySet<string>, letter: Pick<StoredLetter, 'partition' | 'offset'>): boolean => redriven.has(markerKey(letter));
export const markerTopic = (deadLetterTopic: string): string => `${deadLetterTopic}.redriven`;

interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** Exclusive. */
  readonly end: bigint;
}

export interface ReadOptions {
  readonly filter: LetterFilter;
  /** Stop after this many selected letters (with several partitions, which ones come first is not defined). */
  readonly limit: number;
  /** Read exactly one letter: `partition` and `offset` on the dead-letter topic. */
  readonly at?: { readonly partition: number; readonly offset: string };
  /** Letters left out before counting against the limit (redrive: the ones already redriven). */
  readonly skip?: (letter: StoredLetter) => boolean;
  readonly timeoutMs?: number;
}

export interface ReadResult {
  readonly letters: StoredLetter[];
  /** Records of the range looked at. */
  readonly scanned: number;
  readonly skipped: number;
  /** True when the limit stopped the read before the end of the range. */
  readonly limited: boolean;
}

/** The offsets of `topic` to read: [since, until) by the broker's offsets-for-times, or one record. */
interface Ranges {
  readonly ranges: readonly PartitionRange[];
  /** Every partition of the topic. */
  readonly partitions: readonly number[];
}

async function rangesOf(kafka: Kafka, topic: string, options: Pick<ReadOptions, 'filter' | 'at'>): Promise<Ranges> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return { ranges: [], partitions: [] };
    const offsets = await admin.fetchTopicOffsets(topic);
    const partitions = offsets.map((p) => p.partition);
    if (options.at !== undefined) {
      const { partition, offset } = options.at;
      const known = offsets.find((p) => p.partition === partition);
      if (known === undefined) throw new DeadLetterToolError(`${topic} has no partition ${partition}`);
      const at = BigInt(offset);
      if (at < BigInt(known.low) || at >= BigInt(known.high)) {
        const holds = known.low === known.high ? 'is empty' : `holds offsets ${known.low} to ${BigInt(known.high) - 1n}`;
        throw new DeadLetterToolError(`${topic}/${partition} ${holds}: no letter at ${offset}`);
      }
      return { ranges: [{ partition, start: at, end: at + 1n }], partitions };
    }
    const byTime = async (ms: number | undefined) =>
      ms === undefined ? undefined : new Map((await admin.fetchTopicOffsetsByTimestamp(topic, ms)).map((p) => [p.partition, BigInt(p.offset)]));
    const since = await byTime(options.filter.sinceMs);
    const until = await byTime(options.filter.untilMs);
    const ranges = offsets.map((p) => {
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      const start = since?.get(p.partition) ?? low;
      const end = until?.get(p.partition) ?? high;
      return { partition: p.partition, start: start > low ? start : low, end: end < high ? end : high };
    }).filter((r) => r.start < r.end);
    return { ranges, partitions };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Calls `onRecord` for every record of `ranges` on `topic` until it returns false or every range
 * is read, in a throwaway group that never commits. Each partition is read in offset order.
 */
async function scan(kafka: Kafka, topic: string, { ranges, partitions }: Ranges, timeoutMs: number,
  onRecord: (partition: number, message: KafkaMessage) => boolean): Promise<void> {
  if (ranges.length === 0) return;
  const remaining = new Map(ranges.map((r) => [r.partition, r]));
  const groupId = `mailscore-dlq-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  let stopped = false;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        const range = remaining.get(batch.partition);
        if (range === undefined || stopped) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          // Before the seek took effect, the group starts a partition at its beginning.
          if (offset < range.start) continue;
          if (offset >= range.end || !onRecord(batch.partition, message)) {
            if (offset < range.end) stopped = true;
            remaining.delete(batch.partition);
            break;
          }
          if (offset + 1n >= range.end) {
            remaining.delete(batch.partition);
            break;
          }
        }
        if (stopped || remaining.size === 0) finish();
      },
    });
    for (const range of ranges) consumer.seek({ topic, partition: range.partition, offset: range.start.toString() });
    // The group is given every partition: the ones outside the range are not fetched at all.
    const others = partitions.filter((p) => !remaining.has(p));
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
    if ((await Promise.race([finished.then(() => 'done' as const), timer])) === 'timeout') {
      const left = [...remaining.values()].map((r) => `${r.partition}@${r.start}..${r.end}`).join(', ');
      throw new DeadLetterToolError(`reading ${topic} took longer than ${timeoutMs} ms; partitions not finished: ${left}`);
    }
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    // It never committed, so there may be nothing to delete; a leftover empty group expires anyway.
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The letters of the dead-letter topic `topic` that `options` select. */
export async function readDeadLetters(kafka: Kafka, topic: string, options: ReadOptions): Promise<ReadResult> {
  const ranges = await rangesOf(kafka, topic, options);
  const letters: StoredLetter[] = [];
  let scanned = 0;
  let skipped = 0;
  let limited = false;
  if (options.limit > 0) {
    await scan(kafka, topic, ranges, options.timeoutMs ?? 60_000, (partition, message) => {
      scanned++;
      const letter = parseLetter(partition, message);
      if (!matches(letter, options.filter)) return true;
      if (options.skip?.(letter) === true) {
        skipped++;
        return true;
      }
      letters.push(letter);
      if (letters.length < options.limit) return true;
      limited = true;
      return false;
    });
  }
  letters.sort((a, b) => a.timestampMs - b.timestampMs || a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  return { letters, scanned, skipped, limited };
}

/** The keys (`<partition>:<offset>`) of the letters a redrive already sent back (see `isRedriven`). */
export async function redrivenLetters(kafka: Kafka, deadLetterTopic: string, timeoutMs: number): Promise<Set<string>> {
  const topic = markerTopic(deadLetterTopic);
  const ranges = await rangesOf(kafka, topic, { filter: {} });
  const keys = new Set<string>();
  await scan(kafka, topic, ranges, timeoutMs, (_partition, message) => {
    if (message.key !== null && message.key.length <= 64) keys.add(message.key.toString('latin1'));
    return true;
  });
  return keys;
}

// ---- Printing: escaped and bounded, letters are hostile ----

/** Control, bidirectional and invisible characters a terminal would act on or hide: shown as \uXXXX. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const escape = (text: string): string => text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Printable text, at most `max` characters of the original, with what was left out said. */
export function safeText(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return escape(text);
  return `${escape(chars.slice(0, max).join(''))}… (${chars.length - max} more characters)`;
}

/** Bytes shown as text when they are UTF-8, as hex otherwise, at most `max` bytes. */
export function preview(bytes: Buffer | null, max: number): string {
  if (bytes === null) return '(null)';
  if (bytes.length === 0) return '(empty)';
  const head = bytes.subarray(0, max);
  const more = bytes.length > max ? ` … (${bytes.length - max} more bytes)` : '';
  const text = head.toString('utf8');
  // A cut may split the last character: ignore a replacement character at the very end.
  const body = text.replace(/\ufffd{1,3}$/, '');
  if (!body.includes('\ufffd')) return `"${escape(body)}"${more}`;
  return `hex ${head.toString('hex')}${more}`;
}

export function formatLine(letter: StoredLetter, redriven = false): string {
  const source = `${safeText(letter.sourceTopic, 100)}/${letter.sourcePartition ?? '?'}@${safeText(letter.sourceOffset, 20)}`;
  return [
    `${letter.partition}@${letter.offset}`,
    new Date(letter.timestampMs).toISOString(),
    safeText(letter.code, 40),
    safeText(letter.stage, 10),
    source,
    `attempts=${letter.attempts}`,
    ...(letter.truncated ? ['truncated'] : []),
    ...(redriven ? ['redriven'] : []),
    safeText(letter.reason, 200),
  ].join('  ');
}

export interface ShowLimits {
  /** Bytes of a key, header value or undecodable value shown. */
  readonly previewBytes: number;
  /** Characters of any text field of a decoded event shown. */
  readonly fieldChars: number;
  /** Items of any list of a decoded event, and headers, shown. */
  readonly items: number;
}
export const DEFAULT_SHOW_LIMITS: ShowLimits = { previewBytes: 512, fieldChars: 300, items: 20 };

function bounded(value: unknown, limits: ShowLimits): unknown {
  if (typeof value === 'string') return safeText(value, limits.fieldChars);
  if (Array.isArray(value)) {
    const shown = value.slice(0, limits.items).map((v) => bounded(v, limits));
    return value.length > limits.items ? [...shown, `… ${value.length - limits.items} more`] : shown;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v, limits)]));
  }
  return value;
}

export function formatShow(topic: string, letter: StoredLetter, redriven = false, limits: ShowLimits = DEFAULT_SHOW_LIMITS): string {
  const lines = [
    `letter ${letterId(topic, letter)}  written ${new Date(letter.timestampMs).toISOString()}`,
    `  code      ${safeText(letter.code, 100)}`,
    `  stage     ${safeText(letter.stage, 20)}`,
    `  source    ${safeText(letter.sourceTopic, 300)}/${letter.sourcePartition ?? '?'}@${safeText(letter.sourceOffset, 30)}`,
    `  attempts  ${letter.attempts}`,
    `  failed at ${safeText(letter.failedAt, 40)}`,
    `  reason    ${safeText(letter.reason, 1000)}`,
  ];
  if (redriven) lines.push('  redriven  yes: a redrive sent it back already and will skip it');
  if (letter.redrivenFrom !== null) lines.push(`  redriven from ${safeText(letter.redrivenFrom, 300)} (this record had been sent back from that letter)`);
  if (letter.truncated) {
    const h = (name: string) => safeText(headerText(letter.headers, name) ?? '?', 80);
    lines.push(`  TRUNCATED: original value ${h(DeadLetterHeader.originalSize)} bytes, sha256 ${h(DeadLetterHeader.originalSha256)}; cannot be redriven`);
  }
  lines.push(`  key       ${preview(letter.key, limits.previewBytes)}${letter.key === null ? '' : ` (${letter.key.length} bytes)`}`);
  // A repeated header counts once per value: a thousand copies of one name are a thousand headers.
  const original = Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq.'))
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => [name, one] as const));
  lines.push(`  headers   ${original.length} original`);
  for (const [name, one] of original.slice(0, limits.items)) {
    const bytes = one === undefined ? null : Buffer.isBuffer(one) ? one : Buffer.from(one);
    lines.push(`    ${safeText(name, 100)}: ${preview(bytes, Math.min(200, limits.previewBytes))}`);
  }
  if (original.length > limits.items) lines.push(`    … ${original.length - limits.items} more headers`);
  lines.push(`  value     ${letter.value === null ? 'null' : `${letter.value.length} bytes`}`);
  if (letter.value === null) return lines.join('\n');
  // A Confluent-framed event is shown by its payload (its schema id is not looked up here).
  const frame = parseFrame(letter.value);
  if (!frame.ok) lines.push(`  frame     ${safeText(frame.reason, 200)}`);
  else if (frame.framed) lines.push(`  frame     Confluent wire format, schema id ${frame.schemaId}, message indexes [${frame.messageIndexes.join(', ')}]`);
  const payload = frame.ok ? Buffer.from(frame.payload) : letter.value;
  // Validated as ingest does, to say whether it would be accepted now; dumped whenever it is
  // protobuf at all, with the same bounded decoder (a letter refused for a missing field is still readable).
  const verdict = decodeEmailEvent(payload);
  let dump: LimitedEvent | null = null;
  try {
    dump = payload.length > 0 ? decodeLimitedEvent(payload) : null;
  } catch {
    dump = null;
  }
  lines.push(`  decodes   ${verdict.ok ? 'yes, a valid email.v1.EmailEvent' : `no: ${verdict.code}: ${safeText(verdict.reason, 200)}`}`);
  if (dump !== null) {
    const object = EmailEventCodec.toObject(dump.event, { longs: String, bytes: String, defaults: false });
    if (typeof object.rawMessage === 'string') {
      // Base64 of the (already capped) raw message says little: show the start of the mail instead.
      object.rawMessage = preview(Buffer.from(object.rawMessage, 'base64'), limits.previewBytes);
    }
    lines.push(`  event     email.v1.EmailEvent${dump.cut.length > 0 ? ` (over their caps, cut: ${dump.cut.join(', ')})` : ''}`);
    lines.push(...JSON.stringify(bounded(object, limits), null, 2).split('\n').map((l) => `    ${l}`));
  } else {
    lines.push(`  preview   ${preview(letter.value, limits.previewBytes)}`);
  }
  return lines.join('\n');
}

// ---- Redrive ----

export interface RedriveOptions {
  readonly deadLetterTopic: string;
  /** Where letters are sent back: the pipeline's input topic. */
  readonly inputTopic: string;
  readonly filter: LetterFilter;
  readonly limit: number;
  readonly at?: ReadOptions['at'];
  /** A letter whose attempts reached this is refused, not sent. */
  readonly maxAttempts: number;
  readonly dryRun: boolean;
  /** The most bytes one send may carry (KAFKA_MAX_REQUEST_BYTES). */
  readonly maxSendBytes: number;
  readonly timeoutMs?: number;
}

export const RedriveOutcome = {
  sent: 'sent',
  wouldSend: 'would-send',
  maxAttempts: 'refused-max-attempts',
  truncated: 'refused-truncated',
} as const;
export type RedriveOutcome = (typeof RedriveOutcome)[keyof typeof RedriveOutcome];

export interface RedriveReport {
  readonly letters: ReadonlyArray<{ readonly letter: StoredLetter; readonly outcome: RedriveOutcome }>;
  /** Letters that matched but were already redriven by an earlier run. */
  readonly alreadyRedriven: number;
  readonly limited: boolean;
}

/** Pure: the record a letter is sent back as: its original key, value and headers, counted and named. */
export function redriveRecord(deadLetterTopic: string, letter: StoredLetter): Message {
  const headers: IHeaders = {};
  // The dlq.* headers are this pipeline's own: a record comes back with only the two a redrive sets.
  for (const [name, value] of Object.entries(letter.headers)) if (!name.startsWith('dlq.')) headers[name] = value;
  headers[DeadLetterHeader.attempts] = String(letter.attempts);
  headers[DeadLetterHeader.redrivenFrom] = letterId(deadLetterTopic, letter);
  return { key: letter.key, value: letter.value, headers };
}

export async function redrive(kafka: Kafka, options: RedriveOptions): Promise<RedriveReport> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const done = await redrivenLetters(kafka, options.deadLetterTopic, timeoutMs);
  const read = await readDeadLetters(kafka, options.deadLetterTopic, {
    filter: options.filter, limit: options.limit, at: options.at, timeoutMs, skip: (letter) => isRedriven(done, letter),
  });
  const report = read.letters.map((letter) => ({
    letter,
    outcome: letter.truncated ? RedriveOutcome.truncated
      : letter.attempts >= options.maxAttempts ? RedriveOutcome.maxAttempts
        : options.dryRun ? RedriveOutcome.wouldSend : RedriveOutcome.sent,
  }));
  const toSend = report.filter((r) => r.outcome === RedriveOutcome.sent).map((r) => r.letter);
  if (toSend.length > 0) await sendBack(kafka, options, toSend);
  return { letters: report, alreadyRedriven: read.skipped, limited: read.limited };
}

async function sendBack(kafka: Kafka, options: RedriveOptions, letters: readonly StoredLetter[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let inputPartitions: number;
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(options.inputTopic)) throw new DeadLetterToolError(`the input topic ${options.inputTopic} does not exist`);
    inputPartitions = (await admin.fetchTopicMetadata({ topics: [options.inputTopic] })).topics[0]!.partitions.length;
    const markers = markerTopic(options.deadLetterTopic);
    if (!existing.includes(markers)) {
      // One partition: markers are few, and read whole by every redrive.
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: markers, numPartitions: 1, replicationFactor: 1 }] });
    }
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    type Pair = { letter: StoredLetter; record: Message };
    const pairs: Pair[] = letters.map((letter) => {
      const record = redriveRecord(options.deadLetterTopic, letter);
      // Back to the partition it came from when that is this topic's: per-key order as the MTA sent it.
      const partition = letter.sourceTopic === options.inputTopic && letter.sourcePartition !== null && letter.sourcePartition < inputPartitions
        ? letter.sourcePartition : undefined;
      return { letter, record: partition === undefined ? record : { ...record, partition } };
    });
    for (const piece of chunkByBytes(pairs, (p) => recordBytes(p.record), options.maxSendBytes)) {
      await producer.send({ topic: options.inputTopic, acks: -1, messages: piece.map((p) => p.record) });
      const redrivenAt = new Date().toISOString();
      await producer.send({
        topic: markerTopic(options.deadLetterTopic),
        acks: -1,
        messages: piece.map((p) => ({ key: markerKey(p.letter), value: JSON.stringify({ redrivenAt, to: options.inputTopic, attempts: p.letter.attempts }) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
