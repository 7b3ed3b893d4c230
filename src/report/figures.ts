// The team's report (`postmortem report`): its figures from what outlives a workflow — the merged
// postmortems' front matter, the notes the workflow left on each PagerDuty incident, the tracker's
// issues — plus the workflows still open (or closed within the namespace's retention) for what is in
// flight or was skipped. Plain data in, figures out: tested without a server.
import type { MergedFigures } from '../domain/write-back';

/** A merged postmortem (its front matter) with what its incident's notes say. */
export interface MergedPostmortem {
  incidentId: string;
  path: string;
  url: string;
  service?: string;
  resolvedAt?: string;
  rootCauseCategory?: string;
  actionItems: number;
  /** The front matter's devin_acus, when Devin wrote one. */
  devinAcus?: number;
  /** From the incident's notes: when the PR opened and merged, the merged note's figures, a repeat. */
  notes?: { prOpenedAt?: string; mergedAt?: string; figures?: MergedFigures; repeat: boolean };
}

/** An action item's issue in the tracker (labelled `incident:<id>`). */
export interface ItemIssue {
  incidentId: string;
  state: 'open' | 'closed';
  due?: string;
}

/** An incident workflow as visibility lists it (running, or closed within retention). */
export interface IncidentWorkflow {
  incidentId: string;
  status: string;
  phase?: string;
  startTime: string;
  service?: string;
  acus?: number;
  pullRequestUrl?: string;
  /** Closed `skipped`: why (the workflow's result). */
  skipReason?: string;
  /** A run continue-as-new started (a long follow-up): the incident itself may have started earlier. */
  continued?: boolean;
}

/**
 * One row per incident (visibility lists every run): the running one, else the latest; `startedInWindow`
 * unless only continued runs are listed, i.e. its first run started before the window.
 */
export function byIncident(rows: IncidentWorkflow[]): (IncidentWorkflow & { startedInWindow: boolean })[] {
  const groups = new Map<string, IncidentWorkflow[]>();
  for (const row of rows) groups.set(row.incidentId, [...(groups.get(row.incidentId) ?? []), row]);
  return [...groups.values()].map((runs) => {
    const current = runs.find((r) => r.status === 'RUNNING') ?? [...runs].sort((a, b) => b.startTime.localeCompare(a.startTime))[0]!;
    return { ...current, startedInWindow: runs.some((r) => !r.continued) };
  });
}

export interface ReportInput {
  since: string;
  until: string;
  service?: string;
  /** owner/name the postmortems were read from. */
  repository: string;
  merged: MergedPostmortem[];
  issues: ItemIssue[];
  workflows: IncidentWorkflow[];
  /** What could not be read (a file without front matter, an incident's notes), each one line. */
  problems: string[];
}

export interface Durations {
  count: number;
  medianMinutes?: number;
  p90Minutes?: number;
}

export interface Report {
  window: { since: string; until: string; service?: string };
  repository: string;
  incidents: number;
  postmortems: { drafted: number; merged: number; inReview: number; skipped: number; skippedByReason: Record<string, number> };
  inFlight: Record<string, number>;
  resolutionToPullRequest: Durations;
  resolutionToMerge: Durations;
  evidenceCheck: { checked: number; passedFirstTry: number; firstTryPassRate?: number };
  actionItems: { created: number; closed: number; open: number; overdue: number };
  repeats: { count: number; incidents: string[] };
  devinAcus: { total: number; postmortemsWithCost: number; postmortemsWithoutCost: number; inFlight: number };
  byRootCause: Record<string, number>;
  problems: string[];
}

/** Why an incident was skipped, as a kind to count (the reason's text names the incident, its PR, its priority). */
export function skipKind(reason: string | undefined): string {
  if (!reason) return 'no reason recorded';
  const kinds: [RegExp, string][] = [
    [/is below POSTMORTEM_MIN_PRIORITY|POSTMORTEM_NO_PRIORITY=(never|urgency)/, 'below the priority threshold'],
    [/was closed without merging/, 'PR closed without merge'],
    [/^merged into incident/, 'merged into another incident'],
    [/LATE_RESOLUTION_GRACE/, 'resolved before the service watched it'],
    [/^cancelled by an operator/, 'cancelled by an operator'],
    [/^skipped by an operator/, 'skipped by an operator'],
  ];
  return kinds.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function durations(pairs: [string | undefined, string | undefined][]): Durations {
  const minutes = pairs
    .flatMap(([from, to]) => (from && to ? [(Date.parse(to) - Date.parse(from)) / 60_000] : []))
    .filter((m) => Number.isFinite(m) && m >= 0)
    .sort((a, b) => a - b);
  const round = (m: number | undefined) => (m === undefined ? undefined : Math.round(m));
  return { count: minutes.length, ...(minutes.length ? { medianMinutes: round(percentile(minutes, 50)), p90Minutes: round(percentile(minutes, 90)) } : {}) };
}

const inWindow = (at: string | undefined, input: ReportInput) => at !== undefined && at >= input.since && at <= input.until;
const sameService = (service: string | undefined, wanted: string | undefined) => wanted === undefined || (service ?? '').toLowerCase() === wanted.toLowerCase();
const count = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
const IN_REVIEW = new Set(['in_review', 'revising']);

export function computeReport(input: ReportInput): Report {
  const merged = input.merged.filter((p) => inWindow(p.resolvedAt, input) && sameService(p.service, input.service));
  const mergedIds = new Set(merged.map((p) => p.incidentId));
  const listed = byIncident(input.workflows.filter((w) => inWindow(w.startTime, input) && sameService(w.service, input.service)));
  // Incidents of the window; a follow-up carried on from before it is in flight, and nothing more.
  const workflows = listed.filter((w) => w.startedInWindow);
  const incidents = new Set([...mergedIds, ...workflows.map((w) => w.incidentId)]);
  const running = listed.filter((w) => w.status === 'RUNNING');
  const skipped = workflows.filter((w) => w.phase === 'skipped' && !mergedIds.has(w.incidentId));
  const inReview = running.filter((w) => IN_REVIEW.has(w.phase ?? '') && !mergedIds.has(w.incidentId));
  // Drafted: every merged postmortem, every PR still in review, and skipped incidents whose PR had opened.
  const drafted = merged.length + inReview.length + skipped.filter((w) => w.pullRequestUrl).length;

  const checked = merged.filter((p) => p.notes?.figures?.firstCheck);
  const passed = checked.filter((p) => p.notes?.figures?.firstCheck === 'success').length;
  const today = input.until.slice(0, 10);
  const issues = input.issues.filter((i) => mergedIds.has(i.incidentId));
  const open = issues.filter((i) => i.state === 'open');
  const repeats = merged.filter((p) => p.notes?.repeat).map((p) => p.incidentId);
  const cost = (p: MergedPostmortem) => p.notes?.figures?.acus ?? p.devinAcus;
  const withCost = merged.filter((p) => cost(p) !== undefined);
  const inFlightAcus = running.filter((w) => w.startedInWindow && !mergedIds.has(w.incidentId)).reduce((sum, w) => sum + (w.acus ?? 0), 0);
  const round2 = (n: number) => Math.round(n * 100) / 100;

  return {
    window: { since: input.since, until: input.until, ...(input.service ? { service: input.service } : {}) },
    repository: input.repository,
    incidents: incidents.size,
    postmortems: { drafted, merged: merged.length, inReview: inReview.length, skipped: skipped.length, skippedByReason: count(skipped.map((w) => skipKind(w.skipReason))) },
    inFlight: count(running.filter((w) => !mergedIds.has(w.incidentId)).map((w) => w.phase ?? 'unknown')),
    resolutionToPullRequest: durations(merged.map((p) => [p.resolvedAt, p.notes?.figures?.openedAt ?? p.notes?.prOpenedAt])),
    resolutionToMerge: durations(merged.map((p) => [p.resolvedAt, p.notes?.mergedAt])),
    evidenceCheck: { checked: checked.length, passedFirstTry: passed, ...(checked.length ? { firstTryPassRate: round2(passed / checked.length) } : {}) },
    actionItems: { created: issues.length, closed: issues.length - open.length, open: open.length, overdue: open.filter((i) => i.due !== undefined && i.due < today).length },
    repeats: { count: repeats.length, incidents: repeats },
    devinAcus: { total: round2(withCost.reduce((sum, p) => sum + (cost(p) ?? 0), 0) + inFlightAcus), postmortemsWithCost: withCost.length, postmortemsWithoutCost: merged.length - withCost.length, inFlight: round2(inFlightAcus) },
    byRootCause: count(merged.map((p) => p.rootCauseCategory ?? 'unknown')),
    problems: input.problems,
  };
}
