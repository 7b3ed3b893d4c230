// `postmortem replay-webhook <file>` reads a saved webhook body: a regular file of at most 1 MiB. A FIFO
// (which blocks until a writer comes), a device (/dev/zero grows the CLI without end), a directory or a
// file larger than any PagerDuty delivery is refused before it is opened, with exit 1. No Temporal
// server is needed: every refusal happens before the CLI connects.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { pingWebhook } from '../src/dev/simulation';

const MIB = 1024 * 1024;
let tmp: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'replay-file-'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

async function replay(file: string) {
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await runCli(['replay-webhook', file], {
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** A ping (ignored without calling Temporal) padded with spaces to exactly `bytes`. */
function pingOfSize(name: string, bytes: number): string {
  const body = JSON.stringify(pingWebhook());
  const file = path.join(tmp, name);
  writeFileSync(file, body + ' '.repeat(bytes - Buffer.byteLength(body)));
  return file;
}

it('refuses a FIFO at once instead of blocking on it', async () => {
  const fifo = path.join(tmp, 'body.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // A writer after 3 s: a CLI that opened the FIFO would sit blocked until then (and the test would see it).
  const writer = spawn(process.execPath, ['-e', `setTimeout(() => require('node:fs').writeFileSync(${JSON.stringify(fifo)}, '{}'), 3000)`], { stdio: 'ignore' });
  children.push(writer);
  const result = await replay(fifo);
  expect(result.stderr).toContain(`${fifo} is not a regular file (it is a FIFO)`);
  expect(result.code).toBe(1);
  expect(result.ms).toBeLessThan(2_500);
  expect(result.stdout).toBe('');
});

it('refuses a file over 1 MiB, and takes one of exactly 1 MiB', async () => {
  const big = await replay(pingOfSize('big.json', MIB + 1));
  expect(big.code).toBe(1);
  expect(big.stderr).toContain(`is ${MIB + 1} bytes: a saved webhook body is at most 1 MiB`);
  const limit = await replay(pingOfSize('limit.json', MIB));
  expect(limit.stderr).toBe('');
  expect(limit.stdout).toContain('ignored: event type pagey.ping');
  expect(limit.code).toBe(0);
});

it('refuses /dev/zero (a device), a symlink to it, and a directory', async () => {
  const link = path.join(tmp, 'zero.json');
  symlinkSync('/dev/zero', link);
  const dir = path.join(tmp, 'a-directory.json');
  mkdirSync(dir);
  for (const [file, kind] of [
    ['/dev/zero', 'a character device'],
    [link, 'a character device'],
    [dir, 'a directory'],
  ] as const) {
    const result = await replay(file);
    expect({ file, code: result.code, stderr: result.stderr.trim() }).toEqual({ file, code: 1, stderr: expect.stringContaining(`${file} is not a regular file (it is ${kind})`) });
  }
});
