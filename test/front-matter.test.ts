// The postmortem's front matter, as machines write it and people edit it: rendered from the evidence
// pack and read back, then hand-edited the ways reviewers do (camelCase keys, quoted numbers, items as
// plain strings, a bad due date, a banner comment first) — and what happens without one or with broken
// YAML (the line of the problem). Plus the follow-up's small rules: markers, labels, owners, reminders.
import { isOverdue, itemLabels, itemMarker, ownerLogin, reminderDue, repeatOf, type TrackedItem } from '../src/domain/follow-up';
import { frontMatterBlock, frontMatterFor, parseFrontMatter, renderFrontMatter } from '../src/postmortem/front-matter';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentContext } from '../src/domain/evidence';

const pack = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'evidence-check', 'pack.json'), 'utf8')) as IncidentContext;

describe('front matter', () => {
  it('renders from the pack and parses back to the same facts', () => {
    const context = pack;
    const fm = { ...frontMatterFor(context), rootCause: 'A bad deploy', rootCauseCategory: 'deploy', actionItems: [{ title: 'Add a canary', owner: '@ada', due: '2026-12-20' }, { title: 'Alert on p99' }] };
    const text = renderFrontMatter(fm);
    expect(text.startsWith('---\nincident_id: ')).toBe(true);
    expect(text.endsWith('---\n')).toBe(true);
    const parsed = parseFrontMatter(`${text}\n# Postmortem\n`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.frontMatter).toEqual(fm);
    expect(fm.incidentId).toBe(context.incident.id);
    expect(fm.durationMinutes).toBeGreaterThan(0);
  });

  it('reads what a person edits: loose keys, quoted numbers, string items, a banner comment first', () => {
    const md = [
      '<!-- DRY RUN: written without Devin -->',
      '',
      '---',
      'incidentId: Q1ABC',
      'Service: checkout-api',
      'duration-minutes: "45 min"',
      'devin_acus: "1.5"',
      'action items:',
      '  - Add a canary for checkout',
      '  - title: Page on p99',
      '    owner: sre-team',
      '    due: 2026-12-20',
      'custom_field: kept out of the way',
      '---',
      '# Postmortem',
    ].join('\n');
    const parsed = parseFrontMatter(md);
    expect(parsed.problems).toEqual([]);
    expect(parsed.block).toMatchObject({ openingLine: 3, closingLine: 14 });
    expect(parsed.frontMatter).toEqual({
      incidentId: 'Q1ABC', service: 'checkout-api', durationMinutes: 45, devinAcus: 1.5,
      actionItems: [{ title: 'Add a canary for checkout' }, { title: 'Page on p99', owner: 'sre-team', due: '2026-12-20' }],
    });
  });

  it('drops a bad due date with a problem on its line, keeping the item', () => {
    const md = ['---', 'incident_id: Q1ABC', 'action_items:', '  - title: Add a canary', '    due: next week', '---'].join('\n');
    const parsed = parseFrontMatter(md);
    expect(parsed.frontMatter?.actionItems).toEqual([{ title: 'Add a canary' }]);
    expect(parsed.problems).toEqual([{ line: 3, message: expect.stringContaining('action_items.0.due: is not a date') }]);
  });

  it('drops an untitled item and another item\'s bad due date, each where it was, keeping the rest', () => {
    const md = ['---', 'incident_id: Q1ABC', 'action_items:', '  - title: ""', '  - title: Keep me', '  - title: Fix my date', '    due: next week', '  - title: Keep my date', '    due: 2027-01-31', '---'].join('\n');
    const parsed = parseFrontMatter(md);
    expect(parsed.frontMatter?.actionItems).toEqual([{ title: 'Keep me' }, { title: 'Fix my date' }, { title: 'Keep my date', due: '2027-01-31' }]);
    expect(parsed.problems).toHaveLength(2);
  });

  it('says what is missing: no front matter, no incident id, broken YAML (with its line)', () => {
    expect(parseFrontMatter('# Postmortem\n').problems[0]!.message).toMatch(/no YAML front matter/);
    expect(frontMatterBlock('# Title\n---\na: 1\n---\n')).toBeUndefined();
    const noId = parseFrontMatter('---\nservice: checkout-api\n---\n');
    expect(noId.frontMatter).toBeUndefined();
    expect(noId.problems[0]!.message).toMatch(/incident_id/);
    const broken = parseFrontMatter('---\nincident_id: Q1\naction_items: [unclosed\n---\n');
    expect(broken.frontMatter).toBeUndefined();
    expect(broken.problems[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/not valid YAML/) });
    expect(broken.problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(parseFrontMatter('---\n- a list\n---\n').problems[0]!.message).toMatch(/not a map/);
  });
});

describe('follow-up rules', () => {
  const item = (over: Partial<TrackedItem> = {}): TrackedItem => ({ index: 0, title: 'Add a canary', issueId: '501', issueUrl: 'https://github.com/acme/runbooks/issues/501', state: 'open', reminders: 0, ...over });

  it('marks and labels each item by incident and position', () => {
    expect(itemMarker('Q1', 2)).toBe('<!-- postmortem-pipeline:action-item incident=Q1 index=2 -->');
    expect(itemLabels('Q1')).toEqual(['postmortem', 'incident:Q1']);
  });

  it('assigns only what looks like a GitHub login', () => {
    expect(ownerLogin('@ada')).toBe('ada');
    expect(ownerLogin('ada-l')).toBe('ada-l');
    expect(ownerLogin('Owner: @ada')).toBe('ada');
    for (const owner of ['TBD', 'Ada Lovelace', 'acme/sre', '', undefined]) expect(ownerLogin(owner)).toBeUndefined();
  });

  it('reminds an overdue open item at most once a week', () => {
    const now = '2026-12-10T09:00:00Z';
    expect(isOverdue(item({ due: '2026-12-09' }), now)).toBe(true);
    expect(isOverdue(item({ due: '2026-12-10' }), now)).toBe(false);
    expect(isOverdue(item({ due: '2026-12-09', state: 'closed' }), now)).toBe(false);
    expect(reminderDue(item({ due: '2026-12-01' }), now)).toBe(true);
    expect(reminderDue(item({ due: '2026-12-01', remindedAt: '2026-12-05T09:00:00Z' }), now)).toBe(false);
    expect(reminderDue(item({ due: '2026-12-01', remindedAt: '2026-12-03T09:00:00Z' }), now)).toBe(true);
  });

  it('names the last postmortem of the service with open items', () => {
    expect(repeatOf(undefined)).toBeUndefined();
    expect(repeatOf([{ incidentId: 'Q0', path: 'p', url: 'u', openItems: [] }])).toBeUndefined();
    expect(repeatOf([{ incidentId: 'Q0', path: 'p', url: 'https://github.com/acme/runbooks/blob/HEAD/p', openItems: [{ title: 'Add a canary' }] }])).toBe('https://github.com/acme/runbooks/blob/HEAD/p has 1 open action item');
  });
});
