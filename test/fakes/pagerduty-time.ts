// Times as the fake PagerDuty API (pagerduty-api.ts) takes and renders them: the query formats it accepts
// (anything else is a 400, as PagerDuty answers), the account's time zone it renders in unless asked for
// another with `time_zone`, and the 6-month limit of `GET /incidents`.

/** `GET /services/{id}/change_events` since/until: "YYYY-MM-DDThh:mm:ssZ", "HTTP 400 for non-UTC datetimes". */
export const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** `GET /incidents` since/until: a date-time to the second, UTC or with an offset (what the docs show). */
export const ZONED_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;

/** The fields PagerDuty renders in the requested (or the account's) time zone. */
const TIME_KEYS = new Set(['created_at', 'updated_at', 'resolved_at', 'last_status_change_at', 'timestamp', 'at', 'started_at', 'ended_at', 'requested_at', 'reopened_at']);

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-02-10T14:00:00Z` in `America/New_York` → `2026-02-10T09:00:00-05:00`; in UTC → `…Z`. */
export function inZone(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const fraction = /\.\d+(?=Z$|[+-]\d{2}:?\d{2}$)/.exec(iso)?.[0] ?? '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offsetMinutes === 0 && /^(utc|etc\/utc|gmt|etc\/gmt)$/i.test(zone)) return `${local}${fraction}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A deep copy of `body` with every time field rendered in `zone`. */
export function renderTimes<T>(body: T, zone: string): T {
  const walk = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return typeof value === 'string' && key !== undefined && TIME_KEYS.has(key) ? inZone(value, zone) : value;
  };
  return walk(body) as T;
}

/** `ms` plus `months` calendar months in UTC (the day clamped to the month's last). */
export function addUtcMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target.getTime();
}
