// A real Temporal dev server per test file (the `temporal` CLI from .tools/bin, TEMPORAL_CLI_PATH or
// PATH — never downloaded at test time) and a workflow bundle built once per file.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createLogger, type Logger } from '../../src/config/logger';
import { WORKFLOWS_PATH } from '../../src/worker/postmortem-worker';
import { findTemporalCli } from '../../src/config/temporal-cli';

// The SDK's own logs (worker state changes, bundling) would drown the test output.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this module registry
}

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1 (`npm run record:histories`), saves a finished workflow's history for the replay
 * test — only a new one: a recorded history is evidence of what open incidents look like, never rewritten
 * (delete the file deliberately to re-record it). The CLI's JSON is the format historyFromJSON reads
 * (historyToJSON trips over Jest's module registry).
 */
export function recordHistory(address: string, workflowId: string, name: string): void {
  if (!process.env.RECORD_HISTORIES) return;
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file)) return;
  const json = execFileSync(temporalCli(), ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json']);
  writeFileSync(file, json);
}

/**
 * Every payload's bytes as text (inputs, results, signals, search attributes, memo, details), plus every
 * other string in the value, so that a secret cannot hide from a scan inside base64.
 */
export function textOf(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) value.forEach((v) => textOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => textOf(v, out));
  else if (typeof value === 'string') out.push(value);
  return out;
}

export function temporalCli(): string {
  const cli = findTemporalCli();
  if (!cli) throw new Error('No temporal CLI found: run `npm run temporal:install` (or set TEMPORAL_CLI_PATH).');
  return cli;
}

/**
 * One partition per task queue: the server's task-queue rate limit (DEVIN_MAX_SESSIONS_PER_MINUTE) is kept
 * per partition, so with the default four a burst can dispatch up to four tasks at once — right for
 * production (docs/benchmarks.md measures it), but a test of the cap's spacing needs the spacing alone.
 */
export const SINGLE_PARTITION = ['--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'];

export function startDevServer(options: { dbFilename?: string; port?: number; uiPort?: number; extraArgs?: string[] } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli() },
      log: { format: 'pretty', level: 'error' },
      ...options,
    },
  });
}

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
}

/** A logger whose JSON lines are kept for assertions (e.g. that no secret is ever logged). */
export function capturingLogger(name = 'test'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger(name, 'debug', sink), lines };
}

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
