// `mailscore train`: corpus → the serving feature code → logistic regression (AdaGrad, L2) →
// ONNX model + model card. Deterministic: same corpus, seed and options give the same bytes.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { eventFromRawMessage } from '../mime.ts';
import { extractFeatures, FEATURE_SPEC_VERSION, HASH_BITS, HASH_BUCKETS, type EmailFeatures } from '../features.ts';
import { encodeLinearModel, predictLinear } from '../onnx_model.ts';
import { CORPUS_PACKAGE, corpusDirectory, loadCorpus } from './corpus.ts';
import { binaryMetrics, type BinaryMetrics } from './metrics.ts';
import { MODEL_CARD_FILE, MODEL_FILE, type ModelCard } from '../model_card.ts';

export interface TrainOptions {
  readonly outputDirectory: string;
  readonly seed: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly log: (message: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS = { seed: 20261126, epochs: 12, learningRate: 0.5, l2: 1e-6 } as const;
const DECISION_THRESHOLD = 0.5;

export interface LabelledFeatures { readonly key: string; readonly spam: boolean; readonly heldOut: boolean; readonly features: EmailFeatures }

/** Exactly what serving does to a raw message, minus Kafka: parse, then extract features. */
export async function featuresOfCorpus(): Promise<LabelledFeatures[]> {
  const corpus = await loadCorpus();
  const fixedTime = Date.UTC(2002, 0, 1);
  const examples: LabelledFeatures[] = [];
  for (const message of corpus) {
    const event = await eventFromRawMessage(message.raw, { tenantId: 'corpus', fallbackMessageId: message.key, fallbackReceivedAtMs: fixedTime });
    examples.push({ key: message.key, spam: message.spam, heldOut: message.heldOut, features: extractFeatures(event) });
  }
  return examples;
}

export async function train(options: TrainOptions): Promise<ModelCard> {
  const started = Date.now();
  const examples = await featuresOfCorpus();
  const trainSet = examples.filter((e) => !e.heldOut);
  const heldOut = examples.filter((e) => e.heldOut);
  options.log(`featurised ${examples.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s: ${trainSet.length} train, ${heldOut.length} held out`);

  const { weights, bias } = fitLogisticRegression(trainSet, options);
  const model = { weights, bias };
  const evaluate = (set: LabelledFeatures[]): BinaryMetrics =>
    binaryMetrics(set.map((e) => e.spam), set.map((e) => predictLinear(model, e.features.indices, e.features.values) >= DECISION_THRESHOLD));
  const heldOutMetrics = evaluate(heldOut);
  const trainMetrics = evaluate(trainSet);

  const weightsDigest = createHash('sha256').update(new Uint8Array(weights.buffer)).update(String(bias)).digest('hex');
  const version = `${FEATURE_SPEC_VERSION}-lr-${weightsDigest.slice(0, 12)}`;
  const bytes = encodeLinearModel({ weights, bias, metadata: { version, feature_spec: FEATURE_SPEC_VERSION } });
  const card: ModelCard = {
    version,
    kind: 'hashed-logistic-regression',
    featureSpec: { version: FEATURE_SPEC_VERSION, hashBits: HASH_BITS, buckets: HASH_BUCKETS },
    decisionThreshold: DECISION_THRESHOLD,
    training: {
      corpus: `${CORPUS_PACKAGE}@${await packageVersion()}`,
      split: 'held out when md5("<folder>/<filename>") starts with 0, 1 or 2; trained on the rest only',
      trainMessages: trainSet.length,
      heldOutMessages: heldOut.length,
      seed: options.seed,
      epochs: options.epochs,
      learningRate: options.learningRate,
      l2: options.l2,
      optimiser: 'AdaGrad on log loss, examples shuffled with a seeded PRNG each epoch',
      reproducible: 'same corpus, seed and options give the same model bytes (single-threaded float64 training)',
    },
    heldOut: heldOutMetrics,
    train: trainMetrics,
    modelSha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await mkdir(options.outputDirectory, { recursive: true });
  await writeAtomically(join(options.outputDirectory, MODEL_FILE), bytes);
  await writeAtomically(join(options.outputDirectory, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
  options.log(`wrote ${version} to ${options.outputDirectory}: held-out F1 ${heldOutMetrics.f1}, FPR ${heldOutMetrics.falsePositiveRate}`);
  return card;
}

function fitLogisticRegression(examples: LabelledFeatures[], options: TrainOptions): { weights: Float32Array; bias: number } {
  const w = new Float64Array(HASH_BUCKETS);
  const g2 = new Float64Array(HASH_BUCKETS).fill(1e-8);
  let b = 0;
  let bg2 = 1e-8;
  const random = mulberry32(options.seed);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (const index of order) {
      const { features, spam } = examples[index]!;
      let z = b;
      for (let k = 0; k < features.indices.length; k++) z += w[features.indices[k]!]! * features.values[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const y = spam ? 1 : 0;
      loss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
      const error = p - y;
      for (let k = 0; k < features.indices.length; k++) {
        const bucket = features.indices[k]!;
        const gradient = error * features.values[k]! + options.l2 * w[bucket]!;
        g2[bucket]! += gradient * gradient;
        w[bucket]! -= (options.learningRate * gradient) / Math.sqrt(g2[bucket]!);
      }
      bg2 += error * error;
      b -= (options.learningRate * error) / Math.sqrt(bg2);
    }
    options.log(`epoch ${epoch + 1}/${options.epochs}: mean log loss ${(loss / examples.length).toFixed(5)}`);
  }
  return { weights: Float32Array.from(w), bias: Math.fround(b) };
}

/** Small seeded PRNG: reproducible shuffles without a dependency. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function packageVersion(): Promise<string> {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(await readFile(require.resolve(`${CORPUS_PACKAGE}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

export { corpusDirectory };
