// The real worker (or bridge) as a separate OS process (`npm run worker`'s entry point), so tests can
// SIGKILL it mid-flight and start it again, the way a redeploy or a crash does.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far (JSON log lines and the SDK's own output). */
  output(): string;
  /** SIGKILL: no draining, no goodbye — in-flight activities are simply lost. */
  kill(): Promise<void>;
  /** SIGTERM: the SDK drains in-flight activities, then the process exits. */
  stop(): Promise<number | null>;
}

export type WorkerProcess = NodeProcess;

/** The worker (`src/worker/main.ts`), ready once it polls. */
export function startWorkerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<WorkerProcess> {
  return startNodeProcess('src/worker/main.ts', env, /"msg":"worker started"/, timeoutMs);
}

/**
 * One of the project's entry points (relative to the root) as its own process, ready once `ready` is printed:
 * a `.ts` source through tsx, a compiled `.js` (dist/) with plain node; `prefix` runs node under another
 * command (e.g. `setpriv --pdeathsig SIGKILL --`).
 */
export async function startNodeProcess(entry: string, env: Record<string, string>, ready: RegExp, timeoutMs = 60_000, prefix: readonly string[] = []): Promise<NodeProcess> {
  const file = path.join(ROOT, entry);
  const [command, ...args] = [...prefix, process.execPath, ...(entry.endsWith('.ts') ? ['--import', 'tsx', file] : [file])];
  const child = spawn(command as string, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${entry} exited during startup (code ${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
