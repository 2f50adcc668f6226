import { parseCorpus } from './train/train.ts';
import { extractFeatures } from './features.ts';
const events = (await parseCorpus()).map((p) => p.event);
const t = process.cpuUsage();
for (let pass = 0; pass < 6; pass++) for (const e of events) extractFeatures(e);
const u = process.cpuUsage(t);
console.log(((u.user + u.system) / events.length / 6).toFixed(1), 'µs');
