// Pure: bytes from Kafka in, a validated identity (the consumer's hot path) or EmailEvent (tools
// that read one record), or the reason it is unusable, out.
import type { EmailEvent } from '../schemas/contracts.ts';
import { decodeLimitedEvent, EVENT_LIMITS, readEventIdentity, type CutFields, type EventIdentity } from '../schemas/limits.ts';

export const DecodeFailureCode = {
  emptyValue: 'EMPTY_VALUE',
  notProtobuf: 'NOT_PROTOBUF',
  missingField: 'MISSING_FIELD',
  invalidField: 'INVALID_FIELD',
  /** Starts with the Confluent magic byte but the frame around the payload is broken. */
  badFrame: 'BAD_FRAME',
} as const;
export type DecodeFailureCode = (typeof DecodeFailureCode)[keyof typeof DecodeFailureCode];

export type DecodeResult =
  /** `cut`: the fields held to EVENT_LIMITS (text cut, lists shortened); empty for most events. */
  | { readonly ok: true; readonly event: EmailEvent; readonly cut: CutFields }
  | { readonly ok: false; readonly code: DecodeFailureCode; readonly reason: string };

// 2000-01-01 .. 2100-01-01: anything outside is a unit mistake (seconds or microseconds).
const EARLIEST_RECEIVED_MS = 946_684_800_000;
const LATEST_RECEIVED_MS = 4_102_444_800_000;

export type IdentityResult =
  | { readonly ok: true; readonly identity: EventIdentity }
  | { readonly ok: false; readonly code: DecodeFailureCode; readonly reason: string };

/**
 * The consumer's check of a record: its identity read and validated as `decodeEmailEvent`
 * validates it, without decoding the rest of the event. The workers decode all of it, once; a
 * fault they find there dead-letters that one event from the scoring stage.
 */
export function readEmailIdentity(bytes: Uint8Array | null): IdentityResult {
  if (bytes === null || bytes.length === 0) {
    return { ok: false, code: DecodeFailureCode.emptyValue, reason: 'record has no value' };
  }
  let identity: EventIdentity;
  try {
    identity = readEventIdentity(bytes);
  } catch (err) {
    return { ok: false, code: DecodeFailureCode.notProtobuf, reason: `not an email.v1.EmailEvent: ${(err as Error).message}` };
  }
  return refusalOf(identity) ?? { ok: true, identity };
}

/** The whole event, decoded and held to EVENT_LIMITS, validated; for tools that read one record (the DLQ's). */
export function decodeEmailEvent(bytes: Uint8Array | null): DecodeResult {
  if (bytes === null || bytes.length === 0) {
    return { ok: false, code: DecodeFailureCode.emptyValue, reason: 'record has no value' };
  }
  let decoded: ReturnType<typeof decodeLimitedEvent>;
  try {
    // Bounded: repeated fields past their caps are dropped before they become objects, text
    // and raw_message are cut. The workers decode with the same function.
    decoded = decodeLimitedEvent(bytes);
  } catch (err) {
    return { ok: false, code: DecodeFailureCode.notProtobuf, reason: `not an email.v1.EmailEvent: ${(err as Error).message}` };
  }
  const { event, cut } = decoded;
  const hasContent =
    event.subject.length > 0 || event.textBody.length > 0 || event.htmlBody.length > 0 ||
    event.rawMessage.length > 0 || event.from != null;
  return refusalOf({ tenantId: event.tenantId, messageId: event.messageId, receivedAtMs: event.receivedAtMs, hasContent }) ?? { ok: true, event, cut };
}

/**
 * Why an event cannot be taken, or undefined: identifiers end up in primary keys and alert ids,
 * so they must be printable, well formed and bounded; the time must be milliseconds; and there
 * must be something to score.
 */
function refusalOf(event: EventIdentity): { ok: false; code: DecodeFailureCode; reason: string } | undefined {
  for (const [name, value] of [['tenant_id', event.tenantId], ['message_id', event.messageId]] as const) {
    if (value.length === 0) return { ok: false, code: DecodeFailureCode.missingField, reason: `${name} is empty` };
    if (value.length > EVENT_LIMITS.idChars) {
      return { ok: false, code: DecodeFailureCode.invalidField, reason: `${name} is longer than ${EVENT_LIMITS.idChars} characters` };
    }
    if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      return { ok: false, code: DecodeFailureCode.invalidField, reason: `${name} contains control characters` };
    }
    // Strict UTF-8 decoding cannot produce a lone surrogate today; the check keeps that true
    // whatever decodes the bytes, since a lone surrogate is refused by PostgreSQL's jsonb.
    if (!value.isWellFormed()) {
      return { ok: false, code: DecodeFailureCode.invalidField, reason: `${name} is not well-formed Unicode (lone surrogate)` };
    }
  }
  if (event.receivedAtMs === 0) {
    return { ok: false, code: DecodeFailureCode.missingField, reason: 'received_at_ms is not set' };
  }
  if (event.receivedAtMs < EARLIEST_RECEIVED_MS || event.receivedAtMs > LATEST_RECEIVED_MS) {
    return {
      ok: false,
      code: DecodeFailureCode.invalidField,
      reason: `received_at_ms ${event.receivedAtMs} is not milliseconds between 2000 and 2100`,
    };
  }
  if (!event.hasContent) {
    return { ok: false, code: DecodeFailureCode.missingField, reason: 'event has neither structured content nor raw_message' };
  }
  return undefined;
}

// The Confluent wire format (what Confluent's KafkaProtobufSerializer writes):
//   byte 0      magic byte 0
//   bytes 1-4   schema id, big-endian
//   then        message indexes: a zigzag varint count, then that many zigzag varint indexes
//               (the path to the message type in the schema file); the common [0] (the first
//               message) is written as the single byte 0, a count of 0
//   then        the protobuf payload
// A protobuf message never starts with a zero byte (tag 0 is invalid), so the first byte alone
// tells a framed event from a plain one.
export const CONFLUENT_MAGIC_BYTE = 0;
const FRAME_HEADER_BYTES = 5;
/** Deeper than any schema file nests messages: a count past it is a broken or hostile frame, refused before any allocation. */
export const MAX_MESSAGE_INDEXES = 16;
/** A zigzag varint of a 32-bit int takes at most 5 bytes. */
const MAX_VARINT_BYTES = 5;

export type Frame =
  | { readonly ok: true; readonly framed: false; readonly payload: Uint8Array }
  | {
      readonly ok: true;
      readonly framed: true;
      readonly schemaId: number;
      /** The path to the message type in the schema: [0] is the first top-level message. */
      readonly messageIndexes: readonly number[];
      readonly payload: Uint8Array;
    }
  | { readonly ok: false; readonly code: typeof DecodeFailureCode.badFrame; readonly reason: string };

/** Tells a Confluent-framed record from plain protobuf and takes the frame apart; reads no schema. */
export function parseFrame(bytes: Uint8Array): Frame {
  if (bytes.length === 0 || bytes[0] !== CONFLUENT_MAGIC_BYTE) return { ok: true, framed: false, payload: bytes };
  const bad = (reason: string): Frame => ({ ok: false, code: DecodeFailureCode.badFrame, reason: `Confluent frame: ${reason}` });
  if (bytes.length < FRAME_HEADER_BYTES) return bad(`${bytes.length} bytes, shorter than the 5-byte header (magic byte and schema id)`);
  const schemaId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(1, false);
  if (schemaId < 0) return bad(`negative schema id ${schemaId}`);
  let at = FRAME_HEADER_BYTES;
  const read = (what: string): number | string => {
    const varint = readZigzagVarint(bytes, at);
    if (typeof varint === 'string') return `${what}: ${varint}`;
    at = varint.next;
    return varint.value;
  };
  const count = read('message index count');
  if (typeof count === 'string') return bad(count);
  if (count < 0 || count > MAX_MESSAGE_INDEXES) return bad(`message index count ${count} is not between 0 and ${MAX_MESSAGE_INDEXES}`);
  const messageIndexes: number[] = [];
  if (count === 0) messageIndexes.push(0);
  for (let i = 0; i < count; i++) {
    const index = read(`message index ${i}`);
    if (typeof index === 'string') return bad(index);
    if (index < 0) return bad(`message index ${i} is negative (${index})`);
    messageIndexes.push(index);
  }
  return { ok: true, framed: true, schemaId, messageIndexes, payload: bytes.subarray(at) };
}

/** A zigzag-encoded 32-bit varint at `at` (Kafka's ByteUtils.readVarint), or why there is none. */
function readZigzagVarint(bytes: Uint8Array, at: number): { value: number; next: number } | string {
  let raw = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (at + i >= bytes.length) return 'truncated varint';
    const byte = bytes[at + i]!;
    if (i === MAX_VARINT_BYTES - 1 && byte > 0x0f) return 'varint overflows 32 bits';
    raw += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      // Zigzag: 0, -1, 1, -2, ... are 0, 1, 2, 3, ...
      const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return { value, next: at + i + 1 };
    }
  }
  return 'varint longer than 5 bytes';
}

/** The Confluent frame around a protobuf payload, as Confluent's serializer writes it ([0] as the single byte 0). */
export function encodeFrame(schemaId: number, messageIndexes: readonly number[], payload: Uint8Array): Buffer {
  const indexes = messageIndexes.length === 1 && messageIndexes[0] === 0 ? [0] : [messageIndexes.length, ...messageIndexes].map(zigzagVarint).flat();
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(indexes), payload]);
}

function zigzagVarint(value: number): number[] {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  while (raw >= 0x80) {
    bytes.push((raw % 0x80) | 0x80);
    raw = Math.floor(raw / 0x80);
  }
  bytes.push(raw);
  return bytes;
}
