// Cost per email of scorer/canonical.ts on a 6 KB body: pure ASCII (the fast path), and the same
// body with 5% of its letters disguised (half Cyrillic look-alikes, half followed by a zero-width
// space). Also the HTML of that body through visibleTextOfHtml. Prints JSON: median µs per call.
//   node bench/canonical.ts
import { canonicalText, visibleTextOfHtml } from '../scorer/canonical.ts';
import { createRandom } from '../scorer/random.ts';

const BODY_BYTES = 6 * 1024;
const CALLS_PER_RUN = 2000;
const RUNS = 9;
const WORDS = ['your', 'account', 'invoice', 'payment', 'please', 'review', 'the', 'attached', 'order', 'free', 'offer', 'limited', 'time', 'click',
  'here', 'to', 'verify', 'security', 'update', 'meeting', 'tomorrow', 'project', 'report', 'thanks', 'regards', 'and', 'for', 'with', 'price', 'deal'];
const LOOK_ALIKES: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', i: 'і' };

const random = createRandom(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

let ascii = '';
while (ascii.length < BODY_BYTES) ascii += pick(WORDS) + (random() < 0.1 ? '.\n' : ' ');
ascii = ascii.slice(0, BODY_BYTES);

let disguised = '';
for (const char of ascii) {
  if (/[a-z]/.test(char) && random() < 0.05) disguised += random() < 0.5 && LOOK_ALIKES[char] !== undefined ? LOOK_ALIKES[char] : `${char}\u200B`;
  else disguised += char;
}
// Bodies arrive flat from the decoder; strings built with += here are ropes, which read slower.
ascii = flat(ascii);
disguised = flat(disguised);
const html = flat(`<html><body>${disguised.split('\n').map((line) => `<p>${line.replace(/ (\w)/g, ' <b></b>$1')}</p>`).join('')}</body></html>`);

function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** A yardstick for the machine of the moment: one charCodeAt pass over the body, nothing else. */
function plainPass(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  return sum;
}

/**
 * Median over RUNS of the µs per call, as wall time and as this process's CPU time: on a shared
 * machine the wall time includes waiting for a core, the CPU time does not.
 */
function medianMicroseconds(run: () => unknown): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let k = 0; k < CALLS_PER_RUN; k++) run();
    wall.push(Number(process.hrtime.bigint() - start) / 1000 / CALLS_PER_RUN);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / CALLS_PER_RUN);
  }
  const median = (samples: number[]): number => Number(samples.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!.toFixed(2));
  return { wall: median(wall), cpu: median(cpu) };
}

const disguisedResult = canonicalText(disguised);
console.log(JSON.stringify({
  bodyChars: { ascii: ascii.length, disguised: disguised.length, html: html.length },
  disguisedCounts: { invisible: disguisedResult.invisible, confusables: disguisedResult.confusables, mixedScriptWords: disguisedResult.mixedScriptWords },
  restoredExactly: disguisedResult.text === ascii,
  microsecondsPerCall: {
    yardstickOneCharCodeAtPass: medianMicroseconds(() => plainPass(disguised)),
    canonicalTextAscii: medianMicroseconds(() => canonicalText(ascii)),
    canonicalTextDisguised: medianMicroseconds(() => canonicalText(disguised)),
    visibleTextOfHtml: medianMicroseconds(() => visibleTextOfHtml(html)),
    visibleTextThenCanonical: medianMicroseconds(() => canonicalText(visibleTextOfHtml(html).text)),
  },
}, null, 2));
