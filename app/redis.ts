// The pipeline's Redis connections. Redis holds threat intel and the policy-invalidation
// channel, nothing a row cannot be written without, so an outage degrades scoring and never
// stops it: the command connection fails fast while Redis is away (no offline queue, a
// deadline on every command), both connections reconnect for as long as it takes, and the
// outage is logged once when it starts and once when it ends, not at every attempt.
// Nothing here waits for Redis: a pipeline started during an outage scores without intel.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { redisConnectionOptions } from './security.ts';

export interface RedisClients {
  /** Commands: intel lookups, policy invalidation PUBLISH. Fails at once while disconnected. */
  readonly redis: Redis;
  /** Subscribe only. Queues its SUBSCRIBE until connected; ioredis re-subscribes after a reconnection. */
  readonly subscriber: Redis;
}

/** Milliseconds before reconnection attempt `attempt` (from 1): doubling from 50 ms up to `maxDelayMs`, forever. */
export function reconnectDelay(attempt: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
}

export function createRedisClients(config: Config, logger: Logger): RedisClients {
  const log = logger.child({ component: 'redis' });
  const common: RedisOptions = {
    ...redisConnectionOptions(config.redis),
    retryStrategy: (attempt) => reconnectDelay(attempt, config.redis.reconnectMaxDelayMs),
    // Bounded so a host that drops packets is retried rather than waited on.
    connectTimeout: Math.max(1_000, config.redis.commandTimeoutMs * 4),
  };
  const redis = watched(new Redis(config.redis.url, {
    ...common,
    connectionName: 'mailscore',
    enableOfflineQueue: false,
    commandTimeout: config.redis.commandTimeoutMs,
    // A command in flight when the connection drops fails now; it is not replayed later.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  }), 'commands', log);
  const subscriber = watched(new Redis(config.redis.url, {
    ...common,
    connectionName: 'mailscore-subscriber',
    // The SUBSCRIBE waits in the offline queue for as long as Redis is away.
    maxRetriesPerRequest: null,
  }), 'subscriber', log);
  return { redis, subscriber };
}

/** Listens for errors (an unheard 'error' is printed by ioredis at every attempt) and logs each outage once. */
function watched(client: Redis, role: string, log: Logger): Redis {
  let down = false;
  const wentDown = (err?: Error) => {
    if (down || client.status === 'end') return;
    down = true;
    log.warn({ err, role }, 'Redis unreachable: scoring goes on without threat intel (reason intel.unavailable) while reconnecting');
  };
  client.on('error', (err: Error) => wentDown(err));
  // A server that goes away cleanly closes the connection without an error.
  client.on('close', () => wentDown());
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ role }, 'Redis connection back');
  });
  return client;
}
