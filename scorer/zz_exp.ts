// Quick experiment: clean held-out and padded held-out spam.
import { parseCorpus, featurise, fitLogisticRegression, evaluate, DEFAULT_TRAIN_OPTIONS, type ParsedExample } from './train/train.ts';
import { createRandom } from './random.ts';
import { binaryMetrics } from './train/metrics.ts';
import { predictParts } from './onnx_model.ts';
import { extractFeatures } from './features.ts';
const parsed = await parseCorpus();
const trainP = parsed.filter((p) => !p.heldOut);
const testP = parsed.filter((p) => p.heldOut);
const hamWords = trainP.filter((p) => !p.spam).flatMap((p) => (p.event.textBody ?? '').split(/\s+/).filter(Boolean).slice(0, 400));
const pad = (p: ParsedExample, seed: number): ParsedExample => {
  const r = createRandom(seed);
  const n = 200 + Math.floor(r() * 400);
  const start = Math.floor(r() * (hamWords.length - n));
  const padding = hamWords.slice(start, start + n).join(' ');
  const e = p.event;
  return { ...p, event: { ...e, textBody: e.textBody ? `${e.textBody}\n\n${padding}` : '', htmlBody: e.htmlBody ? `${e.htmlBody}<p>${padding}</p>` : e.htmlBody } };
};
const augment = process.env.AUG === '1';
const trainSet = [...trainP, ...(augment ? trainP.filter((p) => p.spam).map((p, i) => pad(p, 1000 + i)) : [])];
const t0 = Date.now();
const model = fitLogisticRegression(featurise(trainSet), { ...DEFAULT_TRAIN_OPTIONS, epochs: Number(process.env.EP ?? DEFAULT_TRAIN_OPTIONS.epochs), learningRate: Number(process.env.LR ?? DEFAULT_TRAIN_OPTIONS.learningRate), l2: Number(process.env.L2 ?? DEFAULT_TRAIN_OPTIONS.l2), log: () => undefined });
console.log('train s', (Date.now() - t0) / 1000);
const clean = evaluate(model, featurise(testP));
console.log('clean', clean.f1.toFixed(4), 'fpr', clean.falsePositiveRate.toFixed(4), 'fp', clean.falsePositives, 'fn', clean.falseNegatives);
const padded = testP.map((p, i) => (p.spam ? pad(p, 5000 + i) : p));
const pm = evaluate(model, featurise(padded));
console.log('padded', pm.f1.toFixed(4), 'recall', pm.recall.toFixed(4), 'fpr', pm.falsePositiveRate.toFixed(4));
