// The sparse vector an email becomes, built part by part without a string per feature.
//
// An email is one context part (headers, subject, links, structure) followed by windows of its
// body text. Each part is L2-normalised on its own, and the model adds the context's score to the
// score of the most incriminating window (scorer/onnx_model.ts): text appended to spam to dilute it
// ("hash-buster" padding) lands in windows of its own and cannot lower the window that carries
// the spam.
//
// Features are hashed from their parts (a namespace, a word's code units, two words' hashes) into
// dense per-thread scratch arrays, touching only the buckets an email uses. A feature's name is
// never built while extracting: each bucket remembers where its first feature came from, and a
// name is rebuilt only for the few buckets an explanation shows.

export const HASH_BITS = 18;
export const HASH_BUCKETS = 1 << HASH_BITS;
const MASK = HASH_BUCKETS - 1;

export const FNV_OFFSET = 0x811c9dc5;

export function fnvString(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

export function fnvUnit(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** Two hashes into one, well mixed (murmur3's finaliser): a pair of words, a namespace and a word. */
export function combine(first: number, second: number): number {
  let h = Math.imul(first, 0x9e3779b1) ^ second;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Where a feature came from, enough to rebuild its name on demand. */
export const SourceKind = { name: 0, word: 1, pair: 2, ngram: 3 } as const;

/**
 * The extracted vector. `parts[p]` is where part p ends in `indices`; part 0 is the context, the
 * others are body windows (there is always at least one, maybe empty). Within a part each bucket
 * appears once.
 */
export interface SparseParts {
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly parts: Int32Array;
}

export interface Namer {
  /** The name of the feature at position `k` of `indices`; valid until this thread extracts the next email. */
  nameAt(k: number): string;
}

/** Rebuilds the text of a range of a text: a word (SourceKind.word) or a character n-gram (SourceKind.ngram). */
export type RangeNamer = (kind: number, text: string, start: number, end: number) => string;

/**
 * One open part: weights summed per bucket. A dense bucket → slot map (one random access per
 * feature, into 1 MiB), the slots themselves compact, so closing a part or adding it to another
 * walks only the buckets it used.
 */
class OpenPart {
  private readonly slotOf = new Int32Array(HASH_BUCKETS).fill(-1);
  bucketAt = new Int32Array(1024);
  weightAt = new Float64Array(1024);
  firstSource = new Int32Array(1024);
  count = 0;

  /** Adds `weight` to the bucket of `hash`; true when the bucket is new in this part, its source being `source`. */
  bump(hash: number, weight: number, source: number): boolean {
    const bucket = hash & MASK;
    const slot = this.slotOf[bucket]!;
    if (slot !== -1) {
      this.weightAt[slot]! += weight;
      return false;
    }
    if (this.count === this.bucketAt.length) this.grow();
    this.slotOf[bucket] = this.count;
    this.bucketAt[this.count] = bucket;
    this.weightAt[this.count] = weight;
    this.firstSource[this.count++] = source;
    return true;
  }

  /** Adds every bucket of `other` (its summed weight, its source) to this part. */
  addPart(other: OpenPart): void {
    const { bucketAt, weightAt, firstSource } = other;
    for (let i = 0; i < other.count; i++) this.bump(bucketAt[i]!, weightAt[i]!, firstSource[i]!);
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.slotOf[this.bucketAt[i]!] = -1;
    this.count = 0;
  }

  private grow(): void {
    this.bucketAt = grownInt32(this.bucketAt);
    this.firstSource = grownInt32(this.firstSource);
    const weights = new Float64Array(this.weightAt.length * 2);
    weights.set(this.weightAt);
    this.weightAt = weights;
  }
}

export class PartBuilder {
  private readonly open = new OpenPart();
  /** A second part filled alongside the first: the wide window over the body's words, the sum of its narrow windows. */
  private readonly wide = new OpenPart();

  // Output of the email so far.
  private outIndices = new Int32Array(4096);
  private outValues = new Float32Array(4096);
  private outSources = new Int32Array(4096);
  private outLength = 0;
  private partEnds: number[] = [];

  // Sources: kind, namespace, text, and two ranges (a pair needs both).
  private sourceKind = new Uint8Array(4096);
  private sourceInts = new Int32Array(4096 * 6);
  private sourceCount = 0;
  private strings: string[] = [];
  private generation = 0;

  private readonly rangeNamer: RangeNamer;

  constructor(rangeNamer: RangeNamer) {
    this.rangeNamer = rangeNamer;
  }

  begin(): void {
    this.open.clear();
    this.wide.clear();
    this.outLength = 0;
    this.partEnds = [];
    this.sourceCount = 0;
    this.strings = [];
    this.generation++;
  }

  /** Registers a string (a namespace, a text) for names rebuilt later; returns its id. */
  text(value: string): number {
    this.strings.push(value);
    return this.strings.length - 1;
  }

  /** Adds `weight` to the bucket of `hash` in the open part; true when the bucket is new there (call `source` next). */
  bump(hash: number, weight: number): boolean {
    return this.open.bump(hash, weight, this.sourceCount);
  }

  /** The same for the wide part, for what only it holds: character n-grams, and word pairs across two narrow windows. */
  bumpWide(hash: number, weight: number): boolean {
    return this.wide.bump(hash, weight, this.sourceCount);
  }

  /** Records the source of the bucket(s) the last bumps opened. */
  source(kind: number, namespace: number, text: number, start: number, end: number, start2 = 0, end2 = 0): void {
    if (this.sourceCount === this.sourceKind.length) {
      const kinds = new Uint8Array(this.sourceKind.length * 2);
      kinds.set(this.sourceKind);
      this.sourceKind = kinds;
      const ints = new Int32Array(this.sourceInts.length * 2);
      ints.set(this.sourceInts);
      this.sourceInts = ints;
    }
    const at = this.sourceCount * 6;
    this.sourceKind[this.sourceCount] = kind;
    this.sourceInts[at] = namespace;
    this.sourceInts[at + 1] = text;
    this.sourceInts[at + 2] = start;
    this.sourceInts[at + 3] = end;
    this.sourceInts[at + 4] = start2;
    this.sourceInts[at + 5] = end2;
    this.sourceCount++;
  }

  /**
   * Closes the open part: sub-linear weights, L2-normalised, in the order the buckets were first
   * used (the model sums them in the order given; sorting would cost more than it buys).
   */
  endPart(): void {
    this.close(this.open);
  }

  /**
   * Closes the open part as a narrow window of the body, adding its buckets to the wide part
   * first: the wide part gets each word once per window instead of once per word.
   */
  endWindow(): void {
    this.wide.addPart(this.open);
    this.close(this.open);
  }

  /** Closes the wide part, which becomes the next part. */
  endWidePart(): void {
    this.close(this.wide);
  }

  private close(part: OpenPart): void {
    const count = part.count;
    while (this.outLength + count > this.outIndices.length) {
      this.outIndices = grownInt32(this.outIndices);
      this.outSources = grownInt32(this.outSources);
      const values = new Float32Array(this.outValues.length * 2);
      values.set(this.outValues);
      this.outValues = values;
    }
    const base = this.outLength;
    const { bucketAt, weightAt, firstSource } = part;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      const total = weightAt[i]!;
      // Sub-linear in repeats; a fractional count (a down-weighted feature seen once) stays as it is.
      const weight = total <= 1 ? total : 1 + Math.log(total);
      this.outIndices[base + i] = bucketAt[i]!;
      this.outValues[base + i] = weight;
      this.outSources[base + i] = firstSource[i]!;
      norm += weight * weight;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < count; i++) this.outValues[base + i]! *= scale;
    this.outLength += count;
    this.partEnds.push(this.outLength);
    part.clear();
  }

  finish(): SparseParts & Namer {
    const generation = this.generation;
    const length = this.outLength;
    const partCount = this.partEnds.length;
    // One allocation for the email's four arrays: a typed array's memory is allocated outside
    // the heap, and four allocations per email cost more than the copying.
    const buffer = new ArrayBuffer((length * 3 + partCount) * 4);
    const indices = new Int32Array(buffer, 0, length);
    const values = new Float32Array(buffer, length * 4, length);
    const sources = new Int32Array(buffer, length * 8, length);
    const parts = new Int32Array(buffer, length * 12, partCount);
    indices.set(this.outIndices.subarray(0, length));
    values.set(this.outValues.subarray(0, length));
    sources.set(this.outSources.subarray(0, length));
    for (let p = 0; p < partCount; p++) parts[p] = this.partEnds[p]!;
    return {
      indices,
      values,
      parts,
      nameAt: (k: number): string => {
        if (generation !== this.generation) throw new Error('feature names are only kept until the next email is extracted in this thread');
        return this.nameOf(sources[k]!);
      },
    };
  }

  private nameOf(source: number): string {
    const at = source * 6;
    const ints = this.sourceInts;
    const namespace = this.strings[ints[at]!]!;
    if (this.sourceKind[source] === SourceKind.name) return namespace;
    const text = this.strings[ints[at + 1]!]!;
    const kind = this.sourceKind[source]!;
    const first = this.rangeNamer(kind === SourceKind.pair ? SourceKind.word : kind, text, ints[at + 2]!, ints[at + 3]!);
    if (kind !== SourceKind.pair) return `${namespace}:${first}`;
    return `${namespace}:${first} ${this.rangeNamer(SourceKind.word, text, ints[at + 4]!, ints[at + 5]!)}`;
  }
}

function grownInt32(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}
