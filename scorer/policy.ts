// Tenant policy lives in PostgreSQL (table tenant_policy), is cached in-process and is
// invalidated on every instance through a Redis pub/sub channel when it changes.
// The cache is keyed by tenant ids that arrive in mail, so it is bounded: least recently used
// tenants are dropped past `cacheMaxTenants`. Tenants without a policy are cached too (as the
// default policy), so an unknown tenant costs one query per TTL, not one per batch.
// Invalidations missed while the subscriber was disconnected cannot be replayed: every time
// the subscription is (re)established, the whole cache is dropped.
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { Verdict } from '../schemas/contracts.ts';
import { DEFAULT_POLICY, isVerdict, type TenantPolicy } from './risk.ts';

export interface PolicyStore {
  /** Policies for every tenant named, from the cache or one query for the missing ones. */
  forTenants(tenantIds: Iterable<string>): Promise<Map<string, TenantPolicy>>;
  /** Writes a tenant's policy and tells every instance to drop its cached copy. */
  put(policy: TenantPolicy): Promise<void>;
  close(): Promise<void>;
  /** Tenants held in the cache now, for tests and metrics. */
  cachedTenants(): number;
}

export interface PolicyStoreOptions {
  readonly pool: Pool;
  /** A Redis connection for commands. */
  readonly redis: Redis;
  /** A second connection, used only to subscribe. */
  readonly subscriber: Redis;
  readonly channel: string;
  /** Upper bound on staleness if an invalidation message is ever missed. */
  readonly cacheTtlMs: number;
  /** Most tenants held in the cache; the least recently used are dropped first. */
  readonly cacheMaxTenants?: number;
}

export const DEFAULT_CACHE_MAX_TENANTS = 10_000;

/** A Map in recency order: a hit moves its key to the end, the first key is the one to drop. */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly maxEntries: number;
  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  get size(): number { return this.#entries.size; }
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
  delete(key: K): void { this.#entries.delete(key); }
  clear(): void { this.#entries.clear(); }
}

interface CachedPolicy { readonly policy: TenantPolicy; readonly loadedAt: number }

export async function createPolicyStore(options: PolicyStoreOptions): Promise<PolicyStore> {
  const cache = new LruCache<string, CachedPolicy>(options.cacheMaxTenants ?? DEFAULT_CACHE_MAX_TENANTS);
  const onMessage = (channel: string, tenantId: string) => {
    if (channel !== options.channel) return;
    if (tenantId === '*') cache.clear();
    else cache.delete(tenantId);
  };
  // 'ready' follows every (re)connection, after ioredis has re-sent the SUBSCRIBE.
  const onReady = () => cache.clear();
  options.subscriber.on('message', onMessage);
  options.subscriber.on('ready', onReady);
  // Not awaited: with Redis down the store works from PostgreSQL (and the TTL bounds staleness);
  // the subscriber's offline queue sends the SUBSCRIBE once Redis is reachable.
  const subscribed = options.subscriber.subscribe(options.channel).then(() => true, () => false);

  async function forTenants(tenantIds: Iterable<string>): Promise<Map<string, TenantPolicy>> {
    const now = Date.now();
    const result = new Map<string, TenantPolicy>();
    const missing: string[] = [];
    for (const tenantId of new Set(tenantIds)) {
      const cached = cache.get(tenantId);
      if (cached !== undefined && now - cached.loadedAt < options.cacheTtlMs) result.set(tenantId, cached.policy);
      else missing.push(tenantId);
    }
    if (missing.length === 0) return result;
    // malicious_at holds spamAt (schemas/sql/006_spam_verdict.sql says why the column kept its name).
    const { rows } = await options.pool.query<{
      tenant_id: string; suspicious_at: number; malicious_at: number; alert_verdicts: string[]; allow_senders: string[]; block_senders: string[];
    }>(
      'SELECT tenant_id, suspicious_at, malicious_at, alert_verdicts, allow_senders, block_senders FROM tenant_policy WHERE tenant_id = ANY($1)',
      [missing],
    );
    const found = new Map(rows.map((r) => [r.tenant_id, r]));
    for (const tenantId of missing) {
      const row = found.get(tenantId);
      const policy: TenantPolicy = row === undefined
        ? { tenantId, ...DEFAULT_POLICY }
        : {
            tenantId,
            suspiciousAt: row.suspicious_at,
            spamAt: row.malicious_at,
            // The column's CHECK admits only verdicts; the filter keeps the type honest.
            alertVerdicts: row.alert_verdicts.filter(isVerdict),
            allowSenders: row.allow_senders,
            blockSenders: row.block_senders,
          };
      cache.set(tenantId, { policy, loadedAt: now });
      result.set(tenantId, policy);
    }
    return result;
  }

  async function put(policy: TenantPolicy): Promise<void> {
    await options.pool.query(
      `INSERT INTO tenant_policy (tenant_id, suspicious_at, malicious_at, alert_verdicts, alert_at, allow_senders, block_senders, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (tenant_id) DO UPDATE SET suspicious_at = EXCLUDED.suspicious_at, malicious_at = EXCLUDED.malicious_at,
         alert_verdicts = EXCLUDED.alert_verdicts, alert_at = EXCLUDED.alert_at, allow_senders = EXCLUDED.allow_senders,
         block_senders = EXCLUDED.block_senders, updated_at = now()`,
      [policy.tenantId, policy.suspiciousAt, policy.spamAt, [...new Set(policy.alertVerdicts)], legacyAlertAt(policy),
        policy.allowSenders.map((s) => s.toLowerCase()), policy.blockSenders.map((s) => s.toLowerCase())],
    );
    await options.redis.publish(options.channel, policy.tenantId);
  }

  async function close(): Promise<void> {
    options.subscriber.off('message', onMessage);
    options.subscriber.off('ready', onReady);
    // During an outage there is nothing to unsubscribe from, and waiting would never end.
    if (options.subscriber.status === 'ready' && await subscribed) await options.subscriber.unsubscribe(options.channel).catch(() => undefined);
  }

  return { forTenants, put, close, cachedTenants: () => cache.size };
}

/**
 * The score threshold an instance of the release before alert verdicts would alert from, written
 * to tenant_policy.alert_at so that such an instance, still running during a rolling upgrade,
 * alerts on about the same mail as this policy. Nothing in this release reads alert_at.
 */
export function legacyAlertAt(policy: Pick<TenantPolicy, 'suspiciousAt' | 'spamAt' | 'alertVerdicts'>): number {
  const from: Record<Verdict, number> = { clean: 0, suspicious: policy.suspiciousAt, spam: policy.spamAt, malicious: policy.spamAt };
  return Math.min(101, ...policy.alertVerdicts.map((v) => from[v]));
}
