// Where an incident's postmortem stands (the status query, the UI, the CLI) and what its workflow returns.
// Pure types (workflow code imports them).
import type { IncidentContext } from './evidence';
import type { PostmortemSummary } from './postmortem-output';
import type { OtherSession } from './session';
import type { RedactionReport } from './redaction-report';
import type { ReviewStatus } from './review';
import type { FollowUpStatus } from './follow-up';

export const PHASES = [
  'collecting_context',
  'awaiting_resolution',
  'quiet_period',
  'drafting',
  'awaiting_pr',
  /** The PR is open and its evidence check failed: Devin is fixing it. */
  'revising',
  /** The PR waits for review and merge (GITHUB_TOKEN set). */
  'in_review',
  /** Merged: its action items are issues, followed until closed (ACTION_ITEMS_ON). */
  'following_up',
  'completed',
  'skipped',
  'needs_attention',
  'failed',
] as const;
export type Phase = (typeof PHASES)[number];

export interface PostmortemStatus {
  incidentId: string;
  phase: Phase;
  title?: string;
  service?: string;
  priority?: string | null;
  urgency?: string;
  incidentUrl?: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /** When the incident was last reopened (the `incident.reopened` webhook's `reopened_at`, else its occurred_at). */
  reopenedAt?: string;
  contextSource?: IncidentContext['source'];
  contextLimitation?: string;
  devinSessionId?: string;
  devinSessionUrl?: string;
  /** The session's cost so far, in ACUs (as of the last look at it). */
  devinAcusConsumed?: number;
  /** Set when the session passed 80 % of DEVIN_MAX_ACU. */
  devinAcuWarning?: string;
  /** What Devin last asked (redacted, one line), when it waited for a user. */
  devinQuestion?: string;
  /** What became of the session when the incident gave it up: terminated, left running, or why not. */
  devinSessionEnded?: string;
  /** Other sessions of this incident: ones given up for a new session, or found and not adopted. */
  otherDevinSessions?: OtherSession[];
  pullRequestUrl?: string;
  /** The PR after it opened (GITHUB_TOKEN set): the evidence check, fix rounds, review, merge. */
  review?: ReviewStatus;
  /** The action items as issues, followed to done. */
  followUp?: FollowUpStatus;
  /** Set when an earlier postmortem of the same service still has open action items. */
  repeatOf?: string;
  /** What the look for earlier postmortems of the service found (POSTMORTEM_REPO), or why it was not done. */
  earlierPostmortems?: string;
  /** Why this pull request was taken (several listed, or the report's own), or why the report may be incomplete. */
  pullRequestNote?: string;
  dryRun: boolean;
  promptPath?: string;
  lastError?: string;
  /** Why the incident ended `skipped` (merged, cancelled or skipped by an operator). */
  skipReason?: string;
  /** The surviving incident when this one was resolved by a merge. */
  mergedInto?: string;
  /** Why the incident does or does not get a postmortem (severity routing). */
  routing?: string;
  /** Wiki destination: the published page. */
  pageUrl?: string;
  /** What was written back to PagerDuty and Slack, or why not. */
  writeBack: string[];
  /** Reopenings after the Devin session started (each was told to the session). */
  reopenedAfterDraft: number;
  /** Secrets and personal data removed before anything reached Temporal or Devin (counts by kind). */
  redactions: RedactionReport;
  eventsReceived: number;
  duplicatesIgnored: number;
}

export interface PostmortemResult {
  incidentId: string;
  /** `pull_request_merged`: followed through review (GITHUB_TOKEN set); `pull_request_opened`: without GitHub. */
  outcome: 'pull_request_opened' | 'pull_request_merged' | 'page_published' | 'dry_run' | 'skipped';
  /** The merge commit, when merged. */
  mergeCommitSha?: string;
  /** The evidence check's last conclusion on the merged PR. */
  evidenceCheck?: 'success' | 'failure';
  /** The action items' issues when the follow-up ended, and why it ended. */
  actionItems?: { created: number; closed: number; open: { title: string; url: string }[]; endedReason: string };
  skipReason?: string;
  pageUrl?: string;
  /** What the session reported (structured output): root cause and action items. */
  postmortem?: PostmortemSummary;
  skeletonPath?: string;
  pullRequestUrl?: string;
  devinSessionId?: string;
  devinSessionUrl?: string;
  devinAcusConsumed?: number;
  /** Dry run only: the prompt that would have been sent, and where it was written. */
  prompt?: string;
  promptPath?: string;
}
