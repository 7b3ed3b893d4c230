// The Devin session as the workflow sees it: how one starts, what a poll observes, and the messages the
// workflow sends it. Pure types (workflow code imports them).
import type { PostmortemReport } from './postmortem-output';

/** Another session tagged with this incident, which this workflow did not start (or no longer uses). */
export interface OtherSession {
  sessionId: string;
  sessionUrl?: string;
  status: string;
}

export interface StartedSession {
  dryRun: false;
  sessionId: string;
  sessionUrl?: string;
  /** Found again after a lost create response, rather than created by this attempt. */
  adopted: boolean;
  /** Sessions of this incident that were not adopted (errored, ended, another run's). */
  others?: OtherSession[];
}

/** An active session of this incident exists that this workflow did not start: an operator decides. */
export interface SessionConflict {
  dryRun: false;
  conflict: OtherSession[];
}

export interface DryRun {
  dryRun: true;
  prompt: string;
  promptPath: string;
  skeletonPath: string;
}

export type SessionStart = StartedSession | DryRun | SessionConflict;

/** Which session the workflow means, so that a retried create finds its own lost session and no other. */
export interface SessionIdentity {
  /** The workflow run that asks. */
  runId: string;
  /** 1 for the incident's first session; the next after an operator chose to start a new one. */
  generation: number;
  /** An operator said to start a session although another active one of this incident exists. */
  despiteOthers?: boolean;
}

/** Situations the workflow answers with a message to the session. */
export type SessionSituation = 'waiting_for_user' | 'finished_without_pr' | 'inactive' | 'acu_limit_near';

/** What retrying means once a human has acted on a session that needs one. */
export type SessionRecovery = 'poll' | 'message' | 'new_session';

export type SessionObservation =
  | {
      kind: 'published';
      url: string;
      report?: PostmortemReport;
      /** False while Devin's turn has not ended: the report may still change. Absent in older histories: final. */
      final?: boolean;
      /** Why this PR was chosen when the session lists several, or why none of the listed ones was. */
      note?: string;
      acus?: number;
    }
  | { kind: 'waiting_for_user'; status: string; detail?: string; question?: string; questionId?: string; acus?: number }
  | { kind: 'finished_without_pr' | 'inactive'; status: string; detail?: string; acus?: number }
  | { kind: 'acu_limit_near'; status: string; detail?: string; acus: number; limit: number }
  /** A human must act in Devin (stopped by a person, quota, billing, approval, an error). */
  | { kind: 'needs_human'; status: string; detail?: string; reason: string; recovery: SessionRecovery; acus?: number };

/** Why the workflow writes to a running session. */
/** `fix`: the evidence check failed (its findings in `text`); `amend`: the incident reopened while its PR is in review. */
export type SessionMessageKind = 'nudge' | 'follow_up' | 'resume' | 'reopened' | 'answer' | 'fix' | 'amend';

export interface SessionMessageRequest {
  sessionId: string;
  kind: SessionMessageKind;
  incidentId: string;
  /** For `reopened`: when PagerDuty says it happened. */
  at?: string;
  /** For `answer`: an operator's answer to Devin's question; for `fix`: the findings; for `amend`: the PR. */
  text?: string;
}

export interface PullRequestWait {
  sessionId: string;
  /** Situations already answered, which then count as "still working". */
  ignore: SessionSituation[];
  /** The question last answered (its message id) and when: the same question still open later is reported again. */
  answered?: { questionId?: string; at: string };
  /** Return a published PR only once Devin's turn has ended (its report is final). */
  finalOnly?: boolean;
  /** DEVIN_MAX_ACU, for the warning at 80 %. */
  maxAcu?: number;
}

export interface SessionTermination {
  sessionId: string;
  /** Why, for the log. */
  reason: string;
}

export interface SessionTerminated {
  /** False when the session had already ended. */
  terminated: boolean;
  status?: string;
  acus?: number;
}

export interface SessionArchival {
  sessionId: string;
}

export interface SessionArchived {
  /** True once the session is archived (by this call or before it). */
  archived: boolean;
  /** It was archived already: nothing was asked of Devin. */
  alreadyArchived: boolean;
}

/** `12.5 ACUs`: the session's cost, as people read it. */
export function formatAcus(acus: number): string {
  return `${Math.round(acus * 100) / 100} ACU${acus === 1 ? '' : 's'}`;
}
