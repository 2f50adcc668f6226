// The engines `make eval` compares, each run the way its users run it, on the same messages.
import { spawn, execFile } from 'node:child_process';
import { cp, mkdir, writeFile, appendFile, chmod } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmailEventCodec } from '../../schemas/contracts.ts';
import { createScoringPool } from '../../scorer/pool.ts';
import { loadModel } from '../../scorer/model_card.ts';
import type { CorpusMessage } from '../../scorer/train/corpus.ts';

const run = promisify(execFile);

export interface EngineRun {
  readonly engine: string;
  readonly mode: string;
  /** True when the engine called the message spam. */
  readonly predictedSpam: boolean[];
  /** Spam probabilities, for engines that give them. */
  readonly probabilities?: number[];
  readonly seconds: number;
  /** Cores the engine could use while it was timed. */
  readonly cores: number;
  readonly notes: string[];
  /** Scores of the extra message sets (`ExtraSets`), by the same trained engine, untimed. */
  readonly extra: Readonly<Record<string, EngineScores>>;
}

export interface EngineScores { readonly predictedSpam: boolean[]; readonly probabilities?: number[] }

/**
 * Further message lists an engine scores after the timed pass, with the same training (e.g. the
 * adversarial rewrites of the held-out spam): Bayes is trained once and serves every list.
 */
export type ExtraSets = Readonly<Record<string, readonly CorpusMessage[]>>;

/** Our scorer: raw messages through the very worker code the pipeline runs, on one thread. */
export async function runOurs(modelDirectory: string, messages: readonly CorpusMessage[], extraSets: ExtraSets = {}): Promise<EngineRun> {
  const toEvents = (list: readonly CorpusMessage[]) => list.map((m, i) => EmailEventCodec.encode({ tenantId: 'eval', messageId: `${i}`, receivedAtMs: Date.UTC(2002, 0, 1), rawMessage: m.raw }).finish());
  const events = toEvents(messages);
  const pool = createScoringPool({ model: await loadModel(modelDirectory), threads: 1, maxQueue: 1000 });
  try {
    const pass = async (list: Uint8Array[]) => {
      const started = performance.now();
      const results = await Promise.all(chunks(list, 100).map((chunk) => pool.run(chunk)));
      return { seconds: (performance.now() - started) / 1000, probabilities: results.flatMap((r) => [...r.probabilities]) };
    };
    await pass(events); // warm-up: module load, ONNX session, JIT; the daemons get theirs too
    const timed = [await pass(events), await pass(events), await pass(events)].sort((a, b) => a.seconds - b.seconds);
    const { seconds, probabilities } = timed[1]!;
    const extra: Record<string, EngineScores> = {};
    for (const [name, list] of Object.entries(extraSets)) {
      const scored = (await pass(toEvents(list))).probabilities;
      extra[name] = { probabilities: scored, predictedSpam: scored.map((p) => p >= 0.5) };
    }
    return {
      engine: 'mailscore', mode: 'default', seconds, cores: 1, probabilities, extra,
      predictedSpam: probabilities.map((p) => p >= 0.5),
      notes: ['one worker thread; MIME parsing, features and ONNX inference are all timed (median of 3 passes after a warm-up pass); raw RFC 5322 in, as the other engines get it'],
    };
  } finally {
    await pool.close();
  }
}

const SPAMD_PORT = 17_830;

/** SpamAssassin from Debian: spamd with local tests only (no network here), scored with spamc. */
export async function runSpamAssassin(scratch: string, trainSet: readonly CorpusMessage[], messages: readonly CorpusMessage[], bayes: boolean, extraSets: ExtraSets = {}): Promise<EngineRun> {
  const dir = join(scratch, bayes ? 'sa-bayes' : 'sa-default');
  const site = join(dir, 'etc');
  await mkdir(dir, { recursive: true });
  await cp('/etc/spamassassin', site, { recursive: true });
  const bayesDir = join(dir, 'bayes');
  await mkdir(bayesDir, { recursive: true });
  await appendFile(join(site, 'local.cf'), [
    '', '# mailscore eval: no network on this machine; no learning while scoring',
    'dns_available no', 'skip_rbl_checks 1', 'use_razor2 0', 'use_pyzor 0', 'bayes_auto_learn 0',
    bayes ? `use_bayes 1\nbayes_path ${bayesDir}/bayes` : 'use_bayes 0', '',
  ].join('\n'));
  const notes = ['default rules shipped by Debian (no sa-update: no network), network tests off, required_score 5.0'];
  if (bayes) {
    const learnDir = join(dir, 'learn');
    await writeMessages(join(learnDir, 'spam'), trainSet.filter((m) => m.spam));
    await writeMessages(join(learnDir, 'ham'), trainSet.filter((m) => !m.spam));
    for (const kind of ['spam', 'ham']) {
      await run('sa-learn', ['-L', `--siteconfigpath=${site}`, `--${kind}`, join(learnDir, kind)], { maxBuffer: 1 << 24 });
    }
    notes.push(`Bayes trained with sa-learn on the ${trainSet.length} training messages`);
  }
  await chmod(dir, 0o777);
  await run('chmod', ['-R', 'a+rwX', dir]);
  const inputs = join(dir, 'input');
  const files = await writeMessages(inputs, messages);
  const extraFiles = await Promise.all(Object.entries(extraSets).map(async ([name, list]) => [name, await writeMessages(join(dir, `input-${name.replace(/[^\w-]/g, '_')}`), list)] as const));
  const children = availableParallelism();
  const spamd = spawn('spamd', ['-L', '-x', '-u', 'nobody', `--siteconfigpath=${site}`, '-i', '127.0.0.1', '-p', String(SPAMD_PORT), '-m', String(children), '--max-spare', String(children), '--min-children', String(children)], { stdio: 'ignore' });
  try {
    await waitForPort(SPAMD_PORT, 120_000);
    await spamc(files.slice(0, children)); // warm-up
    const started = performance.now();
    const predictedSpam = await mapConcurrent(files, children * 2, async (file) => (await spamc([file]))[0]!);
    const seconds = (performance.now() - started) / 1000;
    const extra: Record<string, EngineScores> = {};
    for (const [name, list] of extraFiles) extra[name] = { predictedSpam: await mapConcurrent(list, children * 2, async (file) => (await spamc([file]))[0]!) };
    return { engine: 'spamassassin', mode: bayes ? 'bayes' : 'default', predictedSpam, seconds, cores: Math.min(children, availableParallelism()), notes, extra };
  } finally {
    spamd.kill('SIGTERM');
    await sleep(500);
  }
}

async function spamc(files: readonly string[]): Promise<boolean[]> {
  return Promise.all(files.map((file) => new Promise<boolean>((resolve, reject) => {
    const child = spawn('sh', ['-c', `spamc -x -c -d 127.0.0.1 -p ${SPAMD_PORT} < "${file}"`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || code === 1 ? resolve(code === 1) : reject(new Error(`spamc exited ${code} on ${file}`))));
  })));
}

async function writeMessages(dir: string, messages: readonly CorpusMessage[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(messages.map(async (m) => {
    const path = join(dir, m.key.replace(/\//g, '__'));
    await writeFile(path, m.raw);
    return path;
  }));
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await sleep(250);
  }
}

export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  }));
  return results;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
