export { createIngest, PoisonPolicy, PoisonRecordError, type Ingest, type IngestOptions } from './consumer.ts';
export { createIngestMetrics, type IngestMetrics } from './metrics.ts';
export { DecompressionLimitError, registerCompressionCodecs, type CodecLimits } from './codecs.ts';
export { DeadLetterHeader } from './dead_letter.ts';
export { decodeEmailEvent, DecodeFailureCode } from './decode.ts';
