// Raw-MIME parsing on the SpamAssassin corpus: speed (µs per message, one thread) and
// whether each parser yields the same EmailEventFields and the same features as the reference
// (mailparser, the parser scorer/mime.ts used before). Writes bench/results/mime_parsers.json.
//   node bench/mime_parsers.ts [--passes 3] [--warmup 2] [--examples 3] [--only <parser name prefix>]
import { writeFile } from 'node:fs/promises';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { EmailEventFields } from '../schemas/contracts.ts';
import { extractFeatures } from '../scorer/features.ts';
import { eventFromRawMessage, type RawIdentity } from '../scorer/mime.ts';
import { mailparserEvent } from './mime_mailparser.ts';
import { postalEvent } from './mime_postal.ts';
import { loadCorpus, type CorpusMessage } from '../scorer/train/corpus.ts';
import { median, round } from './stats.ts';

type Parse = (raw: Buffer, identity: RawIdentity) => Promise<EmailEventFields>;
interface Variant { readonly name: string; readonly parse: Parse }

const VARIANTS: readonly Variant[] = [
  { name: 'mailparser (reference)', parse: mailparserEvent },
  { name: 'postal-mime', parse: postalEvent },
  { name: 'scorer/mime.ts', parse: eventFromRawMessage },
];
const FIELDS = ['messageId', 'receivedAtMs', 'subject', 'from', 'replyTo', 'to', 'cc', 'envelope', 'textBody', 'htmlBody', 'urls', 'attachments', 'headers'] as const;

const { values: args } = parseArgs({ options: { passes: { type: 'string', default: '3' }, warmup: { type: 'string', default: '2' }, examples: { type: 'string', default: '3' }, only: { type: 'string' } } });
const passes = Number(args.passes);
const exampleCount = Number(args.examples);

const corpus = await loadCorpus();
const identityOf = (m: CorpusMessage): RawIdentity => ({ tenantId: 'corpus', fallbackMessageId: m.key, fallbackReceivedAtMs: Date.UTC(2002, 0, 1) });

/**
 * One pass over the corpus: every result (or the error), and the CPU time each message took.
 * CPU time (getrusage, this process) rather than wall time: the machine is shared, and a
 * preempted thread's wall time says nothing about the parser. One thread runs here, so the
 * process's CPU is this thread's plus what V8's GC threads spend for it.
 */
async function pass(variant: Variant): Promise<{ events: Array<EmailEventFields | Error>; micros: number[]; cpuMicros: number; wallMicros: number }> {
  const events: Array<EmailEventFields | Error> = [];
  const micros: number[] = [];
  const wallStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  for (const m of corpus) {
    const before = process.cpuUsage();
    try {
      events.push(await variant.parse(m.raw, identityOf(m)));
    } catch (err) {
      events.push(err as Error);
    }
    const used = process.cpuUsage(before);
    micros.push(used.user + used.system);
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { events, micros, cpuMicros: cpu.user + cpu.system, wallMicros: (performance.now() - wallStarted) * 1000 };
}

function shorten(value: unknown): string {
  const json = JSON.stringify(value) ?? 'undefined';
  return json.length > 300 ? `${json.slice(0, 300)}… (${json.length} chars)` : json;
}

/** Where two strings first differ, with some context either side. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 40);
  return `at ${i} (lengths ${a.length}/${b.length}): ${JSON.stringify(a.slice(from, i + 60))} vs ${JSON.stringify(b.slice(from, i + 60))}`;
}

/**
 * Where the reference has U+FFFD (bytes it could not decode: 8-bit text without a charset, or
 * labelled us-ascii) and the other string has a character at the same place, and nothing else
 * differs: a charset difference, not a parsing one.
 */
function onlyReplacementCharacters(reference: unknown, other: unknown): boolean {
  if (typeof reference !== 'string' || typeof other !== 'string') return onlyReplacementCharacters(JSON.stringify(reference) ?? '', JSON.stringify(other) ?? '');
  const a = [...reference];
  const b = [...other];
  if (a.length !== b.length) return false;
  let differs = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== '\uFFFD') return false;
    differs = true;
  }
  return differs;
}

function describe(a: unknown, b: unknown): string {
  if (typeof a === 'string' && typeof b === 'string') return firstDifference(a, b);
  return `${shorten(a)}\n      vs ${shorten(b)}`;
}

const results: Record<string, unknown>[] = [];
let reference: Array<EmailEventFields | Error> | undefined;
for (const variant of VARIANTS) {
  if (reference !== undefined && args.only !== undefined && !variant.name.startsWith(args.only)) continue;
  // Warm-up: the JIT needs a couple of passes before the code it runs settles.
  for (let w = 0; w < Number(args.warmup); w++) await pass(variant);
  const runs = [];
  for (let p = 0; p < passes; p++) runs.push(await pass(variant));
  const perMessage = runs.map((r) => r.cpuMicros / corpus.length);
  const sortedLast = [...runs.at(-1)!.micros].sort((x, y) => x - y);
  const events = runs.at(-1)!.events;
  const row: Record<string, unknown> = {
    parser: variant.name,
    messages: corpus.length,
    usPerMessageMedian: round(median(perMessage)),
    usPerMessagePasses: perMessage.map((x) => round(x)),
    wallUsPerMessagePasses: runs.map((r) => round(r.wallMicros / corpus.length)),
    p50Us: round(sortedLast[Math.floor(sortedLast.length * 0.5)]!),
    p99Us: round(sortedLast[Math.floor(sortedLast.length * 0.99)]!),
    maxUs: round(sortedLast.at(-1)!),
    errors: events.filter((e) => e instanceof Error).length,
  };
  if (reference === undefined) {
    reference = events;
  } else {
    const differing: Record<string, number> = {};
    /** Of those, the ones where the reference has U+FFFD where the other has a character. */
    const charsetOnly: Record<string, number> = {};
    const examples: Record<string, string[]> = {};
    let featuresDiffer = 0;
    const featureExamples: string[] = [];
    let errorMismatch = 0;
    events.forEach((event, i) => {
      const ref = reference![i]!;
      const key = corpus[i]!.key;
      if (ref instanceof Error || event instanceof Error) {
        if (!(ref instanceof Error && event instanceof Error)) {
          errorMismatch++;
          (examples.error ??= []).push(`${key}: ${ref instanceof Error ? ref.message : 'ok'} vs ${event instanceof Error ? event.message : 'ok'}`);
        }
        return;
      }
      for (const field of FIELDS) {
        if (isDeepStrictEqual(ref[field], event[field])) continue;
        differing[field] = (differing[field] ?? 0) + 1;
        if (onlyReplacementCharacters(ref[field], event[field])) charsetOnly[field] = (charsetOnly[field] ?? 0) + 1;
        const list = (examples[field] ??= []);
        if (list.length < exampleCount) list.push(`${key}: ${describe(ref[field], event[field])}`);
      }
      // Names are kept only until the next extraction: read them right after each.
      const fa = extractFeatures(ref);
      const namesA = Array.from(fa.indices, (_, k) => fa.nameAt(k));
      const fb = extractFeatures(event);
      const namesB = Array.from(fb.indices, (_, k) => fb.nameAt(k));
      if (!isDeepStrictEqual(fa.indices, fb.indices) || !isDeepStrictEqual(fa.values, fb.values) || fa.flags !== fb.flags) {
        featuresDiffer++;
        if (featureExamples.length < exampleCount) {
          const only = (x: string[], y: string[]) => x.filter((n) => !y.includes(n)).slice(0, 8);
          featureExamples.push(`${key}: only reference ${shorten(only(namesA, namesB))}; only ${variant.name} ${shorten(only(namesB, namesA))}`);
        }
      }
    });
    Object.assign(row, { errorMismatch, differing, charsetOnly, featuresDiffer });
    console.log(`\n${variant.name} vs reference: ${errorMismatch} error mismatches, features differ on ${featuresDiffer}`);
    for (const [field, list] of Object.entries(examples)) {
      console.log(`  ${field}: ${differing[field] ?? errorMismatch} differ (${charsetOnly[field] ?? 0} only where the reference has U+FFFD)`);
      for (const e of list) console.log(`    ${e}`);
    }
    for (const e of featureExamples) console.log(`  features ${e}`);
  }
  results.push(row);
}

console.log('\n| parser | CPU µs/message (median of passes) | passes (CPU µs) | wall µs | p50 CPU µs | p99 CPU µs | max CPU µs | errors | messages differing | features differing |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const d = r.differing as Record<string, number> | undefined;
  const c = (r.charsetOnly ?? {}) as Record<string, number>;
  const diff = d === undefined ? '—' : Object.entries(d).map(([f, n]) => `${f} ${n}${c[f] ? ` (${c[f]} U+FFFD)` : ''}`).join(', ') || 'none';
  console.log(`| ${String(r.parser)} | ${String(r.usPerMessageMedian)} | ${(r.usPerMessagePasses as number[]).join(' / ')} | ${(r.wallUsPerMessagePasses as number[]).join(' / ')} | ${String(r.p50Us)} | ${String(r.p99Us)} | ${String(r.maxUs)} | ${String(r.errors)} | ${diff} | ${r.featuresDiffer === undefined ? '—' : String(r.featuresDiffer)} |`);
}
await writeFile(new URL('results/mime_parsers.json', import.meta.url), `${JSON.stringify({ node: process.version, passes, clock: 'process CPU time (user + system)', results }, null, 2)}\n`);
