// Each compression codec is held to the decompressed-size limit: bombs are refused with a typed,
// non-retriable error before their output is allocated, and ordinary batches still decode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { createCodecs, DecompressionLimitError, type Codec } from './codecs.ts';

const LIMIT = 1024 * 1024;
const codecs = createCodecs({ maxDecompressedBytes: LIMIT });
const zeros = (n: number) => Buffer.alloc(n);
const text = (n: number) => Buffer.from('Dear customer, your invoice is attached. '.repeat(Math.ceil(n / 41)).slice(0, n));

const compressors: Record<'gzip' | 'snappy' | 'lz4' | 'zstd', (data: Buffer) => Buffer> = {
  gzip: (data) => zlib.gzipSync(data),
  snappy: (data) => Buffer.from(snappy.compress(data)),
  lz4: (data) => Buffer.from(lz4.compress(data)),
  // Node's zlib writes zstd frames; the pipeline itself never compresses with zstd.
  zstd: (data) => zlib.zstdCompressSync(data),
};

async function refused(codec: Codec, compressed: Buffer): Promise<DecompressionLimitError> {
  const err = await codec.decompress(compressed).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof DecompressionLimitError, `expected DecompressionLimitError, got ${String(err)}`);
  assert.equal(err.code, 'DECOMPRESSED_BATCH_TOO_LARGE');
  assert.equal(err.retriable, false);
  assert.match(err.message, /INGEST_MAX_DECOMPRESSED_BYTES/);
  return err;
}

for (const name of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`${name}: a batch within the limit round-trips, a bomb over it is refused`, async () => {
    const ok = text(LIMIT - 4096);
    assert.ok((await codecs[name].decompress(compressors[name](ok))).equals(ok));
    // 16 MiB of zeros: a few KiB to 800 KiB compressed, 16 times the limit decompressed.
    const bomb = compressors[name](zeros(16 * LIMIT));
    const before = process.memoryUsage().arrayBuffers;
    await refused(codecs[name], bomb);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 8 * LIMIT, `${name}: ${(grown / LIMIT).toFixed(1)} MiB of buffers allocated refusing the bomb`);
  });
}

test('zstd: a frame declaring a 1.5 GiB window or content size is refused before anything is allocated', async () => {
  const frame = zlib.zstdCompressSync(text(1000));
  // Frame header: magic (4), FLG (1), then a window descriptor when not single-segment.
  const flg = frame[4]!;
  const declaredContent = Buffer.concat([
    frame.subarray(0, 4),
    // single segment, 4-byte content size: 1.5 GiB; then one raw last block of 3 bytes.
    Uint8Array.of(0xa0), Buffer.from(Uint32Array.of(1536 * 1024 * 1024).buffer), Uint8Array.of((3 << 3) | 1, 0, 0), Buffer.from('abc'),
  ]);
  await refused(codecs.zstd, declaredContent);
  const hugeWindow = Buffer.concat([frame.subarray(0, 4), Uint8Array.of(0x00, (20 << 3) | 4), Uint8Array.of((3 << 3) | 1, 0, 0), Buffer.from('abc')]);
  await refused(codecs.zstd, hugeWindow);
  assert.ok(flg !== undefined);
});

test('snappy: xerial-framed chunks are counted together', async () => {
  const chunk = Buffer.from(snappy.compress(zeros(LIMIT / 2 + 1)));
  const framed = (count: number) => {
    const parts: Buffer[] = [Buffer.from([130, 83, 78, 65, 80, 80, 89, 0, 0, 0, 0, 1, 0, 0, 0, 1])];
    for (let i = 0; i < count; i++) {
      const size = Buffer.alloc(4);
      size.writeUInt32BE(chunk.length);
      parts.push(size, chunk);
    }
    return Buffer.concat(parts);
  };
  assert.equal((await codecs.snappy.decompress(framed(1))).length, LIMIT / 2 + 1);
  await refused(codecs.snappy, framed(2));
});

test('gzip: what kafkajs producers write still decodes (gzip and zlib framing)', async () => {
  const data = text(10_000);
  assert.ok((await codecs.gzip.decompress(await codecs.gzip.compress({ buffer: data }))).equals(data));
  assert.ok((await codecs.gzip.decompress(zlib.deflateSync(data))).equals(data));
});
