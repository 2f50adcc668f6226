// `make eval`: the held-out split scored by mailscore, SpamAssassin and Rspamd in one run;
// writes bench/results/quality.json and quality.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadCorpus } from '../../scorer/train/corpus.ts';
import { binaryMetrics } from '../../scorer/train/metrics.ts';
import { readModelCard } from '../../scorer/model_card.ts';
import { ablation, DEFAULT_TRAIN_OPTIONS } from '../../scorer/train/train.ts';
import { runOurs, runSpamAssassin, type EngineRun } from './engines.ts';
import { runRspamd } from './rspamd.ts';

const FAIRNESS = [
  'No network here: SpamAssassin and Rspamd run without DNS blocklists, URI blocklists, Razor, Pyzor, DCC, fuzzy hashes or rule updates (sa-update), all of which they use in production. This handicaps them; mailscore uses no network either.',
  'SpamAssassin\'s rules are the ones Debian ships, years newer than this 2002-2003 corpus; some rules may have been tuned on this very public corpus, which would favour SpamAssassin.',
  'mailscore\'s model is trained on the training split of the same corpus, like the Bayes modes; the default modes of SpamAssassin and Rspamd have never seen it. Compare mailscore with the Bayes modes for like-for-like learning.',
  'The corpus has no envelope, client IP, HELO or authentication results: every engine scores the message alone, so SPF/DKIM/DMARC and connection checks (theirs and ours) are idle.',
  'Throughput: mailscore is timed on one worker thread inside its process (median of three passes after a warm-up pass). SpamAssassin is timed through spamc (one client process per message, as a milter or MTA hook runs it) against spamd with one child per core. Rspamd is timed over HTTP with many requests in flight against one worker per core. Per-core rates divide by the cores each engine had.',
]

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = process.env.MODEL_DIR ?? join(ROOT, 'models/current');
const SCRATCH = join(ROOT, '.local/eval');
const RESULTS = join(ROOT, 'bench/results');
const only = (process.env.EVAL_ENGINES ?? 'mailscore,spamassassin,rspamd').split(',');

const corpus = await loadCorpus();
const heldOut = corpus.filter((m) => m.heldOut);
const trainSet = corpus.filter((m) => !m.heldOut);
const labels = heldOut.map((m) => m.spam);
const card = await readModelCard(MODEL_DIR);
console.error(`held-out split: ${heldOut.length} messages (${labels.filter(Boolean).length} spam); training split: ${trainSet.length}`);

const runs: EngineRun[] = [];
const step = async (name: string, action: () => Promise<EngineRun>) => {
  console.error(`scoring with ${name} ...`);
  const result = await action();
  console.error(`  ${name}: ${result.predictedSpam.length} messages in ${result.seconds.toFixed(1)} s`);
  runs.push(result);
};
if (only.includes('mailscore')) await step('mailscore', () => runOurs(MODEL_DIR, heldOut));
if (only.includes('spamassassin')) {
  await step('spamassassin (default)', () => runSpamAssassin(SCRATCH, trainSet, heldOut, false));
  await step('spamassassin (bayes)', () => runSpamAssassin(SCRATCH, trainSet, heldOut, true));
}
if (only.includes('rspamd')) {
  await step('rspamd (default)', () => runRspamd(SCRATCH, trainSet, heldOut, false));
  await step('rspamd (bayes)', () => runRspamd(SCRATCH, trainSet, heldOut, true));
}

const entries = runs.map((r) => {
  const m = binaryMetrics(labels, r.predictedSpam);
  const brier = r.probabilities === undefined ? null
    : round(r.probabilities.reduce((s, p, i) => s + (p - (labels[i] ? 1 : 0)) ** 2, 0) / labels.length);
  return {
    engine: r.engine, mode: r.mode, precision: m.precision, recall: m.recall, f1: m.f1, fpr: m.falsePositiveRate,
    brier, eps: round(heldOut.length / r.seconds), eps_per_core: round(heldOut.length / r.seconds / r.cores), cores: r.cores,
    false_positives: m.falsePositives, false_negatives: m.falseNegatives, notes: r.notes,
  };
});
const ours = entries.find((e) => e.engine === 'mailscore');
const oursRun = runs.find((r) => r.engine === 'mailscore');
const reliability = oursRun?.probabilities === undefined ? [] : reliabilityBins(oursRun.probabilities, labels, 10);
console.error('ablation: training without each feature group ...');
const ablationRows = only.includes('mailscore') ? await ablation({ ...DEFAULT_TRAIN_OPTIONS, log: (m) => console.error(`  ${m}`) }) : [];
const command = 'make eval';
const report = {
  command, generated_at: new Date().toISOString(), model_version: card.version,
  held_out: { messages: heldOut.length, spam: labels.filter(Boolean).length, rule: 'md5("<folder>/<filename>") starts with 0, 1 or 2' },
  entries,
  calibration: { brier: ours?.brier ?? null, reliability },
  ablation: ablationRows,
  fairness: FAIRNESS,
  speedup_vs: Object.fromEntries(entries.filter((e) => e !== ours && ours).map((e) => [`${e.engine}/${e.mode}`, Math.round((ours!.eps_per_core / e.eps_per_core) * 10) / 10])),
};
await mkdir(RESULTS, { recursive: true });
await writeFile(join(RESULTS, 'quality.json'), `${JSON.stringify(report, null, 2)}\n`);
const table = [
  '| engine | mode | precision | recall | F1 | ham FPR | Brier | emails/s per core |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...entries.map((e) => `| ${e.engine} | ${e.mode} | ${e.precision.toFixed(4)} | ${e.recall.toFixed(4)} | ${e.f1.toFixed(4)} | ${(e.fpr * 100).toFixed(2)}% | ${e.brier ?? '–'} | ${e.eps_per_core.toFixed(1)} |`),
];
const markdown = [
  '# Detection quality on the held-out split', '',
  `Produced by \`${command}\` at ${report.generated_at}, model ${card.version}, ${heldOut.length} held-out messages (${report.held_out.spam} spam).`, '',
  ...table, '',
  ...Object.entries(report.speedup_vs).map(([k, v]) => `- mailscore scores ${v.toFixed(1)}× as many emails per core as ${k}.`),
  '', '## How each engine was run', '',
  ...entries.map((e) => `- **${e.engine} / ${e.mode}**: ${e.notes.join('; ')}.`), '',
  '## What makes the comparison unfair, either way', '',
  ...FAIRNESS.map((f) => `- ${f}`), '',
  '## Calibration of mailscore\'s probabilities', '',
  `Brier score ${ours?.brier ?? '–'} (0 is perfect; always answering the spam base rate would score ${round(baseRateBrier(labels))}).`, '',
  '| predicted probability | emails | mean predicted | observed spam share |',
  '| --- | --- | --- | --- |',
  ...reliability.map((b) => `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.count} | ${b.count === 0 ? '–' : b.meanPredicted.toFixed(3)} | ${b.count === 0 ? '–' : b.observed.toFixed(3)} |`), '',
  '## What each feature group earns (held-out, trained without it)', '',
  '| feature group left out | F1 | ham FPR | false positives | false negatives |',
  '| --- | --- | --- | --- | --- |',
  ...ablationRows.map((a) => `| ${a.without ?? '(none: the shipped model)'} | ${a.f1.toFixed(4)} | ${(a.fpr * 100).toFixed(2)}% | ${a.falsePositives} | ${a.falseNegatives} |`), '',
].join('\n');
await writeFile(join(RESULTS, 'quality.md'), markdown);
console.log(markdown);

interface ReliabilityBin { from: number; to: number; count: number; meanPredicted: number; observed: number }

function reliabilityBins(probabilities: readonly number[], truth: readonly boolean[], bins: number): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, count: 0, sumP: 0, spam: 0 }));
  probabilities.forEach((p, i) => {
    const bin = out[Math.min(bins - 1, Math.floor(p * bins))]!;
    bin.count += 1;
    bin.sumP += p;
    if (truth[i]) bin.spam += 1;
  });
  return out.map((b) => ({ from: b.from, to: b.to, count: b.count, meanPredicted: round(b.count === 0 ? 0 : b.sumP / b.count), observed: round(b.count === 0 ? 0 : b.spam / b.count) }));
}

function baseRateBrier(truth: readonly boolean[]): number {
  const rate = truth.filter(Boolean).length / truth.length;
  return truth.reduce((s, t) => s + (rate - (t ? 1 : 0)) ** 2, 0) / truth.length;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
