// PagerDuty REST API v2: the account's resolved incidents in a time window, for `postmortem backfill`.
// Apart from activities/pagerduty.ts (the workflow's evidence collection, retried by Temporal): the CLI
// runs outside Temporal, so it retries transient failures itself, honouring Retry-After and
// PagerDuty's ratelimit-reset, and its requests are serial like the worker's.
import { ApplicationFailure } from '@temporalio/common';
import { backoffWithJitter, FailureTypes, requestJson } from '../http';
import type { PagerDutyApiConfig } from '../../config';
import type { IncidentEvent, IncidentSnapshot } from '../../domain/incident';
import { type RedactionOptions, redactText } from '../../postmortem/redaction';

const PAGE_SIZE = 100;
/** PagerDuty's classic pagination stops at offset + limit = 10,000. */
const MAX_OFFSET = 10_000;
const ATTEMPTS = 5;

interface Reference {
  id?: string;
  summary?: string | null;
  html_url?: string | null;
}

/** The fields of `GET /incidents` items that a backfill uses. */
export interface ListedIncident {
  id: string;
  incident_number?: number;
  title?: string;
  status?: string;
  urgency?: string;
  created_at?: string;
  resolved_at?: string | null;
  last_status_change_at?: string | null;
  html_url?: string | null;
  service?: Reference | null;
  priority?: Reference | null;
  resolve_reason?: { type?: string; incident?: Reference | null } | null;
}

export interface ResolvedIncidents {
  incidents: ListedIncident[];
  /** PagerDuty had more than its pagination can return (10,000): narrow the window. */
  truncated: boolean;
}

export class PagerDutyIncidents {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly config: PagerDutyApiConfig,
    private readonly timeoutMs: number,
    options: { sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * `GET /incidents?statuses[]=resolved&since=&until=`, every page. PagerDuty selects by the incidents'
   * creation time within the window (at most 6 months); oldest first.
   */
  async resolvedIncidents(since: Date, until: Date): Promise<ResolvedIncidents> {
    const seen = new Set<string>();
    const incidents: ListedIncident[] = [];
    let offset = 0;
    let more = true;
    while (more && offset + PAGE_SIZE <= MAX_OFFSET) {
      const page = await this.get<{ incidents?: ListedIncident[]; more?: boolean }>('/incidents', {
        'statuses[]': 'resolved',
        since: since.toISOString(),
        until: until.toISOString(),
        time_zone: 'UTC',
        sort_by: 'created_at:asc',
        limit: String(PAGE_SIZE),
        offset: String(offset),
      });
      const batch = page.incidents ?? [];
      for (const incident of batch) {
        // Pages shift when incidents are created meanwhile: never list one twice.
        if (!seen.has(incident.id)) {
          seen.add(incident.id);
          incidents.push(incident);
        }
      }
      more = page.more === true && batch.length > 0;
      offset += batch.length;
    }
    return { incidents, truncated: more };
  }

  private async get<T>(path: string, query: Record<string, string>): Promise<T> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestJson<T>({
          system: 'PagerDuty',
          method: 'GET',
          url: url.toString(),
          headers: { authorization: `Token token=${this.config.token}`, accept: 'application/vnd.pagerduty+json;version=2' },
          timeoutMs: this.timeoutMs,
        });
      } catch (error) {
        const transient = error instanceof ApplicationFailure && error.type === FailureTypes.transient;
        if (!transient || attempt >= ATTEMPTS) throw error;
        const hinted = error.nextRetryDelay;
        await this.sleep(typeof hinted === 'number' ? hinted : backoffWithJitter(attempt));
      }
    }
  }
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** What the workflow would have learnt from the incident's webhooks. */
export function snapshotFromListedIncident(incident: ListedIncident): IncidentSnapshot {
  const serviceId = orUndefined(incident.service?.id);
  return {
    id: incident.id,
    number: orUndefined(incident.incident_number),
    title: orUndefined(incident.title),
    status: orUndefined(incident.status),
    urgency: orUndefined(incident.urgency),
    // An explicit null means "no priority", which routing treats differently from unknown.
    priority: incident.priority === null ? null : orUndefined(incident.priority?.summary),
    service: serviceId
      ? { id: serviceId, name: orUndefined(incident.service?.summary) ?? serviceId, htmlUrl: orUndefined(incident.service?.html_url) }
      : undefined,
    htmlUrl: orUndefined(incident.html_url),
    createdAt: orUndefined(incident.created_at),
    resolvedAt: orUndefined(incident.resolved_at) ?? orUndefined(incident.last_status_change_at),
    mergedInto: incident.resolve_reason?.type === 'merge_resolve_reason' ? orUndefined(incident.resolve_reason.incident?.id) : undefined,
  };
}

/**
 * The synthetic `incident.resolved` event a backfill starts the incident's workflow with. Its title is
 * redacted as the bridge redacts a webhook's, before it reaches Temporal.
 */
export function backfillEvent(incident: ListedIncident, now: Date, redaction: RedactionOptions = { personalData: true }): IncidentEvent {
  const snapshot = snapshotFromListedIncident(incident);
  const title = snapshot.title === undefined ? undefined : redactText(snapshot.title, redaction);
  const event: IncidentEvent = {
    eventId: `backfill-${incident.id}`,
    type: 'incident.resolved',
    occurredAt: snapshot.resolvedAt && Number.isFinite(Date.parse(snapshot.resolvedAt)) ? new Date(snapshot.resolvedAt).toISOString() : now.toISOString(),
    incident: { ...snapshot, title: title?.text, status: 'resolved' },
  };
  return title && Object.keys(title.report).length > 0 ? { ...event, redactions: title.report } : event;
}
