// The dead-letter topic: every record the pipeline refuses goes there with its original key,
// value and headers, plus headers that say where it came from and why it was refused, so it
// can be inspected and replayed.
import type { IHeaders, Producer } from 'kafkajs';
import type { SourcePosition } from '../schemas/contracts.ts';

export const DeadLetterHeader = {
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  errorCode: 'dlq.error.code',
  errorReason: 'dlq.error.reason',
  stage: 'dlq.stage',
  attempts: 'dlq.attempts',
  failedAt: 'dlq.failed.at',
} as const;

export interface DeadLetter {
  readonly source: SourcePosition;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  readonly code: string;
  readonly reason: string;
  readonly stage: 'ingest' | 'scorer' | 'sink';
}

export async function sendDeadLetters(producer: Producer, topic: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const failedAt = new Date().toISOString();
  await producer.send({
    topic,
    acks: -1,
    messages: letters.map((letter) => ({
      key: letter.key,
      value: letter.value,
      headers: {
        ...letter.headers,
        [DeadLetterHeader.sourceTopic]: letter.source.topic,
        [DeadLetterHeader.sourcePartition]: String(letter.source.partition),
        [DeadLetterHeader.sourceOffset]: letter.source.offset,
        [DeadLetterHeader.errorCode]: letter.code,
        [DeadLetterHeader.errorReason]: letter.reason.slice(0, 1000),
        [DeadLetterHeader.stage]: letter.stage,
        [DeadLetterHeader.attempts]: '1',
        [DeadLetterHeader.failedAt]: failedAt,
      },
    })),
  });
}
