// Publishes alerts for emails whose verdict their tenant alerts on (the scorer decides, `alert`), keyed by tenant, with
// an alert id that is the same on every redelivery so consumers can drop duplicates.
// A chunk's alerts go in as many sends as the broker's size limit needs (schemas/kafka_batches.ts),
// one after another; one alert is a few KiB at most, since every field it copies is capped
// (schemas/limits.ts).
import { createHash } from 'node:crypto';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { AlertCodec, VerdictCode, type ScoredEmail, type Verdict } from '../../schemas/contracts.ts';
import type { SinkMetrics } from '../metrics.ts';
import { FailureKind, SinkError } from '../errors.ts';
import { chunkByBytes, isRetriableKafkaError, recordBytes } from '../../schemas/kafka_batches.ts';

const { Partitioners } = kafkajs;

export const ALERT_ID_HEADER = 'alert-id';

const VERDICT_CODES: Record<Verdict, number> = {
  clean: VerdictCode.VERDICT_CLEAN,
  suspicious: VerdictCode.VERDICT_SUSPICIOUS,
  spam: VerdictCode.VERDICT_SPAM,
  malicious: VerdictCode.VERDICT_MALICIOUS,
};

export function alertId(email: Pick<ScoredEmail, 'tenantId' | 'messageId' | 'receivedAtMs'>): string {
  return createHash('sha256').update(`${email.tenantId}\u0000${email.messageId}\u0000${email.receivedAtMs}`).digest('hex').slice(0, 32);
}

export interface AlertPublisher {
  connect(): Promise<void>;
  publish(scored: readonly ScoredEmail[]): Promise<number>;
  close(): Promise<void>;
}

export interface AlertPublisherOptions {
  /** The most bytes one send may carry (KAFKA_MAX_REQUEST_BYTES). */
  readonly maxSendBytes: number;
}

export function createAlertPublisher(kafka: Kafka, topic: string, metrics: SinkMetrics, options: AlertPublisherOptions): AlertPublisher {
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 5 } });

  async function publish(scored: readonly ScoredEmail[]): Promise<number> {
    const alerts = scored.filter((s) => s.alert);
    if (alerts.length === 0) return 0;
    const endTimer = metrics.alertSeconds.startTimer();
    const messages = alerts.map((s) => {
      const id = alertId(s);
      return {
        key: s.tenantId,
        headers: { [ALERT_ID_HEADER]: id },
        value: Buffer.from(AlertCodec.encode({
          alertId: id,
          tenantId: s.tenantId,
          messageId: s.messageId,
          receivedAtMs: s.receivedAtMs,
          riskScore: s.riskScore,
          verdict: VERDICT_CODES[s.verdict],
          // Protobuf strings are UTF-8: protobufjs writes a lone surrogate of a short string
          // as bytes no UTF-8 decoder accepts (the alert could not be read), so every lone
          // surrogate becomes U+FFFD here. The exact text is in the email's row (text_escaped,
          // sinks/postgres/rows.ts).
          reasons: s.reasons.map((r) => (r.detail === undefined ? r.code : `${r.code}:${r.detail}`).toWellFormed()),
          modelVersion: s.modelVersion,
          scoredAtMs: s.scoredAtMs,
          mailFrom: s.mailFrom.toWellFormed(),
          fromAddress: s.fromAddress.toWellFormed(),
          subject: s.subject.toWellFormed(),
        }).finish()),
      };
    });
    let sent = 0;
    try {
      for (const piece of chunkByBytes(messages, recordBytes, options.maxSendBytes)) {
        await producer.send({ topic, acks: -1, messages: piece });
        sent += piece.length;
      }
    } catch (err) {
      // A retry publishes the pieces already sent again; alert ids let consumers drop those.
      throw new SinkError(`publishing ${alerts.length} alerts to ${topic} (${sent} sent): ${(err as Error).message}`, 'ALERT_PUBLISH_FAILED',
        isRetriableKafkaError(err) ? FailureKind.outage : FailureKind.fault, { cause: err });
    } finally {
      endTimer();
    }
    metrics.alertsPublished.inc(alerts.length);
    return alerts.length;
  }

  return {
    connect: () => producer.connect(),
    publish,
    close: () => producer.disconnect(),
  };
}
