// requires-services: the shared Redis (a key prefix of its own), and a port nothing listens on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createThreatIntel, IntelUnavailableError, MAX_INDICATORS_PER_EMAIL } from './intel.ts';
import type { Indicators } from './features.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function withPrefix(t: { after: (fn: () => Promise<unknown>) => void }): Promise<{ redis: Redis; prefix: string }> {
  const redis = new Redis(REDIS_URL);
  const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 12)}:`;
  t.after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  return { redis, prefix };
}

const none: Indicators = { domains: [], urls: [], ips: [], attachmentHashes: [] };

test('a batch of 1,000 emails with 100 links each is looked up (300,000 values), hits land on the right emails', async (t) => {
  const { redis, prefix } = await withPrefix(t);
  const intel = createThreatIntel(redis, prefix);
  await intel.add([{ kind: 'domain', value: 'bad-77.example' }, { kind: 'url', value: 'https://www.bad-77.example/p/77' }, { kind: 'ip', value: '10.0.0.9' }]);
  // As features.ts emits them for 100 links to distinct sites: each link's host and its
  // registrable domain (200 domains) and the 100 URLs, nothing shared between emails.
  const site = (e: number, l: number) => (e === 5 ? `bad-${l}.example` : `e${e}-${l}.example`);
  const batch: Indicators[] = Array.from({ length: 1_000 }, (_, e) => ({
    domains: Array.from({ length: 100 }, (_, l) => [`www.${site(e, l)}`, site(e, l)]).flat(),
    urls: Array.from({ length: 100 }, (_, l) => `https://www.${site(e, l)}/p/${l}`),
    ips: e === 999 ? ['10.0.0.9'] : [],
    attachmentHashes: [],
  }));
  const hits = await intel.lookup(batch);
  assert.equal(hits.length, 1_000);
  assert.deepEqual(hits[5], [{ kind: 'domain', value: 'bad-77.example' }, { kind: 'url', value: 'https://www.bad-77.example/p/77' }]);
  assert.deepEqual(hits[999], [{ kind: 'ip', value: '10.0.0.9' }]);
  assert.equal(hits.filter((h) => h.length > 0).length, 2);
});

test('each value is asked once per batch and at most the cap per email', async (t) => {
  const { redis, prefix } = await withPrefix(t);
  const intel = createThreatIntel(redis, prefix);
  await intel.add([{ kind: 'domain', value: 'shared.example' }, { kind: 'domain', value: 'far-down.example' }]);
  const asked: number[] = [];
  const monitor = await redis.monitor();
  t.after(() => monitor.disconnect());
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase() === 'smismember' && args[1]?.startsWith(prefix)) asked.push(args.length - 2);
  });
  const overLong: Indicators = { ...none, domains: [...Array.from({ length: 10_000 }, (_, i) => `d${i}.example`), 'far-down.example'] };
  const shared: Indicators = { ...none, domains: ['shared.example', 'shared.example'] };
  const hits = await intel.lookup([overLong, ...Array.from({ length: 500 }, () => shared)]);
  assert.deepEqual(hits[0], [], 'values past the per-email cap are not asked');
  assert.deepEqual(hits[1], [{ kind: 'domain', value: 'shared.example' }]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(asked.reduce((a, b) => a + b, 0), MAX_INDICATORS_PER_EMAIL.domain + 1);
  assert.ok(asked.every((n) => n <= 1_000), `slices of ${asked.join(', ')} values`);
});

test('Redis unreachable: the lookup fails fast with IntelUnavailableError, and no error event goes unheard', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const redis = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  try {
    const intel = createThreatIntel(redis, 'x:', { timeoutMs: 500 });
    await assert.rejects(intel.lookup([{ ...none, domains: ['a.example'] }]), (err: unknown) => {
      assert.ok(err instanceof IntelUnavailableError);
      assert.equal(err.code, 'INTEL_UNAVAILABLE');
      return true;
    });
    assert.deepEqual(await intel.lookup([none, none]), [[], []], 'nothing to ask needs no Redis');
  } finally {
    redis.disconnect();
  }
});
