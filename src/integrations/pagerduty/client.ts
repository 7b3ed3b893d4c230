// PagerDuty REST API v2: the one client, used by the worker's activities (evidence, notes) and by the
// CLI (backfill). Requests are serial — the account shares one rate limit with every other integration.
// Failures follow the one HTTP policy (../http.ts); retrying is the caller's (Temporal, or the CLI).
import { requestJson } from '../http';
import type { ApiAlert, ApiChangeEvent, ApiIncident, ApiLogEntry, ApiNote, ApiPage } from './api';

export interface PagerDutyApiConfig {
  token: string;
  /** https://api.pagerduty.com, or https://api.eu.pagerduty.com for EU accounts. */
  baseUrl: string;
}

const PAGE_SIZE = 100;
/** PagerDuty's classic pagination stops at offset + limit = 10,000. */
const MAX_OFFSET = 10_000;

type Query = Record<string, string | string[]>;

export interface Listed<T> {
  items: T[];
  /** Items PagerDuty has beyond those returned (at least 1 when it says there are more). */
  omitted: number;
}

export interface ResolvedIncidents {
  incidents: ApiIncident[];
  /** PagerDuty had more than its pagination can return (10,000): narrow the window. */
  truncated: boolean;
}

/** Wraps each request: outside Temporal (the CLI) this is where transient failures are retried. */
export type RequestPolicy = <T>(send: () => Promise<T>) => Promise<T>;

export class PagerDutyClient {
  constructor(
    private readonly config: PagerDutyApiConfig,
    private readonly timeoutMs: number,
    /** The caller's cancellation (an activity's). */
    private readonly signal?: AbortSignal,
    private readonly policy: RequestPolicy = (send) => send(),
  ) {}

  private headers(): Record<string, string> {
    return { authorization: `Token token=${this.config.token}`, accept: 'application/vnd.pagerduty+json;version=2' };
  }

  private get<T>(path: string, query: Query = {}): Promise<T> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
    }
    return this.policy(() => requestJson<T>({ system: 'PagerDuty', method: 'GET', url: url.toString(), headers: this.headers(), timeoutMs: this.timeoutMs, signal: this.signal }));
  }

  /** Follows `limit`/`offset`/`more`, one page at a time, until PagerDuty has no more or pagination ends. */
  private async *pages<T>(path: string, key: string, query: Query = {}, after: Query = {}): AsyncGenerator<{ batch: T[]; more: boolean; total?: number }> {
    let offset = 0;
    let more = true;
    while (more && offset + PAGE_SIZE <= MAX_OFFSET) {
      const page = await this.get<ApiPage>(path, { ...query, limit: String(PAGE_SIZE), offset: String(offset), ...after });
      const batch = (page[key] as T[] | undefined) ?? [];
      more = page.more === true && batch.length > 0;
      offset += batch.length;
      yield { batch, more, total: typeof page.total === 'number' ? page.total : undefined };
    }
  }

  /** Up to `max` items of a list, and how many more PagerDuty has. */
  private async list<T>(path: string, key: string, max: number, query: Query = {}): Promise<Listed<T>> {
    const items: T[] = [];
    let more = false;
    let total: number | undefined;
    for await (const page of this.pages<T>(path, key, query, { total: 'true' })) {
      items.push(...page.batch);
      total = page.total ?? total;
      more = page.more;
      if (items.length >= max) break;
    }
    const kept = items.slice(0, max);
    const known = Math.max(total ?? 0, items.length);
    return { items: kept, omitted: more || known > kept.length ? Math.max(known - kept.length, 1) : 0 };
  }

  async incident(id: string): Promise<ApiIncident> {
    const body = await this.get<{ incident: ApiIncident }>(`/incidents/${encodeURIComponent(id)}`, { 'include[]': 'first_trigger_log_entries' });
    return body.incident;
  }

  logEntries(id: string, max: number): Promise<Listed<ApiLogEntry>> {
    return this.list(`/incidents/${encodeURIComponent(id)}/log_entries`, 'log_entries', max, { 'include[]': 'channels' });
  }

  alerts(id: string, max: number): Promise<Listed<ApiAlert>> {
    return this.list(`/incidents/${encodeURIComponent(id)}/alerts`, 'alerts', max);
  }

  async notes(id: string): Promise<ApiNote[]> {
    const body = await this.get<{ notes?: ApiNote[] }>(`/incidents/${encodeURIComponent(id)}/notes`);
    return body.notes ?? [];
  }

  async relatedChangeEvents(id: string): Promise<ApiChangeEvent[]> {
    const body = await this.get<{ change_events?: ApiChangeEvent[] }>(`/incidents/${encodeURIComponent(id)}/related_change_events`);
    return body.change_events ?? [];
  }

  serviceChangeEvents(serviceId: string, since: string, until: string, max: number): Promise<Listed<ApiChangeEvent>> {
    return this.list(`/services/${encodeURIComponent(serviceId)}/change_events`, 'change_events', max, { since, until });
  }

  /** `From` must be the email of a PagerDuty user: notes are attributed to them. */
  async addNote(id: string, content: string, fromEmail: string): Promise<ApiNote> {
    const body = await this.policy(() =>
      requestJson<{ note: ApiNote }>({
        system: 'PagerDuty',
        method: 'POST',
        url: `${this.config.baseUrl}/incidents/${encodeURIComponent(id)}/notes`,
        headers: { ...this.headers(), from: fromEmail },
        body: { note: { content } },
        timeoutMs: this.timeoutMs,
        signal: this.signal,
      }),
    );
    return body.note;
  }

  /**
   * `GET /incidents?statuses[]=resolved&since=&until=`, every page. PagerDuty selects by the incidents'
   * creation time within the window (at most 6 months); oldest first, each incident once.
   */
  async resolvedIncidents(since: Date, until: Date): Promise<ResolvedIncidents> {
    const seen = new Set<string>();
    const incidents: ApiIncident[] = [];
    let more = false;
    const query = { 'statuses[]': 'resolved', since: since.toISOString(), until: until.toISOString(), time_zone: 'UTC', sort_by: 'created_at:asc' };
    for await (const page of this.pages<ApiIncident>('/incidents', 'incidents', query)) {
      // Pages shift when incidents are created meanwhile: never list one twice.
      for (const incident of page.batch) {
        if (!seen.has(incident.id)) {
          seen.add(incident.id);
          incidents.push(incident);
        }
      }
      more = page.more;
    }
    return { incidents, truncated: more };
  }
}
