// How the action items' follow-up prints for a human: `followups` (the items, one a line) and the
// follow-up's lines in `status`.
import { isOverdue, type FollowUpStatus, type TrackedItem } from '../domain/follow-up';
import type { PostmortemStatus } from '../domain/status';
import { formatDuration } from '../domain/duration';
import { formatColumns } from './columns';

/** One item as `followups` prints it: state (overdue when open past its due date), issue, owner, due, reminders, title. */
function row(item: TrackedItem, now: string): string[] {
  const state = item.state === 'closed' ? 'closed' : isOverdue(item, now) ? 'overdue' : 'open';
  const owner = item.assignee ? `@${item.assignee}` : (item.owner ?? '—');
  return [String(item.index + 1), state, item.issueUrl, owner, item.due ?? '—', String(item.reminders), item.title];
}

export function formatItems(items: TrackedItem[], now: string): string {
  return formatColumns(['#', 'STATE', 'ISSUE', 'OWNER', 'DUE', 'REMINDERS', 'TITLE'], items.map((item) => row(item, now)));
}

/** The follow-up's summary: how many closed, since when, checks, why it ended. */
export function followUpSummary(followUp: FollowUpStatus, now: string): string {
  const closed = followUp.items.filter((i) => i.state === 'closed').length;
  const overdue = followUp.items.filter((i) => isOverdue(i, now)).length;
  const since = formatDuration(Math.max(0, Date.parse(now) - Date.parse(followUp.startedAt)));
  const parts = [`${closed} of ${followUp.items.length} closed`, ...(overdue > 0 ? [`${overdue} overdue`] : []), `followed for ${since}`, `${followUp.checks} check(s)`, `run ${followUp.runs}`];
  return parts.join(', ');
}

/** `followups <incident>`: the summary lines and the items. */
export function formatFollowUps(status: PostmortemStatus, now: string): string {
  const followUp = status.followUp!;
  const lines = [
    `incident-${status.incidentId}: ${status.phase}${followUp.endedReason ? ` (ended: ${followUp.endedReason})` : ''}`,
    `  postmortem  ${followUp.postmortemUrl}`,
    `  tracker     ${followUp.repository}`,
    `  follow-up   ${followUpSummary(followUp, now)}${followUp.lastCheckAt ? `; last checked ${followUp.lastCheckAt}` : ''}`,
  ];
  if (followUp.note) lines.push(`  note        ${followUp.note}`);
  lines.push('', formatItems(followUp.items, now));
  return lines.join('\n');
}

/** The lines `status` adds for the follow-up and for earlier postmortems of the service. */
export function followUpStatusLines(status: PostmortemStatus, now: string): [string, string][] {
  const lines: [string, string][] = [];
  if (status.followUp) {
    lines.push(['action items', `${followUpSummary(status.followUp, now)} (\`postmortem followups ${status.incidentId}\`)`]);
    if (status.followUp.endedReason) lines.push(['follow-up ended', status.followUp.endedReason]);
    if (status.followUp.note) lines.push(['follow-up note', status.followUp.note]);
  }
  if (status.repeatOf) lines.push(['repeat', status.repeatOf]);
  if (status.earlierPostmortems) lines.push(['earlier', status.earlierPostmortems]);
  return lines;
}
