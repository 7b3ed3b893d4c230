// After the pull request opens: the evidence check, the fix rounds with Devin, review to merge. What
// the workflow, the activities, the bridge and the CLI share about it. Pure types and rules (workflow
// code imports them).

/** The check run's name: a team makes it a required status check on the postmortem repository. */
export const EVIDENCE_CHECK_NAME = 'postmortem/evidence';
/** Reminders while the PR waits for review: at most this many (POSTMORTEM_REVIEW_REMINDER apart). */
export const MAX_REVIEW_REMINDERS = 3;

/** Read by the settings activity when GITHUB_TOKEN is set and the destination is a pull request. */
export interface ReviewSettings {
  /** POSTMORTEM_FIX_ROUNDS: how often Devin is asked to fix a failing check (0: never). */
  fixRounds: number;
  /** POSTMORTEM_REVIEWERS: users by login, teams by slug; empty: the repository's CODEOWNERS. */
  reviewers: { users: string[]; teams: string[] };
  /** POSTMORTEM_REVIEW_REMINDER. */
  reminderMs: number;
  /** GITHUB_POLL_INTERVAL: the safety net under the webhook (GitHub does not redeliver by itself). */
  pollIntervalMs: number;
  /** How long Devin gets to push a fix (DEVIN_MAX_WAIT). */
  fixWaitMs: number;
  /** The required sections (POSTMORTEM_TEMPLATE's headings), or absent for the default ones. */
  requiredSections?: string[];
  /** REDACT_PERSONAL_DATA: personal data in the draft is a finding. */
  personalData: boolean;
}

/** What GitHub told the bridge about a postmortem's pull request (one webhook delivery). */
export type PullRequestEventKind = 'merged' | 'closed' | 'reopened' | 'synchronize' | 'review' | 'check_rerequested';

export interface PullRequestEvent {
  /** X-GitHub-Delivery: a redelivery carries the same id and is ignored. */
  deliveryId: string;
  kind: PullRequestEventKind;
  pullRequestUrl: string;
  /** The PR's head commit after the event (synchronize, review, check_rerequested). */
  headSha?: string;
  mergeCommitSha?: string;
  /** pull_request_review: approved, changes_requested, commented, dismissed. */
  reviewState?: string;
  /** GitHub login of the reviewer or of who merged/closed. */
  actor?: string;
  /** When GitHub says it happened (ISO-8601). */
  at?: string;
}

/** One finding as the status, the check run and Devin see it (message redacted and clipped). */
export interface CheckFinding {
  severity: 'error' | 'warning';
  kind: string;
  line: number;
  message: string;
}

/** One run of the evidence check on one head commit. */
export interface EvidenceCheckResult {
  headSha: string;
  path: string;
  conclusion: 'success' | 'failure';
  errors: number;
  warnings: number;
  /** Findings counted by kind (errors and warnings). */
  byKind: Record<string, number>;
  /** The first findings (at most FINDINGS_KEPT): the status and the fix message list them. */
  findings: CheckFinding[];
  checkRunUrl?: string;
  /** Set when the check run could not be published (the check itself still counts). */
  publishError?: string;
}

/** Findings kept in the status and sent to Devin (the check run carries them all). */
export const FINDINGS_KEPT = 30;

/** The pull request as the workflow last saw it. */
export interface PullRequestState {
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  mergeCommitSha?: string;
  /** The latest review state by reviewer, summed up: approved, changes_requested, commented or none. */
  reviewState: ReviewState;
  closedBy?: string;
}

export type ReviewState = 'none' | 'commented' | 'changes_requested' | 'approved';

/** Shown by the status query, the UI's Current Details and `postmortem status`. */
export interface ReviewStatus {
  /** Checks run (one per head commit, plus re-requested ones). */
  checks: number;
  lastCheck?: EvidenceCheckResult;
  /** The first check's conclusion (the evidence check's pass rate at the first try, in the report). */
  firstCheck?: EvidenceCheckResult['conclusion'];
  /** Fix rounds Devin was asked for, of POSTMORTEM_FIX_ROUNDS. */
  fixRounds: number;
  fixRoundsAllowed: number;
  /** Devin pushed no fix within DEVIN_MAX_WAIT (or could not be messaged): no more rounds are asked for. */
  fixGivenUp?: boolean;
  reviewState: ReviewState;
  /** Who was asked to review (users and @org/team), or why nobody was. */
  reviewersRequested?: string[];
  reviewRequestNote?: string;
  remindersSent: number;
  /** When the PR was first seen open (ISO-8601). */
  openedAt?: string;
  mergedAt?: string;
  mergeCommitSha?: string;
  /** Why the workflow watches the PR the way it does (webhook, poll), or what it gave up on. */
  note?: string;
  /** Webhook deliveries taken, and redeliveries ignored. */
  deliveries: number;
  duplicateDeliveries: number;
}

/** The latest review per reviewer decides (DISMISSED and PENDING count for nothing). */
export function summariseReviews(reviews: { reviewer?: string; state: string }[]): ReviewState {
  const latest = new Map<string, string>();
  for (const review of reviews) {
    const state = review.state.toUpperCase();
    if (state === 'PENDING') continue;
    latest.set(review.reviewer ?? '?', state);
  }
  const states = [...latest.values()];
  if (states.includes('CHANGES_REQUESTED')) return 'changes_requested';
  if (states.includes('APPROVED')) return 'approved';
  if (states.includes('COMMENTED')) return 'commented';
  return 'none';
}

/** The fix message for Devin: the findings as a list (already redacted), and what to do. */
export function fixRequestText(check: EvidenceCheckResult, round: number, rounds: number): string {
  const lines = check.findings.filter((f) => f.severity === 'error').map((f) => `- line ${f.line} (${f.kind.replace(/_/g, ' ')}): ${f.message}`);
  const more = check.errors > lines.length ? [`- … and ${check.errors - lines.length} more (see the ${EVIDENCE_CHECK_NAME} check run)`] : [];
  return [
    `The evidence check (${EVIDENCE_CHECK_NAME}) failed on ${check.path} at ${check.headSha.slice(0, 12)} with ${check.errors} error(s) — fix round ${round} of ${rounds}.`,
    'Fix each finding in the same pull request (push a new commit to the same branch; do not open another PR). Cite only links from the evidence you were given; mark an unconfirmed root cause as a hypothesis.',
    ...lines,
    ...more,
  ].join('\n');
}
