// A seeded fuzzer for the cost of one email. It builds hostile events with every field at its
// EVENT_LIMITS cap (ingest and the workers enforce the caps, so nothing larger reaches the
// scorer): structured events whose fields repeat the runs that make text scanners backtrack,
// and raw MIME messages up to `rawMessageBytes` that stress the parser (thousands of parts or
// headers, deep nesting, huge encoded words, broken base64). It measures the CPU time the
// worker's per-email path spends on each and climbs from the worst ones it has found by
// mutating them. `node scorer/fuzz.ts --seed 1 --iterations 400` prints the worst events.
//
// The budget it checks: no single event may cost more than 100 ms of CPU.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { EVENT_LIMITS, truncateChars } from '../schemas/limits.ts';
import { domainOf, explanationName, extractFeatures, HASH_BUCKETS } from './features.ts';
import { eventFromRawMessage } from './mime.ts';
import { assessRisk, DEFAULT_POLICY } from './risk.ts';
import { credentialHarvestUrl, formActionsIn, lookAlikeSender } from './phishing.ts';
import { createRandom } from './random.ts';

export const EMAIL_CPU_BUDGET_MS = 100;

/** Pieces whose repetition stresses a scanner: each is a prefix some pattern starts on and then fails. */
const UNITS = [
  'a', 'aB', ' ', '\t', '\r\n', '.', 'a.', '..', '-', '_', '1', '1.', '@', 'a@', 'a@a.', 'a@a', '+',
  '<', '<<', '>', '<a ', '<a href=http://x ', '<a href="https://a.b/c">', 'abcd</a>', '</a>', '<script>', '<style ', '</script',
  'href=', 'href ', 'http://', 'https://a.', 'http://a.b/', 'xn--', 'xn--a.', '://', '"', "'", '=', ':', ';', '#fff',
  'color:white ', 'background:white ', 'display ', 'font-size:0', '&', '&a', '&#1', '&nbsp', '!', '?', '$', ',',
  'by ', 'from ', 'with ', '[1.2.3.4] ', '(unknown ', 'esmtpa', '=?utf-8?B?', '?=', '=?', 'é', '\u00a0', '\u2028',
  '\u0000', '\ud835\udc00', '\ud83d\ude00', '\ud800', '\udc00', 'İ', 'ſ', 'K',
  // Markup for mailparser's HTML-to-text conversion of HTML-only mail.
  '<table><tr><td>', '<div>', '<ul><li>', '<pre>', '<br>', '<p>', '<img src=x>', '<!--', '-->', '<![CDATA[', '<h1>', '<blockquote>',
] as const;

type Mode = 'repeat' | 'mix';
/** How to fill one field: `repeat` cycles through the units, `mix` draws them at random. */
export interface Recipe {
  readonly units: readonly string[];
  readonly mode: Mode;
  readonly seed: number;
  /** Appended after the fill, inside the cap: a run often fails only on its last character. */
  readonly tail: string;
}

const FIELDS = [
  'subject', 'fromName', 'fromAddress', 'replyTo', 'mailFrom', 'textBody', 'htmlBody', 'urls', 'received', 'mailer',
  'precedence', 'priority', 'to', 'attachments', 'envelope',
] as const;
type Field = (typeof FIELDS)[number];

const RAW_SHAPES = ['html', 'text', 'parts', 'nested', 'headers', 'encodedWords', 'addresses', 'base64', 'quotedPrintable', 'attachments', 'charset'] as const;
type RawShape = (typeof RAW_SHAPES)[number];

/** A reproducible description of one hostile event: the generators turn it into the event. */
export type Genome =
  | { readonly kind: 'structured'; readonly fields: Partial<Record<Field, Recipe>> }
  | { readonly kind: 'raw'; readonly shape: RawShape; readonly count: number; readonly content: Recipe };

export interface Measured {
  readonly genome: Genome;
  /** CPU milliseconds of the per-email path. */
  readonly cpuMs: number;
  /** Set when the path threw (a refused message): its cost still counts. */
  readonly error?: string;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly iterations: number;
  /** Stops early after this much wall time (the re-measuring of the worst comes on top). */
  readonly budgetMs?: number;
  /** How many of the worst are kept to mutate and reported. */
  readonly keep?: number;
  /** Runs per reported event; the minimum is reported, which drops noise from other processes. */
  readonly repeats?: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly iterations: number;
  /** Worst first, each re-measured as the minimum of `repeats` runs. */
  readonly worst: Measured[];
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const random = createRandom(options.seed);
  const keep = options.keep ?? 8;
  const deadline = performance.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  let worst: Measured[] = [];
  let iterations = 0;
  while (iterations < options.iterations && performance.now() < deadline) {
    iterations++;
    // Mostly climb from what is worst so far; keep exploring fresh shapes as well.
    const parent = worst.length > 0 && random() < 0.6 ? worst[Math.floor(random() * worst.length)]!.genome : undefined;
    const genome = parent === undefined ? randomGenome(random) : mutate(parent, random, worst);
    const measured = await measureGenome(genome, 1);
    worst = [...worst, measured].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, keep);
  }
  const remeasured: Measured[] = [];
  for (const m of worst) remeasured.push(await measureGenome(m.genome, options.repeats ?? 3));
  return { seed: options.seed, iterations, worst: remeasured.sort((a, b) => b.cpuMs - a.cpuMs) };
}

/** The CPU time of the per-email path for the event `genome` describes: the minimum of `repeats` runs. */
export async function measureGenome(genome: Genome, repeats = 1): Promise<Measured> {
  const bytes = EmailEventCodec.encode(buildEvent(genome)).finish();
  let best = Number.POSITIVE_INFINITY;
  let error: string | undefined;
  for (let i = 0; i < repeats; i++) {
    const start = cpuMicros();
    try {
      await processEmail(bytes);
    } catch (err) {
      error = (err as Error).message;
    }
    best = Math.min(best, (cpuMicros() - start) / 1000);
  }
  return error === undefined ? { genome, cpuMs: best } : { genome, cpuMs: best, error };
}

/**
 * CPU time of this process in microseconds. Not process.threadCpuUsage(): on this project's
 * machines it is sampled at scheduler ticks (a 10 ms busy loop reads 6.5-9.9 ms, a 3 ms one
 * sometimes 0), while the process's counter is exact. The fuzzer runs no other threads, so the
 * process's time is this thread's plus V8's helper threads (parallel GC), which is conservative.
 */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

// Stand-in model weights for the explanation step: its cost does not depend on their values.
const weights = (() => {
  const random = createRandom(7);
  return Float32Array.from({ length: HASH_BUCKETS }, () => random() - 0.5);
})();

/**
 * What a worker does with one email, minus ONNX inference (a fixed cost per bucket): decode the
 * record, parse `raw_message` when that is all it carries, extract features, pick the
 * explanation's strongest features, and assess the risk (which runs domainOf on the sender).
 */
export async function processEmail(bytes: Uint8Array): Promise<void> {
  let event: EmailEventFields = EmailEventCodec.decode(bytes);
  if ((event.rawMessage?.length ?? 0) > 0 && !event.subject && !event.textBody && !event.htmlBody) {
    const parsed = await eventFromRawMessage(Buffer.from(event.rawMessage!), { tenantId: event.tenantId ?? '', fallbackMessageId: event.messageId ?? '', fallbackReceivedAtMs: 0 });
    event = { ...parsed, tenantId: event.tenantId ?? '', messageId: event.messageId ?? '', envelope: event.envelope ?? parsed.envelope ?? null };
  }
  const features = extractFeatures(event);
  const strength = (k: number) => Math.abs(weights[features.indices[k]!]! * features.values[k]!);
  const best: number[] = [];
  for (let k = 0; k < features.indices.length; k++) {
    if (best.length === 5 && strength(k) <= strength(best[4]!)) continue;
    let at = best.length;
    while (at > 0 && strength(best[at - 1]!) < strength(k)) at--;
    best.splice(at, 0, k);
    if (best.length > 5) best.pop();
  }
  const names = best.map((k) => explanationName(features.nameAt(k)));
  if (names.some((name) => !name.isWellFormed() || name.includes('\0'))) throw new Error('an explanation name is not well-formed');
  assessRisk({ probability: 0.5, flags: features.flags, intelHits: [], policy: { ...DEFAULT_POLICY, tenantId: 't', blockSenders: ['x.example'] }, senderAddress: event.from?.address ?? event.envelope?.mailFrom ?? '' });
  domainOf(event.replyTo?.address ?? '');
  // The phishing detectors, as the feature extractor calls them (until it does, here by hand).
  const fromDomain = domainOf(event.from?.address ?? event.envelope?.mailFrom ?? '');
  credentialHarvestUrl(event.urls ?? [], fromDomain, formActionsIn(event.htmlBody ?? ''));
  lookAlikeSender(fromDomain, event.from?.name ?? '');
}

export function randomRecipe(random: () => number): Recipe {
  const count = 1 + Math.floor(random() * 3);
  const units = Array.from({ length: count }, () => pick(UNITS, random));
  return { units, mode: random() < 0.6 ? 'repeat' : 'mix', seed: Math.floor(random() * 2 ** 31), tail: random() < 0.5 ? '' : pick(UNITS, random) };
}

/** `recipe` spelled out to exactly `chars` UTF-16 units or one fewer (truncateChars never splits a pair). */
export function fill(recipe: Recipe, chars: number): string {
  if (chars <= 0) return '';
  const random = createRandom(recipe.seed);
  const parts: string[] = [];
  let length = 0;
  const body = Math.max(0, chars - recipe.tail.length);
  for (let i = 0; length < body; i++) {
    const unit = recipe.mode === 'repeat' ? recipe.units[i % recipe.units.length]! : pick(recipe.units, random);
    if (unit.length === 0) break;
    parts.push(unit);
    length += unit.length;
  }
  return truncateChars(truncateChars(parts.join(''), body) + recipe.tail, chars);
}

function randomGenome(random: () => number): Genome {
  if (random() < 0.4) {
    return { kind: 'raw', shape: pick(RAW_SHAPES, random), count: Math.floor(random() * 5000), content: randomRecipe(random) };
  }
  // Every field at once costs more than any one; a few left ordinary show each one's share.
  const fields: Partial<Record<Field, Recipe>> = {};
  for (const field of FIELDS) if (random() < 0.7) fields[field] = randomRecipe(random);
  return { kind: 'structured', fields };
}

function mutate(genome: Genome, random: () => number, others: readonly Measured[]): Genome {
  if (genome.kind === 'raw') {
    const roll = random();
    if (roll < 0.3) return { ...genome, count: Math.max(0, Math.round(genome.count * (0.5 + random() * 1.5))) };
    if (roll < 0.4) return { ...genome, shape: pick(RAW_SHAPES, random) };
    return { ...genome, content: mutateRecipe(genome.content, random) };
  }
  const fields = { ...genome.fields };
  const field = pick(FIELDS, random);
  const roll = random();
  if (roll < 0.15) delete fields[field];
  else if (roll < 0.3) {
    // Crossover: a field from another of the worst.
    const other = others[Math.floor(random() * others.length)]?.genome;
    const recipe = other?.kind === 'structured' ? other.fields[field] : undefined;
    fields[field] = recipe ?? randomRecipe(random);
  } else fields[field] = fields[field] === undefined ? randomRecipe(random) : mutateRecipe(fields[field], random);
  return { kind: 'structured', fields };
}

function mutateRecipe(recipe: Recipe, random: () => number): Recipe {
  const units = [...recipe.units];
  const roll = random();
  if (roll < 0.3 && units.length < 4) units.splice(Math.floor(random() * (units.length + 1)), 0, pick(UNITS, random));
  else if (roll < 0.45 && units.length > 1) units.splice(Math.floor(random() * units.length), 1);
  else if (roll < 0.7) units[Math.floor(random() * units.length)] = pick(UNITS, random);
  else if (roll < 0.8) return { ...recipe, mode: recipe.mode === 'repeat' ? 'mix' : 'repeat' };
  else if (roll < 0.9) return { ...recipe, tail: random() < 0.3 ? '' : pick(UNITS, random) };
  return { ...recipe, units, seed: Math.floor(random() * 2 ** 31) };
}

/** The event a genome describes, every field at its cap. */
export function buildEvent(genome: Genome): EmailEventFields {
  const base: EmailEventFields = { tenantId: 'fuzz', messageId: 'fuzz-1', receivedAtMs: 1 };
  if (genome.kind === 'raw') return { ...base, rawMessage: rawMessage(genome) };
  const L = EVENT_LIMITS;
  const f = genome.fields;
  const text = (field: Field, chars: number, fallback: string) => (f[field] === undefined ? fallback : fill(f[field], chars));
  const address = (field: Field) => (f[field] === undefined ? 'someone@example.com' : fill(f[field], L.addressChars));
  const header = (name: string, field: Field, count: number) =>
    f[field] === undefined ? [] : Array.from({ length: count }, () => ({ name, value: fill(f[field]!, L.headerValueChars) }));
  const headers = [...header('Received', 'received', 70), ...header('X-Mailer', 'mailer', 10), ...header('Precedence', 'precedence', 10), ...header('X-Priority', 'priority', 10)];
  return {
    ...base,
    subject: text('subject', L.subjectChars, 'Hello'),
    from: { name: text('fromName', L.displayNameChars, 'Someone'), address: address('fromAddress') },
    replyTo: f.replyTo === undefined ? null : { name: fill(f.replyTo, L.displayNameChars), address: fill(f.replyTo, L.addressChars) },
    envelope: {
      mailFrom: address('mailFrom'),
      rcptTo: Array.from({ length: L.recipients }, () => address('to')),
      clientIp: text('envelope', L.envelopeTextChars, '192.0.2.1'),
      helo: text('envelope', L.envelopeTextChars, 'mx.example.com'),
    },
    to: Array.from({ length: L.recipients }, () => ({ name: text('to', L.displayNameChars, ''), address: address('to') })),
    cc: Array.from({ length: L.recipients }, () => ({ name: '', address: address('to') })),
    textBody: text('textBody', L.bodyChars, ''),
    htmlBody: text('htmlBody', L.bodyChars, ''),
    urls: f.urls === undefined ? [] : Array.from({ length: L.urls }, (_, i) => fill({ ...f.urls!, seed: f.urls!.seed + i }, L.urlChars)),
    attachments: f.attachments === undefined ? [] : Array.from({ length: L.attachments }, () => ({
      filename: fill(f.attachments!, L.attachmentTextChars),
      contentType: fill(f.attachments!, L.attachmentTextChars),
      sizeBytes: 1,
      sha256: 'ab'.repeat(32),
    })),
    headers: headers.slice(0, L.headers),
  };
}

/** A raw RFC 5322 message of the genome's shape, at most `rawMessageBytes` long. */
function rawMessage(genome: Extract<Genome, { kind: 'raw' }>): Uint8Array {
  const limit = EVENT_LIMITS.rawMessageBytes;
  const { shape, count, content } = genome;
  const head = 'From: Someone <someone@example.com>\r\nTo: you@example.com\r\nSubject: hello\r\nMessage-ID: <fuzz@example.com>\r\nMIME-Version: 1.0\r\n';
  const room = limit - head.length - 200;
  const chunk = (chars: number) => fill(content, chars);
  const repeatTo = (unit: (i: number) => string) => {
    const parts: string[] = [];
    let length = 0;
    for (let i = 0; length < room; i++) {
      const part = unit(i);
      parts.push(part);
      length += part.length;
    }
    return parts.join('');
  };
  const size = Math.max(1, Math.min(count, 4000));
  // Single-part bodies: the whole room, or `count` × 128 characters (parsers have per-part limits).
  const bodyChars = count === 0 ? room : Math.min(room, count * 128);
  let message: string;
  switch (shape) {
    case 'html':
      message = `${head}Content-Type: text/html; charset=utf-8\r\n\r\n${chunk(bodyChars)}`;
      break;
    case 'text':
      message = `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${chunk(bodyChars)}`;
      break;
    case 'parts': {
      const types = ['text/plain', 'text/html', 'application/octet-stream', 'message/rfc822', 'message/delivery-status'];
      message = `${head}Content-Type: multipart/mixed; boundary=b\r\n\r\n${repeatTo((i) => `--b\r\nContent-Type: ${types[i % types.length]}\r\n\r\n${chunk(Math.max(1, Math.floor(room / size) - 40))}\r\n`)}--b--\r\n`;
      break;
    }
    case 'nested': {
      const depth = Math.min(size, 2000);
      let open = '';
      let close = '';
      for (let d = 0; d < depth; d++) {
        open += `--b${d}\r\nContent-Type: multipart/mixed; boundary=b${d + 1}\r\n\r\n`;
        close = `--b${d + 1}--\r\n${close}`;
      }
      message = `${head}Content-Type: multipart/mixed; boundary=b0\r\n\r\n${open}--b${depth}\r\nContent-Type: text/html\r\n\r\n${chunk(Math.max(0, room - open.length - close.length))}\r\n${close}--b0--\r\n`;
      break;
    }
    case 'headers':
      message = `${repeatTo((i) => `${['Received', 'X-Mailer', 'Subject', 'From', 'To', 'X-H', 'Content-Type', 'Reply-To'][i % 8]}: ${chunk(Math.max(1, Math.floor(room / size)))}\r\n`)}\r\nbody\r\n`;
      break;
    case 'encodedWords':
      message = `Subject: ${repeatTo((i) => `=?utf-8?${i % 2 === 0 ? 'B' : 'Q'}?${i % 2 === 0 ? Buffer.from(chunk(60)).toString('base64') : chunk(60)}?= `)}\r\n${head.replace('Subject: hello\r\n', '')}\r\nbody\r\n`;
      break;
    case 'addresses':
      message = `To: ${repeatTo((i) => `"${chunk(20)}" <a${i}@${chunk(10)}.example>, (${chunk(8)}) `)}\r\n${head.replace('To: you@example.com\r\n', '')}\r\nbody\r\n`;
      break;
    case 'base64':
      message = `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${chunk(bodyChars)}`;
      break;
    case 'quotedPrintable':
      message = `${head}Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${repeatTo((i) => (i % 3 === 0 ? '=\r\n' : i % 3 === 1 ? '=3C' : chunk(16)))}`;
      break;
    case 'attachments':
      message = `${head}Content-Type: multipart/mixed; boundary=b\r\n\r\n${repeatTo((i) => `--b\r\nContent-Type: application/x-${i}; name="${chunk(40)}.exe"\r\nContent-Disposition: attachment; filename="${chunk(40)}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(chunk(Math.max(1, Math.floor(room / size)))).toString('base64')}\r\n`)}--b--\r\n`;
      break;
    case 'charset': {
      const charsets = ['iso-2022-jp', 'shift_jis', 'utf-16', 'utf-7', 'big5', 'koi8-r', 'x-unknown', 'gb18030'];
      message = `${head}Content-Type: text/html; charset=${charsets[count % charsets.length]}\r\n\r\n${chunk(bodyChars)}`;
      break;
    }
  }
  const bytes = Buffer.from(message, 'utf8');
  return bytes.subarray(0, limit);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** One line per event: what it was, and its CPU time. */
export function describe(measured: Measured): string {
  const g = measured.genome;
  const recipe = (r: Recipe) => `${r.mode}(${r.units.map((u) => JSON.stringify(u)).join(',')})${r.tail ? `+${JSON.stringify(r.tail)}` : ''}`;
  const what = g.kind === 'raw'
    ? `raw ${g.shape} count=${g.count} ${recipe(g.content)}`
    : `structured ${Object.entries(g.fields).map(([field, r]) => `${field}=${recipe(r)}`).join(' ')}`;
  return `${measured.cpuMs.toFixed(1).padStart(7)} ms  ${what}${measured.error ? `  [refused: ${measured.error}]` : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seed: { type: 'string', default: '1' }, iterations: { type: 'string', default: '300' }, keep: { type: 'string', default: '8' }, json: { type: 'boolean', default: false } },
  });
  const seed = Number(values.seed);
  const iterations = Number(values.iterations);
  if (!Number.isInteger(seed) || !Number.isInteger(iterations) || iterations < 1) throw new Error('--seed and --iterations must be whole numbers (iterations ≥ 1)');
  const started = performance.now();
  const report = await fuzz({ seed, iterations, keep: Number(values.keep) });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`seed ${seed}: ${report.iterations} events in ${((performance.now() - started) / 1000).toFixed(1)} s; worst per-email CPU time (minimum of 3 runs each), budget ${EMAIL_CPU_BUDGET_MS} ms:`);
    for (const m of report.worst) console.log(describe(m));
  }
  if ((report.worst[0]?.cpuMs ?? 0) > EMAIL_CPU_BUDGET_MS) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
