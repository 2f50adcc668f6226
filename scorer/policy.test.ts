// requires-services: PostgreSQL (a schema of its own) and the shared Redis (a channel of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createPolicyStore, DEFAULT_CACHE_MAX_TENANTS, legacyAlertAt, LruCache, type PolicyStoreOptions } from './policy.ts';
import { DEFAULT_POLICY } from './risk.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailscore';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Fixture { pool: pg.Pool; queries: () => number; options: (extra?: Partial<PolicyStoreOptions>) => PolicyStoreOptions; admin: Redis; channel: string }

const SQL_DIRECTORY = new URL('../schemas/sql/', import.meta.url);

/** A fresh schema holding tenant_policy (every migration applied), a pool that counts its queries, Redis connections. */
async function fixture(t: { after: (fn: () => Promise<unknown>) => void }): Promise<Fixture> {
  const id = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const setup = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await setup.query(`CREATE SCHEMA ${id}`);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, options: `-c search_path=${id}` });
  for (const file of (await readdir(SQL_DIRECTORY)).filter((f) => f.endsWith('.sql')).sort()) {
    await pool.query(await readFile(new URL(file, SQL_DIRECTORY), 'utf8'));
  }
  let queries = 0;
  const counting = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => { queries += 1; return (target.query as (...a: unknown[]) => unknown)(...args); };
    },
  });
  const redis = new Redis(REDIS_URL);
  const subscriber = new Redis(REDIS_URL, { connectionName: `${id}-subscriber` });
  const admin = new Redis(REDIS_URL);
  t.after(async () => {
    redis.disconnect();
    subscriber.disconnect();
    admin.disconnect();
    await pool.end();
    await setup.query(`DROP SCHEMA ${id} CASCADE`);
    await setup.end();
  });
  const channel = `${id}:policy`;
  return {
    pool, admin, channel,
    queries: () => queries,
    options: (extra = {}) => ({ pool: counting, redis, subscriber, channel, cacheTtlMs: 60_000, ...extra }),
  };
}

test('LruCache: a hit makes a key the most recent, the least recent is dropped past the bound', () => {
  const cache = new LruCache<string, number>(3);
  for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) cache.set(k, v);
  assert.equal(cache.get('a'), 1);
  cache.set('d', 4);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.deepEqual(['a', 'c', 'd'].map((k) => cache.get(k)), [1, 3, 4]);
  assert.throws(() => new LruCache(0), RangeError);
});

test('200,000 distinct tenant ids leave the cache at its bound; recent tenants, known or not, cost no query', async (t) => {
  const f = await fixture(t);
  const store = await createPolicyStore(f.options());
  t.after(() => store.close());
  await store.put({ tenantId: 'acme', suspiciousAt: 40, spamAt: 70, alertVerdicts: ['malicious'], allowSenders: [], blockSenders: ['x.example'] });
  for (let batch = 0; batch < 200; batch++) {
    const ids = Array.from({ length: 1_000 }, (_, i) => `tenant-${batch}-${i}`);
    const policies = await store.forTenants([...ids, 'acme']);
    assert.equal(policies.size, 1_001);
  }
  assert.equal(store.cachedTenants(), DEFAULT_CACHE_MAX_TENANTS);

  const before = f.queries();
  const recent = Array.from({ length: 1_000 }, (_, i) => `tenant-199-${i}`);
  for (let i = 0; i < 5; i++) {
    const policies = await store.forTenants([...recent, 'acme']);
    assert.equal(policies.get('acme')!.suspiciousAt, 40);
    assert.equal(policies.get('tenant-199-7')!.suspiciousAt, 50, 'an unknown tenant gets the default policy');
  }
  assert.equal(f.queries(), before, 'tenants without a policy are cached too: no query per batch');
});

test('a missed invalidation is dropped when the subscriber reconnects', async (t) => {
  const f = await fixture(t);
  const store = await createPolicyStore(f.options());
  t.after(() => store.close());
  const subscriber = f.options().subscriber;
  if (subscriber.status !== 'ready') await once(subscriber, 'ready');
  assert.equal((await store.forTenants(['acme'])).get('acme')!.blockSenders.length, 0);
  // Written behind the store's back, as if its PUBLISH had gone out while the subscriber was away.
  await f.pool.query(`INSERT INTO tenant_policy (tenant_id, suspicious_at, malicious_at, alert_at, block_senders) VALUES ('acme', 50, 80, 80, '{x.example}')`);
  assert.equal((await store.forTenants(['acme'])).get('acme')!.blockSenders.length, 0, 'still cached');

  const clients = (await f.admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as string).split('\n');
  const mine = clients.find((line) => line.includes(` name=${subscriber.options.connectionName} `));
  assert.ok(mine, 'the subscriber connection is listed');
  const reconnected = once(subscriber, 'ready');
  await f.admin.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(mine)![1]!);
  await reconnected;
  assert.deepEqual((await store.forTenants(['acme'])).get('acme')!.blockSenders, ['x.example']);

  // And the subscription is back: a published invalidation arrives again.
  await f.pool.query(`UPDATE tenant_policy SET block_senders = '{}' WHERE tenant_id = 'acme'`);
  await f.admin.publish(f.channel, 'acme');
  const deadline = Date.now() + 5_000;
  while ((await store.forTenants(['acme'])).get('acme')!.blockSenders.length !== 0) {
    assert.ok(Date.now() < deadline, 'the invalidation arrived after the reconnection');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

test('with Redis unreachable the store is created at once and serves policies from PostgreSQL', async (t) => {
  const f = await fixture(t);
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const down = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 200, maxRetriesPerRequest: null });
  down.on('error', () => undefined);
  t.after(async () => down.disconnect());
  const store = await createPolicyStore(f.options({ subscriber: down }));
  assert.equal((await store.forTenants(['acme'])).get('acme')!.suspiciousAt, 50);
  await store.close();
});

test('alert verdicts and spamAt round-trip; a policy the previous release writes gets the default alert verdicts', async (t) => {
  const f = await fixture(t);
  const store = await createPolicyStore(f.options({ cacheTtlMs: 0 }));
  t.after(() => store.close());
  await store.put({ tenantId: 'acme', suspiciousAt: 40, spamAt: 70, alertVerdicts: ['suspicious', 'spam', 'malicious', 'spam'], allowSenders: [], blockSenders: [] });
  const acme = (await store.forTenants(['acme'])).get('acme')!;
  assert.deepEqual([acme.suspiciousAt, acme.spamAt, acme.alertVerdicts], [40, 70, ['suspicious', 'spam', 'malicious']]);
  const { rows: [stored] } = await f.pool.query<{ malicious_at: number; alert_at: number }>(`SELECT malicious_at, alert_at FROM tenant_policy WHERE tenant_id = 'acme'`);
  assert.deepEqual(stored, { malicious_at: 70, alert_at: 40 }, 'alert_at: where the previous release would alert on suspicious mail');

  // An instance of the previous release, during a rolling upgrade, writes only the old columns.
  await f.pool.query(`INSERT INTO tenant_policy (tenant_id, suspicious_at, malicious_at, alert_at) VALUES ('old', 50, 80, 80)`);
  assert.deepEqual((await store.forTenants(['old'])).get('old')!.alertVerdicts, ['malicious']);
  assert.deepEqual((await store.forTenants(['nobody'])).get('nobody')!.alertVerdicts, DEFAULT_POLICY.alertVerdicts);
  await assert.rejects(
    f.pool.query(`UPDATE tenant_policy SET alert_verdicts = '{malicious,phishing}' WHERE tenant_id = 'old'`),
    (err: { code?: string }) => err.code === '23514', 'alert_verdicts admits only verdicts (check_violation)');
});

test('legacyAlertAt: the lowest threshold among the alerted verdicts, 101 for none', () => {
  const thresholds = { suspiciousAt: 50, spamAt: 80 };
  assert.equal(legacyAlertAt({ ...thresholds, alertVerdicts: ['malicious'] }), 80);
  assert.equal(legacyAlertAt({ ...thresholds, alertVerdicts: ['malicious', 'suspicious'] }), 50);
  assert.equal(legacyAlertAt({ ...thresholds, alertVerdicts: ['clean'] }), 0);
  assert.equal(legacyAlertAt({ ...thresholds, alertVerdicts: [] }), 101);
});
