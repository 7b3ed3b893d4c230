// Times as PagerDuty takes them and as the domain keeps them.
//
// PagerDuty takes `since`/`until` as `YYYY-MM-DDThh:mm:ssZ` (the change-events endpoint answers 400 to
// anything else, milliseconds included) and renders times in the account's zone (`-05:00`) unless asked
// for UTC. The domain keeps UTC ISO strings: second precision when the source has whole seconds (as
// PagerDuty's own times do), milliseconds only when it has them.

/** A time as PagerDuty's query parameters want it: UTC, whole seconds, `Z`. */
export function pagerDutyTime(date: Date, round: 'down' | 'up' = 'down'): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const seconds = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** An ISO 8601 date-time with a zone (`Z` or `±hh:mm`), the only kind PagerDuty sends. */
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Any time PagerDuty sends (`2013-03-06T15:28:51-05:00`, `2026-02-10T15:18:04.169Z`) as a UTC ISO
 * string (`2013-03-06T20:28:51Z`, `2026-02-10T15:18:04.169Z`); undefined when it is not a zoned time
 * (a local time without a zone would be read in the worker's own zone: never guessed).
 */
export function utcTime(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string' || !ZONED.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.000Z$/, 'Z') : undefined;
}

/**
 * The longest `GET /incidents` window. PagerDuty allows "6 months" between `since` and `until`; 180 days
 * is shorter than any six calendar months (at least 181 days), so it is within the limit however PagerDuty
 * counts them.
 */
export const MAX_INCIDENT_WINDOW_MS = 180 * 86_400_000;

export interface TimeWindow {
  since: string;
  until: string;
}

/**
 * [since, until] (rounded outwards to whole seconds) as consecutive windows of at most
 * MAX_INCIDENT_WINDOW_MS: each window's `until` is the next one's `since`, so there is no gap and no
 * overlap beyond that shared instant (an incident created exactly then can be listed twice: dedupe).
 */
export function incidentWindows(since: Date, until: Date, maxMs = MAX_INCIDENT_WINDOW_MS): TimeWindow[] {
  const start = Date.parse(pagerDutyTime(since, 'down'));
  const end = Date.parse(pagerDutyTime(until, 'up'));
  if (!(end > start)) return [];
  const windows: TimeWindow[] = [];
  for (let from = start; from < end; from += maxMs) {
    const to = Math.min(from + maxMs, end);
    windows.push({ since: pagerDutyTime(new Date(from)), until: pagerDutyTime(new Date(to)) });
  }
  return windows;
}
