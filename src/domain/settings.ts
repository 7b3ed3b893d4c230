// The non-secret settings the workflow needs for its timers and retry policies, read once per incident
// from the worker's configuration (an activity, so they are recorded in history). Pure types.
import type { FollowUpSettings } from './follow-up';
import type { ReviewSettings } from './review';
import type { RoutingRules } from './routing';
import type { PostmortemDestination } from './write-back';

export interface PostmortemSettings {
  pollIntervalMs: number;
  maxWaitMs: number;
  quietPeriodMs: number;
  /** Absent in histories recorded before it existed. */
  lateResolutionGraceMs?: number;
  dryRun: boolean;
  routing: RoutingRules;
  destination: PostmortemDestination;
  /** Why PagerDuty notes are not written, when they are not. */
  writeBackOff?: string;
  slack: boolean;
  /** Where session creation runs, rate-limited (DEVIN_MAX_SESSIONS_PER_MINUTE). */
  sessionTaskQueue: string;
  // Absent in histories recorded before they existed:
  /** DEVIN_TERMINATE_SESSIONS (default true). */
  terminateSessions?: boolean;
  /** DEVIN_REPORT_WAIT: after the PR appears, how long to wait for Devin's turn (and so its report) to end. */
  reportWaitMs?: number;
  /** DEVIN_MAX_ACU, for the warning at 80 %. */
  maxAcu?: number;
  /** Set with GITHUB_TOKEN and the repo destination: the PR is checked and followed to merge. */
  review?: ReviewSettings;
  /** Set with `review` unless ACTION_ITEMS_ON=off: the action items become issues, followed to done. */
  followUp?: FollowUpSettings;
  /** POSTMORTEM_REPO (owner/name) with GITHUB_TOKEN and the repo destination: earlier postmortems of the service go into the prompt. */
  postmortemRepository?: string;
  /** Why earlier postmortems are not looked up although POSTMORTEM_REPO is set (the wiki destination). */
  earlierPostmortemsSkipped?: string;
}

/** LATE_RESOLUTION_GRACE's default, for settings recorded before it existed. */
export const DEFAULT_LATE_RESOLUTION_GRACE_MS = 3_600_000;
