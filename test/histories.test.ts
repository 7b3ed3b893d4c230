// Recorded histories as the upgrade gate, against a real dev server: incident workflows (stubbed
// activities, test/support/lifecycle.ts) are exported with `postmortem histories export`, the folder
// replays with `postmortem histories replay`, and a history the workflow code no longer matches fails
// the replay with the non-determinism message and exit 1 — also through `npm run histories:replay`.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { JSONToPayload, type JSONPayload, payloadToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { runCli } from '../src/cli/main';
import { INCIDENT_WORKFLOW_TYPE, cancelSignal } from '../src/domain/messages';
import { EncryptionCodec } from '../src/temporal/encryption';
import { historyFileName } from '../src/temporal/history-files';
import { WORKFLOWS_PATH } from '../src/worker/postmortem-worker';
import { client, newCase, serverAddress, useLifecycle } from './support/lifecycle';
import { eventually } from './support/temporal';

useLifecycle();

const REPO = path.join(__dirname, '..');
let tmp: string;
/** A prebuilt bundle for `--bundle`: one webpack run instead of one per replay. */
let bundleFile: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'histories-'));
  bundleFile = path.join(tmp, 'workflow-bundle.js');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  writeFileSync(bundleFile, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { TEMPORAL_ADDRESS: serverAddress(), TEMPORAL_NAMESPACE: 'default', ...env },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

interface HistoryJson {
  events: Record<string, unknown>[];
}
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as HistoryJson;

/** `exported`'s files, copied into a fresh folder (the export itself is never altered). */
function folderOf(name: string, files: string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  for (const file of files) copyFileSync(file, path.join(dir, path.basename(file)));
  return dir;
}

/** Every workflow's history written by the first test: two closed, one running. */
let exported: { dir: string; completed: string; cancelled: string; running: string };

describe('postmortem histories export and replay', () => {
  it('exports running and closed incident workflows, one JSON file per run, never overwriting; the folder replays', async () => {
    const completed = newCase();
    await completed.deliver(completed.event('incident.acknowledged', 1));
    await completed.deliver(completed.event('incident.resolved', 20));
    expect(await completed.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });

    const cancelled = newCase();
    await cancelled.deliver(cancelled.event('incident.acknowledged', 1));
    await cancelled.phase('awaiting_resolution');
    await cancelled.handle.signal(cancelSignal, { reason: 'test incident' });
    expect(await cancelled.handle.result()).toMatchObject({ outcome: 'skipped' });

    const running = newCase();
    await running.deliver(running.event('incident.acknowledged', 1));
    await running.phase('awaiting_resolution');

    const cases = [completed, cancelled, running];
    const runs = await Promise.all(cases.map(async (c) => (await c.handle.describe()).runId));
    // Visibility is eventually consistent: wait until the list shows every run, closed ones as closed.
    await eventually(async () => {
      const listed = [];
      for await (const info of client().workflow.list({ query: `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'` })) listed.push(info.status.name);
      return listed.length === 3 && listed.filter((s) => s === 'RUNNING').length === 1 ? true : undefined;
    }, 'the three workflows in visibility');

    const dir = path.join(tmp, 'exported', 'last-week'); // missing: created
    const first = await cli(['histories', 'export', '--out', dir]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('Exported 3 incident histories');
    expect(first.stdout).toContain('(1 running, 2 closed); 0 kept, 0 skipped');
    expect(first.stdout).toMatch(new RegExp(`Query: WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND StartTime > '\\d{4}-\\d\\d-\\d\\dT`));
    expect(first.stdout).toContain('payloads are not decrypted');
    expect(first.stdout).toContain(`npm run histories:replay -- ${dir}`);

    const names = cases.map((c, i) => historyFileName(c.handle.workflowId, runs[i] as string) as string);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const [i, c] of cases.entries()) {
      const file = path.join(dir, names[i] as string);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(first.stdout).toContain(`wrote ${names[i]} (${i === 2 ? 'running' : 'completed'}`);
      // The format of test/fixtures/histories/ (`temporal workflow show --output json`): proto JSON,
      // int64 as strings, enums by name, payloads in base64 — and the whole history.
      const json = readJson(file);
      expect(json.events[0]).toMatchObject({
        eventId: '1',
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: { workflowType: { name: INCIDENT_WORKFLOW_TYPE }, input: { payloads: [{ data: expect.any(String) }] } },
      });
      expect(json.events).toHaveLength((await c.handle.fetchHistory()).events?.length ?? -1);
    }
    const last = (name: string) => readJson(path.join(dir, name)).events.at(-1)?.eventType;
    expect(last(names[0] as string)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    expect(last(names[2] as string)).not.toMatch(/WORKFLOW_EXECUTION_/);

    // Again: nothing is overwritten without --force.
    // Parsed: the order of a map's keys (search attributes) is not the server's to keep.
    const closedFiles = () => names.slice(0, 2).map((name) => readJson(path.join(dir, name)));
    const before = closedFiles();
    writeFileSync(path.join(dir, names[1] as string), 'an operator\'s copy');
    const again = await cli(['histories', 'export', '--out', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Exported 0 incident histories');
    expect(again.stdout).toContain('3 kept');
    expect(again.stdout).toContain(`kept ${names[1]}: already there (--force replaces it)`);
    expect(readFileSync(path.join(dir, names[1] as string), 'utf8')).toBe('an operator\'s copy');
    const forced = await cli(['histories', 'export', '--out', dir, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ written: 3, running: 1, kept: 0, skipped: 0, limitReached: false });
    expect(closedFiles()).toEqual(before);

    // --query narrows (always to incident workflows); --limit stops early and says so.
    const one = await cli(['histories', 'export', '--out', path.join(tmp, 'one'), '--query', `WorkflowId = '${running.handle.workflowId}'`]);
    expect(one.stdout).toContain(`Query: WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND (WorkflowId = '${running.handle.workflowId}')`);
    expect(readdirSync(path.join(tmp, 'one'))).toEqual([names[2]]);
    const limited = await cli(['histories', 'export', '--out', path.join(tmp, 'limited'), '--limit', '2']);
    expect(limited.stdout).toContain('Stopped at --limit 2');
    expect(readdirSync(path.join(tmp, 'limited'))).toHaveLength(2);

    // The gate: every exported history replays against today's workflow code (bundled now).
    const replay = await cli(['histories', 'replay', dir]);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toContain(`Replaying 3 histories from ${dir} against ${WORKFLOWS_PATH} (bundled now)`);
    for (const name of names) expect(replay.stdout).toMatch(new RegExp(`PASS  ${name} \\(\\d+ events\\)`));
    expect(replay.stdout).toContain('All 3 histories replay against this build\'s workflow code.');
    exported = { dir, completed: path.join(dir, names[0] as string), cancelled: path.join(dir, names[1] as string), running: path.join(dir, names[2] as string) };
  });

  it('a history the workflow code no longer matches fails the replay with the non-determinism message and exit 1', async () => {
    const dir = folderOf('incompatible', [exported.completed, exported.running]);
    // As if this build renamed the workflow's first activity: the recorded command no longer matches.
    const altered = readJson(exported.completed);
    const scheduled = altered.events.find((e) => e.activityTaskScheduledEventAttributes) as { activityTaskScheduledEventAttributes: { activityType: { name: string } } };
    const original = scheduled.activityTaskScheduledEventAttributes.activityType.name;
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'renamedInAnOlderBuild';
    writeFileSync(path.join(dir, path.basename(exported.completed)), JSON.stringify(altered));
    writeFileSync(path.join(dir, 'notes.json'), JSON.stringify({ note: 'not a history' }));

    const replay = await cli(['histories', 'replay', dir, '--bundle', bundleFile]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(`against the prebuilt bundle ${bundleFile}`);
    expect(replay.stdout).toContain(
      `FAIL  ${path.basename(exported.completed)}: non-deterministic: [TMPRL1100] Nondeterminism error: Activity type of scheduled event 'renamedInAnOlderBuild' does not match activity type of activity command '${original}'`,
    );
    expect(replay.stdout).toMatch(new RegExp(`PASS  ${path.basename(exported.running)}`));
    expect(replay.stdout).toContain('FAIL  notes.json: cannot be replayed: not a workflow history');
    expect(replay.stderr).toContain('2 of 3 histories fail against this build\'s workflow code');

    // The same gate through the package script, as a deploy pipeline runs it.
    const script = await promisify(execFile)('npm', ['run', '-s', 'histories:replay', '--', dir, '--bundle', bundleFile, '--json'], { cwd: REPO }).catch(
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(script).toMatchObject({ code: 1 });
    const report = JSON.parse((script as { stdout: string }).stdout) as { passed: number; failed: number; results: { file: string; verdict: string }[] };
    expect(report).toMatchObject({ passed: 1, failed: 2 });
    expect(report.results.map((r) => r.verdict).sort()).toEqual(['nondeterministic', 'passed', 'unreadable']);

    const empty = folderOf('empty', []);
    const nothing = await cli(['histories', 'replay', empty]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain(`no histories (*.json) in ${empty}: nothing was replayed`);
  });

  it('an encrypted history replays with PAYLOAD_ENCRYPTION_KEYS, and without them fails naming the variable', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const codec = new EncryptionCodec([{ id: 'key-2026-11', key: Buffer.from(key, 'base64') }]);
    // As a worker with PAYLOAD_ENCRYPTION_KEYS stores it: inputs, signals, results and failures' details encrypted.
    const history = readJson(exported.completed);
    for (const event of history.events) {
      for (const [field, attributes] of Object.entries(event)) if (field !== 'markerRecordedEventAttributes') await encryptPayloadsIn(attributes, codec);
    }
    const dir = folderOf('encrypted', []);
    writeFileSync(path.join(dir, path.basename(exported.completed)), JSON.stringify(history));

    const withoutKeys = await cli(['histories', 'replay', dir]);
    expect(withoutKeys.code).toBe(1);
    expect(withoutKeys.stdout).toContain('its payloads are encrypted with key "key-2026-11", which is not configured: set PAYLOAD_ENCRYPTION_KEYS');
    const otherKeys = await cli(['histories', 'replay', dir], { PAYLOAD_ENCRYPTION_KEYS: `key-2025-01:${Buffer.alloc(32, 1).toString('base64')}` });
    expect(otherKeys.stdout).toContain('which is not among the configured keys');

    const withKeys = await cli(['histories', 'replay', dir], { PAYLOAD_ENCRYPTION_KEYS: `key-2026-11:${key}` });
    expect(withKeys).toMatchObject({ code: 0, stderr: '' });
    expect(withKeys.stdout).toContain(`PASS  ${path.basename(exported.completed)}`);
  });

  it('refuses a bad --out, unknown options and an unreachable Temporal, before writing anything', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, '');
    const notAFolder = await cli(['histories', 'export', '--out', file]);
    expect(notAFolder).toMatchObject({ code: 1, stdout: '' });
    expect(notAFolder.stderr).toContain(`postmortem histories export: --out ${file} exists and is not a folder`);

    for (const argv of [
      ['histories'],
      ['histories', 'frobnicate'],
      ['histories', 'export'],
      ['histories', 'export', '--out', tmp, '--bogus'],
      ['histories', 'export', '--out', tmp, '--since', '7d', '--query', "WorkflowId = 'x'"],
      ['histories', 'export', '--out', tmp, '--limit', '0'],
      ['histories', 'export', '--out', tmp, '--since', 'last tuesday'],
      ['histories', 'replay'],
      ['histories', 'replay', tmp, 'extra'],
      ['histories', 'replay', tmp, '--bogus'],
    ]) {
      const result = await cli(argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stderr).toContain('Usage: postmortem <command>');
      expect(result.stdout).toBe('');
    }
    expect((await cli(['histories', 'export', '--bogus'])).stderr).toContain("postmortem histories export: Unknown option '--bogus'");

    const out = path.join(tmp, 'never-created');
    const down = await cli(['histories', 'export', '--out', out], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(down.stderr).toContain('TEMPORAL_ADDRESS');
    expect(() => statSync(out)).toThrow();

    const noBundle = await cli(['histories', 'replay', exported.dir, '--bundle', path.join(tmp, 'no-such-bundle.js')]);
    expect(noBundle.code).toBe(1);
    expect(noBundle.stderr).toContain(`--bundle: ${path.join(tmp, 'no-such-bundle.js')} is not a file`);
    // With encryption the worker runs the bundle's .encoded-failures.js variant: so does the replay.
    const encryptedBundle = await cli(['histories', 'replay', exported.dir, '--bundle', bundleFile], { PAYLOAD_ENCRYPTION_KEYS: `k:${Buffer.alloc(32).toString('base64')}` });
    expect(encryptedBundle.stderr).toContain(`${path.join(tmp, 'workflow-bundle.encoded-failures.js')} is not a file`);

    const badKeys = await cli(['histories', 'replay', exported.dir], { PAYLOAD_ENCRYPTION_KEYS: 'not-a-key' });
    expect(badKeys.code).toBe(1);
    expect(badKeys.stderr).toContain('PAYLOAD_ENCRYPTION_KEYS');
  });
});

/** Every `payloads` list under `value`, encrypted in place by the codec. */
async function encryptPayloadsIn(value: unknown, codec: EncryptionCodec): Promise<void> {
  if (Array.isArray(value)) {
    for (const item of value) await encryptPayloadsIn(item, codec);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.payloads)) {
    const payloads = (record.payloads as JSONPayload[]).map((p) => JSONToPayload(p));
    record.payloads = (await codec.encode(payloads)).map((p) => payloadToJSON(p));
    return;
  }
  for (const child of Object.values(record)) await encryptPayloadsIn(child, codec);
}
