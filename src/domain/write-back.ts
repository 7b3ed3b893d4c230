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
  /** `merged`: what `postmortem report` reads back (the note outlives the workflow). */
  figures?: MergedFigures;
}

export interface MergedFigures {
  /** The evidence check's first conclusion on the PR. */
  firstCheck?: 'success' | 'failure';
  /** The Devin session's cost. */
  acus?: number;
  /** When the PR was first seen open. */
  openedAt?: string;
}

const FIGURES_TAG = 'postmortem-figures';

/** The figures as a note's last line: `[postmortem-figures first_check=success acus=3.5 pr_opened_at=…]`. */
export function figuresLine(figures: MergedFigures): string {
  const parts = [
    ...(figures.firstCheck ? [`first_check=${figures.firstCheck}`] : []),
    ...(figures.acus !== undefined ? [`acus=${Math.round(figures.acus * 100) / 100}`] : []),
    ...(figures.openedAt ? [`pr_opened_at=${figures.openedAt}`] : []),
  ];
  return `[${FIGURES_TAG}${parts.map((p) => ` ${p}`).join('')}]`;
}

/** The figures of a merged note, or undefined when the note has none (an older build's). */
export function parseFiguresLine(content: string): MergedFigures | undefined {
  const match = new RegExp(`\\[${FIGURES_TAG}((?: [a-z_]+=[^\\s\\]]+)*)\\]`).exec(content);
  if (!match) return undefined;
  const fields = new Map((match[1] ?? '').trim().split(' ').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
  const figures: MergedFigures = {};
  const first = fields.get('first_check');
  if (first === 'success' || first === 'failure') figures.firstCheck = first;
  const acus = Number(fields.get('acus'));
  if (fields.has('acus') && Number.isFinite(acus) && acus >= 0) figures.acus = acus;
  const opened = fields.get('pr_opened_at');
  if (opened && Number.isFinite(Date.parse(opened))) figures.openedAt = opened;
  return figures;
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
