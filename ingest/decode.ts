// Pure: bytes from Kafka in, a validated EmailEvent or the reason it is unusable out.
import type { EmailEvent } from '../schemas/contracts.ts';
import { decodeLimitedEvent, EVENT_LIMITS, type CutFields } from '../schemas/limits.ts';

export const DecodeFailureCode = {
  emptyValue: 'EMPTY_VALUE',
  notProtobuf: 'NOT_PROTOBUF',
  missingField: 'MISSING_FIELD',
  invalidField: 'INVALID_FIELD',
} as const;
export type DecodeFailureCode = (typeof DecodeFailureCode)[keyof typeof DecodeFailureCode];

export type DecodeResult =
  /** `cut`: the fields held to EVENT_LIMITS (text cut, lists shortened); empty for most events. */
  | { readonly ok: true; readonly event: EmailEvent; readonly cut: CutFields }
  | { readonly ok: false; readonly code: DecodeFailureCode; readonly reason: string };

// 2000-01-01 .. 2100-01-01: anything outside is a unit mistake (seconds or microseconds).
const EARLIEST_RECEIVED_MS = 946_684_800_000;
const LATEST_RECEIVED_MS = 4_102_444_800_000;

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
  return validate(decoded.event, decoded.cut);
}

/** Identifiers end up in primary keys and alert ids: keep them printable, well formed and bounded. */
function validate(event: EmailEvent, cut: CutFields): DecodeResult {
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
  const hasContent =
    event.subject.length > 0 || event.textBody.length > 0 || event.htmlBody.length > 0 ||
    event.rawMessage.length > 0 || event.from != null;
  if (!hasContent) {
    return { ok: false, code: DecodeFailureCode.missingField, reason: 'event has neither structured content nor raw_message' };
  }
  return { ok: true, event, cut };
}
