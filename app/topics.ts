// Creates the pipeline's topics when they are missing (input, alerts, dead letters).
import type { Kafka } from 'kafkajs';
import type { Config } from './config.ts';

export async function ensureTopics(kafka: Kafka, config: Config): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      { topic: config.topics.input, numPartitions: config.topics.partitions },
      { topic: config.topics.alerts, numPartitions: config.topics.partitions },
      // Dead letters are few and read by people: one partition keeps them in arrival order.
      { topic: config.topics.deadLetter, numPartitions: 1 },
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: wanted.map((t) => ({ ...t, replicationFactor: 1 })) });
    }
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
