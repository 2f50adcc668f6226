import { parseCorpus } from './train/train.ts';
import { extractFeatures } from './features.ts';
import { extractFeatures as oldExtract } from './zz_old_features.ts';
const parsed = await parseCorpus();
const events = parsed.map((p) => p.event);
for (const [name, fn] of [['new', extractFeatures], ['old', oldExtract]] as const) {
  const times: number[] = [];
  let nnz = 0, parts = 0;
  for (let pass = 0; pass < 5; pass++) {
    const t = process.cpuUsage();
    for (const e of events) { const f = fn(e); if (pass === 0) { nnz += f.indices.length; parts += (f as any).parts?.length ?? 1; } }
    const u = process.cpuUsage(t);
    times.push((u.user + u.system) / events.length);
  }
  times.sort((a, b) => a - b);
  console.log(name, 'µs/email median', times[2]!.toFixed(1), 'min', times[0]!.toFixed(1), 'max', times[4]!.toFixed(1), 'nnz/email', (nnz / events.length).toFixed(0), 'parts/email', (parts / events.length).toFixed(2));
}
const f = extractFeatures(events[5]!);
console.log(f.parts, Array.from({ length: 12 }, (_, k) => f.nameAt(k)));
