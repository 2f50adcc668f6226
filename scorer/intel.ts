// Threat intelligence held in Redis: one set per indicator kind. Lookups are one pipelined
// round trip per batch, whatever the batch size: each distinct value is asked once, in
// SMISMEMBER calls of at most LOOKUP_SLICE values (spreading an unbounded array into one call
// overflows the stack: 1,000 emails × 200 indicators did).
// Redis being down or slow never holds a batch up: a lookup that fails or does not answer
// within `timeoutMs` rejects with IntelUnavailableError, and the scorer scores without intel.
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { EVENT_LIMITS } from '../schemas/limits.ts';
import { IntelKind, type IntelHit } from './risk.ts';
import type { Indicators } from './features.ts';

const KINDS = Object.values(IntelKind);

/** Values per SMISMEMBER: small enough for any call stack and any Redis request buffer. */
export const LOOKUP_SLICE = 1_000;

/**
 * Most values of one kind asked for one email. features.ts emits at most ~200 domains (100 URL
 * hosts and the sender's, each with its registrable domain), 100 URLs, 101 IPs and one hash per
 * attachment: the caps are above that, so they only hold if a change there lets more through.
 */
export const MAX_INDICATORS_PER_EMAIL: Readonly<Record<IntelKind, number>> = {
  domain: 256,
  url: 128,
  ip: 128,
  sha256: EVENT_LIMITS.attachments,
};

export class IntelFileError extends Error {
  readonly code = 'INTEL_FILE_INVALID';
  readonly retriable = false;
}

/** Redis failed or did not answer in time: the batch is scored without intel and flagged. */
export class IntelUnavailableError extends Error {
  readonly code = 'INTEL_UNAVAILABLE';
  readonly retriable = true;
}

export interface ThreatIntel {
  /** Hits per email, in the order of `batch`; rejects with IntelUnavailableError if Redis cannot answer in time. */
  lookup(batch: readonly Indicators[]): Promise<IntelHit[][]>;
  add(entries: ReadonlyArray<IntelHit>): Promise<number>;
  /** Reads `<kind> <value>` lines (kinds: domain, url, ip, sha256; `#` starts a comment). */
  loadFile(path: string): Promise<number>;
}

export interface ThreatIntelOptions {
  /** A lookup that has not answered after this long counts as Redis unavailable. */
  readonly timeoutMs?: number;
}

const FIELD: Record<IntelKind, keyof Indicators> = { domain: 'domains', url: 'urls', ip: 'ips', sha256: 'attachmentHashes' };

/** The values of one kind an email is asked about: its own duplicates removed, at most `max`. */
function candidatesOf(indicators: Indicators, kind: IntelKind): string[] {
  const values = indicators[FIELD[kind]];
  const max = MAX_INDICATORS_PER_EMAIL[kind];
  if (values.length <= max && new Set(values).size === values.length) return values;
  const unique = new Set<string>();
  for (const value of values) {
    if (unique.size >= max) break;
    unique.add(value);
  }
  return [...unique];
}

export function createThreatIntel(redis: Redis, keyPrefix: string, options: ThreatIntelOptions = {}): ThreatIntel {
  const keyOf = (kind: string) => `${keyPrefix}intel:${kind}`;

  /** The members of each kind's set among the values asked: one pipeline, bounded slices. */
  async function members(asked: Record<IntelKind, Set<string>>): Promise<Record<IntelKind, Set<string>>> {
    const found: Record<IntelKind, Set<string>> = { domain: new Set(), url: new Set(), ip: new Set(), sha256: new Set() };
    const slices: Array<{ kind: IntelKind; values: string[] }> = [];
    for (const kind of KINDS) {
      const values = [...asked[kind]];
      for (let i = 0; i < values.length; i += LOOKUP_SLICE) slices.push({ kind, values: values.slice(i, i + LOOKUP_SLICE) });
    }
    if (slices.length === 0) return found;
    const pipeline = redis.pipeline();
    for (const { kind, values } of slices) pipeline.smismember(keyOf(kind), values);
    const replies = await pipeline.exec();
    if (replies === null || replies.length !== slices.length) throw new IntelUnavailableError('threat-intel lookup: Redis gave no reply');
    slices.forEach(({ kind, values }, i) => {
      const [err, reply] = replies[i]!;
      if (err) throw err;
      (reply as number[]).forEach((isMember, j) => {
        if (isMember === 1) found[kind].add(values[j]!);
      });
    });
    return found;
  }

  async function lookup(batch: readonly Indicators[]): Promise<IntelHit[][]> {
    const perEmail = batch.map((indicators) => KINDS.map((kind) => candidatesOf(indicators, kind)));
    const asked: Record<IntelKind, Set<string>> = { domain: new Set(), url: new Set(), ip: new Set(), sha256: new Set() };
    for (const candidates of perEmail) KINDS.forEach((kind, k) => { for (const value of candidates[k]!) asked[kind].add(value); });
    if (KINDS.every((kind) => asked[kind].size === 0)) return batch.map(() => []);

    let timer: NodeJS.Timeout | undefined;
    const deadline = options.timeoutMs === undefined ? null : new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new IntelUnavailableError(`threat-intel lookup: no answer from Redis within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    let found: Record<IntelKind, Set<string>>;
    try {
      found = await (deadline === null ? members(asked) : Promise.race([members(asked), deadline]));
    } catch (err) {
      if (err instanceof IntelUnavailableError) throw err;
      throw new IntelUnavailableError('threat-intel lookup failed', { cause: err });
    } finally {
      clearTimeout(timer);
    }
    return perEmail.map((candidates) => {
      const hits: IntelHit[] = [];
      KINDS.forEach((kind, k) => { for (const value of candidates[k]!) if (found[kind].has(value)) hits.push({ kind, value }); });
      return hits;
    });
  }

  async function add(entries: ReadonlyArray<IntelHit>): Promise<number> {
    const pipeline = redis.pipeline();
    for (const entry of entries) pipeline.sadd(keyOf(entry.kind), entry.value.toLowerCase());
    const failed = (await pipeline.exec())?.find(([err]) => err !== null)?.[0];
    if (failed) throw failed;
    return entries.length;
  }

  async function loadFile(path: string): Promise<number> {
    const entries: IntelHit[] = [];
    (await readFile(path, 'utf8')).split('\n').forEach((line, i) => {
      const content = line.replace(/#.*/, '').trim();
      if (content === '') return;
      const [kind, value, extra] = content.split(/\s+/);
      if (!KINDS.includes(kind as IntelKind) || value === undefined || extra !== undefined) {
        throw new IntelFileError(`${path}:${i + 1}: expected "<${KINDS.join('|')}> <value>", got "${content}"`);
      }
      entries.push({ kind: kind as IntelKind, value });
    });
    return add(entries);
  }

  return { lookup, add, loadFile };
}
