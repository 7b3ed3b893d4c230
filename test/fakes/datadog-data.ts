// Datadog's data as the fake Datadog API (datadog-api.ts) stores and serializes it: log and event
// seeds, `{"errors": [...]}` errors, the search syntax and time parameters, opaque cursors bound to
// their query, and the JSON:API-style log and event resources.
import { randomBytes } from 'node:crypto';
import { ReplyError } from './fake-server';

/** One log as the fake stores it; `id` and `host` are generated when absent. */
export interface FakeLogSeed {
  id?: string;
  timestamp: string;
  service: string;
  /** Datadog's status attribute: emergency, alert, critical, error, warn, info, debug, ok… */
  status: string;
  message: string;
  host?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
}

/** One event (Events Explorer) as the fake stores it; monitor alerts have `source: 'alert'`. */
export interface FakeEventSeed {
  id?: string;
  timestamp: string;
  title: string;
  message?: string;
  /** The event's source facet: `alert` for monitor alerts, `github`, `kubernetes`, `my_apps`… */
  source: string;
  tags: string[];
  /** alert status of the event: error, warning, success, info… */
  status?: string;
  monitor?: { id: number; name: string; query?: string; groups?: string[] };
  host?: string;
}

export interface StoredLog {
  id: string;
  ms: number;
  seed: FakeLogSeed;
}

export interface StoredEvent {
  id: string;
  ms: number;
  seed: FakeEventSeed;
}

/** Datadog log ids: long opaque base64-ish strings (`AAAAAWgN8Xwgr1vKDQAAAABBV2dOOFh3ZzZobm1mWXJFYTR0OA`); `n` makes them unique. */
export const logId = (n: number) => `AQAAAZ${Buffer.from(`log-${n.toString().padStart(8, '0')}-${randomBytes(6).toString('hex')}`).toString('base64url')}`;

export const eventId = (n: number) => `AgAAAZ${Buffer.from(`evt-${n.toString().padStart(8, '0')}-${randomBytes(6).toString('hex')}`).toString('base64url')}`;

/** Datadog's error answer: `{"errors": [...]}`. */
export const datadogError = (status: number, errors: string[]) => new ReplyError(status, { errors });

export function defaultErrors(status: number): string[] {
  switch (status) {
    case 400:
      return ['Bad Request'];
    case 401:
      return ['Unauthorized'];
    case 403:
      return ['Forbidden'];
    case 404:
      return ['Not found'];
    case 429:
      return ['Too many requests'];
    default:
      return status >= 500 ? ['Internal Server Error'] : ['Error'];
  }
}

/**
 * Datadog's time parameters: epoch milliseconds, ISO 8601, `now`, or date math `now-15m`
 * (s, m, h, d, w). Throws a 400 for anything else.
 */
export function parseDatadogTime(value: string, now: number): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const math = /^now(?:([+-])(\d+)([smhdw]))?$/.exec(text);
  if (math) {
    if (!math[1]) return now;
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[math[3] as 's' | 'm' | 'h' | 'd' | 'w'];
    const delta = Number(math[2]) * unit;
    return math[1] === '-' ? now - delta : now + delta;
  }
  const parsed = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(parsed)) return parsed;
  throw datadogError(400, [`Invalid time: ${value}`]);
}

type Term = { key: string; values: string[] };

/**
 * The subset of Datadog's search syntax the collector uses: space-separated (AND) `key:value`
 * terms, values optionally double-quoted, and `key:(a OR b)` groups. Anything else is a 400, so a
 * client that drifts from the syntax fails loudly instead of silently matching nothing.
 */
export function parseDatadogQuery(query: string): Term[] {
  const terms: Term[] = [];
  const text = query.trim();
  if (text === '' || text === '*') return terms;
  const pattern = /\s*([A-Za-z@][\w.@-]*):(?:"((?:[^"\\]|\\.)*)"|\(([^()]*)\)|([^\s()"]+))\s*/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) throw datadogError(400, [`Invalid query: ${query}`]);
    at = pattern.lastIndex;
    const [, key = '', quoted, group, bare] = match;
    if (group !== undefined) {
      const values = group.split(/\s+OR\s+/).map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
      if (values.some((v) => v.length === 0 || /\s/.test(v))) throw datadogError(400, [`Invalid query: ${query}`]);
      terms.push({ key, values });
    } else {
      terms.push({ key, values: [quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '')] });
    }
  }
  return terms;
}

/** Whether a log is in [from, to] and matches every term of the logs search (service, status, host; other keys are a 400). */
export function logMatches(log: StoredLog, from: number, to: number, terms: Term[]): boolean {
  if (log.ms < from || log.ms > to) return false;
  return terms.every((term) => {
    const values = term.values.map((v) => v.toLowerCase());
    switch (term.key) {
      case 'service':
        return values.includes(log.seed.service.toLowerCase());
      case 'status':
        return values.includes(log.seed.status.toLowerCase());
      case 'host':
        return values.includes((log.seed.host ?? '').toLowerCase());
      default:
        throw datadogError(400, [`Invalid query: the fake does not search '${term.key}'`]);
    }
  });
}

/** Whether an event is in [from, to] and matches every term of the events search (source, status, tags; any other key is a tag). */
export function eventMatches(event: StoredEvent, from: number, to: number, terms: Term[]): boolean {
  if (event.ms < from || event.ms > to) return false;
  return terms.every((term) => {
    const values = term.values.map((v) => v.toLowerCase());
    const tags = event.seed.tags.map((t) => t.toLowerCase());
    switch (term.key) {
      case 'source':
        return values.includes(event.seed.source.toLowerCase());
      case 'status':
        return values.includes((event.seed.status ?? 'info').toLowerCase());
      case 'tags':
        return values.some((v) => tags.includes(v));
      default:
        // Any other key is a tag (`service:checkout-api`, `env:prod`).
        return values.some((v) => tags.includes(`${term.key.toLowerCase()}:${v}`));
    }
  });
}

export const encodeCursor = (offset: number, fingerprint: string) => Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64');

export function decodeCursor(cursor: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && parsed.f === fingerprint) return parsed.o;
  } catch {
    // fall through
  }
  throw datadogError(400, ['Invalid cursor']);
}

/** A log as the v2 logs endpoints return it. */
export function logResource(log: StoredLog) {
  return {
    id: log.id,
    type: 'log',
    attributes: {
      attributes: { ...(log.seed.attributes ?? {}), service: log.seed.service, status: log.seed.status },
      host: log.seed.host ?? 'i-0a1b2c3d4e5f60718',
      message: log.seed.message,
      service: log.seed.service,
      status: log.seed.status,
      tags: log.seed.tags ?? [`service:${log.seed.service}`, 'env:prod', 'source:nodejs'],
      timestamp: new Date(log.ms).toISOString(),
    },
  };
}

/** An event as `GET /api/v2/events` returns it (a monitor alert carries its monitor). */
export function eventResource(event: StoredEvent) {
  const seed = event.seed;
  const service = seed.tags.find((t) => t.startsWith('service:'))?.slice('service:'.length);
  const legacyId = String(7_000_000_000_000_000_000 + event.ms);
  return {
    id: event.id,
    type: 'event',
    attributes: {
      attributes: {
        aggregation_key: seed.monitor ? `${seed.monitor.id}` : undefined,
        date_happened: Math.floor(event.ms / 1000),
        evt: { id: legacyId, name: seed.title, source_id: seed.source === 'alert' ? 36 : 1, type: seed.source === 'alert' ? 'query_alert_monitor' : 'event' },
        ...(seed.host ? { hostname: seed.host } : {}),
        ...(seed.monitor
          ? {
              monitor: {
                created_at: 1_700_000_000_000,
                group_status: seed.status === 'success' ? 0 : 3,
                groups: seed.monitor.groups ?? [],
                id: seed.monitor.id,
                message: `${seed.message ?? ''}\n@pagerduty-checkout`,
                modified: 1_760_000_000_000,
                name: seed.monitor.name,
                query: seed.monitor.query ?? `avg(last_5m):avg:trace.http.request.errors{service:${service ?? '*'}} > 0.05`,
                tags: seed.tags,
                templated_name: seed.monitor.name,
                type: 'query alert',
              },
              monitor_groups: seed.monitor.groups ?? [],
              monitor_id: seed.monitor.id,
            }
          : {}),
        priority: 'normal',
        ...(service ? { service } : {}),
        source_type_name: seed.source === 'alert' ? 'Monitor Alert' : seed.source,
        sourcecategory: seed.source === 'alert' ? 'monitor_alert' : seed.source,
        status: seed.status ?? 'info',
        tags: seed.tags,
        timestamp: event.ms,
        title: seed.title,
      },
      message: seed.message ?? '',
      tags: seed.tags,
      timestamp: new Date(event.ms).toISOString(),
    },
  };
}
