// A local stand-in for Sentry's "List a Project's Issues" endpoint
// (GET /api/0/projects/{org}/{project}/issues/), answering like Sentry does: the StreamGroupSerializer
// issue shape (`count` is a string, `userCount` a number, microsecond `...Z` dates), DRF-style
// `{"detail": ...}` errors, Bearer-token auth (401 `Invalid token`), cursor pagination through the
// `Link` header (`rel="previous"` and `rel="next"`, each with `results` and `cursor`), `X-Hits`, and the
// `X-Sentry-Rate-Limit-*` headers on every answer (429 adds `Retry-After`). Like Sentry, the endpoint
// ignores `start`/`end`: a time window is expressed in `query` as `firstSeen:`/`lastSeen:` filters.
// Listens on 127.0.0.1 on a free port; nothing leaves the host.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue } from './http';

export interface FakeSentryIssueSeed {
  id?: string;
  shortId?: string;
  title: string;
  culprit?: string;
  level?: 'fatal' | 'error' | 'warning' | 'info' | 'debug';
  status?: 'unresolved' | 'resolved' | 'ignored';
  /** Lifetime event count (Sentry sends it as a string). */
  count: number;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  platform?: string;
}

export interface FakeSentryRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeSentryFault {
  status: number;
  /** Default: Sentry's `{"detail": ...}` body for the status. A string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer; default 1. */
  times?: number;
}

interface StoredIssue {
  id: string;
  seed: FakeSentryIssueSeed;
  firstMs: number;
  lastMs: number;
  shortId: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100;
/** Sentry counts hits up to this many (SEARCH_MAX_HITS). */
const MAX_HITS = 1000;
const ENDPOINT_LIMIT = 5;
const SORTS = ['date', 'new', 'freq', 'user'] as const;

function defaultDetail(status: number): string {
  switch (status) {
    case 400:
      return 'Invalid request';
    case 401:
      return 'Invalid token';
    case 403:
      return 'You do not have permission to perform this action.';
    case 404:
      return 'The requested resource does not exist';
    case 429:
      return `You are attempting to use this endpoint too frequently. Limit is ${ENDPOINT_LIMIT} requests in 1 seconds`;
    default:
      return status >= 500 ? 'Internal Error' : 'Error';
  }
}

/** Sentry's JSON dates: microseconds and `Z` (`2026-02-10T14:02:11.392000Z`). */
const sentryDate = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Sentry's issue-search dates: `YYYY-MM-DD`, optional `THH:MM:SS`, optional `.ffffff`, optional `Z` or `±HH:MM`. */
const SEARCH_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$/;

type Filter = (issue: StoredIssue) => boolean;

/**
 * The issue-search subset the collector uses: `firstSeen:`/`lastSeen:` with `>=`, `<=`, `>`, `<`,
 * `is:unresolved|resolved|ignored`, `level:`, and free text against the title. Unknown keys are a
 * 400, so a client drifting from the syntax fails loudly.
 */
export function parseIssueQuery(query: string): Filter[] {
  const filters: Filter[] = [];
  for (const token of query.trim().split(/\s+/).filter((t) => t.length > 0)) {
    const dated = /^(firstSeen|lastSeen):(>=|<=|>|<)?(.+)$/.exec(token);
    if (dated) {
      const [, key, op = '=', value = ''] = dated;
      if (!SEARCH_DATE.test(value)) throw new HttpError(400, `Error parsing search query: Invalid date: ${value}`);
      const bound = Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:\d{2})$/.test(value) ? `${value}Z` : value);
      const pick = (issue: StoredIssue) => (key === 'firstSeen' ? issue.firstMs : issue.lastMs);
      filters.push((issue) => {
        const at = pick(issue);
        return op === '>=' ? at >= bound : op === '<=' ? at <= bound : op === '>' ? at > bound : op === '<' ? at < bound : at === bound;
      });
      continue;
    }
    const is = /^is:(unresolved|resolved|ignored)$/.exec(token);
    if (is) {
      filters.push((issue) => (issue.seed.status ?? 'unresolved') === is[1]);
      continue;
    }
    const level = /^level:(\w+)$/.exec(token);
    if (level) {
      filters.push((issue) => (issue.seed.level ?? 'error') === level[1]);
      continue;
    }
    if (token.includes(':')) throw new HttpError(400, `Error parsing search query: the fake does not search '${token}'`);
    filters.push((issue) => issue.seed.title.toLowerCase().includes(token.toLowerCase()));
  }
  return filters;
}

export class FakeSentryApi {
  readonly baseUrl: string;
  token: string;
  readonly org: string;
  readonly project: string;
  readonly requests: FakeSentryRequest[] = [];

  private readonly issues: StoredIssue[] = [];
  private readonly faults = new FaultQueue<FakeSentryFault>();
  private rateLimited = { remaining: 0, retryAfterSeconds: 0 };
  private readonly sockets = new Set<Socket>();
  private nextId = 4_509_871_200;
  private nextShort = 0x1a0;

  private constructor(
    private readonly server: Server,
    options: { token: string; org: string; project: string },
  ) {
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    this.token = options.token;
    this.org = options.org;
    this.project = options.project;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: { token?: string; org?: string; project?: string } = {}): Promise<FakeSentryApi> {
    const ready: { api?: FakeSentryApi } = {};
    const server = createServer((req, res) => {
      if (ready.api) ready.api.handle(req, res);
      else res.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    ready.api = new FakeSentryApi(server, {
      token: options.token ?? 'sntryu_fake0token0000000000000000000000000000000000000000000000',
      org: options.org ?? 'acme',
      project: options.project ?? 'checkout-api',
    });
    return ready.api;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The issues endpoint's path for this fake's organization and project. */
  get issuesPath(): string {
    return `/api/0/projects/${this.org}/${this.project}/issues/`;
  }

  addIssues(...seeds: FakeSentryIssueSeed[]): void {
    for (const seed of seeds) {
      const firstMs = Date.parse(seed.firstSeen);
      const lastMs = Date.parse(seed.lastSeen);
      if (!Number.isFinite(firstMs) || !Number.isFinite(lastMs)) throw new Error(`bad dates on ${seed.title}`);
      const id = seed.id ?? String(this.nextId++);
      const shortId = seed.shortId ?? `${this.project.toUpperCase()}-${(this.nextShort++).toString(36).toUpperCase()}`;
      this.issues.push({ id, seed, firstMs, lastMs, shortId });
    }
  }

  /** Queue faults for the next requests whose path matches (string = path prefix, or RegExp). */
  fail(pathMatch: string | RegExp, fault: FakeSentryFault): void {
    this.faults.add(pathMatch, fault);
  }

  /** The next `times` requests answer 429 with `Retry-After: retryAfterSeconds` and the rate-limit headers. */
  rateLimit(times: number, retryAfterSeconds: number): void {
    this.rateLimited = { remaining: times, retryAfterSeconds };
  }

  private rateLimitHeaders(remaining: number, resetInSeconds: number): Record<string, string> {
    return {
      'x-sentry-rate-limit-limit': String(ENDPOINT_LIMIT),
      'x-sentry-rate-limit-remaining': String(remaining),
      'x-sentry-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
      'x-sentry-rate-limit-concurrentlimit': '25',
      'x-sentry-rate-limit-concurrentremaining': '24',
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const request: FakeSentryRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: { ...req.headers } };
    this.requests.push(request);
    req.resume();
    let reply: { status: number; body: unknown; headers: Record<string, string> };
    try {
      reply = this.route(request, url);
    } catch (error) {
      reply =
        error instanceof HttpError
          ? { status: error.status, body: { detail: error.detail }, headers: { ...this.rateLimitHeaders(ENDPOINT_LIMIT - 1, 1), ...error.headers } }
          : { status: 500, body: { detail: defaultDetail(500) }, headers: {} };
    }
    const { status, body, headers } = reply;
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      ...headers,
    });
    res.end(payload);
  }

  private route(req: FakeSentryRequest, url: URL): { status: number; body: unknown; headers: Record<string, string> } {
    if (this.rateLimited.remaining > 0) {
      this.rateLimited.remaining -= 1;
      return {
        status: 429,
        body: { detail: defaultDetail(429) },
        headers: { ...this.rateLimitHeaders(0, this.rateLimited.retryAfterSeconds), 'retry-after': String(this.rateLimited.retryAfterSeconds) },
      };
    }
    const fault = this.faults.take(req.path);
    if (fault) {
      return {
        status: fault.status,
        body: fault.body === undefined ? { detail: defaultDetail(fault.status) } : fault.body,
        headers: { ...this.rateLimitHeaders(ENDPOINT_LIMIT - 1, 1), ...(fault.headers ?? {}) },
      };
    }
    const authorization = req.headers.authorization;
    if (typeof authorization !== 'string' || !/^Bearer\s+/i.test(authorization)) {
      throw new HttpError(401, 'Authentication credentials were not provided.', { 'www-authenticate': 'Bearer realm="api"' });
    }
    if (authorization.replace(/^Bearer\s+/i, '') !== this.token) {
      throw new HttpError(401, 'Invalid token', { 'www-authenticate': 'Bearer realm="api"' });
    }
    const match = /^\/api\/0\/projects\/([^/]+)\/([^/]+)\/issues\/$/.exec(req.path);
    if (req.method !== 'GET' || !match) throw new HttpError(404, defaultDetail(404));
    if (decodeURIComponent(match[1] ?? '') !== this.org || decodeURIComponent(match[2] ?? '') !== this.project) {
      throw new HttpError(404, defaultDetail(404));
    }
    return this.listIssues(req.query, url);
  }

  private listIssues(query: URLSearchParams, url: URL) {
    const statsPeriod = query.get('statsPeriod');
    if (statsPeriod !== null && !['', '24h', '14d'].includes(statsPeriod)) {
      throw new HttpError(400, "Invalid stats_period. Valid choices are '', '24h', and '14d'");
    }
    const stats = statsPeriod === null ? '24h' : statsPeriod === '' ? undefined : statsPeriod;
    const sort = query.get('sort') ?? 'date';
    if (!(SORTS as readonly string[]).includes(sort)) throw new HttpError(400, `Invalid sort: ${sort}`);
    const limitText = query.get('limit');
    if (limitText !== null && !/^\d+$/.test(limitText)) throw new HttpError(400, 'invalid limit');
    const limit = Math.min(limitText === null ? DEFAULT_LIMIT : Math.max(1, Number(limitText)), MAX_LIMIT);
    const cursorText = query.get('cursor');
    let offset = 0;
    if (cursorText) {
      const cursor = /^(\d+):(\d+):([01])$/.exec(cursorText);
      if (!cursor) throw new HttpError(400, 'Invalid cursor parameter.');
      offset = Number(cursor[2]);
    }
    // An absent `query` means `is:unresolved`; `query=` (empty) means every issue.
    const filters = parseIssueQuery(query.get('query') ?? 'is:unresolved');
    const matching = this.issues
      .filter((issue) => filters.every((f) => f(issue)))
      .sort((a, b) => {
        const by = sort === 'new' ? b.firstMs - a.firstMs : sort === 'freq' ? b.seed.count - a.seed.count : sort === 'user' ? b.seed.userCount - a.seed.userCount : b.lastMs - a.lastMs;
        return by || a.id.localeCompare(b.id);
      });
    const page = matching.slice(offset, offset + limit);
    const hasNext = offset + page.length < matching.length;
    const hasPrevious = offset > 0;
    const link = (rel: 'previous' | 'next', cursor: string, results: boolean) => {
      const target = new URL(url.pathname, 'https://sentry.io');
      for (const [key, value] of query) if (key !== 'cursor') target.searchParams.append(key, value);
      target.searchParams.set('cursor', cursor);
      return `<${target.toString()}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
    };
    const headers = {
      ...this.rateLimitHeaders(ENDPOINT_LIMIT - 1, 1),
      link: [link('previous', `0:${Math.max(0, offset - limit)}:1`, hasPrevious), link('next', `0:${offset + page.length}:0`, hasNext)].join(', '),
      'x-hits': String(Math.min(matching.length, MAX_HITS)),
      'x-max-hits': String(MAX_HITS),
    };
    return { status: 200, body: page.map((issue) => this.serialize(issue, stats)), headers };
  }

  private serialize(issue: StoredIssue, stats: string | undefined) {
    const seed = issue.seed;
    const [type, ...rest] = seed.title.split(': ');
    return {
      id: issue.id,
      shareId: null,
      shortId: issue.shortId,
      title: seed.title,
      culprit: seed.culprit ?? 'POST /api/checkout',
      permalink: `https://${this.org}.sentry.io/issues/${issue.id}/`,
      logger: null,
      level: seed.level ?? 'error',
      status: seed.status ?? 'unresolved',
      statusDetails: {},
      substatus: (seed.status ?? 'unresolved') === 'unresolved' ? 'ongoing' : null,
      isPublic: false,
      platform: seed.platform ?? 'node',
      project: { id: '4505123456789', name: this.project, slug: this.project, platform: seed.platform ?? 'node' },
      type: 'error',
      metadata: rest.length > 0 ? { type, value: rest.join(': '), filename: 'src/cart/totals.ts', function: 'calculateTotals' } : { title: seed.title },
      numComments: 0,
      assignedTo: null,
      isBookmarked: false,
      isSubscribed: false,
      subscriptionDetails: null,
      hasSeen: false,
      annotations: [],
      issueType: 'error',
      issueCategory: 'error',
      priority: seed.level === 'fatal' || seed.level === 'error' || seed.level === undefined ? 'high' : 'medium',
      priorityLockedAt: null,
      isUnhandled: true,
      count: String(seed.count),
      userCount: seed.userCount,
      firstSeen: sentryDate(issue.firstMs),
      lastSeen: sentryDate(issue.lastMs),
      ...(stats ? { stats: { [stats]: Array.from({ length: stats === '24h' ? 24 : 14 }, (_, i) => [Math.floor(issue.lastMs / 3_600_000) * 3600 - i * 3600, 0]).reverse() } } : {}),
    };
  }
}
