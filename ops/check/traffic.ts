// Events for the ops check: corpus emails at a steady rate (paused and resumed on demand), plus a
// trickle of undecodable records so the dead-letter panels have something to show.
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Kafka } from 'kafkajs';
import { corpusSources, eventTemplates, instantiate } from '../../app/produce.ts';
import { EmailEventCodec } from '../../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../../schemas/kafka_batches.ts';

export interface Traffic {
  /** Resolves once no send is in flight any more: from then on the topic's end offsets stay put. */
  pause(): Promise<void>;
  resume(): void;
  /** From now on one undecodable record per this many events (0: none). */
  setGarbageEvery(every: number): void;
  /** Events (valid and undecodable) acknowledged by the broker so far. */
  sent(): number;
  stop(): Promise<void>;
}

export interface TrafficOptions {
  readonly topic: string;
  readonly runId: string;
  /** Valid events per second. */
  readonly rate: number;
  /** One undecodable record per this many valid ones (0: none). */
  readonly garbageEvery: number;
  /** Corpus messages to cycle through (parsing all of them costs seconds of CPU for nothing). */
  readonly templates: number;
}

export async function startTraffic(kafka: Kafka, options: TrafficOptions): Promise<Traffic> {
  const sources = (await corpusSources()).slice(0, options.templates);
  const templates = await eventTemplates(sources);
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  let paused = false;
  let garbageEvery = options.garbageEvery;
  let running = true;
  let sent = 0;
  let n = 0;
  let clock = Date.now();
  let owed = 0;
  let idle: Array<() => void> = [];
  const loop = (async () => {
    while (running) {
      await sleep(100);
      const now = Date.now();
      if (paused) {
        idle.forEach((resolve) => resolve());
        idle = [];
        clock = now;
        continue;
      }
      owed += ((now - clock) / 1000) * options.rate;
      clock = now;
      const due = Math.floor(owed);
      owed -= due;
      if (due === 0) continue;
      const messages: Array<{ key: string | null; value: Buffer }> = [];
      for (let i = 0; i < due; i++, n++) {
        if (garbageEvery > 0 && n % garbageEvery === garbageEvery - 1) {
          // Not a protobuf EmailEvent: dead-lettered by ingest with its decode error.
          messages.push({ key: null, value: Buffer.from(`not an EmailEvent ${options.runId} ${n}`) });
          continue;
        }
        const fields = instantiate(templates, sources, n, { runId: options.runId, tenants: 4, raw: false }, now);
        messages.push({ key: fields.tenantId ?? null, value: Buffer.from(EmailEventCodec.encode(fields).finish()) });
      }
      for (const chunk of chunkByBytes(messages, recordBytes)) {
        try {
          await producer.send({ topic: options.topic, acks: -1, messages: chunk });
          sent += chunk.length;
        } catch {
          // The private broker never goes away in this check; a failed send is retried next tick.
          owed += chunk.length;
        }
      }
    }
  })();
  return {
    pause: () => {
      paused = true;
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    resume: () => { paused = false; },
    setGarbageEvery: (every) => { garbageEvery = every; },
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
      await producer.disconnect();
    },
  };
}
