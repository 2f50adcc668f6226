// Creates the pipeline's topics when they are missing (input, alerts, dead letters), and checks
// that the topics it publishes to take the batches KAFKA_MAX_REQUEST_BYTES lets it send.
import kafkajs, { type Kafka } from 'kafkajs';
import type { Config } from './config.ts';

/** KAFKA_MAX_REQUEST_BYTES is above what a topic the pipeline publishes to accepts. */
export class TopicLimitError extends Error {
  readonly code = 'TOPIC_LIMIT_TOO_SMALL';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'TopicLimitError';
  }
}

/**
 * The `max.message.bytes` of the alert and dead-letter topics, as the broker applies it (the
 * topic's own setting, or the broker's default when it has none).
 */
export async function publishLimits(kafka: Kafka, config: Config): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [config.topics.alerts, config.topics.deadLetter].map((name) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'],
      })),
    });
    const limits = new Map<string, number>();
    for (const resource of resources) {
      const value = resource.configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue;
      if (value !== undefined) limits.set(resource.resourceName, Number(value));
    }
    return limits;
  } finally {
    await admin.disconnect();
  }
}

/**
 * One sentence per topic whose `max.message.bytes` is below KAFKA_MAX_REQUEST_BYTES. Such a
 * topic refuses a full batch of alerts or dead letters (MESSAGE_TOO_LARGE) on every try, and the
 * chunk behind it never commits: better refused at start-up, with the fix named.
 */
export function sendLimitProblems(maxSendBytes: number, limits: ReadonlyMap<string, number>): string[] {
  return [...limits]
    .filter(([, limit]) => maxSendBytes > limit)
    .map(([topic, limit]) => `KAFKA_MAX_REQUEST_BYTES (${maxSendBytes}) is above max.message.bytes (${limit}) of topic ${topic}: `
      + `set KAFKA_MAX_REQUEST_BYTES to at most ${limit}, or raise the topic's max.message.bytes`);
}

/**
 * The dead-letter topic has as many partitions as the input topic: a burst of poison on every
 * input partition is dead-lettered by every consumer at once, and one partition would make them
 * all write to (and `dlq` readers wait on) one leader. When the input topic already exists its
 * real partition count wins over TOPIC_PARTITIONS; a dead-letter topic with fewer partitions (an
 * older version made it with one) is grown to match. Letters are keyed by their original key, so
 * growing only changes where new letters of a key go, never what an old one says.
 */
export async function ensureTopics(kafka: Kafka, config: Config): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const partitionsOf = async (topic: string): Promise<number> =>
      (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    const inputPartitions = existing.has(config.topics.input) ? await partitionsOf(config.topics.input) : config.topics.partitions;
    const wanted = [
      { topic: config.topics.input, numPartitions: config.topics.partitions },
      { topic: config.topics.alerts, numPartitions: config.topics.partitions },
      { topic: config.topics.deadLetter, numPartitions: inputPartitions },
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: wanted.map((t) => ({ ...t, replicationFactor: 1 })) });
    }
    const changed = wanted.map((t) => t.topic);
    if (existing.has(config.topics.deadLetter)) {
      const had = await partitionsOf(config.topics.deadLetter);
      if (had < inputPartitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: config.topics.deadLetter, count: inputPartitions }] });
        changed.push(`${config.topics.deadLetter} (grown from ${had} to ${inputPartitions} partitions)`);
      }
    }
    return changed;
  } finally {
    await admin.disconnect();
  }
}
