// The Kafka side of ingest: one consumer in the group, batches split into bounded chunks, each
// chunk decoded, handed to the pipeline, dead-lettered where refused, and only then committed.
import kafkajs, { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { BatchHandler, InboundEmail } from '../schemas/contracts.ts';
import { parseFrame, readEmailIdentity, type IdentityResult } from './decode.ts';
import { resolveWithoutRegistry, type ResolveSchema, type SchemaVerdict } from './schema_registry.ts';
import { sendDeadLetters, type DeadLetter } from './dead_letter.ts';
import type { IngestMetrics } from './metrics.ts';

/** What to do with a record that does not decode or validate. */
const { Partitioners } = kafkajs;

export const PoisonPolicy = {
  /** Send it to the dead-letter topic and go on (the default). */
  deadLetter: 'dlq',
  /** Log it, count it and go on. */
  skip: 'skip',
  /** Stop the consumer: for pipelines where a bad record means a broken producer. */
  fail: 'fail',
} as const;
export type PoisonPolicy = (typeof PoisonPolicy)[keyof typeof PoisonPolicy];

export interface IngestOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly poisonPolicy: PoisonPolicy;
  /** Events handed to the pipeline at once; a larger fetched batch is split. */
  readonly maxBatchEvents: number;
  readonly partitionsConsumedConcurrently: number;
  readonly maxBytesPerPartition: number;
  readonly maxWaitTimeMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly fromBeginning: boolean;
  /** The most bytes one send of dead letters may carry (KAFKA_MAX_REQUEST_BYTES); larger letters are truncated. */
  readonly maxSendBytes: number;
  /**
   * A bounded read (`mailscore replay`): per partition, the offset where reading ends (exclusive).
   * Records at or past it are never handed to the pipeline; the partition's offset is committed
   * at its end and the partition paused there. Absent for the live pipeline, which reads forever.
   */
  readonly endOffsets?: ReadonlyMap<number, bigint>;
  /**
   * Says whether the schema id of a Confluent-framed event is ours (ingest/schema_registry.ts).
   * It waits out a registry outage itself (the composition root wraps it in the retry policy),
   * so a rejection means the pipeline is stopping or gave up: the chunk is not committed.
   * Absent: no registry, framed events are dead-lettered as SCHEMA_REGISTRY_NOT_CONFIGURED.
   */
  readonly resolveSchema?: ResolveSchema;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
}

export class PoisonRecordError extends Error {
  readonly code = 'POISON_RECORD';
  readonly retriable = false;
}

/** The consumer stopped for good, not because `stop()` was called. */
export class ConsumerStoppedError extends Error {
  readonly code = 'CONSUMER_STOPPED';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsumerStoppedError';
  }
}

// Errors kafkajs never retries (src/retry/index.js): the consumer stops on them.
const UNRECOVERABLE_ERRORS = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);
const isFinal = (err: unknown): boolean =>
  (err as { retriable?: unknown } | null)?.retriable === false || UNRECOVERABLE_ERRORS.has((err as Error | null)?.name ?? '');

export interface Ingest {
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching while a downstream stage is behind. */
  setPaused(paused: boolean): void;
  /** True while the consumer is a member of its group. */
  isReady(): boolean;
  /** False once the consumer has stopped for good (not by `stop()`): the process should exit. */
  isAlive(): boolean;
  /** Called once when the consumer stops for good on its own (a final error, a crash kafkajs will not restart). */
  onStopped(listener: (err: ConsumerStoppedError) => void): void;
  /** Finishes the chunk in flight, commits it and leaves the group. */
  stop(): Promise<void>;
}

// What a commit is refused for when this member is no longer in the group's current generation
// (its session ran out during a long pause, or the group is rebalancing). kafkajs rejoins on these
// (src/consumer/runner.js), but only when it sees them: its commit retrier wraps them in a
// non-retriable error, which would stop the consumer for good.
const REJOIN_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP']);

/** The error kafkajs rejoins the group on, if `err` is or wraps one. */
function rejoinCause(err: unknown): Error | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (REJOIN_ERRORS.has(String((e as { type?: unknown }).type))) return e as Error;
  }
  return undefined;
}

const batch = (payload: EachBatchPayload): string => `${payload.batch.topic}/${payload.batch.partition}`;

export function createIngest(options: IngestOptions): Ingest {
  const { logger, metrics } = options;
  const resolveSchema = options.resolveSchema ?? resolveWithoutRegistry;
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs),
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxWaitTimeInMs: options.maxWaitTimeMs,
    retry: {
      retries: 8,
      initialRetryTime: 300,
      maxRetryTime: 10_000,
      // Retriable crashes (a broker away longer than these retries) restart the consumer, for
      // as long as it takes; one that followed a final error of the handler must not.
      restartOnFailure: async () => fatal === undefined && !stopping,
    },
  });
  // kafkajs's own retries (a few seconds) absorb leader moves and metadata refreshes quietly;
  // processChunk's loop around them waits out anything longer, resending only what failed.
  const deadLetterProducer: Producer = options.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let ready = false;
  let paused = false;
  let stopping = false;
  /** The final error that stopped the consumer, once it has. */
  let fatal: Error | undefined;
  let dead: ConsumerStoppedError | undefined;
  const stoppedListeners: Array<(err: ConsumerStoppedError) => void> = [];

  function died(err: unknown): void {
    if (dead !== undefined || stopping) return;
    ready = false;
    dead = new ConsumerStoppedError(`the consumer stopped for good: ${(err as Error | null)?.message ?? String(err)}`, { cause: err });
    logger.fatal({ err }, 'consumer stopped for good; the process must exit');
    for (const listener of stoppedListeners) listener(dead);
  }

  const assigned = (partitions: number) => metrics.assignedPartitions.set({ topic: options.topic }, partitions);
  // Present from the start: 0 until the first join.
  assigned(0);
  /** Partitions of a bounded read that reached their end offset: paused for good. */
  const ended = new Set<number>();
  /** Partitions with a last-committed timestamp from this process. */
  const committedPartitions = new Set<number>();
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    ready = true;
    metrics.rebalances.inc();
    const held = e.payload.memberAssignment[options.topic] ?? [];
    assigned(held.length);
    // A partition that moved away is another member's to report: a value left here would only age.
    for (const partition of committedPartitions) {
      if (held.includes(partition)) continue;
      metrics.lastCommittedTimestamp.remove({ topic: options.topic, partition: String(partition) });
      committedPartitions.delete(partition);
    }
    logger.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined consumer group');
  });
  consumer.on(consumer.events.CRASH, (e) => {
    ready = false;
    // Crashed, it consumes nothing; after a restart the next join says what it has again.
    assigned(0);
    logger.error({ err: e.payload.error, restart: e.payload.restart }, e.payload.restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed');
    if (!e.payload.restart) died(fatal ?? e.payload.error);
  });
  consumer.on(consumer.events.STOP, () => {
    ready = false;
    assigned(0);
  });

  async function processChunk(
    payload: EachBatchPayload,
    messages: KafkaMessage[],
    handler: BatchHandler,
  ): Promise<void> {
    const { batch } = payload;
    const decodeStart = process.hrtime.bigint();
    const accepted: InboundEmail[] = [];
    const letters: DeadLetter[] = [];
    // A chunk's framed events nearly always share one schema id: asked once per chunk.
    const verdicts = new Map<string, SchemaVerdict>();
    let beat: NodeJS.Timeout | undefined;
    /** Time spent waiting for the registry: not decoding work, kept out of decodeSeconds. */
    let waitedNs = 0n;
    const resolveFramed = async (schemaId: number, messageIndexes: readonly number[]): Promise<SchemaVerdict> => {
      const key = `${schemaId}/${messageIndexes.join('.')}`;
      let verdict = verdicts.get(key);
      if (verdict === undefined) {
        // A registry outage is waited out right here, however long: keep the membership alive.
        beat ??= setInterval(() => payload.heartbeat().catch(() => undefined), options.heartbeatIntervalMs);
        const asked = process.hrtime.bigint();
        verdict = await resolveSchema(schemaId, messageIndexes);
        waitedNs += process.hrtime.bigint() - asked;
        verdicts.set(key, verdict);
      }
      return verdict;
    };
    type Decoded = { decoded: IdentityResult | Extract<SchemaVerdict, { ok: false }>; payload: Uint8Array | null };
    /**
     * Plain protobuf, or a Confluent frame whose schema is ours around it. Only a frame waits (for
     * its schema verdict): a plain record's identity is read without a promise, on the hot path.
     */
    const decode = (value: Buffer | null): Decoded | Promise<Decoded> => {
      if (value === null) return { decoded: readEmailIdentity(value), payload: null };
      const frame = parseFrame(value);
      if (!frame.ok) return { decoded: frame, payload: null };
      // The workers decode the payload: they get the protobuf bytes, never the frame.
      if (!frame.framed) return { decoded: readEmailIdentity(frame.payload), payload: frame.payload };
      metrics.framed.inc();
      return resolveFramed(frame.schemaId, frame.messageIndexes).then((verdict): Decoded =>
        (verdict.ok ? { decoded: readEmailIdentity(frame.payload), payload: frame.payload } : { decoded: verdict, payload: null }));
    };
    try {
      for (const message of messages) {
        const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
        const pending = decode(message.value);
        const { decoded, payload: bytes } = pending instanceof Promise ? await pending : pending;
        if (decoded.ok) {
          const email: InboundEmail = { identity: decoded.identity, bytes: bytes!, key: message.key, source };
          accepted.push(email);
          continue;
        }
        if (options.poisonPolicy === PoisonPolicy.fail) {
          throw new PoisonRecordError(`${batch.topic}/${batch.partition}@${message.offset}: ${decoded.code}: ${decoded.reason}`);
        }
        logger.warn({ ...source, code: decoded.code, reason: decoded.reason, policy: options.poisonPolicy }, 'invalid event');
        if (options.poisonPolicy === PoisonPolicy.skip) {
          metrics.skipped.inc({ code: decoded.code });
          continue;
        }
        letters.push({ source, key: message.key, value: message.value, headers: message.headers, code: decoded.code, reason: decoded.reason, stage: 'ingest' });
      }
    } finally {
      clearInterval(beat);
    }
    metrics.decodeSeconds.inc(Number(process.hrtime.bigint() - decodeStart - waitedNs) / 1e9);
    metrics.received.inc({ topic: batch.topic }, messages.length);

    if (accepted.length > 0) {
      metrics.batchSize.observe(accepted.length);
      // The handler may outlast the session timeout on a big backlog: keep the membership alive.
      const beat = setInterval(() => payload.heartbeat().catch(() => undefined), options.heartbeatIntervalMs);
      const endTimer = metrics.handlerSeconds.startTimer();
      try {
        const outcome = await handler(accepted);
        for (const field of outcome.fieldsCut ?? []) metrics.fieldsCut.inc({ field });
        for (const rejected of outcome.rejected) {
          // Refusals are rare: look the record up only for them, not for every accepted one.
          const original = messages.find((m) => m.offset === rejected.email.source.offset)!;
          logger.warn({ ...rejected.email.source, code: rejected.code, reason: rejected.reason, stage: rejected.stage }, 'event refused downstream');
          letters.push({
            source: rejected.email.source, key: original.key, value: original.value, headers: original.headers,
            code: rejected.code, reason: rejected.reason, stage: rejected.stage,
          });
        }
      } finally {
        clearInterval(beat);
        endTimer();
      }
    }
    if (letters.length > 0) {
      // Sent in pieces the broker accepts, and retried right here for as long as the consumer
      // runs: failing the chunk instead would make kafkajs redeliver it, and the pipeline would
      // score it again and publish its alerts again. A non-retriable failure throws and stops
      // the consumer without committing.
      const beat = setInterval(() => payload.heartbeat().catch(() => undefined), options.heartbeatIntervalMs);
      try {
        const sent = await sendDeadLetters(deadLetterProducer, options.deadLetterTopic, letters, {
          maxBytes: options.maxSendBytes,
          keepTrying: () => payload.isRunning() && !payload.isStale(),
          onRetry: (err, attempt, delayMs) => logger.warn(
            { err, attempt, delayMs, topic: options.deadLetterTopic, letters: letters.length }, 'sending dead letters failed; retrying'),
        });
        if (!sent) {
          // Stopping, or the partition moved: not committed, so the chunk comes again.
          logger.info({ topic: batch.topic, partition: batch.partition }, 'dead letters not sent before stop or revocation; not committing');
          return;
        }
      } finally {
        clearInterval(beat);
      }
      for (const letter of letters) metrics.deadLettered.inc({ code: letter.code });
    }

    const lastMessage = messages[messages.length - 1]!;
    const last = lastMessage.offset;
    payload.resolveOffset(last);
    if (payload.isStale()) {
      // The partition moved to another member mid-chunk: it will redeliver from the last
      // commit, and the sinks drop what this member already wrote.
      logger.info({ topic: batch.topic, partition: batch.partition }, 'partition revoked mid-batch; not committing');
      return;
    }
    const next = (BigInt(last) + 1n).toString();
    try {
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    } catch (err) {
      metrics.commitFailures.inc();
      throw rejoinCause(err) ?? err;
    }
    // Now minus this is how old the newest record this process made durable is: progress in time, per partition.
    metrics.lastCommittedTimestamp.set({ topic: batch.topic, partition: String(batch.partition) }, Number(lastMessage.timestamp) / 1000);
    committedPartitions.add(batch.partition);
    await payload.heartbeat();
  }

  async function start(pipelineHandler: BatchHandler): Promise<void> {
    // A final error of the handler (not retriable: the pipeline gave up) stops the consumer.
    const handler: BatchHandler = (emails) => pipelineHandler(emails).catch((err: unknown) => {
      if (isFinal(err)) fatal ??= err as Error;
      throw err;
    });
    await deadLetterProducer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      eachBatch: async (payload) => {
        // A partition a bounded read has no end for (added to the topic since it started) is
        // outside its range: nothing of it is read.
        const end = options.endOffsets === undefined ? undefined : options.endOffsets.get(payload.batch.partition) ?? 0n;
        // A bounded read ignores whatever lies past its end: not processed, not resolved.
        const messages = end === undefined ? payload.batch.messages : payload.batch.messages.filter((m) => BigInt(m.offset) < end);
        for (let at = 0; at < messages.length; at += options.maxBatchEvents) {
          if (!payload.isRunning() || payload.isStale()) return;
          try {
            await processChunk(payload, messages.slice(at, at + options.maxBatchEvents), handler);
          } catch (err) {
            // Kafka's own failures here (a commit, a dead-letter send during a broker outage) are
            // left to kafkajs, which restarts the consumer. A final error of the handler, or a
            // record the poison policy says must stop us, stops it for good; kafkajs restarts a
            // crashed consumer when the deepest cause of the error is retriable, so it goes up
            // without its causes.
            if (stopping || (fatal === undefined && !(err instanceof PoisonRecordError))) throw err;
            fatal ??= err as Error;
            throw new ConsumerStoppedError(`${batch(payload)}: ${(err as Error).message}`);
          }
        }
        if (end !== undefined && payload.isRunning() && !payload.isStale()) await endIfReached(payload, end);
      },
    });
  }

  /**
   * A bounded read whose partition has a record at or past its end (the batch held one, or the
   * last record in range was just committed) commits the end itself, so that a gap in offsets
   * there (a control record) cannot keep it from being done, and pauses the partition for good.
   */
  async function endIfReached(payload: EachBatchPayload, end: bigint): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const last = messages[messages.length - 1];
    if (last === undefined || BigInt(last.offset) + 1n < end) return;
    await consumer.commitOffsets([{ topic, partition, offset: end.toString() }]).catch((err: unknown) => {
      metrics.commitFailures.inc();
      throw rejoinCause(err) ?? err;
    });
    ended.add(partition);
    consumer.pause([{ topic, partitions: [partition] }]);
    logger.info({ topic, partition, end: end.toString() }, 'partition reached the end of the range; paused');
  }

  function setPaused(wanted: boolean): void {
    if (wanted === paused) return;
    paused = wanted;
    metrics.paused.set(wanted ? 1 : 0);
    if (wanted) consumer.pause([{ topic: options.topic }]);
    else {
      consumer.resume([{ topic: options.topic }]);
      // Resuming the topic resumes every partition: those past their end stay paused.
      if (ended.size > 0) consumer.pause([{ topic: options.topic, partitions: [...ended] }]);
    }
  }

  async function stop(): Promise<void> {
    stopping = true;
    // kafkajs waits for the batch in flight; eachBatch stops between chunks. Disconnecting
    // leaves the group, so the partitions move at once rather than after the session timeout.
    await consumer.disconnect();
    await deadLetterProducer.disconnect();
  }

  return {
    start,
    setPaused,
    isReady: () => ready && dead === undefined,
    isAlive: () => dead === undefined,
    onStopped: (listener) => void stoppedListeners.push(listener),
    stop,
  };
}
