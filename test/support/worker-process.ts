// The real worker as a separate OS process (`npm run worker`'s entry point), so tests can SIGKILL it
// mid-flight and start it again, the way a redeploy or a crash does.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far (JSON log lines and the SDK's own output). */
  output(): string;
  /** SIGKILL: no draining, no goodbye — in-flight activities are simply lost. */
  kill(): Promise<void>;
  /** SIGTERM: the SDK drains in-flight activities, then the process exits. */
  stop(): Promise<number | null>;
}

export async function startWorkerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // Ready once the worker has registered what it needs and started polling.
  const deadline = Date.now() + timeoutMs;
  while (!/"msg":"worker started"/.test(output)) {
    if (child.exitCode !== null) throw new Error(`worker exited during startup (code ${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start within ${timeoutMs} ms:\n${output}`);
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
