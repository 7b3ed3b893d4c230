// `postmortem check <file> --pack <file>`: the evidence check on a local draft, through runCli as an
// operator runs it. No Temporal server: the pack is a file. One finding a line, `file:line: severity
// kind: message`; exit 1 on an error, 0 with warnings only or none; a missing --pack is a usage error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';

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
    `${file}:18: error invented_link: https://github.com/acme/checkout-api/releases/tag/v2.13.9 is not in the incident's evidence (no such log entry, alert or change event)`,
    `${file}:18: error uncited_timeline_row: timeline row cites no source (a PagerDuty log entry, alert or change-event link from the evidence, or a Datadog/Sentry link)`,
  ]);
});

it('exits 0 when there are only warnings', async () => {
  const file = draft('warning.md', '· Service: checkout-api', '· Service: checkout-api · [runbook](https://wiki.example.com/runbooks/checkout)');
  const { code, stdout, stderr } = await cli(['check', file, '--pack', PACK]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^.*warning\.md:7: warning unverified_link: https:\/\/wiki\.example\.com\/runbooks\/checkout is neither/);
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

it('refuses what it cannot check: no --pack (usage, exit 2), a file that is not a pack (exit 1)', async () => {
  const missing = await cli(['check', GOOD]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("postmortem check: required option '--pack <file>' not specified");

  const notPack = path.join(tmp, 'not-a-pack.json');
  writeFileSync(notPack, JSON.stringify({ hello: 'world' }));
  const refused = await cli(['check', GOOD, '--pack', notPack]);
  expect(refused).toMatchObject({ code: 1, stdout: '' });
  expect(refused.stderr).toContain('is not an evidence pack');

  const absent = await cli(['check', path.join(tmp, 'nope.md'), '--pack', PACK]);
  expect(absent.code).toBe(1);
  expect(absent.stderr).toContain('cannot read the postmortem');
});
