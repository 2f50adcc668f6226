// Feature extraction alone on the SpamAssassin corpus, one thread: CPU µs per email (the MIME
// parse happens once, before timing). What the workers spend per email, without the pool, the
// broker or the database around it. Profile with `node --cpu-prof bench/features.ts`.
//
// Passes alternate between the shipped extractor and the same extractor without the defences
// against obfuscation (canonical text, narrow windows: the ablation's variant), so a noisy
// stretch of the machine falls on both alike; the ratio is what those defences cost.
//   node bench/features.ts [--passes 5] [--warmup 2]
import { parseArgs } from 'node:util';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { ALL_GROUPS, extractFeatures, SHIPPED, type FeatureVariant } from '../scorer/features.ts';
import { parseRawMessage } from '../scorer/mime.ts';
import { loadCorpus } from '../scorer/train/corpus.ts';
import { median, round } from './stats.ts';

const { values: args } = parseArgs({ options: { passes: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' } } });
const WITHOUT_DEFENCES: FeatureVariant = { canonicalText: false, narrowWindows: false };

const events: EmailEventFields[] = [];
for (const m of await loadCorpus()) {
  try {
    events.push(parseRawMessage(m.raw, { tenantId: 'corpus', fallbackMessageId: m.key, fallbackReceivedAtMs: Date.UTC(2002, 0, 1) }));
  } catch {
    // A message the parser refuses is not scored by features either.
  }
}

function pass(variant: FeatureVariant): { cpuMicros: number; buckets: number } {
  let buckets = 0;
  const started = process.cpuUsage();
  for (const event of events) buckets += extractFeatures(event, ALL_GROUPS, variant).indices.length;
  const used = process.cpuUsage(started);
  return { cpuMicros: (used.user + used.system) / events.length, buckets: buckets / events.length };
}

for (let i = 0; i < Number(args.warmup); i++) {
  pass(SHIPPED);
  pass(WITHOUT_DEFENCES);
}
const shipped: Array<{ cpuMicros: number; buckets: number }> = [];
const without: Array<{ cpuMicros: number; buckets: number }> = [];
for (let i = 0; i < Number(args.passes); i++) {
  shipped.push(pass(SHIPPED));
  without.push(pass(WITHOUT_DEFENCES));
}
const line = (label: string, passes: Array<{ cpuMicros: number; buckets: number }>) => {
  const micros = passes.map((p) => round(p.cpuMicros, 1));
  console.log(`${label}: ${round(median(micros), 1)} µs CPU per email (passes ${micros.join(' / ')}), ${round(passes[0]!.buckets, 0)} active buckets per email`);
  return median(micros);
};
console.log(`features of ${events.length} corpus emails, one thread`);
const withDefences = line('  shipped', shipped);
const plain = line('  without canonical text and narrow windows', without);
const ratios = shipped.map((p, i) => p.cpuMicros / without[i]!.cpuMicros);
console.log(`  the defences cost ${round((median(ratios) - 1) * 100, 1)}% (median of the per-pair ratios; ${ratios.map((r) => round(r, 2)).join(' / ')}); ${round(withDefences / plain, 2)} from the medians`);
