// `make eval`: the held-out split scored by mailscore, SpamAssassin and Rspamd in one run;
// writes bench/results/quality.json and quality.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadCorpus } from '../../scorer/train/corpus.ts';
import { binaryMetrics } from '../../scorer/train/metrics.ts';
import { readModelCard } from '../../scorer/model_card.ts';
import { runOurs, runSpamAssassin, type EngineRun } from './engines.ts';
import { runRspamd } from './rspamd.ts';

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
const command = 'make eval';
const report = {
  command, generated_at: new Date().toISOString(), model_version: card.version,
  held_out: { messages: heldOut.length, spam: labels.filter(Boolean).length, rule: 'md5("<folder>/<filename>") starts with 0, 1 or 2' },
  entries,
  speedup_vs: Object.fromEntries(entries.filter((e) => e !== ours && ours).map((e) => [`${e.engine}/${e.mode}`, round(ours!.eps_per_core / e.eps_per_core)])),
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
  ...Object.entries(report.speedup_vs).map(([k, v]) => `- mailscore scores ${v}× as many emails per core as ${k}.`),
  '', '## How each engine was run', '',
  ...entries.map((e) => `- **${e.engine} / ${e.mode}**: ${e.notes.join('; ')}.`), '',
].join('\n');
await writeFile(join(RESULTS, 'quality.md'), markdown);
console.log(markdown);

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
