// Publishes EmailEvents the way an MTA integration would: from .eml files, mbox files or the
// SpamAssassin corpus, at a fixed rate or as fast as the broker takes them.
import { createHash } from 'node:crypto';
import { readFile, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Kafka } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { encodeFrame } from '../ingest/index.ts';
import { emailEventProto } from '../schemas/email_event_proto.ts';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../schemas/kafka_batches.ts';
import { eventFromRawMessage } from '../scorer/index.ts';
import { loadCorpus } from '../scorer/train/corpus.ts';

export interface MailSource {
  readonly name: string;
  readonly raw: Buffer;
}

/** Every message in the given .eml files, mbox files and directories of them. */
export async function readMailSources(paths: readonly string[]): Promise<MailSource[]> {
  const sources: MailSource[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      sources.push(...(await readMailSources((await readdir(path)).sort().map((f) => join(path, f)))));
      continue;
    }
    const raw = await readFile(path);
    if (raw.subarray(0, 5).toString('latin1') === 'From ') {
      splitMbox(raw).forEach((message, i) => sources.push({ name: `${path}#${i + 1}`, raw: message }));
    } else {
      sources.push({ name: path, raw });
    }
  }
  return sources;
}

/** mboxrd: messages start at "From " lines; ">From " lines inside bodies lose one ">". */
export function splitMbox(mbox: Buffer): Buffer[] {
  const text = mbox.toString('latin1');
  return text
    .split(/^From .*\r?\n/m)
    .filter((part) => part.trim().length > 0)
    .map((part) => Buffer.from(part.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}

/** The corpus in a fixed mixed order (by md5 of the key), so any prefix holds ham and spam alike. */
export async function corpusSources(): Promise<MailSource[]> {
  const digest = (key: string) => createHash('md5').update(key).digest('hex');
  return (await loadCorpus())
    .map((m) => ({ name: m.key, raw: m.raw, order: digest(m.key) }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(({ name, raw }) => ({ name, raw }));
}

export interface EventTemplate { readonly name: string; readonly fields: EmailEventFields }

/** Parses each source once; `instantiate` then stamps out as many distinct events as wanted. */
export async function eventTemplates(sources: readonly MailSource[]): Promise<EventTemplate[]> {
  const templates: EventTemplate[] = [];
  for (const source of sources) {
    templates.push({
      name: source.name,
      fields: await eventFromRawMessage(source.raw, { tenantId: '', fallbackMessageId: source.name, fallbackReceivedAtMs: Date.now() }),
    });
  }
  return templates;
}

export interface InstanceOptions {
  readonly tenants: number;
  /** Prefix that makes message ids unique per run. */
  readonly runId: string;
  /** Send only the raw RFC 5322 message, as an MTA without a parser would. */
  readonly raw: boolean;
}

/** Event number `n`: a template cycled, with its own tenant, message id and receive time. */
export function instantiate(templates: readonly EventTemplate[], sources: readonly MailSource[], n: number, options: InstanceOptions, nowMs: number): EmailEventFields {
  const index = n % templates.length;
  const template = templates[index]!;
  const identity = { tenantId: `tenant-${n % options.tenants}`, messageId: `<${options.runId}.${n}@${template.name}>`, receivedAtMs: nowMs };
  if (options.raw) {
    return { ...identity, rawMessage: sources[index]!.raw, envelope: template.fields.envelope ?? null };
  }
  return { ...template.fields, ...identity };
}

export interface ProduceOptions extends InstanceOptions {
  readonly topic: string;
  readonly count: number;
  /** Events per second; 0 for as fast as possible. */
  readonly rate: number;
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4';
  readonly batchSize: number;
  /**
   * A Confluent-compatible schema registry: email.v1.EmailEvent is registered under the subject
   * `<topic>-value` (Confluent's TopicNameStrategy) and every event is framed with its id, as
   * Confluent's KafkaProtobufSerializer does. Absent: plain protobuf.
   */
  readonly registryUrl?: string;
  readonly onProgress?: (sent: number) => void;
}

/** Registers email.v1.EmailEvent under `<topic>-value` (idempotent: the same schema keeps its id) and returns its id. */
export async function registerEmailEvent(registryUrl: string, topic: string): Promise<number> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const { id } = await registry.register({ type: SchemaType.PROTOBUF, schema: emailEventProto() }, { subject: `${topic}-value` });
  return id;
}

const COMPRESSION = {
  none: kafkajs.CompressionTypes.None,
  gzip: kafkajs.CompressionTypes.GZIP,
  snappy: kafkajs.CompressionTypes.Snappy,
  lz4: kafkajs.CompressionTypes.LZ4,
} as const;

export async function produceEvents(kafka: Kafka, sources: readonly MailSource[], options: ProduceOptions): Promise<{ sent: number; seconds: number; schemaId: number | null }> {
  if (sources.length === 0) throw new Error('nothing to produce: no messages found in the given paths');
  const templates = await eventTemplates(sources);
  const schemaId = options.registryUrl === undefined ? null : await registerEmailEvent(options.registryUrl, options.topic);
  // EmailEvent is the first message of its file: message indexes [0].
  const frame = (payload: Uint8Array): Buffer => (schemaId === null ? Buffer.from(payload) : encodeFrame(schemaId, [0], payload));
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  try {
    while (sent < options.count) {
      const size = Math.min(options.batchSize, options.count - sent);
      const now = Date.now();
      const messages = [];
      for (let i = 0; i < size; i++) {
        const fields = instantiate(templates, sources, sent + i, options, now);
        messages.push({ key: fields.tenantId ?? null, value: frame(EmailEventCodec.encode(fields).finish()) });
      }
      for (const chunk of chunkByBytes(messages, recordBytes)) {
        await producer.send({ topic: options.topic, acks: -1, compression: COMPRESSION[options.compression], messages: chunk });
      }
      sent += size;
      options.onProgress?.(sent);
      if (options.rate > 0) {
        const due = started + (sent / options.rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    }
  } finally {
    await producer.disconnect();
  }
  return { sent, seconds: (Date.now() - started) / 1000, schemaId };
}
