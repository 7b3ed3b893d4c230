// Signal and query definitions shared by the workflow, the bridge, the CLI and tests (no Node imports).
import type { VersioningBehavior } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentContext } from './evidence';
import type { ActionItemEvent, FollowUpState, TrackedItem } from './follow-up';
import type { PostmortemSettings } from './settings';
import type { IncidentEvent } from './incident';
import type { PullRequestEvent } from './review';
import type { PostmortemResult, PostmortemStatus } from './status';

/** The incident workflow's type name, its input, and its shape (for clients that start it by name). */
export const INCIDENT_WORKFLOW_TYPE = 'incidentPostmortem';
export interface IncidentPostmortemInput {
  incidentId: string;
  /** Continue-as-new while following the action items up: everything the next run needs. */
  resume?: FollowUpResume;
}

export interface FollowUpResume {
  status: PostmortemStatus;
  settings: PostmortemSettings;
  followUp: FollowUpState;
  /** The result the incident ends with (PR, merge, session), completed by the follow-up. */
  result: PostmortemResult;
  runs: number;
  /** A webhook or a re-sync asked for a check just before the rollover: the next run checks first. */
  checkNow?: boolean;
}
export type IncidentPostmortemWorkflow = (input: IncidentPostmortemInput) => Promise<PostmortemResult>;

/**
 * How an open incident meets a new build on versioned workers (WORKER_BUILD_ID): it moves to the current
 * version at its next task instead of pinning its build for days; changes to its commands go behind
 * patched() and the recorded histories replay (docs/operations.md says why). Declared as the versioned
 * workers' default rather than on the workflow function: a behaviour set there makes unversioned workers
 * fail every workflow task ("versioning behavior cannot be specified without deployment options").
 */
export const INCIDENT_VERSIONING_BEHAVIOR = 'AUTO_UPGRADE' satisfies VersioningBehavior;

/** Every PagerDuty event about the incident arrives through this one signal. */
export const incidentEventSignal = defineSignal<[IncidentEvent]>('incidentEvent');

export const statusQuery = defineQuery<PostmortemStatus>('status');

/** What GitHub's webhook said about the incident's postmortem PR (the bridge's /webhooks/github). */
export const pullRequestEventSignal = defineSignal<[PullRequestEvent]>('pullRequestEvent');

/** The evidence pack the workflow holds (redacted), for `postmortem check <file> --incident <id>`. */
export interface EvidencePackAnswer {
  /** Absent until the evidence is first collected. */
  pack?: IncidentContext;
  rootCauseConfirmed?: boolean;
  /** The required sections the workflow's check uses (absent: the default ones). */
  requiredSections?: string[];
}
export const evidencePackQuery = defineQuery<EvidencePackAnswer>('evidencePack');

/** Operator decisions, e.g. `temporal workflow signal --workflow-id incident-X --name retry`. */
export interface OperatorNote {
  reason?: string;
}
/** In `needs_attention`: try the failed step again (after fixing the configuration). */
export const retrySignal = defineSignal<[OperatorNote?]>('retry');
/** In `needs_attention`: give up the failed step; the incident ends `skipped` unless the step was optional. */
export const skipSignal = defineSignal<[OperatorNote?]>('skip');
/** At any time: end the incident's workflow (phase `skipped`, reason recorded). */
export const cancelSignal = defineSignal<[OperatorNote?]>('cancel');

/** GitHub's `issues` webhook about one of the incident's action-item issues (closed, reopened). */
export const actionItemEventSignal = defineSignal<[ActionItemEvent]>('actionItemEvent');

/** In `following_up`: stop following (the items stay as they are; the note's reason is kept); refused in any other phase. */
export const stopFollowUpUpdate = defineUpdate<FollowUpState, [OperatorNote]>('stopFollowUp');
/** In `following_up`: read every item's issue now; answers the items as they are. */
export const resyncActionItemsUpdate = defineUpdate<TrackedItem[], []>('resyncActionItems');
