// The fake PagerDuty API's lists (pagerduty-api.ts routes to them): classic pagination, `GET /incidents`
// (statuses, since/until with their format and the 6-month limit, sorting), the service's change events
// and `GET /priorities` — with PagerDuty's error bodies.
import { ReplyError } from './fake-server';
import type { StoredIncident } from './pagerduty-incidents';
import { addUtcMonths, UTC_SECONDS, ZONED_SECONDS } from './pagerduty-time';
import type { FakeChangeEvent } from './pagerduty-types';

export const errorBody = (message: string, code: number, errors?: string[]) => ({ error: { message, code, ...(errors ? { errors } : {}) } });
export const invalidInput = (...errors: string[]) => new ReplyError(400, errorBody('Invalid Input Provided', 2001, errors));
export const notFound = () => new ReplyError(404, errorBody('Not Found', 2100));
const badDates = (...errors: string[]) => new ReplyError(400, errorBody("Invalid 'since' or 'until' Parameter Values", 2004, errors));

export type Page<K extends string, T> = Record<K, T[]> & { limit: number; offset: number; more: boolean; total: number | null };

/** PagerDuty's classic pagination: limit (default 25, max 100), offset, more, total (null unless total=true). `cap`: a test's smaller page. */
export function page<K extends string, T>(key: K, items: T[], query: URLSearchParams, cap = 100): Page<K, T> {
  const integer = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw invalidInput(`${name[0]?.toUpperCase() ?? ''}${name.slice(1)} must be a non-negative integer`);
    return Number(raw);
  };
  const asked = integer('limit', 25);
  const offset = integer('offset', 0);
  if (asked > 100) throw invalidInput('Limit must be ≤ 100');
  if (asked < 1) throw invalidInput('Limit must be ≥ 1');
  if (offset + asked > 10_000) throw invalidInput('Offset + limit must be ≤ 10000');
  const limit = Math.min(asked, cap);
  const slice = items.slice(offset, offset + limit);
  return { [key]: slice, limit, offset, more: offset + slice.length < items.length, total: query.get('total') === 'true' ? items.length : null } as Page<K, T>;
}

/** A since/until value in `format`, or a 400 naming it (milliseconds and zone-less times included). */
function bound(query: URLSearchParams, name: 'since' | 'until', format: RegExp, expected: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const ms = Date.parse(value);
  if (!format.test(value) || !Number.isFinite(ms)) throw badDates(`${name} must be ${expected} (got "${value}")`);
  return ms;
}

export function serviceChangeEvents(known: FakeChangeEvent[], query: URLSearchParams): Page<'change_events', FakeChangeEvent> {
  const since = bound(query, 'since', UTC_SECONDS, 'a UTC ISO 8601 datetime, YYYY-MM-DDThh:mm:ssZ');
  const until = bound(query, 'until', UTC_SECONDS, 'a UTC ISO 8601 datetime, YYYY-MM-DDThh:mm:ssZ');
  if (since !== undefined && until !== undefined && since > until) throw new ReplyError(400, errorBody('Invalid Query Date Range', 2005));
  const selected = known
    .filter((c) => {
      const at = Date.parse(c.timestamp);
      return (since === undefined || at >= since) && (until === undefined || at <= until);
    })
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
  return page('change_events', selected, query);
}

const STATUSES = ['triggered', 'acknowledged', 'resolved'];
const SORT_FIELDS = ['incident_number', 'created_at', 'resolved_at', 'urgency'];

/**
 * `GET /incidents`: incidents created in [since, until] (default: the month before now), at most 6 calendar
 * months apart; `date_range=all` ignores both. `statuses[]`, `sort_by` (`field[:asc|:desc]`), pagination.
 */
export function listIncidents(stored: StoredIncident[], query: URLSearchParams, now: number, pageCap?: number): Page<'incidents', Record<string, unknown>> {
  const statuses = query.getAll('statuses[]');
  const unknown = statuses.filter((s) => !STATUSES.includes(s));
  if (unknown.length > 0) throw invalidInput(`Statuses must be one of ${STATUSES.join(', ')} (got "${unknown.join(', ')}")`);
  let since: number | undefined;
  let until: number | undefined;
  if (query.get('date_range') !== 'all') {
    const expected = 'an ISO 8601 date-time to the second, e.g. 2026-02-10T15:18:04Z';
    since = bound(query, 'since', ZONED_SECONDS, expected);
    until = bound(query, 'until', ZONED_SECONDS, expected) ?? (since === undefined ? now : addUtcMonths(since, 1));
    since ??= addUtcMonths(until, -1);
    if (since > until) throw new ReplyError(400, errorBody('Invalid Query Date Range', 2005));
    if (until > addUtcMonths(since, 6)) throw badDates('The maximum range between since and until is 6 months');
  }
  const sorts = query.getAll('sort_by').flatMap((s) => s.split(','));
  const order = sorts.map((s) => {
    const [field = '', direction = 'asc'] = s.split(':');
    if (!SORT_FIELDS.includes(field) || !['asc', 'desc'].includes(direction)) throw invalidInput(`Sort by "${s}" is not supported`);
    return { field, sign: direction === 'desc' ? -1 : 1 };
  });
  const value = (incident: Record<string, unknown>, field: string): number | string => {
    const raw = incident[field];
    if (typeof raw === 'number') return raw;
    const ms = typeof raw === 'string' && field.endsWith('_at') ? Date.parse(raw) : NaN;
    return Number.isFinite(ms) ? ms : String(raw ?? '');
  };
  const selected = stored
    .map((s) => s.incident)
    .filter((incident) => {
      const created = Date.parse(String(incident.created_at));
      return (statuses.length === 0 || statuses.includes(String(incident.status))) && (since === undefined || created >= since) && (until === undefined || created <= until);
    })
    .sort((a, b) => {
      for (const { field, sign } of order.length > 0 ? order : [{ field: 'created_at', sign: 1 }]) {
        const [x, y] = [value(a, field), value(b, field)];
        if (x !== y) return (x < y ? -1 : 1) * sign;
      }
      return 0;
    });
  return page('incidents', selected, query, pageCap);
}

export interface FakePriority {
  id: string;
  type: 'priority';
  summary: string;
  self: string;
  name: string;
  description: string;
}

/** PagerDuty's default priorities, as its published example lists them (most to least severe). */
export const DEFAULT_PRIORITIES: { id: string; name: string; description: string }[] = [
  { id: 'PSLWBL8', name: 'P1', description: 'Critical issue that warrants public notification and liaison with executive teams' },
  { id: 'P53ZZH5', name: 'P2', description: "Critical system issue actively impacting many customers' ability to use the product" },
  { id: 'PGE9YCZ', name: 'P3', description: 'Stability or minor customer-impacting issues that require immediate attention from service owners' },
  { id: 'PVJPWYW', name: 'P4', description: 'Minor issues requiring action, but not affecting customer ability to use the product' },
  { id: 'P81SUUT', name: 'P5', description: 'Cosmetic issues or bugs, not affecting customer ability to use the product' },
];

export function priorityResource(baseUrl: string, p: { id: string; name: string; description: string }): FakePriority {
  return { id: p.id, type: 'priority', summary: p.name, self: `${baseUrl}/priorities/${p.id}`, name: p.name, description: p.description };
}
