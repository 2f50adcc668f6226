// CPU time and memory of processes, read from /proc (Linux).
import { readFile, readdir } from 'node:fs/promises';

const CLOCK_TICKS = 100;

export async function cpuSeconds(pid: number, statPath = `/proc/${pid}/stat`): Promise<number> {
  try {
    const stat = await readFile(statPath, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Resident memory now and at its peak (VmHWM), in MiB. */
export async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export async function pidsNamed(command: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === command) pids.push(Number(entry));
  }
  return pids;
}

export interface ThreadCpu { readonly tid: number; readonly name: string; readonly seconds: number }

/** CPU time of every thread of `pid` (utime + stime of /proc/<pid>/task/<tid>/stat), with its name from comm. */
export async function threadCpuSeconds(pid: number): Promise<ThreadCpu[]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const threads: ThreadCpu[] = [];
  for (const tid of tids) {
    const name = (await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '')).trim();
    const seconds = await cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
    threads.push({ tid: Number(tid), name, seconds });
  }
  return threads;
}

export interface ThreadShare {
  /** `main`, `worker 1`…`worker k` (busiest first), or a thread name with how many threads share it. */
  readonly thread: string;
  readonly tids: number[];
  readonly cpu_seconds: number;
  readonly us_per_email: number;
}

// Node names its worker threads "WorkerThread" (piscina gives them no name of their own). A
// worker that barely ran (a spare, or one replaced mid-run) would look like a scoring thread;
// it counts as one only with a tenth of the busiest worker's time.
const WORKER_THREAD = 'WorkerThread';
const BUSY_SHARE = 0.1;

/**
 * CPU per email of each thread between two readings: the main thread (tid = pid), each busy
 * worker, and the rest grouped by name (V8's platform threads, libuv's pool, …). A thread that
 * exited between the readings is missing here; the process total still has its time.
 */
export function threadShares(before: readonly ThreadCpu[], after: readonly ThreadCpu[], pid: number, emails: number): ThreadShare[] {
  const start = new Map(before.map((t) => [t.tid, t.seconds]));
  const used = after.map((t) => ({ ...t, seconds: t.seconds - (start.get(t.tid) ?? 0) }));
  const share = (thread: string, threads: ReadonlyArray<{ tid: number; seconds: number }>): ThreadShare => {
    const seconds = threads.reduce((sum, t) => sum + t.seconds, 0);
    return { thread, tids: threads.map((t) => t.tid), cpu_seconds: Math.round(seconds * 100) / 100, us_per_email: emails > 0 ? Math.round((seconds * 1e6) / emails) : 0 };
  };
  const workers = used.filter((t) => t.tid !== pid && t.name === WORKER_THREAD).sort((a, b) => b.seconds - a.seconds);
  const busiest = workers[0]?.seconds ?? 0;
  const busy = workers.filter((t) => busiest > 0 && t.seconds >= busiest * BUSY_SHARE);
  const others = new Map<string, Array<{ tid: number; seconds: number }>>();
  for (const t of used) {
    if (t.tid === pid || busy.includes(t)) continue;
    const name = t.name === WORKER_THREAD ? `${WORKER_THREAD} (idle)` : t.name || '?';
    others.set(name, [...(others.get(name) ?? []), t]);
  }
  return [
    share('main', used.filter((t) => t.tid === pid)),
    ...busy.map((t, i) => share(`worker ${i + 1}`, [t])),
    ...[...others].sort(([, a], [, b]) => b.reduce((s, t) => s + t.seconds, 0) - a.reduce((s, t) => s + t.seconds, 0))
      .map(([name, threads]) => share(threads.length > 1 ? `${name} ×${threads.length}` : name, threads)),
  ];
}
