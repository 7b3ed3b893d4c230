// After the postmortem is merged: its action items as tracked issues, followed to done; what the workflow,
// the activities, the tracker integrations, the bridge and the CLI share about it. Pure types and rules
// (workflow code imports them).

/** One action item as the postmortem's front matter states it. */
export interface ActionItem {
  title: string;
  /** A GitHub login (`@alice` or `alice`), a team, a name, or a placeholder (`TBD`). */
  owner?: string;
  /** YYYY-MM-DD, when known. */
  due?: string;
}

/** The machine-readable head of every postmortem (YAML front matter), as parsed. */
export interface PostmortemFrontMatter {
  incidentId: string;
  pagerDutyUrl?: string;
  service?: string;
  priority?: string;
  startedAt?: string;
  resolvedAt?: string;
  /** Minutes from start to resolution. */
  durationMinutes?: number;
  /** Minutes from start to the first acknowledgement. */
  timeToAcknowledgeMinutes?: number;
  rootCause?: string;
  rootCauseCategory?: string;
  /** The Devin session's cost when it wrote the postmortem. */
  devinAcus?: number;
  actionItems: ActionItem[];
}

/** ACTION_ITEMS_ON: when the items become issues. */
export type ActionItemsOn = 'merge' | 'pr_open' | 'off';

/** One action item as the tracker holds it. */
export interface TrackedItem {
  /** The item's position in the postmortem's list (0-based): its identity with the marker. */
  index: number;
  title: string;
  owner?: string;
  due?: string;
  /** The tracker's id (GitHub: the issue number as text). */
  issueId: string;
  issueUrl: string;
  state: 'open' | 'closed';
  /** GitHub login the issue is assigned to, when the owner is one. */
  assignee?: string;
  closedAt?: string;
  /** When the last overdue reminder was posted on the issue (ISO-8601): at most one a week. */
  remindedAt?: string;
  reminders: number;
}

/** What the follow-up carries across continue-as-new: all it needs, nothing more. */
export interface FollowUpState {
  /** When following started (the merge, or the PR opening with ACTION_ITEMS_ON=pr_open). */
  startedAt: string;
  postmortemUrl: string;
  pullRequestUrl?: string;
  repository: string;
  items: TrackedItem[];
  /** Checks done, for the status. */
  checks: number;
  lastCheckAt?: string;
  /** Why following stopped early (an operator), if it did. */
  stoppedReason?: string;
}

/** The marker in an issue's body that makes it findable again: one issue per item, across retries. */
export function itemMarker(incidentId: string, index: number): string {
  return `<!-- postmortem-pipeline:action-item incident=${incidentId} index=${index} -->`;
}

/** An item's due date as its issue's body states it, and read back from the body (the report's overdue count). */
export const dueLine = (due: string) => `- Due: ${due}`;
export const dueInBody = (body: string): string | undefined => /^- Due: (\d{4}-\d{2}-\d{2})$/m.exec(body)?.[1];

/** Labels on every action-item issue. */
export function itemLabels(incidentId: string): string[] {
  return ['postmortem', `incident:${incidentId}`];
}

/** A GitHub login in an owner's text (`@alice`, `alice`), or undefined (a team, a name with spaces, TBD). */
export function ownerLogin(owner: string | undefined): string | undefined {
  if (!owner) return undefined;
  const text = owner.trim().replace(/^owner\s*:\s*/i, '');
  const match = /^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/.exec(text);
  if (!match || /^(tbd|tba|unassigned|none|n\/a)$/i.test(match[1]!)) return undefined;
  return match[1];
}

/** An item is overdue on `day` (YYYY-MM-DD) when still open past its due date. */
export function isOverdue(item: TrackedItem, now: string): boolean {
  return item.state === 'open' && item.due !== undefined && item.due < now.slice(0, 10);
}

/** At most one overdue reminder per item per week. */
export const REMINDER_SPACING_MS = 7 * 86_400_000;

export function reminderDue(item: TrackedItem, now: string): boolean {
  if (!isOverdue(item, now)) return false;
  return item.remindedAt === undefined || Date.parse(now) - Date.parse(item.remindedAt) >= REMINDER_SPACING_MS;
}

/** What an earlier postmortem of the same service says, for the next one's prompt. */
export interface EarlierPostmortem {
  incidentId: string;
  path: string;
  url: string;
  resolvedAt?: string;
  rootCause?: string;
  rootCauseCategory?: string;
  /** Its action items still open in the tracker (title and issue link). */
  openItems: { title: string; url?: string }[];
}

/** "<earlier postmortem> has N open action items", for the most recent one with open items. */
export function repeatOf(earlier: EarlierPostmortem[] | undefined): string | undefined {
  const first = earlier?.find((e) => e.openItems.length > 0);
  return first ? `${first.url} has ${first.openItems.length} open action item${first.openItems.length === 1 ? '' : 's'}` : undefined;
}

/** Read by the settings activity with GITHUB_TOKEN and ACTION_ITEMS_ON other than `off`. */
export interface FollowUpSettings {
  on: Exclude<ActionItemsOn, 'off'>;
  /** ACTION_ITEMS_REPO (owner/name); absent: the postmortem's repository. */
  repository?: string;
  checkIntervalMs: number;
  maxMs: number;
  /** ACTION_ITEMS_CHECKS_PER_RUN: checks before the workflow continues as new. */
  checksPerRun?: number;
}

/** What GitHub's `issues` webhook said about an action item's issue (labelled incident:<id>). */
export interface ActionItemEvent {
  deliveryId: string;
  /** owner/name */
  repository: string;
  issueId: string;
  state: 'open' | 'closed';
  at?: string;
}

/** The follow-up as the status query, the UI and `postmortem followups` show it. */
export interface FollowUpStatus extends FollowUpState {
  /** Why it ended: every item closed, ACTION_ITEMS_FOLLOW_UP_MAX, or an operator. */
  endedReason?: string;
  /** Runs of the workflow so far (continue-as-new keeps the history bounded). */
  runs: number;
  /** Problems reading the items (no front matter, …) or creating issues. */
  note?: string;
}

/** Checks per workflow run before continue-as-new (ACTION_ITEMS_CHECKS_PER_RUN): bounds each run's history. */
export const DEFAULT_CHECKS_PER_RUN = 100;
