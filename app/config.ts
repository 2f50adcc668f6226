// The one place that reads process.env: environment over defaults, validated once at start-up,
// frozen, and handed to each stage as its own slice.
import { accessSync, constants, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MIN_DEAD_LETTER_BYTES, PoisonPolicy, type IngestOptions } from '../ingest/index.ts';
import { DEFAULT_EMAIL_CPU_LIMIT_MS, DEFAULT_EMAIL_TIMEOUT_MS } from '../scorer/index.ts';
import { DEFAULT_MAX_SEND_BYTES } from '../schemas/kafka_batches.ts';
import { DEFAULT_MAX_AHEAD_DAYS } from '../sinks/index.ts';
import { MIN_HISTORY_POINTS } from './lag_history.ts';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const SaslMechanism = { plain: 'plain', scramSha256: 'scram-sha-256', scramSha512: 'scram-sha-512' } as const;
export type SaslMechanism = (typeof SaslMechanism)[keyof typeof SaslMechanism];

export interface Config {
  readonly kafka: {
    readonly brokers: string[];
    readonly clientId: string;
    /** The most bytes one send of dead letters or alerts carries: below the topics' max.message.bytes. */
    readonly maxSendBytes: number;
    /** TLS to the brokers; null for PLAINTEXT. Files are read when a client is created. */
    readonly ssl: { readonly caFile: string | null; readonly certFile: string | null; readonly keyFile: string | null } | null;
    readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | null;
  };
  /** The Confluent-compatible schema registry that resolves the schema ids of framed events; null: framed events are dead-lettered. */
  readonly schemaRegistry: {
    readonly url: string;
    /** Verdicts kept, one per schema id and message path: bounded however many ids producers send. */
    readonly cacheSize: number;
    /** How long an unknown id or a foreign schema is remembered before the registry is asked again. */
    readonly negativeTtlMs: number;
    /** A lookup not answered after this long counts as the registry being unavailable (waited out, retried). */
    readonly requestTimeoutMs: number;
  } | null;
  readonly topics: { readonly input: string; readonly alerts: string; readonly deadLetter: string; readonly partitions: number };
  readonly ingest: Pick<IngestOptions,
    'groupId' | 'poisonPolicy' | 'maxBatchEvents' | 'partitionsConsumedConcurrently' | 'maxBytesPerPartition' |
    'maxWaitTimeMs' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'fromBeginning'> & {
    /** The most bytes one compressed record batch may decompress to (ingest/codecs.ts). */
    readonly maxDecompressedBytes: number;
  };
  readonly scorer: {
    readonly modelDirectory: string;
    readonly shadowModelDirectory: string | null;
    readonly modelReloadIntervalMs: number;
    readonly threads: number;
    readonly taskSize: number;
    readonly maxQueue: number;
    /** Derived: the most worker tasks that can wait in one model's pool (see `maxTasksInFlight`). */
    readonly maxTasksInFlight: number;
    /** CPU time one email may use in a worker (SCORER_EMAIL_CPU_LIMIT_MS). */
    readonly emailCpuLimitMs: number;
    /** Wall time one email may take in a worker (SCORER_EMAIL_TIMEOUT_MS), a backstop: at least emailCpuLimitMs. */
    readonly emailTimeoutMs: number;
  };
  readonly postgres: {
    /** With DATABASE_PASSWORD(_FILE) put in, if given: node-postgres lets the URL's (empty) password win over a separate option. */
    readonly url: string;
    readonly schema: string;
    readonly poolSize: number;
    readonly premakeDays: number;
    readonly retentionDays: number;
    /** The last day after today (UTC) a row may be received on (PARTITION_MAX_AHEAD_DAYS): later rows are dead-lettered. */
    readonly maxAheadDays: number;
    readonly maintenanceIntervalMs: number;
  };
  readonly redis: {
    /** With REDIS_PASSWORD(_FILE) put in, if given. */
    readonly url: string;
    readonly keyPrefix: string;
    /** The CA that signed the server's certificate, for rediss:// URLs; null: the system's CAs. */
    readonly tls: { readonly caFile: string | null } | null;
    /** A command (a threat-intel lookup) not answered after this long fails; the batch is scored without intel. */
    readonly commandTimeoutMs: number;
    /** Longest wait between two reconnection attempts while Redis is down (attempts never stop). */
    readonly reconnectMaxDelayMs: number;
  };
  readonly policy: { readonly cacheTtlMs: number; readonly channel: string; readonly cacheMaxTenants: number };
  readonly http: { readonly host: string; readonly port: number };
  /** `mailscore lag-exporter`: consumer-group lag read from the broker (app/lag_exporter.ts). */
  readonly lagExporter: {
    /** Consumer groups measured (LAG_EXPORTER_GROUPS; default CONSUMER_GROUP). */
    readonly groups: string[];
    /** Topics every group is measured on even before it commits there (LAG_EXPORTER_TOPICS; default INPUT_TOPIC), besides those it has committed offsets for. */
    readonly topics: string[];
    readonly pollIntervalMs: number;
    /** Readings of each partition's end offset kept to estimate lag in seconds. */
    readonly historyPoints: number;
    readonly host: string;
    readonly port: number;
  };
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

  /** A file the process must be able to read; the path is not a secret, so it is named. */
  const file = (key: string): string | null => {
    const path = str(key, '');
    if (path === '') return null;
    try {
      accessSync(path, constants.R_OK);
    } catch {
      problems.push(`${key} names a file that cannot be read: "${path}"`);
    }
    return path;
  };
  /** A secret from KEY or from the file KEY_FILE names (a mounted Kubernetes Secret); never echoed. */
  const secret = (key: string): string | null => {
    const path = file(`${key}_FILE`);
    if (path !== null && env[key] !== undefined && env[key] !== '') problems.push(`set ${key} or ${key}_FILE, not both`);
    if (path === null) return env[key] || null;
    try {
      // A trailing newline is what editors and `echo` add, never part of the secret.
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '') || null;
    } catch {
      return null; // reported by file()
    }
  };
  /** Checks a URL without ever putting it in a message (it may carry a password); puts in the password of passwordKey(_FILE). */
  const url = (key: string, value: string, schemes: RegExp, expected: string, passwordKey: string): string => {
    const password = secret(passwordKey);
    if (!schemes.test(value)) problems.push(`${key} must be a ${expected} URL`);
    else if (!URL.canParse(value)) problems.push(`${key} is not a valid URL (percent-encode special characters of the password, e.g. "@" as %40)`);
    else if (password !== null) {
      const parsed = new URL(value);
      parsed.password = encodeURIComponent(password);
      return parsed.toString();
    }
    return value;
  };

  const brokers = str('KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) if (!/^[^:\s]+:\d+$/.test(broker)) problems.push(`KAFKA_BROKERS entries must be host:port, got "${broker}"`);
  const kafkaCaFile = file('KAFKA_SSL_CA_FILE');
  const kafkaCertFile = file('KAFKA_SSL_CERT_FILE');
  const kafkaKeyFile = file('KAFKA_SSL_KEY_FILE');
  if ((kafkaCertFile === null) !== (kafkaKeyFile === null)) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (the client certificate and its key)');
  const saslMechanism = str('KAFKA_SASL_MECHANISM', '').toLowerCase();
  const saslUsername = str('KAFKA_SASL_USERNAME', '');
  const saslPassword = secret('KAFKA_SASL_PASSWORD');
  if (saslMechanism !== '' && !(Object.values(SaslMechanism) as string[]).includes(saslMechanism)) {
    problems.push(`KAFKA_SASL_MECHANISM must be one of ${Object.values(SaslMechanism).join(', ')}, got "${saslMechanism}"`);
  }
  if (saslMechanism !== '' && (saslUsername === '' || saslPassword === null)) problems.push('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)');
  if (saslMechanism === '' && (saslUsername !== '' || saslPassword !== null)) problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM');
  // TLS is on when anything asks for it: a CA, a client certificate, or SASL (whose PLAIN
  // mechanism would otherwise send the password in clear). KAFKA_SSL=false is SASL_PLAINTEXT.
  const kafkaSsl = bool('KAFKA_SSL', kafkaCaFile !== null || kafkaCertFile !== null || saslMechanism !== '');
  if (!kafkaSsl && (kafkaCaFile !== null || kafkaCertFile !== null)) problems.push('KAFKA_SSL=false contradicts KAFKA_SSL_CA_FILE/KAFKA_SSL_CERT_FILE');
  const databaseUrl = url('DATABASE_URL', str('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/mailscore'), /^postgres(ql)?:\/\//, 'postgres://', 'DATABASE_PASSWORD');
  const redisUrl = url('REDIS_URL', str('REDIS_URL', 'redis://127.0.0.1:6379'), /^rediss?:\/\//, 'redis:// or rediss://', 'REDIS_PASSWORD');
  const redisCaFile = file('REDIS_TLS_CA_FILE');
  if (redisCaFile !== null && !redisUrl.startsWith('rediss://')) problems.push('REDIS_TLS_CA_FILE needs a rediss:// REDIS_URL');
  const schemaRegistryUrl = str('SCHEMA_REGISTRY_URL', '');
  if (schemaRegistryUrl !== '' && !(/^https?:\/\//.test(schemaRegistryUrl) && URL.canParse(schemaRegistryUrl))) {
    problems.push('SCHEMA_REGISTRY_URL must be an http:// or https:// URL (for Apicurio: http://HOST:PORT/apis/ccompat/v7)');
  } else if (schemaRegistryUrl !== '' && (new URL(schemaRegistryUrl).username !== '' || new URL(schemaRegistryUrl).password !== '')) {
    // The client puts the URL in its errors, which are logged: no place for a password.
    problems.push('SCHEMA_REGISTRY_URL must not carry credentials: registry authentication is not supported');
  }
  // Validated whether or not a URL is set: a typo in them is reported either way.
  const schemaRegistrySettings = {
    url: schemaRegistryUrl,
    cacheSize: int('SCHEMA_REGISTRY_CACHE_SIZE', 1_000, 1, 1_000_000),
    negativeTtlMs: int('SCHEMA_REGISTRY_NEGATIVE_TTL_MS', 30_000, 0, 86_400_000),
    requestTimeoutMs: int('SCHEMA_REGISTRY_TIMEOUT_MS', 5_000, 100, 600_000),
  };
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

  const maxBatchEvents = int('INGEST_MAX_BATCH_EVENTS', 1000, 1, 100_000);
  const partitionsConsumedConcurrently = int('INGEST_PARTITIONS_CONCURRENTLY', 4, 1, 64);
  const taskSize = int('SCORER_TASK_SIZE', 250, 1, 100_000);
  const maxTasksInFlight = tasksInFlight(partitionsConsumedConcurrently, maxBatchEvents, taskSize);
  if (maxTasksInFlight > MAX_TASKS_IN_FLIGHT) {
    const fewestChunks = Math.floor(MAX_TASKS_IN_FLIGHT / partitionsConsumedConcurrently);
    problems.push(
      `INGEST_PARTITIONS_CONCURRENTLY (${partitionsConsumedConcurrently}) × ceil(INGEST_MAX_BATCH_EVENTS (${maxBatchEvents}) / SCORER_TASK_SIZE (${taskSize})) ` +
      `= ${maxTasksInFlight} worker tasks could wait in the scoring pool at once; at most ${MAX_TASKS_IN_FLIGHT} are allowed: ` +
      `raise SCORER_TASK_SIZE to at least ${Math.ceil(maxBatchEvents / Math.max(fewestChunks, 1))}, or lower INGEST_MAX_BATCH_EVENTS or INGEST_PARTITIONS_CONCURRENTLY`,
    );
  }

  const emailCpuLimitMs = int('SCORER_EMAIL_CPU_LIMIT_MS', DEFAULT_EMAIL_CPU_LIMIT_MS, 1, 600_000);
  const emailTimeoutMs = int('SCORER_EMAIL_TIMEOUT_MS', DEFAULT_EMAIL_TIMEOUT_MS, 1, 600_000);
  // One thread cannot use more CPU than the time that passes: a lower wall limit would make the CPU limit unreachable.
  if (emailTimeoutMs < emailCpuLimitMs) {
    problems.push(`SCORER_EMAIL_TIMEOUT_MS (${emailTimeoutMs}, wall time) must be at least SCORER_EMAIL_CPU_LIMIT_MS (${emailCpuLimitMs}, CPU time): raise SCORER_EMAIL_TIMEOUT_MS or lower SCORER_EMAIL_CPU_LIMIT_MS`);
  }

  // The write path creates partitions up to this many days ahead and refuses rows received later:
  // fewer than the premade days would refuse rows whose partition exists.
  const premakeDays = int('PARTITION_PREMAKE_DAYS', 3, 0, 366);
  const maxAheadDays = int('PARTITION_MAX_AHEAD_DAYS', Math.max(DEFAULT_MAX_AHEAD_DAYS, premakeDays), 1, 366);
  if (maxAheadDays < premakeDays) problems.push(`PARTITION_MAX_AHEAD_DAYS (${maxAheadDays}) must be at least PARTITION_PREMAKE_DAYS (${premakeDays}): raise it, or lower PARTITION_PREMAKE_DAYS`);

  const list = (key: string, fallback: string): string[] => [...new Set(str(key, fallback).split(',').map((s) => s.trim()).filter(Boolean))];
  const inputTopic = str('INPUT_TOPIC', 'email.events');
  const groupId = str('CONSUMER_GROUP', 'mailscore-scorer');
  const lagGroups = list('LAG_EXPORTER_GROUPS', groupId);
  const lagTopics = list('LAG_EXPORTER_TOPICS', inputTopic);
  if (lagGroups.length === 0) problems.push('LAG_EXPORTER_GROUPS must name at least one consumer group (comma-separated)');
  // Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic).
  for (const topic of lagTopics) if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) problems.push(`LAG_EXPORTER_TOPICS entries must be Kafka topic names (letters, digits, ".", "_", "-"; at most 249), got "${topic}"`);

  const config: Config = {
    kafka: {
      brokers,
      clientId: str('KAFKA_CLIENT_ID', 'mailscore'),
      maxSendBytes: int('KAFKA_MAX_REQUEST_BYTES', DEFAULT_MAX_SEND_BYTES, MIN_DEAD_LETTER_BYTES, 64 * 1024 * 1024),
      ssl: kafkaSsl ? { caFile: kafkaCaFile, certFile: kafkaCertFile, keyFile: kafkaKeyFile } : null,
      sasl: saslMechanism === '' || saslPassword === null ? null : { mechanism: saslMechanism as SaslMechanism, username: saslUsername, password: saslPassword },
    },
    schemaRegistry: schemaRegistryUrl === '' ? null : schemaRegistrySettings,
    topics: {
      input: inputTopic,
      alerts: str('ALERT_TOPIC', 'email.alerts'),
      deadLetter: str('DLQ_TOPIC', 'email.events.dlq'),
      partitions: int('TOPIC_PARTITIONS', 4, 1, 1024),
    },
    ingest: {
      groupId,
      poisonPolicy: oneOf('INGEST_POISON_POLICY', PoisonPolicy.deadLetter, Object.values(PoisonPolicy)),
      maxBatchEvents,
      partitionsConsumedConcurrently,
      maxBytesPerPartition: int('INGEST_MAX_BYTES_PER_PARTITION', 4 * 1024 * 1024, 64 * 1024),
      maxWaitTimeMs: int('INGEST_MAX_WAIT_MS', 50, 0, 10_000),
      sessionTimeoutMs,
      heartbeatIntervalMs,
      fromBeginning: bool('INGEST_FROM_BEGINNING', true),
      // 32 MiB: a broker batch is at most message.max.bytes (1 MiB by default) compressed, and
      // mail compresses 3-10 times; past 32 times it is a bomb, not mail.
      maxDecompressedBytes: int('INGEST_MAX_DECOMPRESSED_BYTES', 32 * 1024 * 1024, 1024 * 1024, 2 ** 31 - 1),
    },
    scorer: {
      modelDirectory: str('MODEL_DIR', `${REPO_ROOT}models/current`),
      shadowModelDirectory: str('SHADOW_MODEL_DIR', '') || null,
      modelReloadIntervalMs: int('MODEL_RELOAD_INTERVAL_MS', 5_000, 100),
      threads: int('SCORER_THREADS', availableParallelism(), 1, 256),
      taskSize,
      maxQueue: int('SCORER_MAX_QUEUE', 8, 1, MAX_TASKS_IN_FLIGHT),
      maxTasksInFlight,
      emailCpuLimitMs,
      emailTimeoutMs,
    },
    postgres: {
      url: databaseUrl,
      schema,
      poolSize: int('PG_POOL_SIZE', 4, 1, 100),
      premakeDays,
      retentionDays: int('RETENTION_DAYS', 30, 1, 36_500),
      maxAheadDays,
      maintenanceIntervalMs: int('PARTITION_MAINTENANCE_INTERVAL_MS', 3_600_000, 1_000),
    },
    redis: {
      url: redisUrl,
      keyPrefix: str('REDIS_KEY_PREFIX', 'mailscore:'),
      tls: redisUrl.startsWith('rediss://') ? { caFile: redisCaFile } : null,
      commandTimeoutMs: int('REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000),
      reconnectMaxDelayMs: int('REDIS_RECONNECT_MAX_DELAY_MS', 2_000, 10, 60_000),
    },
    policy: {
      cacheTtlMs: int('POLICY_CACHE_TTL_MS', 60_000, 0),
      channel: str('POLICY_CHANNEL', 'mailscore:policy:invalidate'),
      cacheMaxTenants: int('POLICY_CACHE_MAX_TENANTS', 10_000, 1, 10_000_000),
    },
    http: { host: str('HTTP_HOST', '0.0.0.0'), port: int('HTTP_PORT', 9464, 0, 65_535) },
    lagExporter: {
      groups: lagGroups,
      topics: lagTopics,
      // 5 s: a stalled group shows within one Prometheus scrape interval or two.
      pollIntervalMs: int('LAG_EXPORTER_POLL_MS', 5_000, 100, 3_600_000),
      // Kafka Lag Exporter's default table size: 60 readings are 5 minutes of a busy partition at
      // 5 s; idle stretches cost two readings, so the table reaches further back on a quiet topic.
      historyPoints: int('LAG_EXPORTER_HISTORY', 60, MIN_HISTORY_POINTS, 10_000),
      host: str('LAG_EXPORTER_HOST', '0.0.0.0'),
      // kafka_exporter's port, which dashboards and scrape configs for it already expect.
      port: int('LAG_EXPORTER_PORT', 9308, 0, 65_535),
    },
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

/**
 * Worker tasks one model's pool may be asked to hold at once. Each costs a message to a worker,
 * a copy of its events and a promise; beyond this many, a smaller SCORER_TASK_SIZE no longer
 * spreads work any better and only adds overhead.
 */
export const MAX_TASKS_IN_FLIGHT = 10_000;

/**
 * The most tasks the pipeline can put into one model's pool at once: every partition consumed
 * concurrently has at most one chunk (≤ INGEST_MAX_BATCH_EVENTS events) being scored, split into
 * tasks of SCORER_TASK_SIZE events, and a chunk has one task at a time per pool (a re-run after a
 * timeout replaces the task that was stopped). A shadow model has its own pool with the same
 * bound. piscina's queue is sized to this, so it never refuses a task; pausing the consumer
 * (SCORER_MAX_QUEUE) is the back-pressure.
 */
export function tasksInFlight(partitionsConcurrently: number, maxBatchEvents: number, taskSize: number): number {
  return partitionsConcurrently * Math.ceil(maxBatchEvents / taskSize);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
