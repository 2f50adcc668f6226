// Throwaway PostgreSQL, Redis and Kafka on free ports, for outage tests and `make chaos`: they
// are stopped and started at will, which the machine's shared services must never be.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Ports this process has handed out: one may not be bound yet when the next is asked for.
const handedOut = new Set<number>();

/**
 * `count` consecutive ports free on 127.0.0.1, the first returned, drawn from below the kernel's
 * ephemeral range (net.ipv4.ip_local_port_range). A port from inside that range can be taken as
 * the local end of any outgoing connection while a throwaway service is down for a test, and its
 * restart then fails with "Address already in use": CI lost a run that way when a broker came back
 * to a port a client had borrowed meanwhile.
 */
export async function freePorts(count: number): Promise<number> {
  const [low, high] = allocationRange();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const first = low + Math.floor(Math.random() * (high - low - count));
    let free = true;
    for (let port = first; port < first + count && free; port += 1) free = !handedOut.has(port) && (await bindable(port));
    if (!free) continue;
    for (let port = first; port < first + count; port += 1) handedOut.add(port);
    return first;
  }
  throw new Error(`no ${count} consecutive free ports in ${low}-${high} on 127.0.0.1 after 200 tries; stop leftover test services (ps -ef | grep mailscore-)`);
}

export function freePort(): Promise<number> {
  return freePorts(1);
}

function allocationRange(): [number, number] {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // Not Linux: its default range starts at 49152 or 32768, and 32768 is below both.
  }
  // A machine whose ephemeral range starts very low leaves no room below it: borrow from above.
  const high = ephemeralLow > 10_000 ? Math.min(ephemeralLow, 65_536) : 65_536;
  return [Math.max(1_024, high - 12_000), high];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function portOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface PrivateService {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its files. */
  remove(): Promise<void>;
}

/** The newest PostgreSQL server binaries on this machine (Debian layout), or null. */
export function postgresBinaries(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  return [15, 16, 17, 14, 13].map((v) => join(base, String(v), 'bin')).find((d) => existsSync(join(d, 'pg_ctl'))) ?? null;
}

/** A PostgreSQL cluster of its own (initdb under the temp directory, trust auth, database `mailscore`). */
export async function privatePostgres(): Promise<PrivateService> {
  const bin = postgresBinaries();
  if (bin === null) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql; run `make services` first');
  const root = process.getuid?.() === 0;
  const asPostgres = (cmd: string, args: string[]) => (root ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  const dir = await mkdtemp(join(tmpdir(), 'mailscore-pg-'));
  const data = join(dir, 'data');
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const service: PrivateService = {
    url: `postgres://postgres@127.0.0.1:${port}/mailscore`,
    port,
    async start() {
      await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
    },
    async stop() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
    },
    async remove() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await service.start();
  await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', 'CREATE DATABASE mailscore']);
  return service;
}

/** A redis-server of its own, without persistence. */
export async function privateRedis(): Promise<PrivateService> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const service: PrivateService = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await until(`redis-server on ${port} to answer`, () => portOpen(port), 10_000);
    },
    async stop() {
      if (child === undefined || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    remove: () => service.stop(),
  };
  await service.start();
  return service;
}

/** A single-node Kafka broker of its own (ops/local/kafka.sh with its own state directory and ports). */
export async function privateKafka(): Promise<PrivateService> {
  const state = await mkdtemp(join(tmpdir(), 'mailscore-kafka-'));
  await mkdir(join(state, 'kafka'), { recursive: true });
  // The jars `make services` resolved serve every broker; otherwise kafka.sh resolves its own.
  const shared = join(ROOT, '.local', 'kafka', 'libs');
  if (existsSync(shared) && (await readdir(shared)).length > 0) await symlink(shared, join(state, 'kafka', 'libs'));
  // kafka.sh puts SASL_SSL on port + 2 and mTLS on port + 3: all four are taken together.
  const port = await freePorts(4);
  const env = { ...process.env, MAILSCORE_STATE_DIR: state, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_HEAP: '512m' };
  const script = join(ROOT, 'ops', 'local', 'kafka.sh');
  const service: PrivateService = {
    url: `127.0.0.1:${port}`,
    port,
    async start() {
      await run(script, ['start'], { env });
    },
    async stop() {
      await run(script, ['stop'], { env });
    },
    async remove() {
      await service.stop().catch(() => undefined);
      await rm(state, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}

export interface PrivateRegistry extends PrivateService {
  /**
   * Stops the process answering (SIGSTOP): connections hang, as with a registry that is
   * unreachable, and its schemas survive, which a restart would forget (it keeps them in memory).
   */
  freeze(): Promise<void>;
  /** Lets it answer again (SIGCONT). */
  thaw(): Promise<void>;
}

/**
 * An Apicurio Registry of its own (ops/local/registry.sh with its own state directory and ports),
 * in memory: `url` is its Confluent-compatible API. A restart forgets every schema.
 */
export async function privateRegistry(): Promise<PrivateRegistry> {
  const state = await mkdtemp(join(tmpdir(), 'mailscore-registry-'));
  await mkdir(join(state, 'registry'), { recursive: true });
  // One distribution (resolved once, as `make services` does) serves every registry.
  const script = join(ROOT, 'ops', 'local', 'registry.sh');
  await run(script, ['resolve'], { env: { ...process.env, MAILSCORE_STATE_DIR: join(ROOT, '.local') } });
  await symlink(join(ROOT, '.local', 'registry', 'dist'), join(state, 'registry', 'dist'));
  const port = await freePorts(2);
  const env = { ...process.env, MAILSCORE_STATE_DIR: state, SCHEMA_REGISTRY_PORT: String(port), SCHEMA_REGISTRY_MANAGEMENT_PORT: String(port + 1) };
  const { stdout } = await run(script, ['url'], { env });
  const pidFile = join(state, 'registry', 'registry.pid');
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    process.kill(Number((await readFile(pidFile, 'utf8')).trim()), name);
  };
  // The JVM outlives this process (registry.sh detaches it): a test run that ends without its
  // `after` hooks (node --test skips them when a name pattern filters every test out) must not
  // leave it running.
  const killOnExit = () => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    } catch {
      // Not running.
    }
    rmSync(state, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const service: PrivateRegistry = {
    url: stdout.trim(),
    port,
    async start() {
      await run(script, ['start'], { env });
    },
    async stop() {
      await service.thaw().catch(() => undefined);
      await run(script, ['stop'], { env });
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async remove() {
      process.off('exit', killOnExit);
      await service.stop().catch(() => undefined);
      await rm(state, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}
