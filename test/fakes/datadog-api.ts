// A local stand-in for the Datadog API endpoints the evidence collector calls (v2 logs search and
// aggregate, v2 events list). It answers with the real API's shapes: JSON:API-style `data`, cursor
// pagination through `meta.page.after` + `links.next`, `{"errors": [...]}` error bodies, 403 for a
// bad API or application key, and the `X-RateLimit-*` headers (429 carries `X-RateLimit-Reset`, the
// seconds until the window resets). Records every request and can be told to fail. The data, search
// syntax and resources are in datadog-data.ts.
import { randomBytes } from 'node:crypto';
import { FakeServer, FaultQueue, type PathMatch, type ReceivedRequest, type Reply } from './fake-server';
import {
  datadogError,
  decodeCursor,
  defaultErrors,
  encodeCursor,
  eventId,
  eventMatches,
  eventResource,
  type FakeEventSeed,
  type FakeLogSeed,
  logId,
  logMatches,
  logResource,
  parseDatadogQuery,
  parseDatadogTime,
  type StoredEvent,
  type StoredLog,
} from './datadog-data';

export { parseDatadogQuery, parseDatadogTime } from './datadog-data';
export type { FakeEventSeed, FakeLogSeed } from './datadog-data';

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

const LOGS_PAGE_MAX = 5000;
const EVENTS_PAGE_MAX = 1000;
const DEFAULT_PAGE = 10;
const RATE_LIMIT = { limit: '300', period: '3600' };

export class FakeDatadogApi extends FakeServer<FakeDatadogRequest> {
  apiKey: string;
  appKey: string;
  /** The clock for `now` in date math; fixed so tests are deterministic. */
  now = Date.parse('2026-02-10T18:00:00Z');

  private readonly logs: StoredLog[] = [];
  private readonly events: StoredEvent[] = [];
  private readonly faults = new FaultQueue<FakeDatadogFault>();
  private rateLimited = { remaining: 0, resetSeconds: 0 };
  private nextId = 0;

  private constructor(keys: { apiKey: string; appKey: string }) {
    super({ json: 'application/json', crash: () => ({ status: 500, body: { errors: defaultErrors(500) } }) });
    this.apiKey = keys.apiKey;
    this.appKey = keys.appKey;
  }

  static start(options: { apiKey?: string; appKey?: string } = {}): Promise<FakeDatadogApi> {
    return new FakeDatadogApi({
      apiKey: options.apiKey ?? 'fake0dd0api0key00000000000000000',
      appKey: options.appKey ?? 'fake0dd0application0key000000000000000000',
    }).listen();
  }

  // ---- seeding -------------------------------------------------------------------------------

  addLogs(...seeds: FakeLogSeed[]): void {
    for (const seed of seeds) {
      const ms = Date.parse(seed.timestamp);
      if (!Number.isFinite(ms)) throw new Error(`bad timestamp ${seed.timestamp}`);
      this.logs.push({ id: seed.id ?? logId(this.nextId++), ms, seed });
    }
  }

  addEvents(...seeds: FakeEventSeed[]): void {
    for (const seed of seeds) {
      const ms = Date.parse(seed.timestamp);
      if (!Number.isFinite(ms)) throw new Error(`bad timestamp ${seed.timestamp}`);
      this.events.push({ id: seed.id ?? eventId(this.nextId++), ms, seed });
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
  fail(pathMatch: PathMatch, fault: FakeDatadogFault): void {
    this.faults.add(pathMatch, fault);
  }

  /** The next `times` requests (any path) answer 429 with Datadog's rate-limit headers. */
  rateLimit(times: number, resetSeconds: number): void {
    this.rateLimited = { remaining: times, resetSeconds };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  protected record(request: ReceivedRequest): FakeDatadogRequest {
    const { method, path, query, headers, body } = request;
    return { method, path, query, headers, body };
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

  protected respond(req: ReceivedRequest): Reply {
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
      throw datadogError(403, ['Forbidden']);
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
        throw datadogError(404, defaultErrors(404));
    }
  }

  // ---- logs ----------------------------------------------------------------------------------

  private logsParamsFromBody(body: unknown) {
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw datadogError(400, ['Invalid JSON body']);
    const b = (body ?? {}) as { filter?: Record<string, unknown>; page?: Record<string, unknown>; sort?: unknown };
    const filter = b.filter ?? {};
    const str = (v: unknown, name: string): string | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw datadogError(400, [`${name} must be a string`]);
      return v;
    };
    const limit = b.page?.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit))) throw datadogError(400, ['page.limit must be an integer']);
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
    if (limit !== null && !/^\d+$/.test(limit)) throw datadogError(400, ['page[limit] must be an integer']);
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
    return this.logs.filter((log) => logMatches(log, from, to, terms));
  }

  private searchLogs(params: { query: string; from: string; to: string; cursor?: string; limit: number; sort: string }) {
    if (params.limit < 1 || params.limit > LOGS_PAGE_MAX) throw datadogError(400, [`page[limit] must be between 1 and ${LOGS_PAGE_MAX}`]);
    if (params.sort !== 'timestamp' && params.sort !== '-timestamp') throw datadogError(400, [`Invalid sort: ${params.sort}`]);
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
      data: page.map(logResource),
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
    if (b.group_by !== undefined && (!Array.isArray(b.group_by) || b.group_by.length > 0)) throw datadogError(400, ['The fake aggregates without group_by only']);
    const computes = b.compute ?? [{ aggregation: 'count', type: 'total' }];
    if (computes.some((c) => c.aggregation !== 'count' || (c.type ?? 'total') !== 'total')) throw datadogError(400, ['The fake computes total counts only']);
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
    if (limitText !== null && !/^\d+$/.test(limitText)) throw datadogError(400, ['page[limit] must be an integer']);
    const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
    if (limit < 1 || limit > EVENTS_PAGE_MAX) throw datadogError(400, [`page[limit] must be between 1 and ${EVENTS_PAGE_MAX}`]);
    if (sort !== 'timestamp' && sort !== '-timestamp') throw datadogError(400, [`Invalid sort: ${sort}`]);
    const from = parseDatadogTime(fromText, this.now);
    const to = parseDatadogTime(toText, this.now);
    const terms = parseDatadogQuery(text);
    const matching = this.events
      .filter((event) => eventMatches(event, from, to, terms))
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
      data: page.map(eventResource),
      ...(after ? { links: { next: next.toString() } } : {}),
      meta: {
        elapsed: 41,
        ...(after ? { page: { after } } : {}),
        request_id: randomBytes(24).toString('base64url'),
        status: 'done',
      },
    };
  }
}
