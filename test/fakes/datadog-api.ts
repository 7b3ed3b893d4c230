// A local stand-in for the Datadog API endpoints the evidence collector calls (v2 logs search and
// aggregate, v2 events list). It answers with the real API's shapes: JSON:API-style `data`, cursor
// pagination through `meta.page.after` + `links.next`, `{"errors": [...]}` error bodies, 403 for a
// bad API or application key, and the `X-RateLimit-*` headers (429 carries `X-RateLimit-Reset`, the
// seconds until the window resets). Records every request and can be told to fail. Listens on
// 127.0.0.1 on a free port; nothing leaves the host.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue, type Reply, sendReply } from './http';

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

export interface FakeDatadogRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

export interface FakeDatadogFault {
  status: number;
  /** Default: Datadog's `{"errors": [...]}` body for the status. A string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer; default 1. */
  times?: number;
}

interface StoredLog {
  id: string;
  ms: number;
  seed: FakeLogSeed;
}

interface StoredEvent {
  id: string;
  ms: number;
  seed: FakeEventSeed;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(`HTTP ${status}`);
  }
}

const LOGS_PAGE_MAX = 5000;
const EVENTS_PAGE_MAX = 1000;
const DEFAULT_PAGE = 10;
const RATE_LIMIT = { limit: '300', period: '3600' };

function defaultErrors(status: number): string[] {
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
  throw new HttpError(400, [`Invalid time: ${value}`]);
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
    if (!match) throw new HttpError(400, [`Invalid query: ${query}`]);
    at = pattern.lastIndex;
    const [, key = '', quoted, group, bare] = match;
    if (group !== undefined) {
      const values = group.split(/\s+OR\s+/).map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
      if (values.some((v) => v.length === 0 || /\s/.test(v))) throw new HttpError(400, [`Invalid query: ${query}`]);
      terms.push({ key, values });
    } else {
      terms.push({ key, values: [quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '')] });
    }
  }
  return terms;
}

const encodeCursor = (offset: number, fingerprint: string) => Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64');

function decodeCursor(cursor: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && parsed.f === fingerprint) return parsed.o;
  } catch {
    // fall through
  }
  throw new HttpError(400, ['Invalid cursor']);
}

export class FakeDatadogApi {
  readonly baseUrl: string;
  apiKey: string;
  appKey: string;
  readonly requests: FakeDatadogRequest[] = [];
  /** The clock for `now` in date math; fixed so tests are deterministic. */
  now = Date.parse('2026-02-10T18:00:00Z');

  private readonly logs: StoredLog[] = [];
  private readonly events: StoredEvent[] = [];
  private readonly faults = new FaultQueue<FakeDatadogFault>();
  private rateLimited = { remaining: 0, resetSeconds: 0 };
  private readonly sockets = new Set<Socket>();
  private nextId = 0;

  private constructor(
    private readonly server: Server,
    keys: { apiKey: string; appKey: string },
  ) {
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    this.apiKey = keys.apiKey;
    this.appKey = keys.appKey;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: { apiKey?: string; appKey?: string } = {}): Promise<FakeDatadogApi> {
    const ready: { api?: FakeDatadogApi } = {};
    const server = createServer((req, res) => {
      if (ready.api) void ready.api.handle(req, res);
      else res.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    ready.api = new FakeDatadogApi(server, {
      apiKey: options.apiKey ?? 'fake0dd0api0key00000000000000000',
      appKey: options.appKey ?? 'fake0dd0application0key000000000000000000',
    });
    return ready.api;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ---- seeding -------------------------------------------------------------------------------

  addLogs(...seeds: FakeLogSeed[]): void {
    for (const seed of seeds) {
      const ms = Date.parse(seed.timestamp);
      if (!Number.isFinite(ms)) throw new Error(`bad timestamp ${seed.timestamp}`);
      this.logs.push({ id: seed.id ?? this.logId(), ms, seed });
    }
  }

  addEvents(...seeds: FakeEventSeed[]): void {
    for (const seed of seeds) {
      const ms = Date.parse(seed.timestamp);
      if (!Number.isFinite(ms)) throw new Error(`bad timestamp ${seed.timestamp}`);
      this.events.push({ id: seed.id ?? this.eventId(), ms, seed });
    }
  }

  /** `count` logs of one service and status, spread evenly over [from, to). */
  generateLogs(count: number, options: { service: string; status: string; from: string; to: string; message?: (i: number) => string }): void {
    const start = Date.parse(options.from);
    const step = (Date.parse(options.to) - start) / Math.max(1, count);
    for (let i = 0; i < count; i++) {
      this.addLogs({
        timestamp: new Date(Math.floor(start + i * step)).toISOString(),
        service: options.service,
        status: options.status,
        message: options.message?.(i) ?? `upstream connect error or disconnect/reset before headers (request ${i})`,
        host: `i-0${(i % 4).toString(16)}a1b2c3d4e5f60`,
      });
    }
  }

  /** Queue faults for the next requests whose path matches (string = path prefix, or RegExp). */
  fail(pathMatch: string | RegExp, fault: FakeDatadogFault): void {
    this.faults.add(pathMatch, fault);
  }

  /** The next `times` requests (any path) answer 429 with Datadog's rate-limit headers. */
  rateLimit(times: number, resetSeconds: number): void {
    this.rateLimited = { remaining: times, resetSeconds };
  }

  private logId(): string {
    // Datadog log ids: long opaque base64-ish strings (`AAAAAWgN8Xwgr1vKDQAAAABBV2dOOFh3ZzZobm1mWXJFYTR0OA`).
    const n = this.nextId++;
    return `AQAAAZ${Buffer.from(`log-${n.toString().padStart(8, '0')}-${randomBytes(6).toString('hex')}`).toString('base64url')}`;
  }

  private eventId(): string {
    const n = this.nextId++;
    return `AgAAAZ${Buffer.from(`evt-${n.toString().padStart(8, '0')}-${randomBytes(6).toString('hex')}`).toString('base64url')}`;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const text = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const request: FakeDatadogRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: { ...req.headers }, body };
    this.requests.push(request);

    let reply: Reply;
    try {
      reply = this.route(request);
    } catch (error) {
      reply = error instanceof HttpError ? { status: error.status, body: { errors: error.errors } } : { status: 500, body: { errors: defaultErrors(500) } };
    }
    sendReply(res, reply, 'application/json');
  }

  private rateLimitHeaders(name: string, remaining: number, resetSeconds: number): Record<string, string> {
    return {
      'x-ratelimit-limit': RATE_LIMIT.limit,
      'x-ratelimit-period': RATE_LIMIT.period,
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(resetSeconds),
      'x-ratelimit-name': name,
    };
  }

  private route(req: FakeDatadogRequest): Reply {
    const limitName = req.path.startsWith('/api/v2/logs/analytics') ? 'logs_aggregate' : req.path.startsWith('/api/v2/logs') ? 'logs_list' : 'events_list';
    if (this.rateLimited.remaining > 0) {
      this.rateLimited.remaining -= 1;
      return { status: 429, body: { errors: defaultErrors(429) }, headers: this.rateLimitHeaders(limitName, 0, this.rateLimited.resetSeconds) };
    }
    const fault = this.faults.take(req.path);
    if (fault) {
      return {
        status: fault.status,
        body: fault.body === undefined ? { errors: defaultErrors(fault.status) } : fault.body,
        headers: fault.headers,
      };
    }
    // Datadog answers a missing or wrong API or application key with 403 and this body.
    if (req.headers['dd-api-key'] !== this.apiKey || req.headers['dd-application-key'] !== this.appKey) {
      throw new HttpError(403, ['Forbidden']);
    }
    const limits = this.rateLimitHeaders(limitName, 299, 1800);
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'POST /api/v2/logs/events/search':
        return { status: 200, body: this.searchLogs(this.logsParamsFromBody(req.body)), headers: limits };
      case 'GET /api/v2/logs/events':
        return { status: 200, body: this.searchLogs(this.logsParamsFromQuery(req.query)), headers: limits };
      case 'POST /api/v2/logs/analytics/aggregate':
        return { status: 200, body: this.aggregateLogs(req.body), headers: limits };
      case 'GET /api/v2/events':
        return { status: 200, body: this.listEvents(req.query), headers: limits };
      default:
        throw new HttpError(404, defaultErrors(404));
    }
  }

  // ---- logs ----------------------------------------------------------------------------------

  private logsParamsFromBody(body: unknown) {
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new HttpError(400, ['Invalid JSON body']);
    const b = (body ?? {}) as { filter?: Record<string, unknown>; page?: Record<string, unknown>; sort?: unknown };
    const filter = b.filter ?? {};
    const str = (v: unknown, name: string): string | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new HttpError(400, [`${name} must be a string`]);
      return v;
    };
    const limit = b.page?.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit))) throw new HttpError(400, ['page.limit must be an integer']);
    return {
      query: str(filter.query, 'filter.query') ?? '*',
      from: str(filter.from, 'filter.from') ?? 'now-15m',
      to: str(filter.to, 'filter.to') ?? 'now',
      cursor: str(b.page?.cursor, 'page.cursor'),
      limit: limit ?? DEFAULT_PAGE,
      sort: str(b.sort, 'sort') ?? 'timestamp',
    };
  }

  private logsParamsFromQuery(query: URLSearchParams) {
    const limit = query.get('page[limit]');
    if (limit !== null && !/^\d+$/.test(limit)) throw new HttpError(400, ['page[limit] must be an integer']);
    return {
      query: query.get('filter[query]') ?? '*',
      from: query.get('filter[from]') ?? 'now-15m',
      to: query.get('filter[to]') ?? 'now',
      cursor: query.get('page[cursor]') ?? undefined,
      limit: limit === null ? DEFAULT_PAGE : Number(limit),
      sort: query.get('sort') ?? 'timestamp',
    };
  }

  private matchingLogs(params: { query: string; from: string; to: string }): StoredLog[] {
    const from = parseDatadogTime(params.from, this.now);
    const to = parseDatadogTime(params.to, this.now);
    const terms = parseDatadogQuery(params.query);
    return this.logs.filter((log) => {
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
            throw new HttpError(400, [`Invalid query: the fake does not search '${term.key}'`]);
        }
      });
    });
  }

  private searchLogs(params: { query: string; from: string; to: string; cursor?: string; limit: number; sort: string }) {
    if (params.limit < 1 || params.limit > LOGS_PAGE_MAX) throw new HttpError(400, [`page[limit] must be between 1 and ${LOGS_PAGE_MAX}`]);
    if (params.sort !== 'timestamp' && params.sort !== '-timestamp') throw new HttpError(400, [`Invalid sort: ${params.sort}`]);
    const matching = this.matchingLogs(params).sort((a, b) => (params.sort === 'timestamp' ? a.ms - b.ms : b.ms - a.ms) || a.id.localeCompare(b.id));
    const fingerprint = `logs|${params.query}|${params.from}|${params.to}|${params.sort}`;
    const offset = params.cursor ? decodeCursor(params.cursor, fingerprint) : 0;
    const page = matching.slice(offset, offset + params.limit);
    const after = offset + page.length < matching.length ? encodeCursor(offset + page.length, fingerprint) : undefined;
    const next = new URL('/api/v2/logs/events', this.baseUrl);
    next.searchParams.set('filter[query]', params.query);
    next.searchParams.set('filter[from]', params.from);
    next.searchParams.set('filter[to]', params.to);
    next.searchParams.set('page[limit]', String(params.limit));
    next.searchParams.set('sort', params.sort);
    if (after) next.searchParams.set('page[cursor]', after);
    return {
      data: page.map((log) => ({
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
      })),
      ...(after ? { links: { next: next.toString() } } : {}),
      meta: {
        elapsed: 37,
        ...(after ? { page: { after } } : {}),
        request_id: randomBytes(24).toString('base64url'),
        status: 'done',
      },
    };
  }

  private aggregateLogs(body: unknown) {
    const b = (body ?? {}) as { compute?: { aggregation?: string; type?: string }[]; filter?: Record<string, unknown>; group_by?: unknown[] };
    if (b.group_by !== undefined && (!Array.isArray(b.group_by) || b.group_by.length > 0)) throw new HttpError(400, ['The fake aggregates without group_by only']);
    const computes = b.compute ?? [{ aggregation: 'count', type: 'total' }];
    if (computes.some((c) => c.aggregation !== 'count' || (c.type ?? 'total') !== 'total')) throw new HttpError(400, ['The fake computes total counts only']);
    const filter = b.filter ?? {};
    const matching = this.matchingLogs({
      query: typeof filter.query === 'string' ? filter.query : '*',
      from: typeof filter.from === 'string' ? filter.from : 'now-15m',
      to: typeof filter.to === 'string' ? filter.to : 'now',
    });
    return {
      data: { buckets: [{ by: {}, computes: Object.fromEntries(computes.map((_, i) => [`c${i}`, matching.length])) }] },
      meta: { elapsed: 52, request_id: randomBytes(24).toString('base64url'), status: 'done' },
    };
  }

  // ---- events --------------------------------------------------------------------------------

  private listEvents(query: URLSearchParams) {
    const text = query.get('filter[query]') ?? '*';
    const fromText = query.get('filter[from]') ?? 'now-15m';
    const toText = query.get('filter[to]') ?? 'now';
    const sort = query.get('sort') ?? '-timestamp';
    const limitText = query.get('page[limit]');
    if (limitText !== null && !/^\d+$/.test(limitText)) throw new HttpError(400, ['page[limit] must be an integer']);
    const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
    if (limit < 1 || limit > EVENTS_PAGE_MAX) throw new HttpError(400, [`page[limit] must be between 1 and ${EVENTS_PAGE_MAX}`]);
    if (sort !== 'timestamp' && sort !== '-timestamp') throw new HttpError(400, [`Invalid sort: ${sort}`]);
    const from = parseDatadogTime(fromText, this.now);
    const to = parseDatadogTime(toText, this.now);
    const terms = parseDatadogQuery(text);
    const matching = this.events
      .filter((event) => {
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
      })
      .sort((a, b) => (sort === 'timestamp' ? a.ms - b.ms : b.ms - a.ms) || a.id.localeCompare(b.id));
    const fingerprint = `events|${text}|${fromText}|${toText}|${sort}`;
    const cursor = query.get('page[cursor]');
    const offset = cursor ? decodeCursor(cursor, fingerprint) : 0;
    const page = matching.slice(offset, offset + limit);
    const after = offset + page.length < matching.length ? encodeCursor(offset + page.length, fingerprint) : undefined;
    const next = new URL('/api/v2/events', this.baseUrl);
    for (const [key, value] of query) if (key !== 'page[cursor]') next.searchParams.set(key, value);
    if (after) next.searchParams.set('page[cursor]', after);
    return {
      data: page.map((event) => this.eventResource(event)),
      ...(after ? { links: { next: next.toString() } } : {}),
      meta: {
        elapsed: 41,
        ...(after ? { page: { after } } : {}),
        request_id: randomBytes(24).toString('base64url'),
        status: 'done',
      },
    };
  }

  private eventResource(event: StoredEvent) {
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
}
