import { parseCorpus, featurise, fitLogisticRegression, evaluate, DEFAULT_TRAIN_OPTIONS, type ParsedExample } from './train/train.ts';
import { buildPaddingPool, TRANSFORMS, transformCorpus, DEFAULT_ADVERSARIAL_OPTIONS } from './train/adversarial.ts';
import { loadCorpus } from './train/corpus.ts';
import { eventFromRawMessage } from './mime.ts';
const parsed = await parseCorpus({ augment: process.env.AUG !== '0' });
const trainP = parsed.filter((p) => !p.heldOut);
const testP = parsed.filter((p) => p.heldOut);
const model = fitLogisticRegression(featurise(trainP), { ...DEFAULT_TRAIN_OPTIONS, seed: Number(process.env.SEED ?? DEFAULT_TRAIN_OPTIONS.seed), epochs: Number(process.env.EP ?? DEFAULT_TRAIN_OPTIONS.epochs), learningRate: Number(process.env.LR ?? DEFAULT_TRAIN_OPTIONS.learningRate), log: () => undefined });
const m = evaluate(model, featurise(testP));
console.log('clean', m.f1.toFixed(4), 'fpr', m.falsePositiveRate.toFixed(4), 'fp', m.falsePositives, 'fn', m.falseNegatives);
const corpus = await loadCorpus();
const pool = await buildPaddingPool(corpus.filter((c) => !c.heldOut));
const spam = corpus.filter((c) => c.heldOut && c.spam);
const ham = testP.filter((p) => !p.spam);
const indep = { ...DEFAULT_ADVERSARIAL_OPTIONS, homoglyphWordRate: 0.6, homoglyphLetterRate: 0.5, zeroWidthWordRate: 0.6, zeroWidthMaxPerWord: 3, htmlSplitWordRate: 0.6, htmlEntityRate: 0.25, paddingWords: { min: 500, max: 1200 }, paddingRunLength: 1 };
for (const [name, seed, options] of [['own', 7, DEFAULT_ADVERSARIAL_OPTIONS], ['indep', 99, indep]] as const) {
  const row: string[] = [];
  for (const t of TRANSFORMS) {
    const rewritten = await transformCorpus(spam, t, seed, { pool, options });
    const ex: ParsedExample[] = [];
    for (const r of rewritten) ex.push({ key: r.key, spam: true, heldOut: true, event: await eventFromRawMessage(r.raw, { tenantId: 'x', fallbackMessageId: r.key, fallbackReceivedAtMs: 1 }) });
    const mm = evaluate(model, featurise([...ham, ...ex]));
    row.push(`${t}=${mm.f1.toFixed(3)}`);
  }
  console.log(name, row.join(' '));
}
