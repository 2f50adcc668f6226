// The compression codecs kafkajs decodes record batches with, each bounded: a record batch
// may decompress to at most `maxDecompressedBytes` (INGEST_MAX_DECOMPRESSED_BYTES). A 1 MiB
// compressed batch can otherwise expand to gigabytes (gzip and zstd bombs) before a single
// record is looked at. gzip replaces kafkajs's own (zlib with maxOutputLength); snappy (plain
// and the Java client's xerial framing), LZ4 frames and zstd are added, all pure JavaScript.
// For the formats that declare sizes (snappy, LZ4, zstd) the size is read and checked before
// anything is allocated.
//
// A batch over the limit fails the fetch with DecompressionLimitError, which is not retriable:
// kafkajs then stops the consumer for good (CRASH with restart: false) instead of refetching
// the same batch forever, and the process's crash handling takes it from there. A batch cannot
// be dead-lettered: its records are exactly what could not be read.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import * as snappy from 'snappyjs';
import * as lz4 from 'lz4js';
import { decompress as zstdDecompress } from 'fzstd';

export interface CodecLimits {
  /** The most bytes one record batch may decompress to. */
  readonly maxDecompressedBytes: number;
}

export class DecompressionLimitError extends Error {
  readonly code = 'DECOMPRESSED_BATCH_TOO_LARGE';
  /** The same batch comes back on every fetch: retrying cannot help. */
  readonly retriable = false;
  override readonly name = 'DecompressionLimitError';
}

export interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const gzip = promisify(zlib.gzip);
const unzip = promisify(zlib.unzip);

function tooLarge(codec: string, compressed: number, limit: number, size?: number): DecompressionLimitError {
  const what = size === undefined ? `more than ${limit} bytes` : `${size} bytes, more than ${limit}`;
  return new DecompressionLimitError(
    `a ${codec} record batch of ${compressed} bytes decompresses to ${what} (INGEST_MAX_DECOMPRESSED_BYTES): ` +
    'refusing to read it; the consumer stops at this batch',
  );
}

/** The codecs, by kafkajs compression type, each held to `limits`. */
export function createCodecs(limits: CodecLimits): { gzip: Codec; snappy: Codec; lz4: Codec; zstd: Codec } {
  const limit = limits.maxDecompressedBytes;
  return {
    gzip: {
      async compress(encoder) {
        return gzip(encoder.buffer);
      },
      async decompress(buffer) {
        try {
          // unzip, as kafkajs's own codec: gzip or zlib framing.
          return await unzip(buffer, { maxOutputLength: limit });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', buffer.length, limit);
          throw err;
        }
      },
    },
    snappy: {
      async compress(encoder) {
        return asBuffer(snappy.compress(encoder.buffer));
      },
      async decompress(buffer) {
        return snappyDecompress(buffer, limit);
      },
    },
    lz4: {
      async compress(encoder) {
        return asBuffer(lz4.compress(encoder.buffer));
      },
      async decompress(buffer) {
        // No more than the limit is allocated, and decoding stops at the first block past it.
        const out = new Uint8Array(Math.min(lz4FrameBound(buffer, limit), limit));
        const size = lz4FrameBlocks(buffer, out, () => tooLarge('lz4', buffer.length, limit));
        return asBuffer(out.subarray(0, size));
      },
    },
    zstd: {
      async compress() {
        throw new Error('this pipeline reads zstd batches but does not write them: produce with gzip, snappy or lz4');
      },
      async decompress(buffer) {
        if (zstdBound(buffer, limit) > limit) throw tooLarge('zstd', buffer.length, limit);
        const out = zstdDecompress(buffer);
        if (out.length > limit) throw tooLarge('zstd', buffer.length, limit, out.length);
        return asBuffer(out);
      },
    },
  };
}

/**
 * Registers the codecs with kafkajs, held to `limits`. kafkajs keeps codecs in one
 * process-wide table: the last call's limits apply to every consumer of the process.
 */
export function registerCompressionCodecs(limits: CodecLimits): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  const codecs = createCodecs(limits);
  CompressionCodecs[CompressionTypes.GZIP] = () => codecs.gzip;
  CompressionCodecs[CompressionTypes.Snappy] = () => codecs.snappy;
  CompressionCodecs[CompressionTypes.LZ4] = () => codecs.lz4;
  CompressionCodecs[CompressionTypes.ZSTD] = () => codecs.zstd;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

// --- snappy: plain, or xerial framing (Java client): a 16-byte header, then chunks of
// [u32 BE length][raw snappy]. Each raw chunk starts with its uncompressed length (varint).
const XERIAL_HEADER = Buffer.from([130, 83, 78, 65, 80, 80, 89, 0]);
const XERIAL_CHUNKS_AT = 16;

function snappyDecompress(buffer: Buffer, limit: number): Buffer {
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(XERIAL_HEADER)) {
    if (snappyLength(buffer) > limit) throw tooLarge('snappy', buffer.length, limit, snappyLength(buffer));
    return asBuffer(snappy.uncompress(buffer, limit));
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let at = XERIAL_CHUNKS_AT; at + 4 <= buffer.length;) {
    const size = buffer.readUInt32BE(at);
    at += 4;
    if (at + size > buffer.length) throw new Error('corrupt snappy record batch: a xerial chunk runs past the batch');
    const chunk = buffer.subarray(at, at + size);
    at += size;
    total += snappyLength(chunk);
    if (total > limit) throw tooLarge('snappy', buffer.length, limit);
    chunks.push(snappy.uncompress(chunk, limit));
  }
  return Buffer.concat(chunks, total);
}

/** The uncompressed length a raw snappy block declares (a little-endian varint). */
function snappyLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0, shift = 1; i < 5 && i < block.length; i++, shift *= 128) {
    value += (block[i]! & 0x7f) * shift;
    if (block[i]! < 0x80) return value;
  }
  throw new Error('corrupt snappy record batch: no uncompressed length');
}

// --- LZ4 frame: magic, descriptor (FLG, BD, [content size], header checksum), then blocks of
// [u32 LE size, high bit = stored uncompressed][data][block checksum?] until a zero size.
const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/**
 * An upper bound of what an LZ4 frame decompresses to, from its block headers, not from the
 * content size it may declare, which nothing checks: a stored block is its size, a compressed
 * one at most the frame's block maximum and at most 255 bytes per input byte (the format's
 * longest match per length byte). Stops counting past `limit`.
 */
function lz4FrameBound(src: Uint8Array, limit: number): number {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const corrupt = () => new Error('corrupt lz4 record batch: truncated frame');
  if (src.length < 7 || view.getUint32(0, true) !== LZ4_MAGIC) throw new Error('corrupt lz4 record batch: not an LZ4 frame');
  const flg = src[4]!;
  const blockMax = LZ4_BLOCK_MAX[(src[5]! >> 4) & 7]!;
  if (blockMax === 0) throw new Error('corrupt lz4 record batch: invalid block size');
  const blockChecksum = (flg & 0x10) !== 0;
  let at = 6 + ((flg & 0x08) !== 0 ? 8 : 0) + 1;
  let bound = 0;
  for (;;) {
    if (at + 4 > src.length) throw corrupt();
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) return bound;
    const size = word & 0x7fffffff;
    bound += (word & 0x80000000) !== 0 ? size : Math.min(blockMax, 255 * size + 16);
    if (bound > limit) return bound;
    at += size + (blockChecksum ? 4 : 0);
  }
}

/**
 * Decompresses an LZ4 frame block by block into `out`; throws `full()` as soon as a block goes
 * past the end of `out` (lz4js itself would carry on, its writes past a typed array dropped).
 */
function lz4FrameBlocks(src: Uint8Array, out: Uint8Array, full: () => Error): number {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const flg = src[4]!;
  const blockChecksum = (flg & 0x10) !== 0;
  let at = 6 + ((flg & 0x08) !== 0 ? 8 : 0) + 1;
  let written = 0;
  for (;;) {
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) return written;
    const size = word & 0x7fffffff;
    if (at + size > src.length) throw new Error('corrupt lz4 record batch: truncated block');
    if ((word & 0x80000000) !== 0) {
      if (written + size > out.length) throw full();
      out.set(src.subarray(at, at + size), written);
      written += size;
    } else {
      written = lz4.decompressBlock(src, out, at, size, written);
      if (written > out.length) throw full();
    }
    at += size + (blockChecksum ? 4 : 0);
  }
}

// --- zstd: frames (or skippable frames) one after the other; each frame a header (window
// and content size), then blocks with 3-byte headers: raw (size bytes), RLE (one byte repeated
// size times) or compressed (at most min(window, 128 KiB) once decompressed).
const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX = 128 << 10;

/**
 * An upper bound of what a zstd batch decompresses to, read from its frame and block headers;
 * past `limit` (including a window or declared content size the decoder would allocate) it stops
 * and returns a number over `limit`.
 */
function zstdBound(src: Uint8Array, limit: number): number {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > src.length) throw new Error('corrupt zstd record batch: truncated frame');
  };
  let total = 0;
  for (let at = 0; at < src.length;) {
    need(at, 4);
    const magic = view.getUint32(at, true);
    if (((magic & 0xfffffff0) >>> 0) === 0x184d2a50) {
      need(at, 8);
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new Error('corrupt zstd record batch: not a zstd frame');
    need(at, 6);
    const flg = src[at + 4]!;
    const singleSegment = (flg >> 5) & 1;
    let p = at + 5;
    let window = 0;
    if (!singleSegment) {
      const wd = src[p++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    p += [0, 1, 2, 4][flg & 3]!;
    const fcsBytes = flg >> 6 ? 1 << (flg >> 6) : singleSegment;
    need(p, fcsBytes);
    let contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + src[p + i]!;
    if (fcsBytes === 2) contentSize += 256;
    p += fcsBytes;
    if (singleSegment) window = contentSize;
    // fzstd allocates the declared content size (or the window) up front.
    if (window > limit || contentSize > limit) return limit + 1;
    const blockMax = Math.min(window, ZSTD_BLOCK_MAX);
    for (let last = 0; !last;) {
      need(p, 3);
      const header = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16);
      p += 3;
      last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw new Error('corrupt zstd record batch: reserved block type');
      total += type === 2 ? blockMax : size;
      if (total > limit) return total;
      p += type === 1 ? 1 : size;
    }
    at = p + ((flg >> 2) & 1 ? 4 : 0);
  }
  return total;
}
