// Type declarations for the small pure-JavaScript codec packages that ship none.
declare module 'lz4js' {
  export function compress(source: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(source: Uint8Array, maxSize?: number): Uint8Array;
}
declare module 'kafkajs-snappy' {
  const codec: () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export default codec;
}
declare module 'lz4js' {
  /** Decompresses one LZ4 frame into `dst`; returns the bytes written (writes past `dst` are lost). */
  export function decompressFrame(source: Uint8Array, dst: Uint8Array): number;
}
declare module 'snappyjs' {
  export function compress(source: Uint8Array): Uint8Array;
  /** Throws when the declared uncompressed length is over `maxLength`. */
  export function uncompress(source: Uint8Array, maxLength?: number): Uint8Array;
}
declare module 'lz4js' {
  /** Decompresses one LZ4 block of `src` into `dst` from `dIndex`; returns the end index (writes past `dst` are lost). */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}
