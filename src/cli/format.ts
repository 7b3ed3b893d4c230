// How `status` and `list` print for a human (--json prints the objects as they are).
import { workflowIdForIncident } from '../domain/incident';
import { type PostmortemStatus } from '../domain/status';
import { describeReport } from '../domain/redaction-report';
import { type CheckFinding, MAX_REVIEW_REMINDERS, type ReviewStatus } from '../domain/review';
import { formatAcus } from '../domain/session';
import { formatColumns } from './columns';
import { followUpStatusLines } from './format-follow-up';

/** Findings of the last check that `status` lists (the check run has them all). */
export const FINDINGS_SHOWN = 5;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function formatFinding(finding: CheckFinding): string {
  return `line ${finding.line}: ${finding.severity} ${finding.kind}: ${finding.message}`;
}

/**
 * The review's lines for `status` (label, value): the last evidence check and its first findings, fix
 * rounds, review state, reviewers, reminders, the merge and the note. A label of '' continues the line above.
 */
export function formatReview(review: ReviewStatus): [string, string][] {
  const lines: [string, string][] = [];
  const check = review.lastCheck;
  if (check) {
    lines.push(['evidence check', `${check.conclusion}: ${plural(check.errors, 'error')}, ${plural(check.warnings, 'warning')} (${check.path} at ${check.headSha.slice(0, 12)}; ${plural(review.checks, 'check')} run)`]);
    if (check.checkRunUrl) lines.push(['check run', check.checkRunUrl]);
    if (check.publishError) lines.push(['check run', `not published: ${check.publishError}`]);
    const shown = check.findings.slice(0, FINDINGS_SHOWN);
    shown.forEach((finding, i) => lines.push([i === 0 ? 'findings' : '', formatFinding(finding)]));
    const more = Math.max(check.errors + check.warnings, check.findings.length) - shown.length;
    if (shown.length > 0 && more > 0) lines.push(['', `… and ${more} more${check.checkRunUrl ? ' (see the check run)' : ''}`]);
  } else if (review.checks === 0) {
    lines.push(['evidence check', 'not run yet']);
  }
  lines.push(['fix rounds', `${review.fixRounds} of ${review.fixRoundsAllowed} used`]);
  lines.push(['review', review.reviewState.replace(/_/g, ' ')]);
  if (review.reviewersRequested?.length) lines.push(['reviewers', `requested: ${review.reviewersRequested.join(', ')}`]);
  if (review.reviewRequestNote) lines.push([review.reviewersRequested?.length ? '' : 'reviewers', review.reviewRequestNote]);
  lines.push(['reminders', `${review.remindersSent} of at most ${MAX_REVIEW_REMINDERS} sent`]);
  if (review.mergedAt || review.mergeCommitSha) {
    lines.push(['merged', [review.mergedAt, review.mergeCommitSha ? `merge commit ${review.mergeCommitSha}` : undefined].filter(Boolean).join(', ')]);
  }
  if (review.note) lines.push(['review note', review.note]);
  return lines;
}

export function formatStatus(status: PostmortemStatus, now = new Date().toISOString()): string {
  const dash = (value: string | null | undefined) => (value === undefined || value === null || value === '' ? '—' : value);
  const lines: [string, string][] = [
    ['phase', status.phase],
    ['title', dash(status.title)],
    ['service', dash(status.service)],
    ['priority', status.priority === null ? 'none' : dash(status.priority ?? status.urgency?.concat(' urgency'))],
    ['incident', dash(status.incidentUrl)],
    ['session', dash(status.devinSessionUrl ?? status.devinSessionId)],
    ['cost', status.devinAcusConsumed === undefined ? '—' : formatAcus(status.devinAcusConsumed)],
    ['pull request', dash(status.pullRequestUrl)],
  ];
  if (status.pullRequestNote) lines.push(['note', status.pullRequestNote]);
  if (status.review) lines.push(...formatReview(status.review));
  lines.push(...followUpStatusLines(status, now));
  if (status.devinAcuWarning) lines.push(['cost warning', status.devinAcuWarning]);
  if (status.devinQuestion) lines.push(['devin asked', status.devinQuestion]);
  if (status.devinSessionEnded) lines.push(['session ended', status.devinSessionEnded]);
  if (status.otherDevinSessions?.length) lines.push(['other sessions', status.otherDevinSessions.map((s) => `${s.sessionUrl ?? s.sessionId} (${s.status})`).join(', ')]);
  if (status.pageUrl) lines.push(['page', status.pageUrl]);
  if (status.dryRun) lines.push(['dry run', status.promptPath ? `prompt written to ${status.promptPath}` : 'yes (DEVIN_API_KEY not set)']);
  if (status.lastError) lines.push(['last error', status.lastError]);
  if (status.skipReason) lines.push(['skip reason', status.skipReason]);
  if (status.mergedInto) lines.push(['merged into', status.mergedInto]);
  if (status.routing) lines.push(['routing', status.routing]);
  if (status.contextSource) lines.push(['evidence', status.contextSource + (status.contextLimitation ? ` (${status.contextLimitation})` : '')]);
  if (status.redactions && Object.keys(status.redactions).length > 0) lines.push(['redacted', describeReport(status.redactions)]);
  if (status.reopenedAfterDraft > 0) lines.push(['reopened', `${status.reopenedAfterDraft}× after the session started`]);
  lines.push(['events', `${status.eventsReceived} received, ${status.duplicatesIgnored} duplicates ignored`]);
  const width = Math.max(...lines.map(([label]) => label.length));
  const text = [`${workflowIdForIncident(status.incidentId)}`, ...lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (status.phase === 'needs_attention') {
    text.push('', `Fix the cause, then \`postmortem retry ${status.incidentId}\`, or \`postmortem skip ${status.incidentId} --reason …\`.`);
  }
  return text.join('\n');
}

/** One incident workflow, as `list` prints it (and as --json gives it). */
export interface ListRow {
  incidentId: string;
  workflowId: string;
  phase?: string;
  priority?: string;
  service?: string;
  /** The Devin session's cost so far (the DevinAcusConsumed search attribute). */
  acus?: number;
  startTime: string;
  closeTime?: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED… */
  status: string;
}

export function formatTable(rows: ListRow[]): string {
  const header = ['INCIDENT', 'PHASE', 'PRIORITY', 'SERVICE', 'ACUS', 'STARTED'];
  return formatColumns(header, rows.map((r) => [r.incidentId, r.phase ?? '—', r.priority ?? '—', r.service ?? '—', r.acus === undefined ? '—' : String(Math.round(r.acus * 100) / 100), r.startTime.replace(/\.\d{3}Z$/, 'Z')]));
}
