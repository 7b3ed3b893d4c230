// The report's figures from plain data (src/report/figures.ts), the notes it reads back
// (src/report/sources.ts, src/domain/write-back.ts) and its printed forms — no server.
import { incidentNoteText } from '../activities/write-back';
import { figuresLine, noteMarker, parseFiguresLine } from '../src/domain/write-back';
import { computeReport, type MergedPostmortem, percentile, type ReportInput, skipKind } from '../src/report/figures';
import { formatReportMarkdown, formatReportText } from '../src/report/format';
import { filesSince, readNotes } from '../src/report/sources';

const since = '2026-11-01T00:00:00.000Z';
const until = '2026-12-01T00:00:00.000Z';
const at = (day: number, minutes = 0) => new Date(Date.parse(`2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`) + minutes * 60_000).toISOString();

function merged(id: string, day: number, extra: Partial<MergedPostmortem> = {}): MergedPostmortem {
  return { incidentId: id, path: `docs/postmortems/2026-11-${day}-checkout-api-x.md`, url: `https://github.com/acme/runbooks/blob/main/x-${id}.md`, service: 'checkout-api', resolvedAt: at(day), rootCauseCategory: 'deploy', actionItems: 2, ...extra };
}

function input(extra: Partial<ReportInput> = {}): ReportInput {
  return { since, until, repository: 'acme/runbooks', merged: [], issues: [], workflows: [], problems: [], ...extra };
}

describe('the report figures', () => {
  it('counts incidents, drafted, merged, in review, skipped by reason, and what is in flight', () => {
    const report = computeReport(
      input({
        merged: [merged('QA', 3), merged('QB', 5), merged('QOLD', 1, { resolvedAt: '2026-10-20T00:00:00.000Z' })],
        workflows: [
          { incidentId: 'QA', status: 'COMPLETED', phase: 'completed', startTime: at(3, -60) },
          { incidentId: 'QC', status: 'RUNNING', phase: 'in_review', startTime: at(10), pullRequestUrl: 'https://github.com/acme/runbooks/pull/9' },
          { incidentId: 'QD', status: 'RUNNING', phase: 'awaiting_resolution', startTime: at(11), acus: 1.5 },
          { incidentId: 'QE', status: 'COMPLETED', phase: 'skipped', startTime: at(12), skipReason: 'priority P4 is below POSTMORTEM_MIN_PRIORITY P2' },
          { incidentId: 'QF', status: 'COMPLETED', phase: 'skipped', startTime: at(13), skipReason: 'the postmortem pull request https://github.com/acme/runbooks/pull/10 was closed without merging', pullRequestUrl: 'https://github.com/acme/runbooks/pull/10' },
          { incidentId: 'QG', status: 'COMPLETED', phase: 'skipped', startTime: at(14), skipReason: 'priority P5 is below POSTMORTEM_MIN_PRIORITY P2 (account priorities)' },
          { incidentId: 'QOUT', status: 'RUNNING', phase: 'in_review', startTime: '2026-12-02T00:00:00.000Z' },
        ],
      }),
    );
    expect(report.incidents).toBe(7);
    expect(report.postmortems).toEqual({ drafted: 4, merged: 2, inReview: 1, skipped: 3, skippedByReason: { 'below the priority threshold': 2, 'PR closed without merge': 1 } });
    expect(report.inFlight).toEqual({ in_review: 1, awaiting_resolution: 1 });
    expect(report.devinAcus).toMatchObject({ total: 1.5, inFlight: 1.5, postmortemsWithCost: 0, postmortemsWithoutCost: 2 });
    expect(formatReportText(report)).toMatch(/Skipped +3 \(below the priority threshold 2, PR closed without merge 1\)/);
  });

  it('times from resolution to PR and merge (median, p90), the first-try check, items, repeats and cost', () => {
    const notes = (openedAfter: number, mergedAfter: number, firstCheck: 'success' | 'failure', acus: number, repeat = false) => ({ prOpenedAt: at(1, openedAfter + 1), mergedAt: at(1, mergedAfter), figures: { firstCheck, acus, openedAt: at(1, openedAfter) }, repeat });
    const report = computeReport(
      input({
        service: 'Checkout-API',
        merged: [
          merged('Q1', 1, { notes: notes(30, 600, 'success', 2) }),
          merged('Q2', 1, { notes: notes(60, 1200, 'failure', 3.5, true) }),
          merged('Q3', 1, { notes: notes(90, 3000, 'success', 1), devinAcus: 9 }),
          merged('Q4', 1, { devinAcus: 4 }),
          merged('QX', 1, { service: 'payments-api', notes: notes(1, 2, 'failure', 50) }),
        ],
        issues: [
          { incidentId: 'Q1', state: 'closed' },
          { incidentId: 'Q1', state: 'open', due: '2026-11-15' },
          { incidentId: 'Q2', state: 'open', due: '2026-12-31' },
          { incidentId: 'Q2', state: 'open' },
          { incidentId: 'QX', state: 'open', due: '2026-11-02' },
        ],
      }),
    );
    expect(report.postmortems.merged).toBe(4);
    expect(report.resolutionToPullRequest).toEqual({ count: 3, medianMinutes: 60, p90Minutes: 90 });
    expect(report.resolutionToMerge).toEqual({ count: 3, medianMinutes: 1200, p90Minutes: 3000 });
    expect(report.evidenceCheck).toEqual({ checked: 3, passedFirstTry: 2, firstTryPassRate: 0.67 });
    expect(report.actionItems).toEqual({ created: 4, closed: 1, open: 3, overdue: 1 });
    expect(report.repeats).toEqual({ count: 1, incidents: ['Q2'] });
    // The merged note's cost first, the front matter's when the note has none.
    expect(report.devinAcus).toMatchObject({ total: 10.5, postmortemsWithCost: 4, postmortemsWithoutCost: 0 });
    const text = formatReportText(report);
    expect(text).toMatch(/Resolution to PR +median 60 min, p90 90 min \(3 postmortems\)/);
    expect(text).toMatch(/Resolution to merge +median 20 h, p90 2\.1 d/);
    expect(text).toMatch(/Evidence check, first try +67 % passed \(2 of 3\)/);
    expect(formatReportMarkdown(report)).toContain('| Repeat incidents | 1 (Q2) |');
  });

  it('says when there is nothing to measure, and lists what it could not count', () => {
    const report = computeReport(input({ problems: ['docs/postmortems/2026-11-02-x.md: no usable front matter (none found)'] }));
    expect(report.resolutionToPullRequest).toEqual({ count: 0 });
    const text = formatReportText(report);
    expect(text).toMatch(/Resolution to PR +no data/);
    expect(text).toMatch(/Evidence check, first try +no data/);
    expect(text).toContain('Not counted:\n  - docs/postmortems/2026-11-02-x.md: no usable front matter');
  });

  it('counts an incident once across its runs, and a follow-up carried on from before the window only as in flight', () => {
    const report = computeReport(
      input({
        workflows: [
          // Started in the window, continued as new twice while following up: one incident.
          { incidentId: 'QR', status: 'CONTINUED_AS_NEW', phase: 'following_up', startTime: at(2), acus: 2 },
          { incidentId: 'QR', status: 'CONTINUED_AS_NEW', phase: 'following_up', startTime: at(9), acus: 2, continued: true },
          { incidentId: 'QR', status: 'RUNNING', phase: 'following_up', startTime: at(16), acus: 2, continued: true },
          // Its first run started before the window: in flight, but not one of the window's incidents or costs.
          { incidentId: 'QOLD', status: 'RUNNING', phase: 'following_up', startTime: at(20), acus: 7, continued: true },
        ],
      }),
    );
    expect(report.incidents).toBe(1);
    expect(report.inFlight).toEqual({ following_up: 2 });
    expect(report.devinAcus.inFlight).toBe(2);
  });

  it('counts skip reasons by kind, not by their text', () => {
    expect(skipKind('priority P4 is below POSTMORTEM_MIN_PRIORITY P2')).toBe('below the priority threshold');
    expect(skipKind('no priority set; low urgency does not qualify (POSTMORTEM_NO_PRIORITY=urgency)')).toBe('below the priority threshold');
    expect(skipKind('the postmortem pull request https://github.com/a/b/pull/3 was closed without merging')).toBe('PR closed without merge');
    expect(skipKind('merged into incident Q2, whose postmortem covers it')).toBe('merged into another incident');
    expect(skipKind('cancelled by an operator: test incident')).toBe('cancelled by an operator');
    expect(skipKind('skipped by an operator while waiting for the pull request')).toBe('skipped by an operator');
    expect(skipKind('started by a note … within LATE_RESOLUTION_GRACE (1h) …')).toBe('resolved before the service watched it');
    expect(skipKind(undefined)).toBe('no reason recorded');
    expect(skipKind('something new')).toBe('other');
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});

describe('what the report reads back', () => {
  it('the merged note carries its figures on a line of their own, read back exactly', () => {
    const figures = { firstCheck: 'failure' as const, acus: 3.456, openedAt: '2026-11-03T10:30:00.000Z' };
    const content = incidentNoteText({ incidentId: 'Q1', kind: 'merged', destination: 'repo', url: 'https://github.com/acme/runbooks/pull/3', mergeCommitSha: 'a'.repeat(40), figures });
    expect(content).toContain(noteMarker('merged'));
    expect(content.split('\n').pop()).toBe(figuresLine(figures));
    expect(parseFiguresLine(content)).toEqual({ ...figures, acus: 3.46 });
    // An older build's note has none; nonsense values are dropped.
    expect(parseFiguresLine(`Postmortem merged: x ${noteMarker('merged')}`)).toBeUndefined();
    expect(parseFiguresLine('[postmortem-figures first_check=maybe acus=-1 pr_opened_at=yesterday]')).toEqual({});
  });

  it('the notes: PR opened, merged, figures, a repeat', () => {
    const read = readNotes([
      { content: `Postmortem drafting started: Devin session x — repeat: https://github.com/acme/runbooks/blob/main/a.md has 2 open action items ${noteMarker('drafting')}`, created_at: '2026-11-03T10:00:00Z' },
      { content: `Postmortem pull request opened for review: y ${noteMarker('published')}`, created_at: '2026-11-03T10:20:00Z' },
      { content: `Postmortem merged: y ${noteMarker('merged')}\n${figuresLine({ firstCheck: 'success' })}`, created_at: '2026-11-04T09:00:00Z' },
    ]);
    expect(read).toEqual({ prOpenedAt: '2026-11-03T10:20:00Z', mergedAt: '2026-11-04T09:00:00Z', figures: { firstCheck: 'success' }, repeat: true });
    expect(readNotes([])).toEqual({ repeat: false });
  });

  it('only the files named from a day before the window on are read', () => {
    expect(filesSince(['2026-10-30-a-x.md', '2026-10-31-a-y.md', '2026-11-02-b-z.md', 'README.md', '2026-11-03-notes.txt'], since)).toEqual(['2026-10-31-a-y.md', '2026-11-02-b-z.md']);
  });
});
