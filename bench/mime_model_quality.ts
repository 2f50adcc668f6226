// Held-out quality of a model trained on each raw-MIME parser's output (same seed, options and
// split as `mailscore train`, nothing written): the spam and ham each one gets wrong.
//   node bench/mime_model_quality.ts
import { DEFAULT_TRAIN_OPTIONS, featurise, fitLogisticRegression, DECISION_THRESHOLD, type ParsedExample } from '../scorer/train/train.ts';
import { predictLinear } from '../scorer/onnx_model.ts';
import { loadCorpus } from '../scorer/train/corpus.ts';
import { eventFromRawMessage } from '../scorer/mime.ts';
import { mailparserEvent } from './mime_mailparser.ts';
const corpus = await loadCorpus();
const wrong: Record<string, string[]> = {};
for (const [name, parse] of [['mailparser', mailparserEvent], ['mime', eventFromRawMessage]] as const) {
  const parsed: ParsedExample[] = [];
  for (const m of corpus) parsed.push({ key: m.key, spam: m.spam, heldOut: m.heldOut, event: await parse(m.raw, { tenantId: 'corpus', fallbackMessageId: m.key, fallbackReceivedAtMs: Date.UTC(2002, 0, 1) }) });
  const ex = featurise(parsed);
  const model = fitLogisticRegression(ex.filter((e) => !e.heldOut), { ...DEFAULT_TRAIN_OPTIONS, log: () => {} });
  wrong[name] = ex.filter((e) => e.heldOut && (predictLinear(model, e.features.indices, e.features.values) >= DECISION_THRESHOLD) !== e.spam).map((e) => `${e.key} p=${predictLinear(model, e.features.indices, e.features.values).toFixed(3)}`);
}
console.log(JSON.stringify(wrong, null, 1));
