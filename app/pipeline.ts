// The composition root: the only module that knows every stage. It wires ingest → scorer →
// sinks, owns the connections, and stops them in order: stop fetching and finish the chunk in
// flight (its rows durable, its offsets committed, the group left), then drain the pool, then
// close the sinks and connections, all within a deadline.
import kafkajs, { type Kafka } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createIngest, createIngestMetrics, createSchemaResolver, registerCompressionCodecs, resolveWithoutRegistry, SchemaRegistryUnavailableError,
  type Ingest, type ResolveSchema,
} from '../ingest/index.ts';
import { createPolicyStore, createScorer, createScorerMetrics, createThreatIntel, type PolicyStore, type Scorer } from '../scorer/index.ts';
import { createAlertPublisher, createPostgresSink, createSinkMetrics, FailureKind, SinkError, WriteMode, type PostgresSink, type WriteReport } from '../sinks/index.ts';
import type { BatchOutcome, InboundEmail, RejectedEmail, ScoredEmail } from '../schemas/contracts.ts';
import type { Config } from './config.ts';
import { untilDone, type OutageHooks } from './retry.ts';
import { kafkaSecurity } from './security.ts';
import { createRedisClients } from './redis.ts';
import { createDependencyHealth, Dependency, waitForDependency, type DependencyHealth } from './dependencies.ts';
import { createDependencyMetrics, createPipelineMetrics } from './metrics.ts';

export function createKafka(config: Config, logger: Logger): Kafka {
  registerCompressionCodecs({ maxDecompressedBytes: config.ingest.maxDecompressedBytes });
  const log = logger.child({ component: 'kafkajs' });
  return new kafkajs.Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaSecurity(config.kafka),
    logLevel: kafkajs.logLevel.WARN,
    logCreator: () => ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level <= kafkajs.logLevel.ERROR) log.error(rest, message);
      else log.warn(rest, message);
    },
  });
}

/** TLS comes from the URL: `?sslmode=verify-full&sslrootcert=/path/ca.crt` (sslcert/sslkey for a client certificate). */
export function createPostgresPool(config: Config): pg.Pool {
  return new pg.Pool({
    connectionString: config.postgres.url,
    max: config.postgres.poolSize,
    // Every statement is unqualified; the schema is chosen per connection.
    options: `-c search_path=${config.postgres.schema}`,
    application_name: 'mailscore',
  });
}

export interface Pipeline {
  start(): Promise<void>;
  /** A member of its consumer group, and no dependency in an outage. */
  isReady(): boolean;
  /** False once the consumer has stopped for good: the process must exit. */
  isAlive(): boolean;
  /** Called once when the consumer stops for good on its own. */
  onStopped(listener: (err: Error) => void): void;
  /** Ends every wait for a dependency, finishes the chunk in flight, leaves the group, closes everything. */
  stop(): Promise<void>;
  readonly health: DependencyHealth;
  readonly postgres: PostgresSink;
  readonly policies: PolicyStore;
  readonly scorer: Scorer;
}

/** Which dependency an outage-kind error came from, by the client that raised it. */
function dependencyOf(err: unknown, fallback: Dependency): Dependency {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string' && name.startsWith('KafkaJS')) return Dependency.kafka;
    if (e instanceof SchemaRegistryUnavailableError) return Dependency.registry;
    if (name === 'MaxRetriesPerRequestError' || /^Connection is closed|^Stream isn't writeable/.test((e as Error).message ?? '')) return Dependency.redis;
    if (e instanceof SinkError) return e.code === 'ALERT_PUBLISH_FAILED' ? Dependency.kafka : Dependency.postgres;
  }
  return fallback;
}

export interface PipelineOptions {
  /** Aborted to give up waiting for a dependency during start-up. */
  readonly signal?: AbortSignal;
  /** Where start-up reports the dependencies it waits for; a fresh tracker (its metrics in `registry`) when absent. */
  readonly health?: DependencyHealth;
  /** A bounded run (`mailscore replay`, app/replay.ts); absent for the live pipeline. */
  readonly replay?: ReplayWiring;
}

/** How a replay differs from the live pipeline; everything else is the same wiring. */
export interface ReplayWiring {
  /** Its own consumer group: the live group's offsets are never moved. */
  readonly groupId: string;
  /** Per partition, the offset where the range ends (exclusive): nothing past it is processed. */
  readonly endOffsets: ReadonlyMap<number, bigint>;
  readonly writeMode: WriteMode;
  /** Publish alerts for replayed mail (off by default: last month's phishing must not page anyone today). */
  readonly alerts: boolean;
  /** Waits before a chunk of `events` is scored (the rate limit); ends early when the signal aborts. */
  readonly throttle?: (events: number, signal: AbortSignal) => Promise<void>;
  /** Each chunk's write, once committed to PostgreSQL. */
  readonly onWritten?: (report: WriteReport) => void;
}

/**
 * Connects everything and prepares the database. A dependency that is down is waited for
 * (logged every few seconds) rather than failing start-up; `options.signal` ends the wait.
 */
export async function createPipeline(config: Config, logger: Logger, registry: Registry, options: PipelineOptions = {}): Promise<Pipeline> {
  const health = options.health ?? createDependencyHealth(logger, createDependencyMetrics(registry));
  const running = new AbortController();
  const startupSignal = options.signal === undefined ? running.signal : AbortSignal.any([options.signal, running.signal]);
  const waitFor = <T>(dependency: Dependency, what: string, action: () => Promise<T>) =>
    waitForDependency(dependency, what, { logger, health, signal: startupSignal }, action);
  const replay = options.replay;
  const kafka = createKafka(config, logger);
  const pool = createPostgresPool(config);
  // The pool emits 'error' when the server ends an idle connection (a restart: 57P01); with no
  // listener that would end the process. It is the start of an outage, whose end the probe finds.
  pool.on('error', (err) => health.down(Dependency.postgres, err));
  health.watch(Dependency.postgres, () => pool.query('SELECT 1'), running.signal);
  // Not awaited: a Redis outage, at start-up too, means scoring without threat intel (app/redis.ts).
  const { redis, subscriber } = createRedisClients(config, logger);
  const closeConnections = async () => {
    redis.disconnect();
    subscriber.disconnect();
    await pool.end();
  };
  try {
    return await assemble();
  } catch (err) {
    // Start-up gave up (stopped while waiting, or a fault): nothing may keep reconnecting.
    running.abort();
    await closeConnections().catch(() => undefined);
    throw err;
  }

  async function assemble(): Promise<Pipeline> {
    const pipelineMetrics = createPipelineMetrics(registry);
    const sinkMetrics = createSinkMetrics(registry);
    const postgres = createPostgresSink(pool, config.postgres, sinkMetrics);
    await waitFor(Dependency.postgres, 'applying the schema', () => postgres.migrate(config.postgres.schema));
    const maintenance = await waitFor(Dependency.postgres, 'creating partitions', () => postgres.maintainPartitions());
    logger.info(maintenance, 'email_scores partitions maintained');
    const maintenanceTimer = setInterval(() => {
      postgres.maintainPartitions().then(
        (report) => logger.info(report, 'email_scores partitions maintained'),
        (err: unknown) => logger.error({ err }, 'partition maintenance failed; will try again'),
      );
    }, config.postgres.maintenanceIntervalMs);
    maintenanceTimer.unref();

    const alerts = createAlertPublisher(kafka, config.topics.alerts, sinkMetrics, { maxSendBytes: config.kafka.maxSendBytes });
    await waitFor(Dependency.kafka, 'connecting the alert producer', () => alerts.connect());
    const policies = await createPolicyStore({ pool, redis, subscriber, channel: config.policy.channel, cacheTtlMs: config.policy.cacheTtlMs, cacheMaxTenants: config.policy.cacheMaxTenants });
    const scorer: Scorer = await createScorer({
      ...config.scorer,
      intel: createThreatIntel(redis, config.redis.keyPrefix, { timeoutMs: config.redis.commandTimeoutMs }),
      policies,
      logger: logger.child({ stage: 'scorer' }),
      metrics: createScorerMetrics(registry),
    });
    const ingestMetrics = createIngestMetrics(registry);
    const resolver = config.schemaRegistry === null ? null : createSchemaResolver({
      ...config.schemaRegistry,
      onLookup: (outcome) => ingestMetrics.schemaLookups.inc({ outcome }),
    });
    // A registry outage holds the chunk (never a dead letter) until the registry answers again.
    const resolveSchema: ResolveSchema = resolver === null ? resolveWithoutRegistry : (schemaId, messageIndexes) =>
      resilient(`resolving schema id ${schemaId}`, Dependency.registry, () => resolver.resolve(schemaId, messageIndexes));
    const ingest: Ingest = createIngest({
      kafka,
      topic: config.topics.input,
      deadLetterTopic: config.topics.deadLetter,
      ...config.ingest,
      ...(replay === undefined ? {} : { groupId: replay.groupId, endOffsets: replay.endOffsets }),
      maxSendBytes: config.kafka.maxSendBytes,
      resolveSchema,
      logger: logger.child({ stage: 'ingest' }),
      metrics: ingestMetrics,
    });
    scorer.onPressure((saturated) => ingest.setPaused(saturated));

    /**
     * How a call in the handler reports outages: each dependency that failed it is down until the
     * call succeeds again. Waiting ends when the pipeline stops.
     */
    function outageHooks(fallback: Dependency): OutageHooks {
      const failed = new Set<Dependency>();
      return {
        signal: running.signal,
        onOutage: (err) => {
          const dependency = dependencyOf(err, fallback);
          failed.add(dependency);
          health.down(dependency, err);
        },
        onRecovered: () => {
          for (const dependency of failed) health.up(dependency);
          failed.clear();
        },
        onRetry: (err) => health.retried(dependencyOf(err, fallback)),
      };
    }
    /** Through outages of any length; a fault a few times, then the consumer stops uncommitted. */
    const resilient = <T>(what: string, fallback: Dependency, action: () => Promise<T>) =>
      untilDone(what, config.retry, logger, outageHooks(fallback), action);

    /**
     * The end-to-end latency of rows just committed. Redelivered rows that were already stored count
     * too: they are durable now. received_at comes from the sender: one in the future counts as 0,
     * one long past lands in the +Inf bucket.
     */
    function observeStored(rows: readonly ScoredEmail[]): void {
      const now = Date.now();
      for (const row of rows) {
        const seconds = (now - row.receivedAtMs) / 1000;
        pipelineMetrics.e2eLatency.observe(seconds > 0 ? seconds : 0);
      }
    }

    /**
     * Writes rows; on a row PostgreSQL will never accept, bisects to set aside just that row. Rows
     * the sink refuses up front (received_at outside the days it stores) come back set aside too.
     */
    async function writeIsolatingPoison(rows: ScoredEmail[]): Promise<Array<{ row: ScoredEmail; error: SinkError }>> {
      try {
        const report = await resilient('COPY into email_scores', Dependency.postgres, () => postgres.write(rows, replay?.writeMode ?? WriteMode.fill));
        replay?.onWritten?.(report);
        const refusedRows = new Set(report.refused.map((r) => r.row));
        observeStored(refusedRows.size === 0 ? rows : rows.filter((row) => !refusedRows.has(row)));
        return [...report.refused];
      } catch (err) {
        // Only the data of a row is a reason to set rows aside; outages and faults never are.
        if (!(err instanceof SinkError) || err.kind !== FailureKind.row) throw err;
        if (rows.length === 1) return [{ row: rows[0]!, error: err }];
        const half = Math.ceil(rows.length / 2);
        return [...(await writeIsolatingPoison(rows.slice(0, half))), ...(await writeIsolatingPoison(rows.slice(half)))];
      }
    }

    async function handle(emails: readonly InboundEmail[]): Promise<BatchOutcome> {
      if (replay?.throttle !== undefined) await replay.throttle(emails.length, running.signal);
      // Scoring reads tenant policy (PostgreSQL) and threat intel (Redis): an outage of either waits.
      const { scored, rejected, fieldsCut } = await resilient('scoring', Dependency.postgres, () => scorer.score(emails));
      const poison = await writeIsolatingPoison(scored);
      // A row PostgreSQL refused is dead-lettered, but the email was scored: its alert goes out
      // like any other, or a crafted email that no row can hold would also silence its alert.
      if (replay === undefined || replay.alerts) await resilient('publishing alerts', Dependency.kafka, () => alerts.publish(scored));
      if (poison.length === 0) return { rejected, fieldsCut };
      // The scorer hands each email's source position on unchanged: it identifies the record.
      const bySource = new Map(emails.map((e) => [e.source, e]));
      const refusedBySink: RejectedEmail[] = poison.map(({ row, error }) => ({
        email: bySource.get(row.source)!,
        stage: 'sink',
        code: error.code,
        reason: error.message,
      }));
      return { rejected: [...rejected, ...refusedBySink], fieldsCut };
    }

    let stopping: Promise<void> | undefined;
    async function stop(): Promise<void> {
      stopping ??= (async () => {
        clearInterval(maintenanceTimer);
        // Stopping the consumer first (it stops fetching at once), then ending the waits, so that a
        // chunk waiting for a dependency is abandoned uncommitted rather than retried.
        const ingestStopped = ingest.stop();
        running.abort();
        // Every step runs even when one before it failed (a consumer that already died, say):
        // a connection left open would keep the process alive.
        await inOrder([() => ingestStopped, () => scorer.close(), () => alerts.close(), () => policies.close(), closeConnections]);
      })();
      return stopping;
    }

    return {
      start: () => waitFor(Dependency.kafka, 'joining the consumer group', () => ingest.start(handle)),
      isReady: () => ingest.isReady() && health.unavailable().length === 0,
      isAlive: ingest.isAlive,
      onStopped: ingest.onStopped,
      stop,
      health,
      postgres,
      policies,
      scorer,
    };
  }
}

/** Runs every step, even after one fails; then throws the first failure. */
async function inOrder(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let first: unknown;
  let failed = false;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      if (!failed) first = err;
      failed = true;
    }
  }
  if (failed) throw first;
}
