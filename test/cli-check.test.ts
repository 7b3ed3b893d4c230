// `postmortem check <file> --pack <file>`: the evidence check on a local draft, through runCli as an
// operator runs it. No Temporal server: the pack is a file. One finding a line, `file:line: severity
// kind: message`; exit 1 on an error, 0 with warnings only or none; neither --pack nor --incident, or
// both, is a usage error. `--incident <id>`: the pack read from the incident's workflow (its evidence pack
// query), here a stand-in workflow (test/support/tiny-workflows.ts) on a real dev server.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { runCli } from '../src/cli/main';
import type { IncidentContext } from '../src/domain/evidence';
import { workflowIdForIncident } from '../src/domain/incident';
import type { EvidencePackAnswer } from '../src/domain/messages';
import { startDevServer } from './support/temporal';

const FIXTURES = path.join(__dirname, 'fixtures', 'evidence-check');
const PACK = path.join(FIXTURES, 'pack.json');
const GOOD = path.join(FIXTURES, 'good-draft.md');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'postmortem-check-'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  // An unreachable Temporal: the command must not need one.
  const code = await runCli(args, {
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

/** The 1-based line of the good draft holding `text` (the first). */
const lineOf = (text: string) => readFileSync(GOOD, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;

/** The good draft with one change, saved in the temporary directory. */
function draft(name: string, from: string, to: string): string {
  const text = readFileSync(GOOD, 'utf8');
  expect(text).toContain(from);
  const file = path.join(tmp, name);
  writeFileSync(file, text.replace(from, to));
  return file;
}

it('passes a draft that follows its evidence: exit 0, no finding', async () => {
  const { code, stdout, stderr } = await cli(['check', GOOD, '--pack', PACK]);
  expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
  expect(stderr).toBe(`${GOOD}: 0 errors, 0 warnings\n`);
});

it('prints an invented change-event link as file:line and exits 1', async () => {
  const file = draft('invented.md', 'releases/tag/v2.14.0) |', 'releases/tag/v2.13.9) |');
  const { code, stdout } = await cli(['check', file, '--pack', PACK]);
  expect(code).toBe(1);
  expect(stdout.split('\n').filter(Boolean)).toEqual([
    `${file}:${lineOf('releases/tag/v2.14.0) |')}: error invented_link: https://github.com/acme/checkout-api/releases/tag/v2.13.9 is not in the incident's evidence (no such log entry, alert or change event)`,
    `${file}:${lineOf('releases/tag/v2.14.0) |')}: error uncited_timeline_row: timeline row cites no source (a PagerDuty log entry, alert or change-event link from the evidence, or a Datadog/Sentry link)`,
  ]);
});

it('exits 0 when there are only warnings', async () => {
  const file = draft('warning.md', '· Service: checkout-api', '· Service: checkout-api · [runbook](https://wiki.example.com/runbooks/checkout)');
  const { code, stdout, stderr } = await cli(['check', file, '--pack', PACK]);
  expect(code).toBe(0);
  expect(stdout).toContain(`warning.md:${lineOf('· Service: checkout-api')}: warning unverified_link: https://wiki.example.com/runbooks/checkout is neither`);
  expect(stderr).toContain('0 errors, 1 warning');
});

it('takes the structured output\'s confirmation and the team\'s template', async () => {
  const stated = draft('stated.md', '**Hypothesis:** release', 'Release');
  expect((await cli(['check', stated, '--pack', PACK])).code).toBe(1);
  expect((await cli(['check', stated, '--pack', PACK, '--root-cause-confirmed'])).code).toBe(0);

  const template = path.join(tmp, 'template.md');
  writeFileSync(template, '# Postmortem\n\n## Impact\n\n## Timeline\n\n## Root Cause\n\n## Action Items\n');
  const viaFlag = await cli(['check', GOOD, '--pack', PACK, '--template', template]);
  const viaEnv = await cli(['check', GOOD, '--pack', PACK], { POSTMORTEM_TEMPLATE: template });
  for (const run of [viaFlag, viaEnv]) {
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`${GOOD}:1: error missing_section: the "Impact" section is missing\n`);
  }
});

it('refuses what it cannot check: no --pack nor --incident, or both (usage, exit 2), a file that is not a pack (exit 1)', async () => {
  const missing = await cli(['check', GOOD]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('postmortem check: check needs --pack <file> or --incident <id>');
  expect(missing.stderr).toContain('Usage: postmortem');

  const both = await cli(['check', GOOD, '--pack', PACK, '--incident', 'Q1CHECK0BOTH1']);
  expect(both).toMatchObject({ code: 2, stdout: '' });
  expect(both.stderr).toContain('postmortem check: --pack and --incident cannot be used together');
  const badId = await cli(['check', GOOD, '--incident', 'not an id']);
  expect(badId.code).toBe(2);
  expect(badId.stderr).toContain('is not a PagerDuty incident id');

  const notPack = path.join(tmp, 'not-a-pack.json');
  writeFileSync(notPack, JSON.stringify({ hello: 'world' }));
  const refused = await cli(['check', GOOD, '--pack', notPack]);
  expect(refused).toMatchObject({ code: 1, stdout: '' });
  expect(refused.stderr).toContain('is not an evidence pack');

  const absent = await cli(['check', path.join(tmp, 'nope.md'), '--pack', PACK]);
  expect(absent.code).toBe(1);
  expect(absent.stderr).toContain('cannot read the postmortem');
});

describe('--incident: the pack from the incident\'s workflow (evidence pack query)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'cli-check-incident';
  const pack = JSON.parse(readFileSync(PACK, 'utf8')) as IncidentContext;
  const started: string[] = [];

  beforeAll(async () => {
    env = await startDevServer();
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowsPath: require.resolve('./support/tiny-workflows'),
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(started.map((id) => env?.client.workflow.getHandle(id).terminate('test done').catch(() => undefined)));
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  /** A stand-in incident workflow answering the query with `answer` (or, without one, a build from before the query). */
  async function incident(id: string, answer?: EvidencePackAnswer): Promise<string> {
    const workflowId = workflowIdForIncident(id);
    await env.client.workflow.start(answer ? 'evidencePackHolder' : 'beforeEvidencePackQuery', { workflowId, taskQueue, args: answer ? [answer] : [] });
    started.push(workflowId);
    return id;
  }

  const server = () => ({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default', TEMPORAL_TASK_QUEUE: taskQueue });

  it('checks against the workflow\'s pack: exit 0 for the good draft, file:line findings and exit 1 for an invented link; the workflow id works too', async () => {
    const id = await incident('Q1CHECKPACK001', { pack, rootCauseConfirmed: false });
    const good = await cli(['check', GOOD, '--incident', id], server());
    expect(good).toEqual({ code: 0, stdout: '', stderr: `${GOOD}: 0 errors, 0 warnings\n` });

    const file = draft('invented-incident.md', 'releases/tag/v2.14.0) |', 'releases/tag/v2.13.9) |');
    const invented = await cli(['check', file, '--incident', workflowIdForIncident(id)], server());
    expect(invented.code).toBe(1);
    expect(invented.stdout).toContain(`${file}:${lineOf('releases/tag/v2.14.0) |')}: error invented_link: https://github.com/acme/checkout-api/releases/tag/v2.13.9 is not in the incident's evidence`);
  });

  it('takes the workflow\'s rootCauseConfirmed unless --root-cause-confirmed is given', async () => {
    const stated = draft('stated-incident.md', '**Hypothesis:** release', 'Release');
    const unconfirmed = await incident('Q1CHECKROOT001', { pack, rootCauseConfirmed: false });
    const confirmed = await incident('Q1CHECKROOT002', { pack, rootCauseConfirmed: true });
    expect((await cli(['check', stated, '--incident', unconfirmed], server())).code).toBe(1);
    expect((await cli(['check', stated, '--incident', unconfirmed, '--root-cause-confirmed'], server())).code).toBe(0);
    expect((await cli(['check', stated, '--incident', confirmed], server())).code).toBe(0);
  });

  it('takes the workflow\'s required sections unless --template is given (POSTMORTEM_TEMPLATE is the workflow\'s business)', async () => {
    const id = await incident('Q1CHECKSECT001', { pack, requiredSections: ['Impact', 'Timeline', 'Root Cause', 'Action Items'] });
    const sections = await cli(['check', GOOD, '--incident', id], server());
    expect(sections.code).toBe(1);
    expect(sections.stdout).toBe(`${GOOD}:1: error missing_section: the "Impact" section is missing\n`);

    const template = path.join(tmp, 'template-incident.md');
    writeFileSync(template, '# Postmortem\n\n## Summary\n\n## Timeline\n\n## Root Cause\n\n## Action Items\n');
    expect(await cli(['check', GOOD, '--incident', id, '--template', template], server())).toMatchObject({ code: 0, stdout: '' });

    const impactTemplate = path.join(tmp, 'impact-template.md');
    writeFileSync(impactTemplate, '# Postmortem\n\n## Impact\n');
    const defaults = await incident('Q1CHECKSECT002', { pack });
    expect(await cli(['check', GOOD, '--incident', defaults], { ...server(), POSTMORTEM_TEMPLATE: impactTemplate })).toMatchObject({ code: 0, stdout: '' });
  });

  it('an answer without a pack, a workflow without the query, and no workflow at all: clear errors, exit 1', async () => {
    const early = await incident('Q1CHECKEARLY01', {});
    const notYet = await cli(['check', GOOD, '--incident', early], server());
    expect(notYet).toMatchObject({ code: 1, stdout: '' });
    expect(notYet.stderr).toContain("postmortem check: the incident's evidence is not collected yet (incident Q1CHECKEARLY01)");

    const older = await incident('Q1CHECKOLDER01');
    const unanswered = await cli(['check', GOOD, '--incident', older], server());
    expect(unanswered).toMatchObject({ code: 1, stdout: '' });
    expect(unanswered.stderr).toContain('postmortem check: incident-Q1CHECKOLDER01 does not answer the evidence pack query (evidencePack)');
    expect(unanswered.stderr).toContain('--pack');

    const none = await cli(['check', GOOD, '--incident', 'Q1CHECKNONE001'], server());
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toContain('postmortem check: no workflow incident-Q1CHECKNONE001 in namespace');
  });
});
