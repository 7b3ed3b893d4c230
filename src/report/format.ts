// How `postmortem report` prints: plain text for a terminal, Markdown for the weekly review's document
// (--json gives the Report as it is).
import type { Durations, Report } from './figures';

const minutes = (m: number | undefined) => (m === undefined ? '—' : m < 120 ? `${m} min` : m < 2880 ? `${Math.round(m / 6) / 10} h` : `${Math.round(m / 144) / 10} d`);
const spread = (d: Durations) => (d.count === 0 ? 'no data' : `median ${minutes(d.medianMinutes)}, p90 ${minutes(d.p90Minutes)} (${d.count} postmortem${d.count === 1 ? '' : 's'})`);
const pairs = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The report's rows (label, value), shared by the text and Markdown forms. */
function rows(report: Report): [string, string][] {
  const p = report.postmortems;
  const check = report.evidenceCheck;
  const items = report.actionItems;
  const acus = report.devinAcus;
  return [
    ['Incidents', String(report.incidents)],
    ['Postmortems drafted', String(p.drafted)],
    ['Merged', String(p.merged)],
    ['In review', String(p.inReview)],
    ['Skipped', p.skipped === 0 ? '0' : `${p.skipped} (${pairs(p.skippedByReason)})`],
    ['In flight', Object.keys(report.inFlight).length === 0 ? 'none' : pairs(report.inFlight)],
    ['Resolution to PR', spread(report.resolutionToPullRequest)],
    ['Resolution to merge', spread(report.resolutionToMerge)],
    ['Evidence check, first try', check.checked === 0 ? 'no data' : `${Math.round((check.firstTryPassRate ?? 0) * 100)} % passed (${check.passedFirstTry} of ${check.checked})`],
    ['Action items', `${items.created} created, ${items.closed} closed, ${items.open} open, ${items.overdue} overdue`],
    ['Repeat incidents', report.repeats.count === 0 ? '0' : `${report.repeats.count} (${report.repeats.incidents.join(', ')})`],
    ['Devin ACUs', `${acus.total}${acus.postmortemsWithoutCost > 0 ? ` (${acus.postmortemsWithoutCost} merged postmortem(s) without a recorded cost)` : ''}${acus.inFlight > 0 ? `, ${acus.inFlight} in flight` : ''}`],
    ['Root causes', Object.keys(report.byRootCause).length === 0 ? '—' : pairs(report.byRootCause)],
  ];
}

const title = (report: Report) => `Postmortems ${report.window.since.slice(0, 10)} to ${report.window.until.slice(0, 10)}${report.window.service ? `, service ${report.window.service}` : ''} (${report.repository})`;

export function formatReportText(report: Report): string {
  const lines = rows(report);
  const width = Math.max(...lines.map(([label]) => label.length));
  const text = [title(report), ...lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (report.problems.length) text.push('', 'Not counted:', ...report.problems.map((p) => `  - ${p}`));
  return text.join('\n');
}

export function formatReportMarkdown(report: Report): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const text = [`## ${title(report)}`, '', '| Figure | Value |', '| --- | --- |', ...rows(report).map(([label, value]) => `| ${cell(label)} | ${cell(value)} |`)];
  if (report.problems.length) text.push('', '**Not counted:**', '', ...report.problems.map((p) => `- ${p}`));
  return text.join('\n');
}
