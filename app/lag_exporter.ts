// `mailscore lag-exporter`: consumer-group lag measured from the broker, not from inside the
// consumer, so it keeps growing when every consumer of the group is dead or frozen. Every
// LAG_EXPORTER_POLL_MS it reads, through the admin API, each configured group's committed
// offsets and members and the first and end offsets of every partition the groups read, and
// serves them on its own /metrics under the names kafka_exporter (records) and Kafka Lag
// Exporter (seconds, app/lag_history.ts) made standard.
//
// A broker it cannot reach is not a fault of the exporter: the poll fails, the error counter
// grows, the last-poll timestamp stays where it was, the last values stay published, /healthz
// stays 200, and the next poll starts with a fresh connection.
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Config } from './config.ts';
import { startHttpServer } from './http.ts';
import { createPartitionHistories, measureLag, type GroupOffsets, type PartitionLag, type TopicOffsets } from './lag_history.ts';

export type LagExporterSettings = Config['lagExporter'];

export class LagPollError extends Error {
  readonly code = 'LAG_POLL_FAILED';
  /** The next poll tries again; nothing else is to be done. */
  readonly retriable = true;
}

/** What one poll read from the broker. */
interface Reading {
  readonly groups: GroupOffsets[];
  readonly members: ReadonlyMap<string, number>;
  readonly topics: ReadonlyMap<string, TopicOffsets>;
  /** When the end offsets were read: the time of this poll's history points and the "now" of its lags. */
  readonly nowMs: number;
}

async function readOffsets(admin: Admin, settings: LagExporterSettings, clock: () => number): Promise<Reading> {
  // Only topics that exist are asked for: kafkajs retries an unknown topic for seconds, and a
  // group's commits can outlive its topic.
  const existing = new Set(await admin.listTopics());
  // Committed offsets before end offsets: a commit read first can never be ahead of the end.
  const groups = await Promise.all(settings.groups.map(async (groupId): Promise<GroupOffsets> => {
    const committed = new Map<string, Map<number, number>>();
    // No topics given: every topic the group has committed offsets for.
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      const byPartition = new Map<number, number>();
      for (const { partition, offset } of partitions) if (Number(offset) >= 0) byPartition.set(partition, Number(offset));
      if (byPartition.size > 0) committed.set(topic, byPartition);
    }
    return { groupId, committed };
  }));
  const { groups: described } = await admin.describeGroups([...settings.groups]);
  const members = new Map(described.map((group) => [group.groupId, group.members.length]));
  const wanted = new Set([...settings.topics, ...groups.flatMap((group) => [...group.committed.keys()])]);
  const topics = new Map(await Promise.all([...wanted].filter((topic) => existing.has(topic)).map(async (topic) => {
    const partitions = (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, start: Number(low), end: Number(high) }));
    return [topic, { topic, partitions }] as const;
  })));
  return { groups, members, topics, nowMs: clock() };
}

const GROUP_PARTITION = ['consumergroup', 'topic', 'partition'] as const;

export interface LagExporterMetrics {
  publish(reading: Reading, lags: readonly PartitionLag[], groups: readonly string[]): void;
  pollFailed(): void;
}

/** The exporter's metrics, in a registry of their own: no pipeline metric is ever mixed in. */
export function createLagExporterMetrics(registry: Registry): LagExporterMetrics {
  const registers = [registry];
  const lag = new Gauge({
    name: 'kafka_consumergroup_lag', registers, labelNames: GROUP_PARTITION,
    help: 'Records the group has yet to consume: end offset minus committed offset (minus the first retained offset when the group never committed on the partition)',
  });
  const lagSum = new Gauge({ name: 'kafka_consumergroup_lag_sum', help: 'kafka_consumergroup_lag summed over the partitions of a topic', labelNames: ['consumergroup', 'topic'], registers });
  const lagSeconds = new Gauge({
    name: 'kafka_consumergroup_lag_seconds', registers, labelNames: GROUP_PARTITION,
    help: 'How long ago the end offset was where the group is now, interpolated on the partition\'s end-offset history (Kafka Lag Exporter); NaN until a partition has two readings',
  });
  const currentOffset = new Gauge({ name: 'kafka_consumergroup_current_offset', help: 'Committed offset of the group; -1 when it never committed on the partition', labelNames: GROUP_PARTITION, registers });
  const endOffset = new Gauge({ name: 'kafka_topic_partition_current_offset', help: 'End offset of the partition (the offset of the next record written)', labelNames: ['topic', 'partition'], registers });
  const partitions = new Gauge({ name: 'kafka_topic_partitions', help: 'Partitions of the topic', labelNames: ['topic'], registers });
  const members = new Gauge({ name: 'kafka_consumergroup_members', help: 'Members of the consumer group (0: no consumer is running)', labelNames: ['consumergroup'], registers });
  const pollErrors = new Counter({ name: 'mailscore_lag_exporter_poll_errors_total', help: 'Polls of the broker that failed (the values of the last successful poll stay published)', registers });
  const lastPoll = new Gauge({ name: 'mailscore_lag_exporter_last_poll_timestamp_seconds', help: 'Unix time of the last successful poll; 0 before the first', registers });
  return {
    // Synchronous from the first reset to the last set, so a scrape never sees half a poll; a
    // partition, topic or group gone from the broker is gone from the output.
    publish(reading, lags, groups) {
      for (const gauge of [lag, lagSum, lagSeconds, currentOffset, endOffset, partitions, members]) gauge.reset();
      const sums = new Map<string, { consumergroup: string; topic: string; records: number }>();
      for (const l of lags) {
        const labels = { consumergroup: l.groupId, topic: l.topic, partition: String(l.partition) };
        lag.set(labels, l.records);
        lagSeconds.set(labels, l.seconds);
        currentOffset.set(labels, l.committed ?? -1);
        const key = `${l.groupId}\u0000${l.topic}`;
        const sum = sums.get(key) ?? { consumergroup: l.groupId, topic: l.topic, records: 0 };
        sum.records += l.records;
        sums.set(key, sum);
      }
      for (const { consumergroup, topic, records } of sums.values()) lagSum.set({ consumergroup, topic }, records);
      for (const topic of reading.topics.values()) {
        partitions.set({ topic: topic.topic }, topic.partitions.length);
        for (const p of topic.partitions) endOffset.set({ topic: topic.topic, partition: String(p.partition) }, p.end);
      }
      for (const group of groups) members.set({ consumergroup: group }, reading.members.get(group) ?? 0);
      lastPoll.set(reading.nowMs / 1000);
    },
    pollFailed: () => pollErrors.inc(),
  };
}

export interface RunningLagExporter {
  /** The port /metrics is served on (the one asked for, or the one the system chose for 0). */
  readonly port: number;
  readonly registry: Registry;
  /** Ends polling, closes the broker connection and the HTTP server. */
  stop(): Promise<void>;
}

/** Serves /metrics, /healthz and /readyz on settings.host:port and polls until stopped. */
export async function startLagExporter(options: {
  settings: LagExporterSettings;
  /** Built by the caller with the configuration's brokers, TLS and SASL (app/pipeline.ts createKafka). */
  kafka: Kafka;
  logger: Logger;
  clock?: () => number;
}): Promise<RunningLagExporter> {
  const { settings, kafka, logger } = options;
  const clock = options.clock ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createLagExporterMetrics(registry);
  const histories = createPartitionHistories(settings.historyPoints);
  // Alive and ready whatever the broker does: an outage is reported by the metrics (errors,
  // a frozen timestamp), and a restart of the exporter would not bring the broker back.
  const server: Server = await startHttpServer({ host: settings.host, port: settings.port, registry, isReady: () => true, isAlive: () => true });
  const stopping = new AbortController();
  let admin: Admin | undefined;
  let failedPolls = 0;

  // Only ever touched by the poll loop and, once the loop has ended, by stop(): a disconnect
  // racing a poll would let kafkajs reconnect behind it and leak the connection.
  const dropAdmin = async () => {
    const old = admin;
    admin = undefined;
    await old?.disconnect().catch(() => undefined);
  };
  const connectAdmin = async (): Promise<Admin> => {
    // Few retries inside one poll: the next poll is the retry, and it must not wait behind
    // kafkajs's default back-off of up to 30 s.
    const fresh = kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
    try {
      await fresh.connect();
    } catch (err) {
      await fresh.disconnect().catch(() => undefined);
      throw err;
    }
    return fresh;
  };

  const pollOnce = async () => {
    try {
      admin ??= await connectAdmin();
      const reading = await readOffsets(admin, settings, clock);
      const polled = new Set<string>();
      for (const topic of reading.topics.values()) {
        for (const { partition, end } of topic.partitions) {
          histories.add(topic.topic, partition, { offset: end, timeMs: reading.nowMs });
          polled.add(`${partition}:${topic.topic}`);
        }
      }
      histories.retain((topic, partition) => polled.has(`${partition}:${topic}`));
      const lags = measureLag({ groups: reading.groups, topics: reading.topics, expectedTopics: settings.topics, histories, nowMs: reading.nowMs });
      metrics.publish(reading, lags, settings.groups);
      if (failedPolls > 0) logger.info({ failedPolls }, 'lag exporter: broker reachable again');
      failedPolls = 0;
    } catch (cause) {
      metrics.pollFailed();
      await dropAdmin();
      if (stopping.signal.aborted) return;
      const err = new LagPollError(`polling the broker failed: ${(cause as Error).message}`, { cause });
      // Once per outage at warn; each further failed poll is counted in the metric.
      if (failedPolls === 0) logger.warn({ err }, 'lag exporter: poll failed; last values stay published, retrying every poll');
      else logger.debug({ err, failedPolls }, 'lag exporter: poll failed again');
      failedPolls++;
    }
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const started = clock();
      await pollOnce();
      // A fixed cadence: the poll's own duration is taken off the wait.
      await sleep(Math.max(0, settings.pollIntervalMs - (clock() - started)), undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    port: (server.address() as { port: number }).port,
    registry,
    /** Waits for a poll in flight (bounded by its retries and kafkajs's request timeout). */
    async stop() {
      stopping.abort();
      await loop;
      await dropAdmin();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
