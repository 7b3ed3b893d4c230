// What the workflow tells the responders where they look: notes on the PagerDuty incident, a Slack line.
// Pure (workflow code imports it).

/** Where the postmortem is published: a pull request under docs/postmortems/, or a wiki page. */
export type PostmortemDestination = 'repo' | 'wiki';

/** Notes the workflow leaves on the PagerDuty incident, each exactly once. */
export type IncidentNoteKind = 'drafting' | 'published' | 'review_reminder' | 'merged' | 'action_items';

export interface WriteBackRequest {
  incidentId: string;
  kind: IncidentNoteKind;
  sessionUrl?: string;
  url?: string;
  destination: PostmortemDestination;
  /** The session's cost when the postmortem is ready. */
  acus?: number;
  /** `review_reminder`: which one (1, 2, 3): each is posted once. */
  reminder?: number;
  /** `review_reminder`: how long the PR has waited; `merged`: the merge commit. */
  waited?: string;
  mergeCommitSha?: string;
  /** `action_items`: the issues made of the postmortem's action items. */
  items?: { title: string; url: string }[];
  /** `drafting`: an earlier postmortem of the service still has open action items. */
  repeatOf?: string;
}

export interface SlackAnnouncement {
  incidentId: string;
  title?: string;
  /** The postmortem (ready), or the session (question). */
  url: string;
  destination: PostmortemDestination;
  /** `ready` (absent in older histories): the postmortem is up for review. `question`: Devin asks something. */
  kind?: 'ready' | 'question' | 'reminder';
  question?: string;
}

/** The marker that makes a note recognisable on a later attempt, so it is posted once. */
export function noteMarker(kind: IncidentNoteKind, reminder?: number): string {
  return `[postmortem-pipeline:${kind}${reminder !== undefined ? `-${reminder}` : ''}]`;
}
