// The incident's evidence pack from PagerDuty: the incident, its timeline, alerts, notes, related
// change events and the service's deploys and config changes around it — or, without the REST API,
// what the webhooks said.
import type { CollectContextInput, IncidentContext, IncidentMetrics, TimelineEntry } from '../../domain/evidence';
import { type IncidentSnapshot, mergeSnapshot } from '../../domain/incident';
import { clipEvidence } from '../collector';
import { EVIDENCE_LIST_ATTEMPTS, retryLater } from '../http';
import type { ApiChangeEvent, ApiLogEntry } from './api';
import type { Listed, PagerDutyClient } from './client';
import { alertSummary, changeEvent, clipText, CONTEXT_LIMITS, incidentNote, logEntryTime, snapshotFromIncident, timelineEntry } from './mapper';
import { byTimeThenId, capTimeline } from './timeline';

/** Tries of the collection during which a transient failure of a secondary list is retried rather than given up. */
export const SECONDARY_LIST_ATTEMPTS = EVIDENCE_LIST_ATTEMPTS;
const CHANGE_LOOKBACK_MS = 2 * 3_600_000;

export function contextFromWebhooks(input: CollectContextInput, limitation: string, now: Date): IncidentContext {
  const omitted: Record<string, number> = {};
  if (input.observed.length > CONTEXT_LIMITS.timeline) omitted.timeline = input.observed.length - CONTEXT_LIMITS.timeline;
  if (input.observedNotes.length > CONTEXT_LIMITS.notes) omitted.notes = input.observedNotes.length - CONTEXT_LIMITS.notes;
  return {
    source: 'webhook_only',
    limitation,
    incident: input.incident,
    timeline: input.observed.slice(-CONTEXT_LIMITS.timeline),
    alerts: [],
    notes: input.observedNotes.slice(-CONTEXT_LIMITS.notes),
    changeEvents: [],
    metrics: deriveMetrics(input.incident, input.observed),
    omitted,
    collectedAt: now.toISOString(),
  };
}

/**
 * Builds the evidence pack from the REST API. Secondary lists that fail become a stated limitation. `people`,
 * when given, receives the people the answers name by reference (name → user id).
 * `attempt`: which try of the collection this is (the activity's attempt): a transient failure of a
 * secondary list is thrown for a retry until SECONDARY_LIST_ATTEMPTS, then given up.
 */
export async function contextFromApi(client: PagerDutyClient, input: CollectContextInput, now: Date, attempt = 1, people?: Map<string, string | undefined>): Promise<IncidentContext> {
  const id = input.incident.id;
  const apiIncident = await client.incident(id);
  const incident = mergeSnapshot(input.incident, snapshotFromIncident(apiIncident));
  const omitted: Record<string, number> = {};
  const problems: string[] = [];

  const secondary = async <T>(what: string, fetcher: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await fetcher();
    } catch (error) {
      // Rate limits and outages are retried (with the server's delay) a few times before a list is given up.
      if (retryLater(error, attempt)) throw error;
      // A bad token fails the incident fetch above; here a failure is one missing list, not a lost postmortem.
      problems.push(`${what} unavailable (${error instanceof Error ? error.message : String(error)})`);
      return empty;
    }
  };
  const none = <T>(): Listed<T> => ({ items: [], omitted: 0 });

  const log = await secondary('log entries', () => client.logEntries(id), none());
  // The first trigger: whole when asked with include[] (a reference without a time otherwise).
  const trigger = apiIncident.first_trigger_log_entry;
  const fullTrigger = trigger && logEntryTime(trigger) !== undefined ? (trigger as ApiLogEntry) : undefined;
  const entries = fullTrigger && !log.items.some((e) => e.id === fullTrigger.id) ? [fullTrigger, ...log.items] : log.items;
  const capped = capTimeline(entries, CONTEXT_LIMITS.timeline, { firstTriggerId: trigger?.id, latestNotes: CONTEXT_LIMITS.notes });
  if (log.omitted + capped.cut > 0) omitted.timeline = log.omitted + capped.cut;
  const untimed = capped.kept.filter((e) => logEntryTime(e) === undefined).length;
  if (untimed > 0) problems.push(`${untimed} log entr${untimed === 1 ? 'y has' : 'ies have'} no readable time (listed last)`);

  const alerts = await secondary('alerts', () => client.alerts(id, CONTEXT_LIMITS.alerts), none());
  if (alerts.omitted > 0) omitted.alerts = alerts.omitted;
  const notes = await secondary('notes', () => client.notes(id), []);
  const changes = await secondary('related change events', () => client.relatedChangeEvents(id), []);
  // Deploys and config changes on the service from two hours before the incident until it ended. Without
  // created_at, the first trigger (or the oldest log entry) marks the start.
  const startedAt = incident.createdAt ?? (fullTrigger ? logEntryTime(fullTrigger) : undefined) ?? capped.kept.map(logEntryTime).find((at) => at !== undefined);
  const window = changeWindow({ ...incident, createdAt: startedAt }, now);
  if (incident.service && !window) problems.push('service change events not collected (no start time to place the window)');
  const service = incident.service;
  const serviceChanges =
    service && window
      ? await secondary('service change events', () => client.serviceChangeEvents(service.id, window.since, window.until, CONTEXT_LIMITS.changeEvents), none<ApiChangeEvent>())
      : none<ApiChangeEvent>();
  if (serviceChanges.omitted > 0) omitted.serviceChanges = serviceChanges.omitted;

  // Who the API names by reference (log entry agents, the people notified or assigned, note authors), for the caller's pseudonyms: names in the
  // pack's free text can only be found because the references say who they are.
  if (people) {
    for (const reference of [...entries.flatMap((e) => [e.agent, e.user, ...(e.assignees ?? [])]), ...notes.map((n) => n.user)]) {
      if (reference?.summary && (!reference.type || /^user(_reference)?$/.test(reference.type))) people.set(reference.summary, reference.id);
    }
  }

  const timeline: TimelineEntry[] = capped.kept.map((e) => timelineEntry(e).entry);
  // Metrics from every entry read, the cut middle included: only people count as responders.
  const everything = [...new Map(entries.map((e) => [e.id, e])).values()].sort(byTimeThenId).map(timelineEntry);
  const peopleTimeline = everything.map((m) => (m.byPerson ? m.entry : { ...m.entry, agent: undefined }));

  const keep = <T>(name: string, items: T[], max: number): T[] => {
    if (items.length > max) omitted[name] = (omitted[name] ?? 0) + items.length - max;
    return items.slice(0, max);
  };

  return {
    source: 'pagerduty_api',
    limitation: problems.length > 0 ? problems.join('; ') : undefined,
    incident,
    timeline,
    alerts: keep('alerts', alerts.items.map(alertSummary), CONTEXT_LIMITS.alerts),
    notes: keep('notes', notes.map(incidentNote), CONTEXT_LIMITS.notes),
    changeEvents: keep('changeEvents', changes.map(changeEvent).sort(byTime), CONTEXT_LIMITS.changeEvents),
    serviceChanges: serviceChanges.items.map(changeEvent).sort(byTime),
    metrics: deriveMetrics(incident, peopleTimeline),
    omitted,
    collectedAt: now.toISOString(),
  };
}

const byTime = (a: { at: string }, b: { at: string }) => Date.parse(a.at) - Date.parse(b.at);

/**
 * The pack's texts clipped to their display bounds: what the REST API said to CONTEXT_LIMITS.textChars, Datadog's
 * and Sentry's summaries to SUMMARY_CHARS. The evidence activity calls it after redaction, never before: the texts
 * arrive whole (../evidence-text.ts), so a clip cannot leave half a secret for the detectors to miss. What the
 * webhooks said (a webhook-only pack) is left as it came.
 */
export function clipContext(pack: IncidentContext): IncidentContext {
  const clipped: IncidentContext = { ...pack };
  if (pack.source === 'pagerduty_api') {
    clipped.timeline = pack.timeline.map((entry) => ({ ...entry, summary: clipText(entry.summary) }));
    clipped.alerts = pack.alerts.map((alert) => (alert.details === undefined ? { ...alert, summary: clipText(alert.summary) } : { ...alert, summary: clipText(alert.summary), details: clipText(alert.details) }));
    clipped.notes = pack.notes.map((note) => ({ ...note, content: clipText(note.content) }));
    clipped.changeEvents = pack.changeEvents.map((change) => ({ ...change, summary: clipText(change.summary) }));
    if (pack.serviceChanges) clipped.serviceChanges = pack.serviceChanges.map((change) => ({ ...change, summary: clipText(change.summary) }));
  }
  if (pack.external) clipped.external = pack.external.map(clipEvidence);
  return clipped;
}

/** [created − 2 h, resolved (or now)]; the client rounds it outwards to the second PagerDuty's since/until want. */
export function changeWindow(incident: IncidentSnapshot, now: Date): { since: Date; until: Date } | undefined {
  const created = incident.createdAt ? Date.parse(incident.createdAt) : NaN;
  if (!Number.isFinite(created)) return undefined;
  const resolved = incident.resolvedAt ? Date.parse(incident.resolvedAt) : NaN;
  const until = Number.isFinite(resolved) ? resolved : now.getTime();
  const since = created - CHANGE_LOOKBACK_MS;
  if (until <= since) return undefined; // clocks disagree: no sensible window
  return { since: new Date(since), until: new Date(until) };
}

/**
 * The log entry kinds in which someone acts on the incident (PagerDuty's enum has no `reassign`: a
 * reassignment is an `assign` or a `delegate`), and the webhook kinds the workflow records for the same
 * acts. Agents are people here: callers drop services and integrations (a monitor resolving its own alert,
 * a timeout escalating) before asking.
 */
export const RESPONDER_KINDS: ReadonlySet<string> = new Set([
  'acknowledge',
  'assign',
  'delegate',
  'snooze',
  'escalate',
  'annotate',
  'resolve',
  'acknowledged',
  'annotated',
  'resolved',
]);

/** Time to acknowledge and resolve from the timeline, and who took part. */
export function deriveMetrics(incident: IncidentSnapshot, timeline: TimelineEntry[]): IncidentMetrics {
  const created = incident.createdAt ? Date.parse(incident.createdAt) : NaN;
  const first = (kind: string) => timeline.find((e) => e.kind === kind)?.at;
  const since = (at: string | undefined) => {
    if (!at || !Number.isFinite(created)) return undefined;
    const ms = Date.parse(at) - created;
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  };
  const responders = [...new Set(timeline.filter((e) => RESPONDER_KINDS.has(e.kind) && e.agent).map((e) => e.agent as string))];
  return {
    timeToAcknowledgeMs: since(first('acknowledge') ?? first('acknowledged')),
    timeToResolveMs: since(incident.resolvedAt ?? first('resolve') ?? first('resolved')),
    responders,
  };
}
