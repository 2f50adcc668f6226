// Resolves the schema id of a Confluent-framed event through a schema registry and says whether
// the writer's schema is ours (email.v1.EmailEvent, wire-compatible). The frame itself is taken
// apart by decode.ts's pure parseFrame; this is the I/O around it.
//
// Every schema id in a record is hostile: a producer can send millions of distinct ones. The
// cache is bounded by configuration, not by input; answers that are not "ours" (unknown id,
// another schema) are cached too, for a short while, so that a flood of one bad id costs one
// lookup per TTL. Distinct bad ids still cost a lookup each: one request at a time per
// partition consumed (a chunk resolves its ids in sequence), never a burst.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';
import { EMAIL_EVENT_TYPE, emailEventProto } from '../schemas/email_event_proto.ts';

export const SchemaVerdictCode = {
  /** The registry does not know the id. */
  unknownSchemaId: 'UNKNOWN_SCHEMA_ID',
  /** The id names a schema that is not email.v1.EmailEvent, or one that is not wire-compatible with ours. */
  wrongSchema: 'WRONG_SCHEMA',
  /** A framed event arrived, and SCHEMA_REGISTRY_URL is not set. */
  registryNotConfigured: 'SCHEMA_REGISTRY_NOT_CONFIGURED',
} as const;
export type SchemaVerdictCode = (typeof SchemaVerdictCode)[keyof typeof SchemaVerdictCode];

export type SchemaVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: SchemaVerdictCode; readonly reason: string };

/** Resolves a schema id (with the frame's message indexes) to a verdict. */
export type ResolveSchema = (schemaId: number, messageIndexes: readonly number[]) => Promise<SchemaVerdict>;

/** The registry did not answer, or answered with an error that is not about the id: wait and retry, never dead-letter. */
export class SchemaRegistryUnavailableError extends Error {
  readonly code = 'SCHEMA_REGISTRY_UNAVAILABLE';
  /** Read by app/retry.ts's failureKind: waited out like any other outage. */
  readonly kind = 'outage';
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaRegistryUnavailableError';
  }
}

export interface SchemaResolverOptions {
  /** The Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
  readonly url: string;
  /** Verdicts kept (schema id and message indexes); the oldest go first. */
  readonly cacheSize: number;
  /** How long an unknown id or a foreign schema is remembered. */
  readonly negativeTtlMs: number;
  /** A lookup not answered after this long counts as the registry being unavailable. */
  readonly requestTimeoutMs: number;
  /** Called for every lookup with its outcome (metrics). */
  readonly onLookup?: (outcome: LookupOutcome) => void;
}

export interface SchemaResolver {
  readonly resolve: ResolveSchema;
  /** Lookups by outcome since start (`cached`, `ours`, `unknown`, `wrong`, `unavailable`), for metrics and tests. */
  readonly stats: () => Readonly<Record<LookupOutcome, number>>;
}

export type LookupOutcome = 'cached' | 'ours' | 'unknown' | 'wrong' | 'unavailable';

interface CacheEntry { readonly verdict: SchemaVerdict; readonly expiresAt: number }

export function createSchemaResolver(options: SchemaResolverOptions): SchemaResolver {
  // retries: 0 — the caller's outage loop does the waiting, with the pipeline's backoff. The
  // timeout aborts a request to a registry that hangs, so that retries do not pile up sockets.
  const registry = new SchemaRegistry({
    host: options.url,
    retry: { retries: 0 },
    middlewares: [() => ({ prepareRequest: async (next) => (await next()).enhance({ timeout: options.requestTimeoutMs }) })],
  });
  const ours = ourEmailEvent();
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<SchemaVerdict>>();
  const counts: Record<LookupOutcome, number> = { cached: 0, ours: 0, unknown: 0, wrong: 0, unavailable: 0 };
  const count = (outcome: LookupOutcome) => {
    counts[outcome]++;
    options.onLookup?.(outcome);
  };

  async function lookUp(schemaId: number, messageIndexes: readonly number[]): Promise<SchemaVerdict> {
    let writer: unknown;
    try {
      // The request's own timeout should end it first; this one is the backstop.
      writer = await withTimeout(registry.getSchema(schemaId), options.requestTimeoutMs + 1_000, `schema id ${schemaId}`);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      // 404: Confluent's 40403 "Schema not found" (Apicurio answers the same). Any other status
      // (401, 5xx) or no answer says nothing about the id.
      if (status === 404) {
        count('unknown');
        return { ok: false, code: SchemaVerdictCode.unknownSchemaId, reason: `schema id ${schemaId} is not in the registry` };
      }
      if (err instanceof SchemaRegistryUnavailableError || typeof status === 'number' || isTransport(err)) {
        count('unavailable');
        // Without the client's error as cause: it carries the request URL, and this is logged.
        throw err instanceof SchemaRegistryUnavailableError ? err : new SchemaRegistryUnavailableError(`schema registry: ${(err as Error).message}`);
      }
      // The registry answered with a schema that cannot be parsed or is of a type we do not read.
      count('wrong');
      return { ok: false, code: SchemaVerdictCode.wrongSchema, reason: `schema id ${schemaId}: ${(err as Error).message ?? String(err)}` };
    } finally {
      // The client keeps every schema it ever fetched, unbounded: ours is the cache that counts.
      registry.cache.clear();
    }
    const verdict = judgeWriterSchema(writer, messageIndexes, ours);
    count(verdict.ok ? 'ours' : 'wrong');
    return verdict.ok ? verdict : { ...verdict, reason: `schema id ${schemaId}: ${verdict.reason}` };
  }

  async function resolve(schemaId: number, messageIndexes: readonly number[]): Promise<SchemaVerdict> {
    const key = `${schemaId}/${messageIndexes.join('.')}`;
    const hit = cache.get(key);
    if (hit !== undefined && hit.expiresAt > Date.now()) {
      count('cached');
      // Most recently used goes last: the Map's order is the eviction order.
      cache.delete(key);
      cache.set(key, hit);
      return hit.verdict;
    }
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = lookUp(schemaId, messageIndexes).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const verdict = await pending;
    cache.delete(key);
    cache.set(key, { verdict, expiresAt: verdict.ok ? Number.POSITIVE_INFINITY : Date.now() + options.negativeTtlMs });
    while (cache.size > options.cacheSize) cache.delete(cache.keys().next().value!);
    return verdict;
  }

  return { resolve, stats: () => ({ ...counts }) };
}

/** A framed event when no registry is configured: refused with a code that says so. */
export const resolveWithoutRegistry: ResolveSchema = async (schemaId) => ({
  ok: false,
  code: SchemaVerdictCode.registryNotConfigured,
  reason: `Confluent-framed event (schema id ${schemaId}) and no schema registry is configured (SCHEMA_REGISTRY_URL)`,
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SchemaRegistryUnavailableError(`schema registry: no answer for ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** No HTTP answer at all: refused, reset, unresolvable host. mappersmith reports these without a status. */
function isTransport(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return true;
  }
  return false;
}

/** What is compared of a protobufjs message type; protobufjs 7 (the client's) and 8 (ours) both have it. */
interface ReflectedType {
  readonly fullName: string;
  readonly fieldsArray: ReadonlyArray<ReflectedField>;
  readonly nestedArray?: ReadonlyArray<unknown>;
  readonly parent: { readonly nestedArray?: ReadonlyArray<unknown> } | null;
}
interface ReflectedField {
  readonly name: string;
  readonly id: number;
  readonly type: string;
  readonly repeated: boolean;
  readonly map?: boolean;
  readonly keyType?: string;
  resolve(): unknown;
  readonly resolvedType: { readonly fullName: string; readonly fieldsArray?: unknown; readonly values?: Record<string, number> } | null;
}

function ourEmailEvent(): ReflectedType {
  const root = protobuf.parse(emailEventProto(), { keepCase: true }).root;
  return root.lookupType(EMAIL_EVENT_TYPE) as unknown as ReflectedType;
}

const isMessageType = (value: unknown): value is ReflectedType =>
  value !== null && typeof value === 'object' && Array.isArray((value as { fieldsArray?: unknown }).fieldsArray);

/**
 * Pure: is the writer's schema (what the client parsed from the registry) ours? `messageIndexes`
 * walk from the top-level messages of the writer's file to the message the event was written
 * with. Ours when that message is email.v1.EmailEvent and every tag both know has the same name,
 * type and label, down through the message types they use: the schema may be older or newer
 * (fields added), as schemas/evolution.ts allows.
 */
export function judgeWriterSchema(writer: unknown, messageIndexes: readonly number[], ours: ReflectedType = ourEmailEvent()): SchemaVerdict {
  const wrong = (reason: string): SchemaVerdict => ({ ok: false, code: SchemaVerdictCode.wrongSchema, reason });
  const first = (writer as { message?: unknown } | null)?.message;
  if (!isMessageType(first)) return wrong('not a protobuf schema');
  let candidates = (first.parent?.nestedArray ?? []).filter(isMessageType);
  let message: ReflectedType | undefined;
  for (const [depth, index] of messageIndexes.entries()) {
    message = candidates[index];
    if (message === undefined) return wrong(`message index ${messageIndexes.slice(0, depth + 1).join('.')} names no message in the schema`);
    candidates = (message.nestedArray ?? []).filter(isMessageType);
  }
  if (message === undefined) return wrong('no message indexes');
  const name = message.fullName.replace(/^\./, '');
  if (name !== EMAIL_EVENT_TYPE) return wrong(`written with ${name}, not ${EMAIL_EVENT_TYPE}`);
  const problem = incompatibility(message, ours, new Set());
  return problem === null ? { ok: true } : wrong(`${EMAIL_EVENT_TYPE} is not compatible with ours: ${problem}`);
}

// Message types nest a few levels at most; the bound keeps a hostile, self-referencing schema cheap.
const MAX_TYPE_DEPTH = 16;

function incompatibility(writer: ReflectedType, ours: ReflectedType, seen: Set<string>, depth = 0): string | null {
  if (seen.has(ours.fullName) || depth > MAX_TYPE_DEPTH) return null;
  seen.add(ours.fullName);
  const writerById = new Map(writer.fieldsArray.map((f) => [f.id, f]));
  for (const field of ours.fieldsArray) {
    const theirs = writerById.get(field.id);
    if (theirs === undefined) continue;
    const where = `${ours.fullName.replace(/^\./, '')} tag ${field.id}`;
    if (snake(theirs.name) !== snake(field.name)) return `${where} is ${theirs.name}, ours is ${field.name}`;
    if (theirs.repeated !== field.repeated || Boolean(theirs.map) !== Boolean(field.map) || theirs.keyType !== field.keyType) {
      return `${where} (${field.name}) has another label`;
    }
    let theirType: ReflectedField['resolvedType'];
    let ourType: ReflectedField['resolvedType'];
    try {
      theirs.resolve();
      field.resolve();
      theirType = theirs.resolvedType;
      ourType = field.resolvedType;
    } catch (err) {
      return `${where} (${field.name}): ${(err as Error).message}`;
    }
    const typeName = (f: ReflectedField, resolved: ReflectedField['resolvedType']) => (resolved === null ? f.type : resolved.fullName.replace(/^\./, ''));
    if (typeName(theirs, theirType) !== typeName(field, ourType)) {
      return `${where} (${field.name}) is ${typeName(theirs, theirType)}, ours is ${typeName(field, ourType)}`;
    }
    if (isMessageType(theirType) && isMessageType(ourType)) {
      const inner = incompatibility(theirType, ourType, seen, depth + 1);
      if (inner !== null) return inner;
    }
  }
  return null;
}

/** protobufjs camel-cases names unless told otherwise; the client does not tell it. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
