export { ConsumerStoppedError, createIngest, PoisonPolicy, PoisonRecordError, type Ingest, type IngestOptions } from './consumer.ts';
export { createIngestMetrics, type IngestMetrics } from './metrics.ts';
export { DecompressionLimitError, registerCompressionCodecs, type CodecLimits } from './codecs.ts';
export { DeadLetterHeader, MIN_DEAD_LETTER_BYTES } from './dead_letter.ts';
export { decodeEmailEvent, readEmailIdentity, DecodeFailureCode, encodeFrame, parseFrame, CONFLUENT_MAGIC_BYTE } from './decode.ts';
export {
  createSchemaResolver, resolveWithoutRegistry, SchemaRegistryUnavailableError, SchemaVerdictCode,
  type ResolveSchema, type SchemaResolver, type SchemaVerdict,
} from './schema_registry.ts';
