// What one event may cost: every field of an EmailEvent is written by whoever wrote the email,
// so each has a cap. Ingest applies them when it decodes (text is cut, lists are shortened),
// the workers apply the same caps to what they decode, and everything downstream (features,
// rules, intel lookups, rows, alerts) is bounded by these numbers, never by the input.
// The README's "Limits" table lists them; change both together.
import { EmailEventCodec, type EmailEvent } from './contracts.ts';

export const EVENT_LIMITS = {
  /** tenant_id and message_id go into primary keys and alert ids: longer ones are refused, not cut. */
  idChars: 512,
  /** An address (From, Reply-To, To, Cc, envelope MAIL FROM and RCPT TO). RFC 5321 allows 254. */
  addressChars: 320,
  /** A display name. */
  displayNameChars: 256,
  /** The subject (RFC 5322 lines stop at 998). */
  subjectChars: 998,
  /** text_body and html_body each. */
  bodyChars: 256 * 1024,
  /** Entries of each of to, cc and envelope.rcpt_to. */
  recipients: 100,
  /** Entries of urls. */
  urls: 200,
  /** One URL. */
  urlChars: 2048,
  /** Entries of attachments. */
  attachments: 64,
  /** An attachment's filename or content type. */
  attachmentTextChars: 255,
  /** An attachment's sha256 (64 lower-case hex digits when well formed). */
  attachmentHashChars: 64,
  /** Entries of headers. */
  headers: 100,
  /** A header's name. */
  headerNameChars: 128,
  /** A header's value. */
  headerValueChars: 1000,
  /** envelope.client_ip and envelope.helo. */
  envelopeTextChars: 255,
  /** raw_message bytes parsed by the workers; the rest of a longer message is not looked at. */
  rawMessageBytes: 512 * 1024,
} as const;
export type EventLimits = typeof EVENT_LIMITS;

/**
 * The first `maxChars` UTF-16 units of `text`, one fewer when the cut would split a surrogate
 * pair: a truncated string is always as well-formed as the original.
 */
export function truncateChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const last = text.charCodeAt(maxChars - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}

/** What `limitEvent` and `decodeLimitedEvent` cut: proto field names, each once ("subject", "to", "to.address"). */
export type CutFields = readonly string[];
const NOTHING_CUT: CutFields = Object.freeze([]);

interface AddressFields { name?: string | null; address?: string | null }
/** The fields `limitEvent` reads: a decoded EmailEvent, or the plain object the MIME parser builds. */
export interface LimitableEvent {
  envelope?: { mailFrom?: string | null; rcptTo?: string[] | null; clientIp?: string | null; helo?: string | null } | null;
  from?: AddressFields | null;
  replyTo?: AddressFields | null;
  to?: AddressFields[] | null;
  cc?: AddressFields[] | null;
  subject?: string | null;
  textBody?: string | null;
  htmlBody?: string | null;
  urls?: string[] | null;
  attachments?: Array<{ filename?: string | null; contentType?: string | null; sha256?: string | null }> | null;
  rawMessage?: Uint8Array | null;
  headers?: Array<{ name?: string | null; value?: string | null }> | null;
}

/**
 * Holds `event` to EVENT_LIMITS, IN PLACE: text longer than its cap is cut (never inside a
 * surrogate pair), lists are shortened to their first entries, raw_message becomes a view of its
 * first `rawMessageBytes` (no copy). Mutating is what makes this cheap: nothing is allocated
 * unless something is cut, and a decoded message is owned by whoever decoded it. tenant_id and
 * message_id are not touched: they are keys, so a long one is refused by validation, not cut.
 * Returns the names of the fields that were cut (empty, and shared, when none was).
 */
export function limitEvent<T extends LimitableEvent>(event: T): CutFields {
  const L = EVENT_LIMITS;
  const c = new Cutter();
  c.text(event, 'subject', L.subjectChars, 'subject');
  c.text(event, 'textBody', L.bodyChars, 'text_body');
  c.text(event, 'htmlBody', L.bodyChars, 'html_body');
  c.address(event.from, 'from');
  c.address(event.replyTo, 'reply_to');
  for (const a of c.list(event.to, L.recipients, 'to')) c.address(a, 'to');
  for (const a of c.list(event.cc, L.recipients, 'cc')) c.address(a, 'cc');
  const envelope = event.envelope;
  if (envelope != null) {
    c.text(envelope, 'mailFrom', L.addressChars, 'envelope.mail_from');
    c.text(envelope, 'clientIp', L.envelopeTextChars, 'envelope.client_ip');
    c.text(envelope, 'helo', L.envelopeTextChars, 'envelope.helo');
    c.texts(c.list(envelope.rcptTo, L.recipients, 'envelope.rcpt_to'), L.addressChars, 'envelope.rcpt_to');
  }
  c.texts(c.list(event.urls, L.urls, 'urls'), L.urlChars, 'urls');
  for (const a of c.list(event.attachments, L.attachments, 'attachments')) {
    if (a == null) continue;
    c.text(a, 'filename', L.attachmentTextChars, 'attachments.filename');
    c.text(a, 'contentType', L.attachmentTextChars, 'attachments.content_type');
    c.text(a, 'sha256', L.attachmentHashChars, 'attachments.sha256');
  }
  for (const h of c.list(event.headers, L.headers, 'headers')) {
    if (h == null) continue;
    c.text(h, 'name', L.headerNameChars, 'headers.name');
    c.text(h, 'value', L.headerValueChars, 'headers.value');
  }
  if (event.rawMessage != null && event.rawMessage.length > L.rawMessageBytes) {
    event.rawMessage = event.rawMessage.subarray(0, L.rawMessageBytes);
    c.note('raw_message');
  }
  return c.cut ?? NOTHING_CUT;
}

/** limitEvent's steps; it records which fields it cut, allocating only when one is. */
class Cutter {
  cut: string[] | null = null;

  note(field: string): void {
    if (this.cut === null) this.cut = [field];
    else if (!this.cut.includes(field)) this.cut.push(field);
  }

  /**
   * Assigns only what it cuts: a protobufjs message keeps its defaults on the prototype, and
   * writing them back would turn them into own properties (and toJSON output).
   */
  text<K extends string>(holder: Partial<Record<K, string | null>>, key: K, max: number, field: string): void {
    const value = holder[key];
    if (value == null || value.length <= max) return;
    holder[key] = truncateChars(value, max);
    this.note(field);
  }

  texts(values: string[], max: number, field: string): void {
    for (let i = 0; i < values.length; i++) {
      if (values[i]!.length <= max) continue;
      values[i] = truncateChars(values[i]!, max);
      this.note(field);
    }
  }

  list<E>(values: E[] | null | undefined, max: number, field: string): E[] {
    if (values == null) return [];
    if (values.length > max) {
      values.length = max;
      this.note(field);
    }
    return values;
  }

  address(a: AddressFields | null | undefined, field: string): void {
    if (a == null) return;
    this.text(a, 'name', EVENT_LIMITS.displayNameChars, `${field}.name`);
    this.text(a, 'address', EVENT_LIMITS.addressChars, `${field}.address`);
  }
}

// ---------------------------------------------------------------------------------------------
// Repeated fields, bounded before they become objects. An empty `to` entry is two bytes on the
// wire and a ~32-byte object in the heap, so a 1 MiB record of them decodes to 524,000 objects
// (16 MiB) before any cap could apply. A linear pre-scan of the wire format counts each repeated
// field; only when one is over its cap is the record re-written with the first `cap` occurrences
// of that field (the kept byte ranges copied), and that is what gets decoded.

// The scan reads tags and lengths and skips values; it decodes nothing. It is hand-rolled
// rather than built on protobufjs's Reader (tag, skipType): on a 1 MiB record of 524,000 fields
// the Reader took 20-60 ms per pass here, this loop about 10 ms (on a loaded machine), and a
// hostile record takes two passes (count, then copy). It is as strict as the decoder about the framing (bounds, wire
// types, field number 0, group nesting), so what it accepts the decoder would also read.

const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;
/** Field numbers from schemas/email/v1/email_event.proto. */
const EVENT_FIELD = { envelope: 4, to: 7, cc: 8, urls: 12, attachments: 13, headers: 16 } as const;
const ENVELOPE_RCPT_TO = 2;
/** Cap of each repeated EmailEvent field, by field number; the proto field name for `CutFields`. */
const REPEATED: ReadonlyArray<readonly [cap: number, name: string] | undefined> = (() => {
  const caps: Array<readonly [number, string] | undefined> = [];
  caps[EVENT_FIELD.to] = [EVENT_LIMITS.recipients, 'to'];
  caps[EVENT_FIELD.cc] = [EVENT_LIMITS.recipients, 'cc'];
  caps[EVENT_FIELD.urls] = [EVENT_LIMITS.urls, 'urls'];
  caps[EVENT_FIELD.attachments] = [EVENT_LIMITS.attachments, 'attachments'];
  caps[EVENT_FIELD.headers] = [EVENT_LIMITS.headers, 'headers'];
  return caps;
})();
/** Reused by every scan (synchronous, so never shared by two at once): no allocation per record. */
const scratchCounts = new Uint32Array(REPEATED.length);
/** protobufjs's (and protoc's) limit on nested groups. */
const RECURSION_LIMIT = 100;

/** Protobuf framing over `buf[pos, end)`: tags, lengths, skips. */
class Wire {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, pos: number, end: number) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** A tag or a length: a varint of at most 5 bytes, within 32 bits. */
  varint32(): number {
    const { buf, end } = this;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throw new RangeError(`index out of range: ${pos} + 1 > ${end}`);
      const byte = buf[pos++]!;
      if (shift === 28 && byte > 0x0f) throw new Error('invalid varint encoding');
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new Error('invalid varint encoding');
  }

  /** Reads a tag: [field number, wire type]; field number 0 is refused, as the decoder does. */
  tag(): number {
    const tag = this.varint32();
    if (tag >>> 3 === 0) throw new Error('illegal tag: field number 0');
    return tag;
  }

  /** Reads a length prefix and checks the value fits; returns where the value ends. */
  lengthDelimited(): number {
    const length = this.varint32();
    const end = this.pos + length;
    if (end > this.end) throw new RangeError(`index out of range: ${this.pos} + ${length} > ${this.end}`);
    return end;
  }

  advance(bytes: number): void {
    if (this.pos + bytes > this.end) throw new RangeError(`index out of range: ${this.pos} + ${bytes} > ${this.end}`);
    this.pos += bytes;
  }

  skip(wireType: number, field: number, depth: number): void {
    switch (wireType) {
      case WIRE.varint:
        for (let i = 0; ; i++) {
          if (i === 10) throw new Error('invalid varint encoding');
          if (this.pos >= this.end) throw new RangeError(`index out of range: ${this.pos} + 1 > ${this.end}`);
          if (this.buf[this.pos++]! < 0x80) return;
        }
      case WIRE.fixed64: return this.advance(8);
      case WIRE.lengthDelimited: this.pos = this.lengthDelimited(); return;
      case WIRE.fixed32: return this.advance(4);
      case WIRE.startGroup:
        if (depth >= RECURSION_LIMIT) throw new Error('max depth exceeded');
        for (;;) {
          const tag = this.tag();
          if ((tag & 7) === WIRE.endGroup) {
            if (tag >>> 3 !== field) throw new Error('invalid end group tag');
            return;
          }
          this.skip(tag & 7, tag >>> 3, depth + 1);
        }
      default:
        throw new Error(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }
}

/**
 * `bytes` itself when no repeated field of the EmailEvent in it (nor envelope.rcpt_to, counted
 * over every envelope occurrence, since protobuf merges them) occurs more often than its cap;
 * otherwise a copy without the occurrences beyond each cap. Throws on malformed framing, as the
 * decoder would.
 */
export function boundRepeatedFields(bytes: Uint8Array): { bytes: Uint8Array; cut: CutFields } {
  const wire = new Wire(bytes, 0, bytes.length);
  const counts = scratchCounts.fill(0);
  let rcpt = 0;
  let over = false;
  while (wire.pos < wire.end) {
    const tag = wire.tag();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE.lengthDelimited) {
      wire.skip(tag & 7, field, 0);
      continue;
    }
    const end = wire.lengthDelimited();
    if (field === EVENT_FIELD.envelope) {
      rcpt += envelope(bytes, wire.pos, end, Infinity, null, 0).rcpt;
      if (rcpt > EVENT_LIMITS.recipients) over = true;
    } else {
      const repeated = REPEATED[field];
      if (repeated !== undefined && ++counts[field]! > repeated[0]) over = true;
    }
    wire.pos = end;
  }
  if (!over) return { bytes, cut: NOTHING_CUT };

  const cut: string[] = [];
  REPEATED.forEach((repeated, field) => {
    if (repeated !== undefined && counts[field]! > repeated[0]) cut.push(repeated[1]);
  });
  if (rcpt > EVENT_LIMITS.recipients) cut.push('envelope.rcpt_to');
  // Written into a buffer the size of the input (the result is shorter), then copied out so
  // the decoded event does not keep the larger one alive: one pass instead of measure + write.
  const out = new Uint8Array(bytes.length);
  return { bytes: out.slice(0, rewrite(bytes, out)), cut };
}

/**
 * The body of one envelope, `bytes[start, end)`: counts its rcpt_to entries and, with `out`,
 * copies it to `out` at `at` without the rcpt_to entries past the first `keep`. Returns the
 * entries seen and the length of the body kept.
 */
function envelope(bytes: Uint8Array, start: number, end: number, keep: number, out: Uint8Array | null, at: number): { rcpt: number; length: number } {
  const wire = new Wire(bytes, start, end);
  const runs = new Runs(bytes, out, at);
  let rcpt = 0;
  while (wire.pos < end) {
    const fieldStart = wire.pos;
    const tag = wire.tag();
    wire.skip(tag & 7, tag >>> 3, 1);
    if (tag === ((ENVELOPE_RCPT_TO << 3) | WIRE.lengthDelimited) && rcpt++ >= keep) continue;
    runs.keep(fieldStart, wire.pos);
  }
  runs.flush();
  return { rcpt, length: runs.at - at };
}

/**
 * Writes the record without the occurrences of repeated fields beyond their caps to `out` (at
 * least as long as `bytes`) and returns the length written. An envelope is re-written (new
 * length prefix) only when it holds rcpt_to entries past the cap; everything else is copied as
 * contiguous runs of kept fields.
 */
function rewrite(bytes: Uint8Array, out: Uint8Array): number {
  const wire = new Wire(bytes, 0, bytes.length);
  const kept = new Uint32Array(REPEATED.length);
  let rcptKept = 0;
  const runs = new Runs(bytes, out, 0);
  while (wire.pos < wire.end) {
    const start = wire.pos;
    const tag = wire.tag();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE.lengthDelimited) {
      wire.skip(tag & 7, field, 0);
      runs.keep(start, wire.pos);
      continue;
    }
    const tagEnd = wire.pos;
    const end = wire.lengthDelimited();
    const bodyStart = wire.pos;
    wire.pos = end;
    if (field === EVENT_FIELD.envelope) {
      const room = EVENT_LIMITS.recipients - rcptKept;
      const body = envelope(bytes, bodyStart, end, room, null, 0);
      if (body.rcpt <= room) {
        rcptKept += body.rcpt;
        runs.keep(start, end);
        continue;
      }
      // Over the cap: the tag, the new body length, then the body without the extra rcpt_to.
      runs.keep(start, tagEnd);
      runs.flush();
      runs.at += writeVarint(out, runs.at, body.length);
      runs.at += envelope(bytes, bodyStart, end, room, out, runs.at).length;
      rcptKept = EVENT_LIMITS.recipients;
      continue;
    }
    const repeated = REPEATED[field];
    if (repeated !== undefined && kept[field]!++ >= repeated[0]) continue;
    runs.keep(start, end);
  }
  runs.flush();
  return runs.at;
}

/** Copies byte ranges of `source` to `out`, merging adjacent ones; with no `out`, only counts. */
class Runs {
  private start = 0;
  private end = 0;
  private readonly source: Uint8Array;
  private readonly out: Uint8Array | null;
  at: number;

  constructor(source: Uint8Array, out: Uint8Array | null, at: number) {
    this.source = source;
    this.out = out;
    this.at = at;
  }

  keep(start: number, end: number): void {
    if (start !== this.end) this.flush();
    if (this.start === this.end) this.start = start;
    this.end = end;
  }

  flush(): void {
    if (this.end > this.start) {
      this.out?.set(this.source.subarray(this.start, this.end), this.at);
      this.at += this.end - this.start;
    }
    this.start = this.end = 0;
  }
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value >>>= 7;
    n++;
  }
  return n;
}

function writeVarint(out: Uint8Array | null, at: number, value: number): number {
  if (out === null) return varintLength(value);
  let n = 0;
  while (value >= 0x80) {
    out[at + n++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at + n++] = value;
  return n;
}

/** An event decoded with every repeated field and text field held to EVENT_LIMITS. */
export interface LimitedEvent {
  readonly event: EmailEvent;
  /** The fields that were over their caps, by proto name; empty when none was. */
  readonly cut: CutFields;
}

/**
 * Decodes an email.v1.EmailEvent held to EVENT_LIMITS: repeated fields bounded on the wire
 * before decoding (`boundRepeatedFields`), then text and raw_message cut (`limitEvent`). The
 * main thread and the workers both decode with it, so both see the same capped event. Throws on
 * bytes that are not an EmailEvent, as `EmailEventCodec.decode` does.
 */
export function decodeLimitedEvent(bytes: Uint8Array): LimitedEvent {
  const bounded = boundRepeatedFields(bytes);
  const event = EmailEventCodec.decode(bounded.bytes);
  const cut = limitEvent(event);
  if (bounded.cut.length === 0) return { event, cut };
  return { event, cut: [...bounded.cut, ...cut.filter((f) => !bounded.cut.includes(f))] };
}

/** What the main thread reads of an event: who it belongs to, and whether it has anything to score. */
export interface EventIdentity {
  readonly tenantId: string;
  readonly messageId: string;
  readonly receivedAtMs: number;
  /** A subject, a body, raw_message or a sender: something to score. */
  readonly hasContent: boolean;
}

const IDENTITY_FIELD = { tenantId: 1, messageId: 2, receivedAtMs: 3, from: 5, subject: 9, textBody: 10, htmlBody: 11, rawMessage: 15 } as const;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The identity of an EmailEvent, read from its top-level fields without decoding the rest: the
 * workers decode the whole event (`decodeLimitedEvent`), so the main thread reads only what it
 * routes and dead-letters by. As protobuf decodes, the last occurrence of a field wins. Throws on
 * bytes whose top level is not protobuf, or whose identity fields have the wrong wire type or
 * invalid UTF-8; a fault deeper in the event is the worker's to find.
 */
export function readEventIdentity(bytes: Uint8Array): EventIdentity {
  const wire = new Wire(bytes, 0, bytes.length);
  let tenantAt = -1;
  let tenantEnd = -1;
  let messageAt = -1;
  let messageEnd = -1;
  let receivedAtMs = 0;
  let from = false;
  // The last occurrence of each content field decides, as it does in the decoded event.
  let subject = false;
  let textBody = false;
  let htmlBody = false;
  let rawMessage = false;
  while (wire.pos < wire.end) {
    const tag = wire.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === IDENTITY_FIELD.receivedAtMs) {
      if (wireType !== WIRE.varint) throw new Error(`received_at_ms has wire type ${wireType}, not varint`);
      receivedAtMs = readInt64(wire);
      continue;
    }
    const known = field === IDENTITY_FIELD.tenantId || field === IDENTITY_FIELD.messageId || field === IDENTITY_FIELD.from ||
      field === IDENTITY_FIELD.subject || field === IDENTITY_FIELD.textBody || field === IDENTITY_FIELD.htmlBody || field === IDENTITY_FIELD.rawMessage;
    if (!known) {
      wire.skip(wireType, field, 0);
      continue;
    }
    if (wireType !== WIRE.lengthDelimited) throw new Error(`field ${field} has wire type ${wireType}, not length-delimited`);
    const end = wire.lengthDelimited();
    const length = end - wire.pos;
    switch (field) {
      case IDENTITY_FIELD.tenantId: tenantAt = wire.pos; tenantEnd = end; break;
      case IDENTITY_FIELD.messageId: messageAt = wire.pos; messageEnd = end; break;
      case IDENTITY_FIELD.from: from = true; break;
      case IDENTITY_FIELD.subject: subject = length > 0; break;
      case IDENTITY_FIELD.textBody: textBody = length > 0; break;
      case IDENTITY_FIELD.htmlBody: htmlBody = length > 0; break;
      case IDENTITY_FIELD.rawMessage: rawMessage = length > 0; break;
    }
    wire.pos = end;
  }
  const text = (at: number, end: number) => (at === -1 ? '' : strictUtf8.decode(bytes.subarray(at, end)));
  return {
    tenantId: text(tenantAt, tenantEnd),
    messageId: text(messageAt, messageEnd),
    receivedAtMs,
    hasContent: subject || textBody || htmlBody || rawMessage || from,
  };
}

/** An int64 varint as a number, signed, as the decoder gives it (epoch milliseconds fit exactly). */
function readInt64(wire: Wire): number {
  let low = 0;
  let high = 0;
  const { buf, end } = wire;
  for (let i = 0; i < 10; i++) {
    if (wire.pos >= end) throw new RangeError(`index out of range: ${wire.pos} + 1 > ${end}`);
    const byte = buf[wire.pos++]!;
    if (i < 4) low |= (byte & 0x7f) << (7 * i);
    else if (i === 4) {
      low |= (byte & 0x0f) << 28;
      high |= (byte & 0x7f) >>> 4;
    } else high |= (byte & 0x7f) << (7 * i - 32);
    if (byte < 0x80) {
      return (high | 0) < 0 ? -((~high >>> 0) * 0x100000000 + (~low >>> 0) + 1) : (high >>> 0) * 0x100000000 + (low >>> 0);
    }
  }
  throw new Error('invalid varint encoding');
}
