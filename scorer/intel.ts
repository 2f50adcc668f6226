// Threat intelligence held in Redis: one set per indicator kind. Lookups are one pipelined
// round trip per batch (SMISMEMBER per kind), whatever the batch size.
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { IntelKind, type IntelHit } from './risk.ts';
import type { Indicators } from './features.ts';

const KINDS = Object.values(IntelKind);

export class IntelFileError extends Error {
  readonly code = 'INTEL_FILE_INVALID';
  readonly retriable = false;
}

export interface ThreatIntel {
  lookup(batch: readonly Indicators[]): Promise<IntelHit[][]>;
  add(entries: ReadonlyArray<IntelHit>): Promise<number>;
  /** Reads `<kind> <value>` lines (kinds: domain, url, ip, sha256; `#` starts a comment). */
  loadFile(path: string): Promise<number>;
}

export function createThreatIntel(redis: Redis, keyPrefix: string): ThreatIntel {
  const keyOf = (kind: string) => `${keyPrefix}intel:${kind}`;

  async function lookup(batch: readonly Indicators[]): Promise<IntelHit[][]> {
    const hits: IntelHit[][] = batch.map(() => []);
    const candidates: Record<IntelKind, Array<{ email: number; value: string }>> = { domain: [], url: [], ip: [], sha256: [] };
    batch.forEach((indicators, email) => {
      for (const value of indicators.domains) candidates.domain.push({ email, value });
      for (const value of indicators.urls) candidates.url.push({ email, value });
      for (const value of indicators.ips) candidates.ip.push({ email, value });
      for (const value of indicators.attachmentHashes) candidates.sha256.push({ email, value });
    });
    const asked = KINDS.filter((kind) => candidates[kind].length > 0);
    if (asked.length === 0) return hits;
    const pipeline = redis.pipeline();
    for (const kind of asked) pipeline.smismember(keyOf(kind), ...candidates[kind].map((c) => c.value));
    const replies = (await pipeline.exec()) ?? [];
    asked.forEach((kind, i) => {
      const [err, members] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      (members as number[]).forEach((isMember, j) => {
        const candidate = candidates[kind][j]!;
        if (isMember === 1) hits[candidate.email]!.push({ kind, value: candidate.value });
      });
    });
    return hits;
  }

  async function add(entries: ReadonlyArray<IntelHit>): Promise<number> {
    const pipeline = redis.pipeline();
    for (const entry of entries) pipeline.sadd(keyOf(entry.kind), entry.value.toLowerCase());
    await pipeline.exec();
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
