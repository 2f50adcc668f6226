// The one place that reads process.env: environment over defaults, validated once at start-up,
// frozen, and handed to each stage as its own slice.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PoisonPolicy, type IngestOptions } from '../ingest/index.ts';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Config {
  readonly kafka: { readonly brokers: string[]; readonly clientId: string };
  readonly topics: { readonly input: string; readonly alerts: string; readonly deadLetter: string; readonly partitions: number };
  readonly ingest: Pick<IngestOptions,
    'groupId' | 'poisonPolicy' | 'maxBatchEvents' | 'partitionsConsumedConcurrently' | 'maxBytesPerPartition' |
    'maxWaitTimeMs' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'fromBeginning'>;
  readonly scorer: {
    readonly modelDirectory: string;
    readonly shadowModelDirectory: string | null;
    readonly modelReloadIntervalMs: number;
    readonly threads: number;
    readonly taskSize: number;
    readonly maxQueue: number;
  };
  readonly postgres: {
    readonly url: string;
    readonly schema: string;
    readonly poolSize: number;
    readonly premakeDays: number;
    readonly retentionDays: number;
    readonly maintenanceIntervalMs: number;
  };
  readonly redis: { readonly url: string; readonly keyPrefix: string };
  readonly policy: { readonly cacheTtlMs: number; readonly channel: string };
  readonly http: { readonly host: string; readonly port: number };
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
  readonly retry: { readonly attempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number; readonly outageMaxDelayMs: number };
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (key: string, fallback: string): string => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const int = (key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[key]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = env[key]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    problems.push(`${key} must be true or false, got "${raw}"`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, fallback: T, allowed: readonly T[]): T => {
    const raw = str(key, fallback);
    if (!allowed.includes(raw as T)) problems.push(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  };

  const brokers = str('KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) if (!/^[^:\s]+:\d+$/.test(broker)) problems.push(`KAFKA_BROKERS entries must be host:port, got "${broker}"`);
  const databaseUrl = str('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/mailscore');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// URL');
  const redisUrl = str('REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must be a redis:// URL');
  const schema = str('PG_SCHEMA', 'public');
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) problems.push(`PG_SCHEMA must be a lower-case SQL identifier, got "${schema}"`);
  // After a crash (kill -9, OOM) the partitions of the dead member sit idle until its session
  // expires: kafkajs has neither static membership nor KIP-848, so this timeout is what bounds
  // the time to scoring again. 6 s is the broker's minimum (group.min.session.timeout.ms); the
  // main thread is never blocked that long (scoring runs in workers) and heartbeats go on
  // during a chunk, every second.
  const sessionTimeoutMs = int('KAFKA_SESSION_TIMEOUT_MS', 6_000, 6_000, 300_000);
  const heartbeatIntervalMs = int('KAFKA_HEARTBEAT_INTERVAL_MS', 1_000, 100, 60_000);
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) problems.push('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS');

  const config: Config = {
    kafka: { brokers, clientId: str('KAFKA_CLIENT_ID', 'mailscore') },
    topics: {
      input: str('INPUT_TOPIC', 'email.events'),
      alerts: str('ALERT_TOPIC', 'email.alerts'),
      deadLetter: str('DLQ_TOPIC', 'email.events.dlq'),
      partitions: int('TOPIC_PARTITIONS', 4, 1, 1024),
    },
    ingest: {
      groupId: str('CONSUMER_GROUP', 'mailscore-scorer'),
      poisonPolicy: oneOf('INGEST_POISON_POLICY', PoisonPolicy.deadLetter, Object.values(PoisonPolicy)),
      maxBatchEvents: int('INGEST_MAX_BATCH_EVENTS', 1000, 1, 100_000),
      partitionsConsumedConcurrently: int('INGEST_PARTITIONS_CONCURRENTLY', 4, 1, 64),
      maxBytesPerPartition: int('INGEST_MAX_BYTES_PER_PARTITION', 4 * 1024 * 1024, 64 * 1024),
      maxWaitTimeMs: int('INGEST_MAX_WAIT_MS', 50, 0, 10_000),
      sessionTimeoutMs,
      heartbeatIntervalMs,
      fromBeginning: bool('INGEST_FROM_BEGINNING', true),
    },
    scorer: {
      modelDirectory: str('MODEL_DIR', `${REPO_ROOT}models/current`),
      shadowModelDirectory: str('SHADOW_MODEL_DIR', '') || null,
      modelReloadIntervalMs: int('MODEL_RELOAD_INTERVAL_MS', 5_000, 100),
      threads: int('SCORER_THREADS', availableParallelism(), 1, 256),
      taskSize: int('SCORER_TASK_SIZE', 250, 1, 100_000),
      maxQueue: int('SCORER_MAX_QUEUE', 8, 1, 10_000),
    },
    postgres: {
      url: databaseUrl,
      schema,
      poolSize: int('PG_POOL_SIZE', 4, 1, 100),
      premakeDays: int('PARTITION_PREMAKE_DAYS', 3, 0, 366),
      retentionDays: int('RETENTION_DAYS', 30, 1, 36_500),
      maintenanceIntervalMs: int('PARTITION_MAINTENANCE_INTERVAL_MS', 3_600_000, 1_000),
    },
    redis: { url: redisUrl, keyPrefix: str('REDIS_KEY_PREFIX', 'mailscore:') },
    policy: { cacheTtlMs: int('POLICY_CACHE_TTL_MS', 60_000, 0), channel: str('POLICY_CHANNEL', 'mailscore:policy:invalidate') },
    http: { host: str('HTTP_HOST', '0.0.0.0'), port: int('HTTP_PORT', 9464, 0, 65_535) },
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 30_000, 1_000),
    retry: {
      attempts: int('RETRY_ATTEMPTS', 6, 1, 100),
      initialDelayMs: int('RETRY_INITIAL_DELAY_MS', 200, 1),
      maxDelayMs: int('RETRY_MAX_DELAY_MS', 5_000, 1),
      // While a dependency is down, how far apart the tries are at most: also the longest the
      // pipeline can take to notice it is back.
      outageMaxDelayMs: int('OUTAGE_RETRY_MAX_DELAY_MS', 1_000, 50, 60_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
