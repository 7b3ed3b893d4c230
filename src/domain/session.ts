// The Devin session as the workflow sees it: how one starts, what a poll observes, and the messages the
// workflow sends it. Pure types (workflow code imports them).
import type { PostmortemReport } from './postmortem-output';

export type SessionStart =
  | { dryRun: false; sessionId: string; sessionUrl?: string; adopted: boolean }
  | { dryRun: true; prompt: string; promptPath: string; skeletonPath: string };

/** Situations the workflow answers with a message to the session. */
export type SessionSituation = 'waiting_for_user' | 'finished_without_pr' | 'inactive';

export type SessionObservation =
  | { kind: 'published'; url: string; report?: PostmortemReport }
  | { kind: SessionSituation; status: string; detail?: string };

/** Why the workflow writes to a running session. */
export type SessionMessageKind = 'nudge' | 'follow_up' | 'resume' | 'reopened';

export interface SessionMessageRequest {
  sessionId: string;
  kind: SessionMessageKind;
  incidentId: string;
  /** For `reopened`: when PagerDuty says it happened. */
  at?: string;
}

export interface PullRequestWait {
  sessionId: string;
  /** Situations already answered, which then count as "still working". */
  ignore: SessionSituation[];
}
