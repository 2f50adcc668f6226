// The processes the ops check starts (pipeline, lag exporter, exporters, Prometheus): each logs
// to a file of its own, and can be frozen, thawed and killed by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** "exit 1", "SIGKILL", or null while it runs. */
  exited(): string | null;
  signal(signal: NodeJS.Signals): void;
  /** SIGCONT (a frozen process would not act on SIGTERM), then `signal`, then SIGKILL after graceMs. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function startManaged(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, logDir: string): Managed {
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let exit: string | null = null;
  const done = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exit = `failed to start: ${err.message}`;
      resolve();
    });
  });
  return {
    name, child, logPath,
    exited: () => exit,
    signal(signal) {
      if (exit === null) child.kill(signal);
    },
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (exit === null) {
        child.kill('SIGCONT');
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await done;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
