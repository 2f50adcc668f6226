// Registers the compression codecs kafkajs lacks, so batches from any producer decode: snappy
// (plain and the Java client's xerial framing), LZ4 frames and zstd. All pure JavaScript: no
// native build, nothing fetched at install.
import kafkajs from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import * as lz4 from 'lz4js';
import { decompress as zstdDecompress } from 'fzstd';

let registered = false;

export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    async compress(encoder: { buffer: Buffer }) {
      return Buffer.from(lz4.compress(encoder.buffer));
    },
    async decompress(buffer: Buffer) {
      return Buffer.from(lz4.decompress(buffer));
    },
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    async compress() {
      throw new Error('this pipeline reads zstd batches but does not write them: produce with gzip, snappy or lz4');
    },
    async decompress(buffer: Buffer) {
      return Buffer.from(zstdDecompress(buffer));
    },
  });
}
