// Pure: bytes from Kafka in, a validated EmailEvent or the reason it is unusable out.
import { EmailEventCodec, type EmailEvent } from '../schemas/contracts.ts';

export const DecodeFailureCode = {
  emptyValue: 'EMPTY_VALUE',
  notProtobuf: 'NOT_PROTOBUF',
  missingField: 'MISSING_FIELD',
  invalidField: 'INVALID_FIELD',
} as const;
export type DecodeFailureCode = (typeof DecodeFailureCode)[keyof typeof DecodeFailureCode];

export type DecodeResult =
  | { readonly ok: true; readonly event: EmailEvent }
  | { readonly ok: false; readonly code: DecodeFailureCode; readonly reason: string };

/** Identifiers end up in primary keys and alert ids: keep them printable and bounded. */
const MAX_ID_LENGTH = 512;
// 2000-01-01 .. 2100-01-01: anything outside is a unit mistake (seconds or microseconds).
const EARLIEST_RECEIVED_MS = 946_684_800_000;
const LATEST_RECEIVED_MS = 4_102_444_800_000;

export function decodeEmailEvent(bytes: Uint8Array | null): DecodeResult {
  if (bytes === null || bytes.length === 0) {
    return { ok: false, code: DecodeFailureCode.emptyValue, reason: 'record has no value' };
  }
  let event: EmailEvent;
  try {
    event = EmailEventCodec.decode(bytes);
  } catch (err) {
    return { ok: false, code: DecodeFailureCode.notProtobuf, reason: `not an email.v1.EmailEvent: ${(err as Error).message}` };
  }
  return validate(event);
}

function validate(event: EmailEvent): DecodeResult {
  for (const [name, value] of [['tenant_id', event.tenantId], ['message_id', event.messageId]] as const) {
    if (value.length === 0) return { ok: false, code: DecodeFailureCode.missingField, reason: `${name} is empty` };
    if (value.length > MAX_ID_LENGTH) {
      return { ok: false, code: DecodeFailureCode.invalidField, reason: `${name} is longer than ${MAX_ID_LENGTH} characters` };
    }
    if (/[\u0000-\u001f]/.test(value)) {
      return { ok: false, code: DecodeFailureCode.invalidField, reason: `${name} contains control characters` };
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
  return { ok: true, event };
}
