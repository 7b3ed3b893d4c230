// A local stand-in for Sentry's "List a Project's Issues" endpoint
// (GET /api/0/projects/{org}/{project}/issues/), answering like Sentry does: the StreamGroupSerializer
// issue shape (`count` is a string, `userCount` a number, microsecond `...Z` dates), DRF-style
// `{"detail": ...}` errors, Bearer-token auth (401 `Invalid token`), cursor pagination through the
// `Link` header (`rel="previous"` and `rel="next"`, each with `results` and `cursor`), `X-Hits`, and the
// `X-Sentry-Rate-Limit-*` headers on every answer (429 adds `Retry-After`). Like Sentry, the endpoint
// ignores `start`/`end`: a time window is expressed in `query` as `firstSeen:`/`lastSeen:` filters.
// The issues, their search and their shape are in sentry-issues.ts.
import { FakeServer, FaultQueue, type PathMatch, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { type FakeSentryIssueSeed, parseIssueQuery, sentryError, serializeIssue, type StoredIssue } from './sentry-issues';

export { parseIssueQuery } from './sentry-issues';
export type { FakeSentryIssueSeed } from './sentry-issues';

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

export class FakeSentryApi extends FakeServer<FakeSentryRequest> {
  token: string;
  readonly org: string;
  readonly project: string;

  private readonly issues: StoredIssue[] = [];
  private readonly faults = new FaultQueue<FakeSentryFault>();
  private rateLimited = { remaining: 0, retryAfterSeconds: 0 };
  private nextId = 4_509_871_200;
  private nextShort = 0x1a0;

  private constructor(options: { token: string; org: string; project: string }) {
    super({
      json: 'application/json',
      text: () => 'text/html; charset=utf-8',
      crash: () => ({ status: 500, body: { detail: defaultDetail(500) } }),
    });
    this.token = options.token;
    this.org = options.org;
    this.project = options.project;
  }

  static start(options: { token?: string; org?: string; project?: string } = {}): Promise<FakeSentryApi> {
    return new FakeSentryApi({
      token: options.token ?? 'sntryu_fake0token0000000000000000000000000000000000000000000000',
      org: options.org ?? 'acme',
      project: options.project ?? 'checkout-api',
    }).listen();
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
  fail(pathMatch: PathMatch, fault: FakeSentryFault): void {
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

  protected record(request: ReceivedRequest): FakeSentryRequest {
    const { method, path, query, headers } = request;
    return { method, path, query, headers };
  }

  protected respond(request: ReceivedRequest): Reply {
    try {
      return this.route(request);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      return { status: error.status, body: error.body, headers: { ...this.rateLimitHeaders(ENDPOINT_LIMIT - 1, 1), ...error.headers } };
    }
  }

  private route(req: ReceivedRequest): Reply {
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
      throw sentryError(401, 'Authentication credentials were not provided.', { 'www-authenticate': 'Bearer realm="api"' });
    }
    if (authorization.replace(/^Bearer\s+/i, '') !== this.token) {
      throw sentryError(401, 'Invalid token', { 'www-authenticate': 'Bearer realm="api"' });
    }
    const match = /^\/api\/0\/projects\/([^/]+)\/([^/]+)\/issues\/$/.exec(req.path);
    if (req.method !== 'GET' || !match) throw sentryError(404, defaultDetail(404));
    if (decodeURIComponent(match[1] ?? '') !== this.org || decodeURIComponent(match[2] ?? '') !== this.project) {
      throw sentryError(404, defaultDetail(404));
    }
    return this.listIssues(req.query, req.path);
  }

  private listIssues(query: URLSearchParams, path: string): Reply {
    const statsPeriod = query.get('statsPeriod');
    if (statsPeriod !== null && !['', '24h', '14d'].includes(statsPeriod)) {
      throw sentryError(400, "Invalid stats_period. Valid choices are '', '24h', and '14d'");
    }
    const stats = statsPeriod === null ? '24h' : statsPeriod === '' ? undefined : statsPeriod;
    const sort = query.get('sort') ?? 'date';
    if (!(SORTS as readonly string[]).includes(sort)) throw sentryError(400, `Invalid sort: ${sort}`);
    const limitText = query.get('limit');
    if (limitText !== null && !/^\d+$/.test(limitText)) throw sentryError(400, 'invalid limit');
    const limit = Math.min(limitText === null ? DEFAULT_LIMIT : Math.max(1, Number(limitText)), MAX_LIMIT);
    const cursorText = query.get('cursor');
    let offset = 0;
    if (cursorText) {
      const cursor = /^(\d+):(\d+):([01])$/.exec(cursorText);
      if (!cursor) throw sentryError(400, 'Invalid cursor parameter.');
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
      const target = new URL(path, 'https://sentry.io');
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
    return { status: 200, body: page.map((issue) => serializeIssue(issue, stats, this.org, this.project)), headers };
  }
}
