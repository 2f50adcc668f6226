// Rspamd from Debian, run on a copy of its configuration with every network module off, a local
// DNS responder that answers NXDOMAIN at once (some modules still look names up), and Bayes in
// the local Redis (a database of its own, emptied first).
import { spawn, execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cp, mkdir, writeFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CorpusMessage } from '../../scorer/train/corpus.ts';
import { mapConcurrent, waitForPort, type EngineRun, type EngineScores, type ExtraSets } from './engines.ts';

const run = promisify(execFile);
const PORTS = { normal: 17_833, controller: 17_834, proxy: 17_835, fuzzy: 17_836, dns: 17_853 } as const;
const REDIS_DB = 13;
const NETWORK_MODULES = [
  'rbl', 'surbl', 'emails', 'fuzzy_check', 'dkim', 'spf', 'dmarc', 'arc', 'asn', 'rspamd_update', 'mx_check', 'url_reputation',
  'dcc', 'external_services', 'reputation', 'neural', 'greylist', 'ratelimit', 'replies', 'hfilter', 'once_received', 'history_redis',
];
const SPAM_ACTIONS = new Set(['reject', 'add header', 'rewrite subject']);

export async function runRspamd(scratch: string, trainSet: readonly CorpusMessage[], messages: readonly CorpusMessage[], bayes: boolean, extraSets: ExtraSets = {}): Promise<EngineRun> {
  const dir = join(scratch, bayes ? 'rspamd-bayes' : 'rspamd-default');
  await rm(dir, { recursive: true, force: true });
  const conf = join(dir, 'etc');
  await cp('/etc/rspamd', conf, { recursive: true });
  const local = join(conf, 'local.d');
  await mkdir(local, { recursive: true });
  for (const module of NETWORK_MODULES) await writeFile(join(local, `${module}.conf`), 'enabled = false;\n');
  const workers = availableParallelism();
  await writeFile(join(local, 'options.inc'), `dns { nameserver = ["127.0.0.1:${PORTS.dns}"]; timeout = 0.5s; retransmits = 1; }\n`);
  await writeFile(join(local, 'worker-normal.inc'), `bind_socket = "127.0.0.1:${PORTS.normal}";\ncount = ${workers};\n`);
  await writeFile(join(local, 'worker-controller.inc'), `bind_socket = "127.0.0.1:${PORTS.controller}";\n`);
  await writeFile(join(local, 'worker-proxy.inc'), `bind_socket = "127.0.0.1:${PORTS.proxy}";\n`);
  await writeFile(join(local, 'worker-fuzzy.inc'), `bind_socket = "127.0.0.1:${PORTS.fuzzy}";\ncount = 0;\n`);
  await writeFile(join(local, 'redis.conf'), `servers = "127.0.0.1:6379";\ndb = "${REDIS_DB}";\n`);
  await writeFile(join(local, 'classifier-bayes.conf'), `backend = "redis";\nservers = "127.0.0.1:6379";\ndb = "${REDIS_DB}";\nautolearn = false;\n`);
  await writeFile(join(local, 'logging.inc'), `type = "file";\nfilename = "${dir}/log/rspamd.log";\nlevel = "error";\n`);
  for (const sub of ['db', 'run', 'log']) await mkdir(join(dir, sub), { recursive: true });
  await run('chown', ['-R', '_rspamd:_rspamd', dir]);
  await run('redis-cli', ['-n', String(REDIS_DB), 'FLUSHDB']);

  const dns = startNxdomainResponder(PORTS.dns);
  const daemon = spawn('rspamd', [
    '-f', '-u', '_rspamd', '-g', '_rspamd', '-c', join(conf, 'rspamd.conf'),
    `--var=CONFDIR=${conf}`, `--var=LOCAL_CONFDIR=${conf}`, `--var=DBDIR=${dir}/db`, `--var=RUNDIR=${dir}/run`, `--var=LOGDIR=${dir}/log`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  daemon.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const notes = ['Debian rspamd 3.4 default rules and actions; network modules, hfilter and once_received off; no sender IP, HELO or envelope passed (the corpus has none), so rspamd treats mail as local'];
  try {
    await waitForPort(PORTS.normal, 60_000).catch((err: Error) => { throw new Error(`${err.message}\n${stderr.join('')}`); });
    await waitForPort(PORTS.controller, 60_000);
    await check(messages[0]!.raw); // the first scan waits for hyperscan / regexp caches
    if (bayes) {
      const learned = { spam: 0, ham: 0 };
      for (const kind of ['spam', 'ham'] as const) {
        const set = trainSet.filter((m) => m.spam === (kind === 'spam'));
        const results = await mapConcurrent(set, 8, (m) => learn(kind, m.raw));
        learned[kind] = results.filter(Boolean).length;
      }
      notes.push(`Bayes (Redis) trained through the controller on the training split: ${learned.spam} spam and ${learned.ham} ham accepted by the controller of ${trainSet.filter((m) => m.spam).length} and ${trainSet.filter((m) => !m.spam).length} offered (its default learn condition refuses messages it already classifies confidently)`);
    }
    const started = performance.now();
    const actions = await mapConcurrent(messages, workers * 8, (m) => check(m.raw));
    const seconds = (performance.now() - started) / 1000;
    const extra: Record<string, EngineScores> = {};
    for (const [name, list] of Object.entries(extraSets)) {
      extra[name] = { predictedSpam: (await mapConcurrent(list, workers * 8, (m) => check(m.raw))).map((a) => SPAM_ACTIONS.has(a)) };
    }
    return { engine: 'rspamd', mode: bayes ? 'bayes' : 'default', predictedSpam: actions.map((a) => SPAM_ACTIONS.has(a)), seconds, cores: workers, notes, extra };
  } finally {
    daemon.kill('SIGTERM');
    dns.close();
    await sleep(1000);
  }
}

async function check(raw: Buffer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${PORTS.normal}/checkv2`, { method: 'POST', body: raw });
  if (!response.ok) throw new Error(`rspamd /checkv2 answered ${response.status}`);
  return ((await response.json()) as { action: string }).action;
}

async function learn(kind: 'spam' | 'ham', raw: Buffer): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${PORTS.controller}/learn${kind}`, { method: 'POST', body: raw });
  // 208: already learned; 4xx with "can_learn" refusals: not learned.
  return response.ok;
}

/** Answers every DNS query with NXDOMAIN, so lookups fail at once instead of timing out. */
function startNxdomainResponder(port: number) {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 12) return;
    const reply = Buffer.from(query);
    reply[2] = 0x81 | (query[2]! & 0x01); // QR=1, opcode 0, keep RD
    reply[3] = 0x83; // RA=1, RCODE=3 (NXDOMAIN)
    reply.writeUInt16BE(0, 6); // no answers
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    socket.send(reply, peer.port, peer.address);
  });
  socket.bind(port, '127.0.0.1');
  return socket;
}
