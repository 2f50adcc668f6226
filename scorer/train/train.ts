// `mailscore train`: corpus → the serving MIME and feature code → logistic regression over the
// context part plus the most incriminating body window (AdaGrad, L2, the gradient flowing through
// the window the max picked) → ONNX model + model card. Deterministic: same corpus, seed and options give the same
// model bytes (single-threaded float64 arithmetic, seeded shuffles, no timestamps in the files).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { EmailEventFields } from '../../schemas/contracts.ts';
import { eventFromRawMessage } from '../mime.ts';
import { extractFeatures, FEATURE_SPEC_VERSION, FeatureGroup, HASH_BITS, HASH_BUCKETS, SHIPPED, type EmailFeatures, type FeatureVariant } from '../features.ts';
import { encodeLinearModel, predictParts, GRAPH_FORMAT, ONNX_OPSET, type LinearModel } from '../onnx_model.ts';
import { CORPUS_PACKAGE, loadCorpus, type CorpusMessage } from './corpus.ts';
import { adversarialTrainingSet, ADVERSARIAL_KEY_MARK, DEFAULT_ADVERSARIAL_OPTIONS } from './adversarial.ts';
import { binaryMetrics, type BinaryMetrics } from './metrics.ts';
import { MODEL_CARD_FILE, MODEL_FILE, type ModelCard } from '../model_card.ts';
import { createRandom } from '../random.ts';

export interface TrainOptions {
  readonly outputDirectory: string;
  readonly seed: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly log: (message: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS = { seed: 20261126, epochs: 12, learningRate: 1, l2: 1e-6 } as const;
export const DECISION_THRESHOLD = 0.5;
const ALL_GROUPS = new Set(Object.values(FeatureGroup));

export interface ParsedExample { readonly key: string; readonly spam: boolean; readonly heldOut: boolean; readonly event: EmailEventFields }
export interface LabelledFeatures { readonly key: string; readonly spam: boolean; readonly heldOut: boolean; readonly features: EmailFeatures }

/** Seed of the adversarial rewrites added to the training split (the evaluation uses others). */
export const AUGMENTATION_SEED = 20261127;

/**
 * Exactly what serving does to a raw message before features: the MIME parse. Done once. With
 * `augment`, the training split also gets its adversarial rewrites (scorer/train/adversarial.ts:
 * every training spam disguised one way, half the training ham lightly rewritten), so the model has
 * seen the tricks; the held-out split is never rewritten here.
 */
export async function parseCorpus(options: { augment: boolean } = { augment: false }): Promise<ParsedExample[]> {
  const corpus = await loadCorpus();
  const messages: CorpusMessage[] = options.augment
    ? [...corpus, ...(await adversarialTrainingSet(corpus.filter((m) => !m.heldOut), DEFAULT_ADVERSARIAL_OPTIONS, AUGMENTATION_SEED))]
    : corpus;
  const fixedTime = Date.UTC(2002, 0, 1);
  const parsed: ParsedExample[] = [];
  for (const message of messages) {
    const event = await eventFromRawMessage(message.raw, { tenantId: 'corpus', fallbackMessageId: message.key, fallbackReceivedAtMs: fixedTime });
    parsed.push({ key: message.key, spam: message.spam, heldOut: message.heldOut, event });
  }
  return parsed;
}

export function featurise(parsed: readonly ParsedExample[], groups: ReadonlySet<FeatureGroup> = ALL_GROUPS, variant: FeatureVariant = SHIPPED): LabelledFeatures[] {
  return parsed.map(({ event, ...rest }) => ({ ...rest, features: extractFeatures(event, groups, variant) }));
}

export function evaluate(model: Pick<LinearModel, 'weights' | 'bias'>, set: readonly LabelledFeatures[]): BinaryMetrics {
  return binaryMetrics(set.map((e) => e.spam), set.map((e) => predictParts(model, e.features.indices, e.features.values, e.features.parts) >= DECISION_THRESHOLD));
}

export async function train(options: TrainOptions): Promise<ModelCard> {
  const started = Date.now();
  const examples = featurise(await parseCorpus({ augment: true }));
  const trainSet = examples.filter((e) => !e.heldOut);
  const heldOut = examples.filter((e) => e.heldOut);
  options.log(`featurised ${examples.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s: ${trainSet.length} train, ${heldOut.length} held out`);

  const model = fitLogisticRegression(trainSet, options);
  const heldOutMetrics = evaluate(model, heldOut);
  const weightsDigest = createHash('sha256').update(new Uint8Array(model.weights.buffer)).update(String(model.bias)).digest('hex');
  const version = `${FEATURE_SPEC_VERSION}-${GRAPH_FORMAT}-lr-${weightsDigest.slice(0, 12)}`;
  const bytes = encodeLinearModel({ ...model, metadata: { version, feature_spec: FEATURE_SPEC_VERSION, graph_format: GRAPH_FORMAT } });
  const card: ModelCard = {
    version,
    kind: 'hashed-logistic-regression',
    featureSpec: { version: FEATURE_SPEC_VERSION, hashBits: HASH_BITS, buckets: HASH_BUCKETS, groups: [...ALL_GROUPS] },
    decisionThreshold: DECISION_THRESHOLD,
    training: {
      corpus: `${CORPUS_PACKAGE}@${await packageVersion(CORPUS_PACKAGE)}`,
      split: 'held out when md5("<folder>/<filename>") starts with 0, 1 or 2; trained on the rest only',
      trainMessages: trainSet.filter((e) => !e.key.includes(ADVERSARIAL_KEY_MARK)).length,
      adversarialTrainMessages: trainSet.filter((e) => e.key.includes(ADVERSARIAL_KEY_MARK)).length,
      augmentation: `scorer/train/adversarial.ts, seed ${AUGMENTATION_SEED}: each training spam rewritten by one transform drawn from homoglyphs, zero_width, html_split, reencode, padding (training ham text) and combined; half the training ham lightly rewritten`,
      heldOutMessages: heldOut.length,
      seed: options.seed,
      epochs: options.epochs,
      learningRate: options.learningRate,
      l2: options.l2,
      optimiser: 'AdaGrad on log loss, examples shuffled with a seeded PRNG (mulberry32) each epoch',
      mimeParser: `scorer/mime.ts (addresses and encoded words by postal-mime@${await packageVersion('postal-mime')})`,
      onnxOpset: ONNX_OPSET,
      command: 'make train (node app/main.ts train)',
      reproducible: 'same corpus, package versions, seed and options give the same model bytes: training is single-threaded float64 with seeded shuffles, and no timestamp is written',
    },
    heldOut: heldOutMetrics,
    train: evaluate(model, trainSet),
    modelSha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await mkdir(options.outputDirectory, { recursive: true });
  // The model first, the card last: a watcher reloads on the card and checks the two agree.
  await writeAtomically(join(options.outputDirectory, MODEL_FILE), bytes);
  await writeAtomically(join(options.outputDirectory, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
  options.log(`wrote ${version} to ${options.outputDirectory}: held-out F1 ${heldOutMetrics.f1}, FPR ${heldOutMetrics.falsePositiveRate}`);
  return card;
}

export interface AblationRow { readonly without: FeatureGroup | null; readonly f1: number; readonly fpr: number; readonly falsePositives: number; readonly falseNegatives: number }

/** Held-out F1 and FPR with every feature group, then without each one in turn. */
export async function ablation(options: Omit<TrainOptions, 'outputDirectory'>): Promise<AblationRow[]> {
  const parsed = await parseCorpus({ augment: true });
  const rows: AblationRow[] = [];
  for (const without of [null, ...ALL_GROUPS]) {
    const groups = new Set([...ALL_GROUPS].filter((g) => g !== without));
    const examples = featurise(parsed, groups);
    const model = fitLogisticRegression(examples.filter((e) => !e.heldOut), { ...options, log: () => undefined });
    const m = evaluate(model, examples.filter((e) => e.heldOut));
    rows.push({ without, f1: m.f1, fpr: m.falsePositiveRate, falsePositives: m.falsePositives, falseNegatives: m.falseNegatives });
    options.log(`ablation ${without === null ? 'all groups' : `without ${without}`}: F1 ${m.f1}, FPR ${m.falsePositiveRate}`);
  }
  return rows;
}

export interface ChangeAblationRow {
  readonly variant: string;
  readonly clean: { readonly f1: number; readonly fpr: number };
  /** Spam F1 over clean held-out ham + each rewritten held-out spam set. */
  readonly rewritten: Readonly<Record<string, number>>;
}

/**
 * What each defence against obfuscation buys: the shipped model, then trained and served without
 * the adversarial training examples, without canonical text, and without the narrow windows, each
 * scored on the clean held-out split and on the held-out spam rewritten by each given set.
 */
export async function changeAblation(rewrittenSpam: Readonly<Record<string, readonly ParsedExample[]>>, options: Omit<TrainOptions, 'outputDirectory'>): Promise<ChangeAblationRow[]> {
  const augmented = await parseCorpus({ augment: true });
  const plain = augmented.filter((e) => !e.key.includes(ADVERSARIAL_KEY_MARK));
  const variants: Array<{ name: string; parsed: readonly ParsedExample[]; variant: FeatureVariant }> = [
    { name: 'shipped', parsed: augmented, variant: SHIPPED },
    { name: 'without adversarial training examples', parsed: plain, variant: SHIPPED },
    { name: 'without canonical text', parsed: augmented, variant: { ...SHIPPED, canonicalText: false } },
    { name: 'without narrow windows (the body as one part)', parsed: augmented, variant: { ...SHIPPED, narrowWindows: false } },
  ];
  const rows: ChangeAblationRow[] = [];
  for (const { name, parsed, variant } of variants) {
    const examples = featurise(parsed, ALL_GROUPS, variant);
    const model = fitLogisticRegression(examples.filter((e) => !e.heldOut), { ...options, log: () => undefined });
    const heldOut = examples.filter((e) => e.heldOut);
    const clean = evaluate(model, heldOut);
    const ham = heldOut.filter((e) => !e.spam);
    const rewritten = Object.fromEntries(Object.entries(rewrittenSpam).map(([set, spam]) => [set, evaluate(model, [...ham, ...featurise(spam, ALL_GROUPS, variant)]).f1]));
    rows.push({ variant: name, clean: { f1: clean.f1, fpr: clean.falsePositiveRate }, rewritten });
    options.log(`${name}: clean F1 ${clean.f1}, FPR ${clean.falsePositiveRate}; ${Object.entries(rewritten).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return rows;
}

export function fitLogisticRegression(examples: readonly LabelledFeatures[], options: Omit<TrainOptions, 'outputDirectory'>): { weights: Float32Array; bias: number } {
  const w = new Float64Array(HASH_BUCKETS);
  const g2 = new Float64Array(HASH_BUCKETS).fill(1e-8);
  let b = 0;
  let bg2 = 1e-8;
  const random = createRandom(options.seed);
  const order = examples.map((_, i) => i);
  const scores = new Float64Array(examples.reduce((most, e) => Math.max(most, e.features.parts.length), 2));
  const averaged = new Float64Array(HASH_BUCKETS);
  let averagedBias = 0;
  let snapshots = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (const index of order) {
      const { features, spam } = examples[index]!;
      const { indices, values, parts } = features;
      // The score of each part; the email's is its context plus its best window.
      let k = 0;
      for (let part = 0; part < parts.length; part++) {
        let sum = 0;
        for (const end = parts[part]!; k < end; k++) sum += w[indices[k]!]! * values[k]!;
        scores[part] = sum;
      }
      let best = 1;
      for (let part = 2; part < parts.length; part++) if (scores[part]! > scores[best]!) best = part;
      const z = b + scores[0]! + scores[best]!;
      const p = 1 / (1 + Math.exp(-z));
      const y = spam ? 1 : 0;
      loss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
      const error = p - y;
      const step = (from: number, to: number) => {
        for (let k = from; k < to; k++) {
          const bucket = indices[k]!;
          const gradient = error * values[k]! + options.l2 * w[bucket]!;
          g2[bucket]! += gradient * gradient;
          w[bucket]! -= (options.learningRate * gradient) / Math.sqrt(g2[bucket]!);
        }
      };
      step(0, parts[0]!);
      step(parts[best - 1]!, parts[best]!);
      bg2 += error * error;
      b -= (options.learningRate * error) / Math.sqrt(bg2);
    }
    options.log(`epoch ${epoch + 1}/${options.epochs}: mean log loss ${(loss / examples.length).toFixed(5)}`);
    // The model is the average of the weights after each epoch of the second half: one shuffle's
    // luck then moves the held-out numbers far less than the last epoch's weights alone do.
    if (epoch >= Math.floor(options.epochs / 2)) {
      for (let i = 0; i < w.length; i++) averaged[i]! += w[i]!;
      averagedBias += b;
      snapshots++;
    }
  }
  for (let i = 0; i < averaged.length; i++) averaged[i]! /= snapshots;
  return { weights: Float32Array.from(averaged), bias: Math.fround(averagedBias / snapshots) };
}

async function packageVersion(name: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}
