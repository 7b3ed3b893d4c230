// The non-secret settings the workflow needs for its timers and retry policies, read once per incident
// from the worker's configuration (an activity, so they are recorded in history). Pure types.
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
}

/** LATE_RESOLUTION_GRACE's default, for settings recorded before it existed. */
export const DEFAULT_LATE_RESOLUTION_GRACE_MS = 3_600_000;
