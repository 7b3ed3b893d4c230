// The "Current Details" panel of the incident's workflow in the Temporal UI, as markdown.
import { describeReport } from '../src/domain/redaction-report';
import { formatAcus } from '../src/domain/session';
import type { FollowUpStatus } from '../src/domain/follow-up';
import { EVIDENCE_CHECK_NAME, MAX_REVIEW_REMINDERS, type ReviewStatus } from '../src/domain/review';
import type { PostmortemStatus } from '../src/domain/status';

function link(label: string, url: string | undefined): string {
  return url ? `[${label}](${url})` : label;
}

function reviewDetails(review: ReviewStatus): string[] {
  const lines: string[] = [];
  const check = review.lastCheck;
  if (check) {
    const run = check.checkRunUrl ? ` — ${link(EVIDENCE_CHECK_NAME, check.checkRunUrl)}` : '';
    lines.push(`**Evidence check:** ${check.conclusion === 'success' ? 'passed' : 'failed'} at \`${check.headSha.slice(0, 7)}\` — ${check.errors} error(s), ${check.warnings} warning(s)${run} (${review.checks} check(s) run)`);
    const kinds = Object.entries(check.byKind).map(([kind, n]) => `${kind.replace(/_/g, ' ')} ${n}`);
    if (kinds.length > 0) lines.push(`**Findings:** ${kinds.join(', ')}`);
    if (check.publishError) lines.push(`**Check run:** ${check.publishError}`);
  }
  lines.push(`**Fix rounds:** ${review.fixRounds} of ${review.fixRoundsAllowed}${review.fixGivenUp ? ' (no fix pushed in time)' : ''}`);
  const reviewers = review.reviewersRequested?.length ? ` — requested: ${review.reviewersRequested.join(', ')}` : '';
  lines.push(`**Review:** ${review.reviewState.replace(/_/g, ' ')}${reviewers}${review.reviewRequestNote ? ` (${review.reviewRequestNote})` : ''}`);
  lines.push(`**Reminders sent:** ${review.remindersSent} of ${MAX_REVIEW_REMINDERS}`);
  if (review.mergedAt) lines.push(`**Merged:** ${review.mergedAt}${review.mergeCommitSha ? ` (\`${review.mergeCommitSha.slice(0, 7)}\`)` : ''}`);
  if (review.note) lines.push(`**Review note:** ${review.note}`);
  if (review.deliveries + review.duplicateDeliveries > 0) lines.push(`GitHub deliveries: ${review.deliveries}, redeliveries ignored: ${review.duplicateDeliveries}`);
  return lines;
}

function followUpDetails(followUp: FollowUpStatus): string[] {
  const closed = followUp.items.filter((i) => i.state === 'closed').length;
  const lines = [`**Action items:** ${closed} of ${followUp.items.length} closed — ${link('postmortem', followUp.postmortemUrl)}${followUp.lastCheckAt ? ` (checked ${followUp.checks}×, last ${followUp.lastCheckAt})` : ''}`];
  for (const item of followUp.items) {
    const overdue = item.state === 'open' && item.due && item.due < new Date(Date.now()).toISOString().slice(0, 10) ? ' — **overdue**' : '';
    const facts = [item.owner, item.due && `due ${item.due}`, item.reminders > 0 && `${item.reminders} reminder(s)`].filter(Boolean).join(', ');
    lines.push(`- ${item.state === 'closed' ? '☑' : '☐'} ${link(item.title, item.issueUrl)}${facts ? ` (${facts})` : ''}${overdue}`);
  }
  if (followUp.endedReason) lines.push(`**Follow-up ended:** ${followUp.endedReason}`);
  if (followUp.note) lines.push(`**Follow-up note:** ${followUp.note}`);
  if (followUp.runs > 1) lines.push(`Workflow runs (continue-as-new): ${followUp.runs}`);
  return lines;
}

export function renderDetails(status: PostmortemStatus): string {
  const lines = [`### ${status.phase.replace(/_/g, ' ')}`];
  const facts = [status.priority, status.urgency && `${status.urgency} urgency`, status.service].filter(Boolean).join(' · ');
  lines.push(`**Incident:** ${link(status.title ?? status.incidentId, status.incidentUrl)}${facts ? ` — ${facts}` : ''}`);
  if (status.acknowledgedAt) lines.push(`**Acknowledged:** ${status.acknowledgedAt}`);
  if (status.reopenedAt) lines.push(`**Reopened:** ${status.reopenedAt}`);
  if (status.resolvedAt) lines.push(`**Resolved:** ${status.resolvedAt}`);
  if (status.contextSource) {
    const source = status.contextSource === 'pagerduty_api' ? 'PagerDuty REST API' : 'webhook data only';
    lines.push(`**Evidence:** ${source}${status.contextLimitation ? ` — ${status.contextLimitation}` : ''}`);
  }
  if (status.devinSessionId) {
    const cost = status.devinAcusConsumed !== undefined ? ` — ${formatAcus(status.devinAcusConsumed)}` : '';
    lines.push(`**Devin session:** ${link(status.devinSessionId, status.devinSessionUrl)}${cost}${status.devinSessionEnded ? ` — ${status.devinSessionEnded}` : ''}`);
  }
  if (status.devinAcuWarning) lines.push(`**Cost warning:** ${status.devinAcuWarning}`);
  if (status.devinQuestion) lines.push(`**Devin asked:** ${status.devinQuestion}`);
  if (status.otherDevinSessions?.length) {
    lines.push(`**Other sessions of this incident:** ${status.otherDevinSessions.map((s) => `${link(s.sessionId, s.sessionUrl)} (${s.status})`).join(', ')}`);
  }
  if (status.pullRequestUrl) lines.push(`**Pull request:** ${link(status.pullRequestUrl, status.pullRequestUrl)}`);
  if (status.pullRequestNote) lines.push(`**Note:** ${status.pullRequestNote}`);
  if (status.review) lines.push(...reviewDetails(status.review));
  if (status.followUp) lines.push(...followUpDetails(status.followUp));
  if (status.repeatOf) lines.push(`**Repeat:** ${status.repeatOf}`);
  else if (status.earlierPostmortems) lines.push(`**Earlier postmortems:** ${status.earlierPostmortems}`);
  if (status.pageUrl) lines.push(`**Postmortem page:** ${link(status.pageUrl, status.pageUrl)}`);
  if (status.routing) lines.push(`**Routing:** ${status.routing}`);
  if (status.writeBack.length > 0) lines.push(`**Write-back:** ${status.writeBack.join('; ')}`);
  if (status.dryRun) lines.push(`**Dry run:** prompt written to \`${status.promptPath ?? '?'}\` (no DEVIN_API_KEY)`);
  if (status.reopenedAfterDraft > 0) lines.push(`**Reopened after drafting started:** ${status.reopenedAfterDraft}× (the session was told)`);
  if (Object.keys(status.redactions).length > 0) lines.push(`**Redacted before storage:** ${describeReport(status.redactions)}`);
  if (status.skipReason) lines.push(`**Skipped:** ${status.skipReason}`);
  if (status.lastError) lines.push(`**Last error:** ${status.lastError}`);
  if (status.phase === 'needs_attention') {
    lines.push('Fix the cause, then signal `retry` (or `skip`, or `cancel`): `temporal workflow signal --workflow-id incident-' + status.incidentId + ' --name retry`');
  }
  lines.push(`Events received: ${status.eventsReceived}, duplicates ignored: ${status.duplicatesIgnored}`);
  return lines.join('\n\n');
}
