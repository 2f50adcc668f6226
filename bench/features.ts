// Feature extraction alone on the SpamAssassin corpus, one thread: CPU µs per email (the MIME
// parse happens once, before timing). What the workers spend per email, without the pool, the
// broker or the database around it. Profile with `node --cpu-prof bench/features.ts`.
//   node bench/features.ts [--passes 5] [--warmup 2]
import { parseArgs } from 'node:util';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { extractFeatures } from '../scorer/features.ts';
import { parseRawMessage } from '../scorer/mime.ts';
import { loadCorpus } from '../scorer/train/corpus.ts';
import { median, round } from './stats.ts';

const { values: args } = parseArgs({ options: { passes: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' } } });

const events: EmailEventFields[] = [];
for (const m of await loadCorpus()) {
  try {
    events.push(parseRawMessage(m.raw, { tenantId: 'corpus', fallbackMessageId: m.key, fallbackReceivedAtMs: Date.UTC(2002, 0, 1) }));
  } catch {
    // A message the parser refuses is not scored by features either.
  }
}

function pass(): { cpuMicros: number; buckets: number } {
  let buckets = 0;
  const started = process.cpuUsage();
  for (const event of events) buckets += extractFeatures(event).indices.length;
  const used = process.cpuUsage(started);
  return { cpuMicros: (used.user + used.system) / events.length, buckets: buckets / events.length };
}

for (let i = 0; i < Number(args.warmup); i++) pass();
const passes = Array.from({ length: Number(args.passes) }, pass);
const micros = passes.map((p) => round(p.cpuMicros, 1));
console.log(`features of ${events.length} corpus emails, one thread: ${round(median(micros), 1)} µs CPU per email (passes ${micros.join(' / ')}), ${round(passes[0]!.buckets, 0)} active buckets per email`);
