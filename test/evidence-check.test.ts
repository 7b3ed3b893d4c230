// The evidence check on realistic drafts: a good one passes with no finding at all, and each rule
// fails its own broken draft at the line that breaks it (each draft is the good one with one change).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentContext } from '../src/domain/evidence';
import { checkPostmortem, type EvidenceCheckInput, spokenDuration } from '../src/postmortem/evidence-check';
import { buildPostmortemPrompt } from '../src/postmortem/prompt';
import { renderPostmortemSkeleton } from '../src/postmortem/skeleton';
import { DEFAULT_POSTMORTEM_SECTIONS, templateSections } from '../src/postmortem/sections';

const DIR = path.join(__dirname, 'fixtures', 'evidence-check');
const pack = JSON.parse(readFileSync(path.join(DIR, 'pack.json'), 'utf8')) as IncidentContext;
const good = readFileSync(path.join(DIR, 'good-draft.md'), 'utf8');

/** The 1-based line of the good draft holding `text` (exactly one). */
function lineOf(text: string): number {
  const lines = good.split('\n').flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  if (lines.length !== 1) throw new Error(`"${text}" is on ${lines.length} lines of the good draft`);
  return lines[0]!;
}

/** The good draft with `from` (on exactly one line) replaced by `to`. */
function broken(from: string, to: string): string {
  lineOf(from);
  return good.replace(from, to);
}

const check = (markdown: string, extra: Partial<EvidenceCheckInput> = {}) =>
  checkPostmortem({ markdown, pack, ...extra }).map(({ severity, kind, line }) => ({ severity, kind, line }));

describe('the evidence check', () => {
  it('finds nothing in a draft that follows the evidence', () => {
    expect(checkPostmortem({ markdown: good, pack })).toEqual([]);
  });

  it('agrees with the dry run\'s skeleton: only the blanks a person fills in are findings', () => {
    const skeleton = renderPostmortemSkeleton(pack);
    const lines = skeleton.split('\n');
    expect(check(skeleton)).toEqual([
      { severity: 'error', kind: 'uncited_root_cause', line: lines.indexOf('## Root Cause') + 1 },
      { severity: 'error', kind: 'no_action_items', line: lines.indexOf('## Action Items') + 1 },
    ]);
  });

  it('asks for the default sections the prompt asks for', () => {
    // The prompt's structure names each default section (the check and the prompt must not drift apart).
    const prompt = buildPostmortemPrompt(pack);
    for (const name of DEFAULT_POSTMORTEM_SECTIONS) expect(prompt).toContain(`- ${name}:`);
    expect(check(broken('## Summary', '## Overview'))).toEqual([{ severity: 'error', kind: 'missing_section', line: 1 }]);
  });

  it('asks for the template\'s sections instead, when the team has one', () => {
    const template = '# Postmortem\n\n## Impact\n\n## Timeline\n\n```md\n## Not a section\n```\n## Root Cause\n\n## Action Items\n';
    const required = templateSections(template);
    expect(required).toEqual(['Impact', 'Timeline', 'Root Cause', 'Action Items']);
    const findings = checkPostmortem({ markdown: good, pack, requiredSections: required });
    expect(findings.map((f) => [f.kind, f.line, f.message])).toEqual([['missing_section', 1, 'the "Impact" section is missing']]);
  });

  it('holds the header table to the incident\'s date, duration and severity', () => {
    const row = lineOf('| 2026-11-20 | 47m29s | P1 |');
    expect(check(broken('| 2026-11-20 | 47m29s | P1 |', '| 2026-11-19 | 47m29s | P1 |'))).toEqual([{ severity: 'error', kind: 'header_table', line: row }]);
    expect(check(broken('| 2026-11-20 | 47m29s | P1 |', '| 2026-11-20 | 2h | P1 |'))).toEqual([{ severity: 'error', kind: 'header_table', line: row }]);
    expect(check(broken('| 2026-11-20 | 47m29s | P1 |', '| 2026-11-20 | 47m29s | P2 |'))).toEqual([{ severity: 'error', kind: 'header_table', line: row }]);
    // Said otherwise, the same facts pass: rounded to the minute, in words, a date with a time.
    expect(check(broken('| 2026-11-20 | 47m29s | P1 |', '| Nov 20, 2026 | 47 minutes | P1 (critical) |'))).toEqual([]);
    expect(check(broken('| Date | Duration | Severity |', '| Day | Length | Level |'))).toEqual([{ severity: 'error', kind: 'header_table', line: lineOf('# Postmortem:') }]);
  });

  it('reads durations as people write them', () => {
    expect(spokenDuration('1h 23m')).toBe(83 * 60_000);
    expect(spokenDuration('1 hour 23 minutes')).toBe(83 * 60_000);
    expect(spokenDuration('47m29s')).toBe(2_849_000);
    expect(spokenDuration('about an hour')).toBeUndefined();
  });

  it('wants a source on every timeline row', () => {
    const row = '| 14:05 | On-call acknowledges | [log entry](https://acme.pagerduty.com/incidents/Q1ABCDEF234567/log_entries/R02ACK) |';
    expect(check(broken(row, '| 14:05 | On-call acknowledges | pager |'))).toEqual([{ severity: 'error', kind: 'uncited_timeline_row', line: lineOf(row) }]);
  });

  it('fails an invented PagerDuty or change-event link on its line, and a row citing only it', () => {
    const row = lineOf('log_entries/R02ACK');
    expect(check(broken('log_entries/R02ACK', 'log_entries/R99MADEUP'))).toEqual([
      { severity: 'error', kind: 'invented_link', line: row },
      { severity: 'error', kind: 'uncited_timeline_row', line: row },
    ]);
    const deploy = lineOf('| 13:55 |');
    expect(check(good.replace('| 13:55 | v2.14.0 deployed (connection pool size 50 -> 5) | [change event](https://github.com/acme/checkout-api/releases/tag/v2.14.0)', '| 13:55 | v2.14.0 deployed (connection pool size 50 -> 5) | [change event](https://github.com/acme/checkout-api/releases/tag/v2.13.9)'))).toEqual([
      { severity: 'error', kind: 'invented_link', line: deploy },
      { severity: 'error', kind: 'uncited_timeline_row', line: deploy },
    ]);
  });

  it('takes Datadog and Sentry links as sources of their own, and only warns about other links', () => {
    const row = '| 14:05 | On-call acknowledges | [log entry](https://acme.pagerduty.com/incidents/Q1ABCDEF234567/log_entries/R02ACK) |';
    expect(check(broken(row, '| 14:05 | On-call acknowledges | [issue](https://acme.sentry.io/issues/4509871234/) |'))).toEqual([]);
    expect(check(broken(row, '| 14:05 | On-call acknowledges | [metrics](https://us5.datadoghq.com/dashboard/abc-123) |'))).toEqual([]);
    expect(check(broken(row, '| 14:05 | On-call acknowledges | [chat](https://acme.slack.com/archives/C1/p2) |'))).toEqual([
      { severity: 'error', kind: 'uncited_timeline_row', line: lineOf(row) },
      { severity: 'warning', kind: 'unverified_link', line: lineOf(row) },
    ]);
  });

  it('wants the root cause to cite a source', () => {
    const draft = good
      .replace('([change event](https://github.com/acme/checkout-api/releases/tag/v2.14.0)); under normal load requests', 'under normal load requests')
      .replace(' ([Datadog logs](https://app.datadoghq.com/logs?query=service%3Acheckout-api)).', '.');
    expect(draft.split('## Root Cause')[1]?.split('## Action')[0]).not.toContain('](http');
    expect(check(draft)).toEqual([{ severity: 'error', kind: 'uncited_root_cause', line: lineOf('## Root Cause') }]);
  });

  it('wants the root cause marked a hypothesis unless the session confirmed it', () => {
    const draft = broken('**Hypothesis:** release', 'Release');
    expect(check(draft)).toEqual([{ severity: 'error', kind: 'root_cause_not_hypothesis', line: lineOf('## Root Cause') }]);
    expect(check(draft, { report: { rootCauseConfirmed: true } })).toEqual([]);
    expect(check(draft, { report: { rootCauseConfirmed: false } })).toHaveLength(1);
  });

  it('wants action items, each with an owner or an explicit placeholder', () => {
    const row = '| Load-test pool size changes before release | Owner: TBD | TBD |';
    expect(check(broken(row, '| Load-test pool size changes before release |  | TBD |'))).toEqual([{ severity: 'error', kind: 'action_item_without_owner', line: lineOf(row) }]);
    const list = good.replace(/\| Action \| Owner[\s\S]*$/, '- Alert on connection pool saturation (owner: @payments-oncall)\n- Load-test pool size changes before release\n- Document pool sizing — Owner: TBD\n');
    const second = list.split('\n').indexOf('- Load-test pool size changes before release') + 1;
    // The front matter still lists two: a warning, since the issues are made from it.
    const differ = { severity: 'warning', kind: 'front_matter', line: 1 };
    expect(check(list)).toEqual([differ, { severity: 'error', kind: 'action_item_without_owner', line: second }]);
    const none = good.replace(/\| Action \| Owner[\s\S]*$/, '_None yet._\n');
    expect(check(none)).toEqual([differ, { severity: 'error', kind: 'no_action_items', line: lineOf('## Action Items') }]);
  });

  it('holds the front matter to the incident: it parses, names this incident, service and priority', () => {
    const body = good.slice(good.indexOf('# Postmortem'));
    expect(checkPostmortem({ markdown: body, pack })).toEqual([expect.objectContaining({ severity: 'warning', kind: 'front_matter', line: 1, message: expect.stringMatching(/no YAML front matter/) })]);
    expect(check(broken('incident_id: Q1ABCDEF234567', 'incident_id: Q9OTHER'))).toEqual([{ severity: 'error', kind: 'front_matter', line: 1 }]);
    expect(checkPostmortem({ markdown: broken('service: checkout-api', 'service: billing'), pack })[0]!.message).toBe('front matter service is "billing", the incident\'s is checkout-api');
    expect(check(broken('priority: P1', 'priority: P3'))).toEqual([{ severity: 'error', kind: 'front_matter', line: 1 }]);
    // Broken YAML loses the whole block: an error on its line. A bad due date loses only itself: a warning.
    expect(check(broken('duration_minutes: 47', 'duration_minutes: [47'))).toEqual([{ severity: 'error', kind: 'front_matter', line: expect.any(Number) }]);
    const due = good.replace('owner: TBD\n    due: null', 'owner: TBD\n    due: soon');
    expect(due).not.toBe(good);
    expect(check(due)).toEqual([{ severity: 'warning', kind: 'front_matter', line: lineOf('action_items:') }]);
    // YAML comments are no headings: the sections are still found.
    expect(check(broken('devin_acus: null', 'devin_acus: null\n# Root Cause'))).toEqual([]);
  });

  it('finds secrets and personal data with the scanner that guards the prompt, never quoting them', () => {
    // Built at run time: no credential-shaped literal lives in the repository.
    const token = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
    const line = lineOf('For 47 minutes checkout');
    const leaked = broken('For 47 minutes checkout', `The deploy used ${token}. For 47 minutes checkout`);
    const findings = checkPostmortem({ markdown: leaked, pack });
    expect(findings.map(({ severity, kind, line: at }) => ({ severity, kind, line: at }))).toEqual([{ severity: 'error', kind: 'secret', line }]);
    expect(JSON.stringify(findings)).not.toContain(token);

    // A secret inside a quoted link is redacted in the message too.
    const row = lineOf('log_entries/R02ACK');
    const inLink = checkPostmortem({ markdown: broken('log_entries/R02ACK', `log_entries/R99?access=${token}`), pack });
    expect(inLink.map((f) => [f.kind, f.line])).toEqual([['invented_link', row], ['secret', row], ['uncited_timeline_row', row]]);
    expect(JSON.stringify(inLink)).not.toContain(token);
    expect(inLink[0]?.message).toContain('[REDACTED:github_token]');

    const email = broken('For 47 minutes checkout', 'Reported by jane.doe@example.com. For 47 minutes checkout');
    expect(check(email)).toEqual([{ severity: 'error', kind: 'personal_data', line }]);
    expect(check(email, { personalData: false })).toEqual([]);
  });
});
