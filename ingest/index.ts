export { ConsumerStoppedError, createIngest, PoisonPolicy, PoisonRecordError, type Ingest, type IngestOptions } from './consumer.ts';
export { createIngestMetrics, type IngestMetrics } from './metrics.ts';
export { registerCompressionCodecs } from './codecs.ts';
export { DeadLetterHeader } from './dead_letter.ts';
export { decodeEmailEvent, DecodeFailureCode } from './decode.ts';
