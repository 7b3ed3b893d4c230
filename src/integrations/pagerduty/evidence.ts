// PagerDuty REST API v2: the incident's evidence (timeline, alerts, notes, change events).
// Requests are serial — the account shares one rate limit with every other integration.
import type {
  AlertSummary,
  ChangeEvent,
  IncidentContext,
  IncidentMetrics,
  IncidentNote,
  IncidentSnapshot,
  TimelineEntry,
} from '../../domain/incident';
import type { PagerDutyApiConfig } from '../../config';
import { ApplicationFailure } from '@temporalio/common';
import { requestJson } from '../http';

const PAGE_SIZE = 100;
/** Attempts of the collecting activity during which a transient failure of a secondary list is retried. */
export const SECONDARY_LIST_ATTEMPTS = 4;
/** Bounds that keep the pack far below Temporal's 2 MB payload limit. */
export const CONTEXT_LIMITS = { timeline: 300, alerts: 50, notes: 50, changeEvents: 50, textChars: 1_000 } as const;

interface Reference {
  id?: string;
  /** `user_reference`, `service_reference`, `…_inbound_integration_reference`… */
  type?: string;
  summary?: string | null;
  html_url?: string | null;
}

interface ApiIncident {
  id: string;
  incident_number?: number;
  title?: string;
  status?: string;
  urgency?: string;
  created_at?: string;
  resolved_at?: string | null;
  last_status_change_at?: string;
  html_url?: string;
  service?: Reference;
  priority?: Reference | null;
  resolve_reason?: { type?: string; incident?: Reference } | null;
  first_trigger_log_entry?: ApiLogEntry | null;
}

interface ApiLogEntry {
  id: string;
  type: string;
  summary?: string;
  created_at: string;
  html_url?: string | null;
  agent?: Reference | null;
  channel?: { type?: string; summary?: string } | null;
}

interface ApiAlert {
  id: string;
  summary?: string;
  created_at: string;
  status?: string;
  severity?: string;
  html_url?: string;
  body?: { details?: unknown } | null;
}

interface ApiNote {
  id: string;
  content: string;
  created_at: string;
  user?: Reference | null;
}

interface ApiChangeEvent {
  id: string;
  summary?: string;
  timestamp?: string;
  source?: string | null;
  links?: { href?: string; text?: string }[];
  correlation_reason?: { reason?: string } | null;
}

export class PagerDutyClient {
  constructor(
    private readonly config: PagerDutyApiConfig,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    private readonly attempt?: number,
  ) {}

  private headers(): Record<string, string> {
    return { authorization: `Token token=${this.config.token}`, accept: 'application/vnd.pagerduty+json;version=2' };
  }

  private get<T>(path: string, query: Record<string, string | string[]> = {}): Promise<T> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
    }
    return requestJson<T>({
      system: 'PagerDuty',
      method: 'GET',
      url: url.toString(),
      headers: this.headers(),
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      attempt: this.attempt,
    });
  }

  /** `From` must be the email of a PagerDuty user: notes are attributed to them. */
  async addNote(id: string, content: string, fromEmail: string): Promise<ApiNote> {
    const body = await requestJson<{ note: ApiNote }>({
      system: 'PagerDuty',
      method: 'POST',
      url: `${this.config.baseUrl}/incidents/${encodeURIComponent(id)}/notes`,
      headers: { ...this.headers(), from: fromEmail },
      body: { note: { content } },
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      attempt: this.attempt,
    });
    return body.note;
  }

  serviceChangeEvents(serviceId: string, since: string, until: string) {
    return this.paginate<ApiChangeEvent>(`/services/${encodeURIComponent(serviceId)}/change_events`, 'change_events', CONTEXT_LIMITS.changeEvents, {
      since,
      until,
    });
  }

  /** Follows `limit`/`offset`/`more` until done or `max` items are in hand. */
  private async paginate<T>(path: string, key: string, max: number, query: Record<string, string | string[]> = {}) {
    const items: T[] = [];
    let offset = 0;
    let more = true;
    let total: number | undefined;
    while (more && items.length < max && offset + PAGE_SIZE <= 10_000) {
      const page = await this.get<Record<string, unknown> & { more?: boolean; total?: number | null }>(path, {
        ...query,
        limit: String(PAGE_SIZE),
        offset: String(offset),
        total: 'true',
      });
      const batch = (page[key] as T[] | undefined) ?? [];
      items.push(...batch);
      if (typeof page.total === 'number') total = page.total;
      more = page.more === true && batch.length > 0;
      offset += batch.length;
    }
    const kept = items.slice(0, max);
    const known = Math.max(total ?? 0, items.length);
    return { items: kept, omitted: more || known > kept.length ? Math.max(known - kept.length, 1) : 0 };
  }

  async incident(id: string): Promise<ApiIncident> {
    const body = await this.get<{ incident: ApiIncident }>(`/incidents/${encodeURIComponent(id)}`, {
      'include[]': 'first_trigger_log_entries',
    });
    return body.incident;
  }

  logEntries(id: string) {
    return this.paginate<ApiLogEntry>(`/incidents/${encodeURIComponent(id)}/log_entries`, 'log_entries', CONTEXT_LIMITS.timeline, {
      'include[]': 'channels',
    });
  }

  alerts(id: string) {
    return this.paginate<ApiAlert>(`/incidents/${encodeURIComponent(id)}/alerts`, 'alerts', CONTEXT_LIMITS.alerts);
  }

  async notes(id: string): Promise<ApiNote[]> {
    const body = await this.get<{ notes?: ApiNote[] }>(`/incidents/${encodeURIComponent(id)}/notes`);
    return body.notes ?? [];
  }

  async relatedChangeEvents(id: string): Promise<ApiChangeEvent[]> {
    const body = await this.get<{ change_events?: ApiChangeEvent[] }>(`/incidents/${encodeURIComponent(id)}/related_change_events`);
    return body.change_events ?? [];
  }
}

const clip = (text: string | null | undefined): string => {
  const value = (text ?? '').trim();
  return value.length > CONTEXT_LIMITS.textChars ? `${value.slice(0, CONTEXT_LIMITS.textChars)}…` : value;
};

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

function snapshotFromApi(incident: ApiIncident, fallback: IncidentSnapshot): IncidentSnapshot {
  const serviceId = incident.service?.id;
  return {
    ...fallback,
    id: incident.id,
    number: incident.incident_number ?? fallback.number,
    title: incident.title ?? fallback.title,
    status: incident.status ?? fallback.status,
    urgency: incident.urgency ?? fallback.urgency,
    priority: incident.priority === null ? null : (orUndefined(incident.priority?.summary) ?? fallback.priority),
    service: serviceId
      ? { id: serviceId, name: orUndefined(incident.service?.summary) ?? serviceId, htmlUrl: orUndefined(incident.service?.html_url) }
      : fallback.service,
    htmlUrl: incident.html_url ?? fallback.htmlUrl,
    createdAt: incident.created_at ?? fallback.createdAt,
    resolvedAt: orUndefined(incident.resolved_at) ?? fallback.resolvedAt,
    mergedInto:
      incident.resolve_reason?.type === 'merge_resolve_reason'
        ? (orUndefined(incident.resolve_reason.incident?.id) ?? fallback.mergedInto)
        : fallback.mergedInto,
  };
}

export interface CollectContextInput {
  /** What the webhooks said; the API refines it. */
  incident: IncidentSnapshot;
  /** Events the workflow itself received, used when the API cannot be asked. */
  observed: TimelineEntry[];
  observedNotes: IncidentNote[];
}

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

/** Builds the evidence pack from the REST API. Secondary lists that fail become a stated limitation. */
export async function contextFromApi(
  client: PagerDutyClient,
  input: CollectContextInput,
  now: Date,
  activityAttempt = 1,
): Promise<IncidentContext> {
  const id = input.incident.id;
  const apiIncident = await client.incident(id);
  const incident = snapshotFromApi(apiIncident, input.incident);
  const omitted: Record<string, number> = {};
  const problems: string[] = [];

  const attempt = async <T>(what: string, fetcher: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await fetcher();
    } catch (error) {
      // Rate limits and outages are retried (with the server's delay) a few times before a list is given up.
      if (error instanceof ApplicationFailure && !error.nonRetryable && activityAttempt < SECONDARY_LIST_ATTEMPTS) throw error;
      // A bad token fails the incident fetch above; here a failure is one missing list, not a lost postmortem.
      problems.push(`${what} unavailable (${error instanceof Error ? error.message : String(error)})`);
      return empty;
    }
  };

  const log = await attempt('log entries', () => client.logEntries(id), { items: [] as ApiLogEntry[], omitted: 0 });
  if (log.omitted > 0) omitted.timeline = log.omitted;
  const alerts = await attempt('alerts', () => client.alerts(id), { items: [] as ApiAlert[], omitted: 0 });
  if (alerts.omitted > 0) omitted.alerts = alerts.omitted;
  const notes = await attempt('notes', () => client.notes(id), [] as ApiNote[]);
  const changes = await attempt('related change events', () => client.relatedChangeEvents(id), [] as ApiChangeEvent[]);
  // Deploys and config changes on the service from two hours before the incident until it ended. Without
  // created_at, the first trigger (or the oldest log entry) marks the start.
  const startedAt =
    incident.createdAt ??
    orUndefined(apiIncident.first_trigger_log_entry?.created_at) ??
    log.items.map((e) => e.created_at).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const window = changeWindow({ ...incident, createdAt: startedAt }, now);
  if (incident.service && !window) problems.push('service change events not collected (no start time to place the window)');
  const serviceChanges =
    incident.service && window
      ? await attempt('service change events', () => client.serviceChangeEvents(incident.service?.id ?? '', window.since, window.until), {
          items: [] as ApiChangeEvent[],
          omitted: 0,
        })
      : { items: [] as ApiChangeEvent[], omitted: 0 };
  if (serviceChanges.omitted > 0) omitted.serviceChanges = serviceChanges.omitted;

  // PagerDuty lists newest first: when a long incident is cut, keep its trigger entry anyway.
  const trigger = apiIncident.first_trigger_log_entry;
  const entries =
    trigger && !log.items.some((e) => e.id === trigger.id)
      ? [trigger, ...log.items.slice(0, CONTEXT_LIMITS.timeline - 1)] // one newer entry makes room: `omitted` stays right
      : log.items;
  const mapped = entries
    .map((entry) => ({
      entry: {
        at: entry.created_at,
        kind: entry.type.replace(/_log_entry$/, ''),
        summary: clip(entry.summary),
        agent: orUndefined(entry.agent?.summary),
        channel: orUndefined(entry.channel?.type),
        url: orUndefined(entry.html_url),
      } satisfies TimelineEntry,
      // A service escalating by timeout or a monitor resolving its own alert is an agent, not a responder.
      byPerson: !entry.agent?.type || /^user(_reference)?$/.test(entry.agent.type),
    }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at));
  const timeline: TimelineEntry[] = mapped.map((m) => m.entry);
  const peopleTimeline = mapped.map((m) => (m.byPerson ? m.entry : { ...m.entry, agent: undefined }));

  const keep = <T>(name: string, items: T[], max: number): T[] => {
    if (items.length > max) omitted[name] = (omitted[name] ?? 0) + items.length - max;
    return items.slice(0, max);
  };

  return {
    source: 'pagerduty_api',
    limitation: problems.length > 0 ? problems.join('; ') : undefined,
    incident,
    timeline,
    alerts: keep(
      'alerts',
      alerts.items.map<AlertSummary>((alert) => ({
        at: alert.created_at,
        summary: clip(alert.summary),
        severity: alert.severity,
        status: alert.status,
        details: alert.body?.details === undefined || alert.body?.details === null ? undefined : clip(JSON.stringify(alert.body.details)),
        url: alert.html_url,
      })),
      CONTEXT_LIMITS.alerts,
    ),
    notes: keep(
      'notes',
      notes.map<IncidentNote>((note) => ({ at: note.created_at, author: orUndefined(note.user?.summary), content: clip(note.content) })),
      CONTEXT_LIMITS.notes,
    ),
    changeEvents: keep('changeEvents', changes.map(toChangeEvent).sort(byTime), CONTEXT_LIMITS.changeEvents),
    serviceChanges: serviceChanges.items.map(toChangeEvent).sort(byTime),
    metrics: deriveMetrics(incident, peopleTimeline),
    omitted,
    collectedAt: now.toISOString(),
  };
}

const byTime = (a: { at: string }, b: { at: string }) => Date.parse(a.at) - Date.parse(b.at);

function toChangeEvent(change: ApiChangeEvent): ChangeEvent {
  return {
    at: change.timestamp ?? '',
    summary: clip(change.summary),
    source: orUndefined(change.source),
    correlation: orUndefined(change.correlation_reason?.reason),
    url: change.links?.find((link) => link.href)?.href,
  };
}

const CHANGE_LOOKBACK_MS = 2 * 3_600_000;

/** [created − 2 h, resolved (or now)], in UTC, as PagerDuty's since/until want it. */
export function changeWindow(incident: IncidentSnapshot, now: Date): { since: string; until: string } | undefined {
  const created = incident.createdAt ? Date.parse(incident.createdAt) : NaN;
  if (!Number.isFinite(created)) return undefined;
  const resolved = incident.resolvedAt ? Date.parse(incident.resolvedAt) : NaN;
  const until = Number.isFinite(resolved) ? resolved : now.getTime();
  const since = created - CHANGE_LOOKBACK_MS;
  if (until <= since) return undefined; // clocks disagree: no sensible window
  return { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}

/** Time to acknowledge and resolve from the timeline, and who took part. */
export function deriveMetrics(incident: IncidentSnapshot, timeline: TimelineEntry[]): IncidentMetrics {
  const created = incident.createdAt ? Date.parse(incident.createdAt) : NaN;
  const first = (kind: string) => timeline.find((e) => e.kind === kind)?.at;
  const since = (at: string | undefined) => {
    if (!at || !Number.isFinite(created)) return undefined;
    const ms = Date.parse(at) - created;
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  };
  const acting = new Set(['acknowledge', 'resolve', 'annotate', 'reassign', 'assign', 'escalate', 'acknowledged', 'resolved', 'annotated']);
  const responders = [...new Set(timeline.filter((e) => acting.has(e.kind) && e.agent).map((e) => e.agent as string))];
  return {
    timeToAcknowledgeMs: since(first('acknowledge') ?? first('acknowledged')),
    timeToResolveMs: since(incident.resolvedAt ?? first('resolve') ?? first('resolved')),
    responders,
  };
}
