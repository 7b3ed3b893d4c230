// PagerDuty REST API v2: the one client, used by the worker's activities (evidence, notes) and by the
// CLI (backfill). Requests are serial — the account shares one rate limit with every other integration.
// Failures follow the one HTTP policy (../http.ts); retrying is the caller's (Temporal, or the CLI).
import { FailureTypes, TypedFailure } from '../../domain/failures';
import { describeId, isPagerDutyId } from '../../domain/identifiers';
import { requestJson } from '../http';
import type { ApiAlert, ApiChangeEvent, ApiIncident, ApiLogEntry, ApiNote, ApiPage, ApiPriority } from './api';
import { incidentWindows, pagerDutyTime } from './time';

export interface PagerDutyApiConfig {
  token: string;
  /** https://api.pagerduty.com, or https://api.eu.pagerduty.com for EU accounts. */
  baseUrl: string;
}

const PAGE_SIZE = 100;
/** PagerDuty's classic pagination stops at offset + limit = 10,000. */
const MAX_OFFSET = 10_000;
/** The most log entries read for one incident (20 pages, both ends of a longer list): `omitted` counts the rest from `total`. */
export const MAX_LOG_ENTRIES = 2_000;
/**
 * Asked of every list: without it PagerDuty renders times in the account's zone (`-05:00`). The spec
 * documents it on `GET /incidents` and the log entries; the others ignore it or honour it, and every
 * time read is normalised to UTC anyway (./time.ts).
 */
const UTC = { time_zone: 'UTC' } as const;

type Query = Record<string, string | string[]>;

export interface Listed<T> {
  items: T[];
  /** Items PagerDuty has beyond those returned (at least 1 when it says there are more). */
  omitted: number;
}

export interface ResolvedIncidents {
  incidents: ApiIncident[];
  /** In some window PagerDuty had more than its pagination can return (10,000): narrow the window. */
  truncated: boolean;
}

/**
 * An id going into a URL path: a PagerDuty id or nothing. `encodeURIComponent` leaves `..` as it is, so an
 * id of `..` from a hostile delivery or answer would rewrite the path (`/incidents/../log_entries`).
 */
function pathId(id: string): string {
  if (!isPagerDutyId(id)) throw new TypedFailure(FailureTypes.rejected, `refusing to ask PagerDuty about ${describeId(id)}: not a PagerDuty id`);
  return id;
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

  /** One page; `after` goes after limit and offset in the query (as it always has). */
  private async page<T>(path: string, key: string, query: Query, offset: number, after: Query = {}): Promise<{ batch: T[]; more: boolean; total?: number }> {
    const page = await this.get<ApiPage>(path, { ...query, limit: String(PAGE_SIZE), offset: String(offset), ...after });
    const batch = Array.isArray(page[key]) ? (page[key] as T[]) : [];
    return { batch, more: page.more === true && batch.length > 0, total: typeof page.total === 'number' ? page.total : undefined };
  }

  /** Follows `limit`/`offset`/`more`, one page at a time, until PagerDuty has no more or pagination ends. */
  private async *pages<T>(path: string, key: string, query: Query = {}, after: Query = {}): AsyncGenerator<{ batch: T[]; more: boolean; total?: number }> {
    let offset = 0;
    let more = true;
    while (more && offset + PAGE_SIZE <= MAX_OFFSET) {
      const page = await this.page<T>(path, key, query, offset, after);
      more = page.more;
      offset += page.batch.length;
      yield page;
    }
  }

  /**
   * Up to `max` items of a list whose order is not to be relied on: when PagerDuty's `total` says there
   * are more than `max`, the first and the last max/2 are read (the middle goes unread, counted in
   * `omitted`), so both ends are there whichever way the list runs. Each item once (pages shift).
   */
  private async listEnds<T extends { id: string }>(path: string, key: string, max: number, query: Query = {}): Promise<Listed<T>> {
    const byId = new Map<string, T>();
    const half = Math.floor(max / 2);
    let offset = 0;
    let more = true;
    let total: number | undefined;
    const read = async () => {
      const page = await this.page<T>(path, key, query, offset, { total: 'true' });
      for (const item of page.batch) byId.set(item.id, item);
      total = page.total ?? total;
      more = page.more;
      offset += page.batch.length;
    };
    const long = () => total !== undefined && total > max;
    while (more && offset + PAGE_SIZE <= MAX_OFFSET && offset < (long() ? half : max)) await read();
    if (more && long() && total !== undefined) {
      offset = Math.max(offset, Math.min(total - half, MAX_OFFSET - half));
      while (more && offset + PAGE_SIZE <= MAX_OFFSET) await read();
    }
    const items = [...byId.values()];
    const known = Math.max(total ?? 0, items.length);
    return { items, omitted: known > items.length ? known - items.length : more ? 1 : 0 };
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
    const body = await this.get<{ incident: ApiIncident }>(`/incidents/${pathId(id)}`, { 'include[]': 'first_trigger_log_entries' });
    return body.incident;
  }

  /**
   * The log entries, up to `max` (MAX_LOG_ENTRIES: both ends of a longer list), in PagerDuty's order,
   * which the spec does not state: the caller sorts and caps (./timeline.ts).
   */
  async logEntries(id: string, max: number = MAX_LOG_ENTRIES): Promise<Listed<ApiLogEntry>> {
    return this.listEnds(`/incidents/${pathId(id)}/log_entries`, 'log_entries', max, { 'include[]': 'channels', ...UTC });
  }

  async alerts(id: string, max: number): Promise<Listed<ApiAlert>> {
    return this.list(`/incidents/${pathId(id)}/alerts`, 'alerts', max, UTC);
  }

  /** Not paginated; the notes' full text (a webhook's note may be trimmed). */
  async notes(id: string): Promise<ApiNote[]> {
    const body = await this.get<{ notes?: ApiNote[] }>(`/incidents/${pathId(id)}/notes`, UTC);
    return body.notes ?? [];
  }

  async relatedChangeEvents(id: string): Promise<ApiChangeEvent[]> {
    const body = await this.get<{ change_events?: ApiChangeEvent[] }>(`/incidents/${pathId(id)}/related_change_events`, UTC);
    return body.change_events ?? [];
  }

  /** The service's change events in [since, until], rounded outwards to whole seconds (`YYYY-MM-DDThh:mm:ssZ`, else 400). */
  async serviceChangeEvents(serviceId: string, since: Date, until: Date, max: number): Promise<Listed<ApiChangeEvent>> {
    const window = { since: pagerDutyTime(since, 'down'), until: pagerDutyTime(until, 'up') };
    return this.list(`/services/${pathId(serviceId)}/change_events`, 'change_events', max, { ...window, ...UTC });
  }

  /** The account's priorities, most severe first (`GET /priorities`, every page). */
  async priorities(): Promise<ApiPriority[]> {
    const priorities: ApiPriority[] = [];
    for await (const page of this.pages<ApiPriority>('/priorities', 'priorities')) priorities.push(...page.batch);
    return priorities;
  }

  /** `From` must be the email of a PagerDuty user: notes are attributed to them. */
  async addNote(id: string, content: string, fromEmail: string): Promise<ApiNote> {
    const body = await this.policy(() =>
      requestJson<{ note: ApiNote }>({
        system: 'PagerDuty',
        method: 'POST',
        url: `${this.config.baseUrl}/incidents/${pathId(id)}/notes`,
        headers: { ...this.headers(), from: fromEmail },
        body: { note: { content } },
        timeoutMs: this.timeoutMs,
        signal: this.signal,
      }),
    );
    return body.note;
  }

  /**
   * `GET /incidents?statuses[]=resolved&since=&until=`, every page of every window. PagerDuty selects by
   * the incidents' creation time and allows at most 6 months between since and until: a longer span is
   * asked as consecutive windows (./time.ts). Oldest first, each incident once.
   */
  async resolvedIncidents(since: Date, until: Date): Promise<ResolvedIncidents> {
    const seen = new Set<string>();
    const incidents: ApiIncident[] = [];
    let truncated = false;
    for (const window of incidentWindows(since, until)) {
      const query = { 'statuses[]': 'resolved', ...window, ...UTC, sort_by: 'created_at:asc' };
      let more = false;
      for await (const page of this.pages<ApiIncident>('/incidents', 'incidents', query)) {
        // Pages shift when incidents are created meanwhile, and windows share their boundary: never list one twice.
        for (const incident of page.batch) {
          if (!seen.has(incident.id)) {
            seen.add(incident.id);
            incidents.push(incident);
          }
        }
        more = page.more;
      }
      truncated ||= more;
    }
    return { incidents, truncated };
  }
}
