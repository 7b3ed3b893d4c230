// The pieces the benchmark runs on one machine: the embedded Temporal dev server (with the project's
// search attributes), and the compiled production build (`npm run build`: dist/src/bridge/main.js,
// dist/src/worker/main.js and the workflow bundle) run with plain node as child processes whose logs go
// to files under bench/.run/.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildWorkflowBundle } from '../scripts/build-workflow-bundle';
import { SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { findTemporalCli, PROJECT_ROOT } from '../src/config/temporal-cli';

/** Logs, the bundle and child working directories. Children run here so a developer's `.env` is never read. */
export const RUN_DIR = path.join(PROJECT_ROOT, 'bench', '.run');

export function prepareRunDir(): void {
  mkdirSync(RUN_DIR, { recursive: true });
}

export function temporalCliPath(): string {
  const cli = findTemporalCli();
  if (!cli) throw new Error('No temporal CLI found: run `npm run temporal:install` (or set TEMPORAL_CLI_PATH).');
  return cli;
}

export function temporalCliVersion(): string {
  try {
    return execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The dev server the SDK's test environment starts: in-memory SQLite, our search attributes registered. */
export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  try {
    // The SDK's own chatter (worker state changes) would drown the report.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      log: { format: 'pretty', level: 'error' },
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
}

const DIST = path.join(PROJECT_ROOT, 'dist');

/** `src/worker/main.ts` → its compiled `dist/src/worker/main.js`, which `npm run bench` builds first. */
export function compiledEntry(source: string): string {
  const compiled = path.join('dist', source.replace(/\.ts$/, '.js'));
  if (!existsSync(path.join(PROJECT_ROOT, compiled))) {
    throw new Error(`${compiled} is missing: the bench runs the compiled processes; run \`npm run build\` (npm run bench does)`);
  }
  return compiled;
}

/** The bundle the Docker image ships (WORKFLOW_BUNDLE_PATH), from the compiled build: workers start without webpack. */
export async function buildBundle(): Promise<string> {
  const built = path.join(DIST, 'workflow-bundle.js');
  if (existsSync(built)) return built;
  const [plain] = await buildWorkflowBundle(path.join(RUN_DIR, 'workflow-bundle.js'));
  return (plain as { path: string }).path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  log(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<NodeProcess>();
// Whatever way this process ends, no child outlives it.
process.on('exit', () => {
  for (const proc of running) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
});

/** Children still running; the runner stops them on any exit path. */
export function runningProcesses(): NodeProcess[] {
  return [...running];
}

/**
 * Starts `node <script>` (compiled `.js`) or `node --import tsx <script>` (the bench's own `.ts`) with only the given variables (plus PATH and HOME), stdout and
 * stderr to bench/.run/<name>.log, and waits for `ready` to say so.
 */
export async function startNodeProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: (log: string) => boolean | Promise<boolean>,
  timeoutMs = 90_000,
): Promise<NodeProcess> {
  const logFile = path.join(RUN_DIR, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, path.join(PROJECT_ROOT, script)], {
    cwd: RUN_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: NodeProcess = {
    name,
    child,
    logFile,
    log: () => readFileSync(logFile, 'utf8'),
    async stop(graceMs = 35_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(proc);
    },
  };
  running.add(proc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(proc);
      throw new Error(`${name} exited during startup (${child.exitCode ?? child.signalCode}); see ${logFile}:\n${proc.log().slice(-2000)}`);
    }
    if (await ready(proc.log())) return proc;
    if (Date.now() > deadline) {
      await proc.stop(1_000);
      throw new Error(`${name} did not start within ${timeoutMs} ms; see ${logFile}`);
    }
    await sleep(100);
  }
}

/** Resident memory of a process in MiB, from /proc (Linux); `peak` is the high-water mark. */
export function processMemoryMb(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, in ms, from /proc; undefined when unreadable. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** The dev server the SDK spawned from this process (a `temporal` child), to account for its CPU. */
export function devServerPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && comm.startsWith('temporal')) return Number(entry);
      } catch {
        // the process went away
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}
