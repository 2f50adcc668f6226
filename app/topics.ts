// Creates the pipeline's topics when they are missing (input, alerts, dead letters).
import type { Kafka } from 'kafkajs';
import type { Config } from './config.ts';

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
