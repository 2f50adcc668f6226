// The composition root: the only module that knows every stage. It wires ingest → scorer →
// sinks, owns the connections, and stops them in order: stop fetching and finish the chunk in
// flight (its rows durable, its offsets committed, the group left), then drain the pool, then
// close the sinks and connections, all within a deadline.
import kafkajs, { type Kafka } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createIngest, createIngestMetrics, registerCompressionCodecs, type Ingest } from '../ingest/index.ts';
import { createPolicyStore, createScorer, createScorerMetrics, createThreatIntel, type PolicyStore, type Scorer } from '../scorer/index.ts';
import { createAlertPublisher, createPostgresSink, createSinkMetrics, SinkError, type PostgresSink } from '../sinks/index.ts';
import type { BatchOutcome, InboundEmail, RejectedEmail, ScoredEmail } from '../schemas/contracts.ts';
import type { Config } from './config.ts';
import { isRetriable, withRetry } from './retry.ts';
import { kafkaSecurity } from './security.ts';
import { createRedisClients } from './redis.ts';

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
  isReady(): boolean;
  stop(): Promise<void>;
  readonly postgres: PostgresSink;
  readonly policies: PolicyStore;
  readonly scorer: Scorer;
}

export async function createPipeline(config: Config, logger: Logger, registry: Registry): Promise<Pipeline> {
  const kafka = createKafka(config, logger);
  const pool = createPostgresPool(config);
  // Not awaited: a Redis outage, at start-up too, means scoring without threat intel (app/redis.ts).
  const { redis, subscriber } = createRedisClients(config, logger);

  const sinkMetrics = createSinkMetrics(registry);
  const postgres = createPostgresSink(pool, config.postgres, sinkMetrics);
  await postgres.migrate(config.postgres.schema);
  const maintenance = await postgres.maintainPartitions();
  logger.info(maintenance, 'email_scores partitions maintained');
  const maintenanceTimer = setInterval(() => {
    postgres.maintainPartitions().then(
      (report) => logger.info(report, 'email_scores partitions maintained'),
      (err: unknown) => logger.error({ err }, 'partition maintenance failed; will try again'),
    );
  }, config.postgres.maintenanceIntervalMs);
  maintenanceTimer.unref();

  const alerts = createAlertPublisher(kafka, config.topics.alerts, sinkMetrics, { maxSendBytes: config.kafka.maxSendBytes });
  await alerts.connect();
  const policies = await createPolicyStore({ pool, redis, subscriber, channel: config.policy.channel, cacheTtlMs: config.policy.cacheTtlMs, cacheMaxTenants: config.policy.cacheMaxTenants });
  const scorer: Scorer = await createScorer({
    ...config.scorer,
    intel: createThreatIntel(redis, config.redis.keyPrefix, { timeoutMs: config.redis.commandTimeoutMs }),
    policies,
    logger: logger.child({ stage: 'scorer' }),
    metrics: createScorerMetrics(registry),
  });
  const ingest: Ingest = createIngest({
    kafka,
    topic: config.topics.input,
    deadLetterTopic: config.topics.deadLetter,
    ...config.ingest,
    maxSendBytes: config.kafka.maxSendBytes,
    logger: logger.child({ stage: 'ingest' }),
    metrics: createIngestMetrics(registry),
  });
  scorer.onPressure((saturated) => ingest.setPaused(saturated));

  /** Writes rows; on a row PostgreSQL will never accept, bisects to set aside just that row. */
  async function writeIsolatingPoison(rows: ScoredEmail[]): Promise<Array<{ row: ScoredEmail; error: SinkError }>> {
    try {
      await withRetry('COPY into email_scores', config.retry, logger, () => postgres.write(rows));
      return [];
    } catch (err) {
      if (isRetriable(err) || !(err instanceof SinkError)) throw err;
      if (rows.length === 1) return [{ row: rows[0]!, error: err }];
      const half = Math.ceil(rows.length / 2);
      return [...(await writeIsolatingPoison(rows.slice(0, half))), ...(await writeIsolatingPoison(rows.slice(half)))];
    }
  }

  async function handle(emails: readonly InboundEmail[]): Promise<BatchOutcome> {
    const { scored, rejected } = await scorer.score(emails);
    const poison = await writeIsolatingPoison(scored);
    if (poison.length === 0) {
      await withRetry('publishing alerts', config.retry, logger, () => alerts.publish(scored));
      return { rejected };
    }
    // A row PostgreSQL refused is dead-lettered, but the email was scored: its alert goes out
    // like any other, or a crafted email that no row can hold would also silence its alert.
    await withRetry('publishing alerts', config.retry, logger, () => alerts.publish(scored));
    // The scorer hands each email's source position on unchanged: it identifies the record.
    const refusedBySink: RejectedEmail[] = poison.map(({ row, error }) => ({
      email: emails.find((e) => e.source === row.source)!,
      stage: 'sink',
      code: error.code,
      reason: error.message,
    }));
    return { rejected: [...rejected, ...refusedBySink] };
  }

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      clearInterval(maintenanceTimer);
      await ingest.stop();
      await scorer.close();
      await alerts.close();
      await policies.close();
      redis.disconnect();
      subscriber.disconnect();
      await pool.end();
    })();
    return stopping;
  }

  return {
    start: () => ingest.start(handle),
    isReady: ingest.isReady,
    stop,
    postgres,
    policies,
    scorer,
  };
}
