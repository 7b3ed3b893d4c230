// A local stand-in for Devin's v3 REST API (the endpoints this project uses), so tests can drive the
// real client through session progressions and inject faults: error statuses with Retry-After,
// lost responses after the server acted (the case that makes a retried create duplicate a session).
// Answers follow docs.devin.ai's v3 reference: FastAPI-style `{detail}` errors, 422 validation lists,
// cursor pagination `{items, end_cursor, has_next_page, total}`, epoch-second timestamps. The
// sessions themselves (validation, progression, listing) are in devin-sessions.ts.
import { FakeServer, FaultQueue, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { type DevinRoute, type FakeDevinSession, listSessions, newSession, progress, receiveMessage, serialize, touch } from './devin-sessions';

export type { DevinRoute, FakeDevinSession } from './devin-sessions';

export interface FakeFault {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests this fault answers; default 1. */
  times?: number;
  /** Perform the operation, then destroy the socket without answering. */
  dropResponse?: boolean;
}

export interface FakeDevinRequest {
  /** When the request arrived (ms since epoch), to check retry delays. */
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeDevinApiOptions {
  apiKey?: string;
  orgId?: string;
  pullRequestAfterPolls?: number;
  /** How long a create takes to answer (Devin provisions the session first). Default 0. */
  createLatencyMs?: number;
  /**
   * Devin's rate limit on session creation: a create arriving when this many sessions were already
   * created in the last second is answered 429 with `Retry-After: 1`. Default: no limit.
   */
  createsPerSecond?: number;
}

const FAULT_DETAIL: Record<number, string> = {
  400: 'Bad Request',
  401: 'Invalid API key',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Rate limit exceeded',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface RouteMatch {
  route: DevinRoute;
  orgId: string;
  sessionId?: string;
}

type Match = RouteMatch | { route: undefined; allowed: string[] };

/** Segments of `/v3/organizations/{org}/sessions[/{id}[/messages]]`, or undefined. */
function matchRoute(method: string, pathname: string): Match | undefined {
  const parts = pathname.split('/').slice(1);
  if (parts[0] !== 'v3' || parts[1] !== 'organizations' || parts[3] !== 'sessions' || !parts[2]) return undefined;
  let orgId: string;
  let sessionId: string | undefined;
  try {
    orgId = decodeURIComponent(parts[2]);
    sessionId = parts[4] === undefined ? undefined : decodeURIComponent(parts[4]);
  } catch {
    return undefined;
  }
  if (parts.length === 4) {
    if (method === 'POST') return { route: 'create', orgId };
    if (method === 'GET') return { route: 'list', orgId };
    return { route: undefined, allowed: ['GET', 'POST'] };
  }
  if (parts.length === 5 && sessionId) {
    return method === 'GET' ? { route: 'get', orgId, sessionId } : { route: undefined, allowed: ['GET'] };
  }
  if (parts.length === 6 && sessionId && parts[5] === 'messages') {
    return method === 'POST' ? { route: 'message', orgId, sessionId } : { route: undefined, allowed: ['POST'] };
  }
  return undefined;
}

const faultDetail = (status: number) => ({ detail: FAULT_DETAIL[status] ?? `Injected fault ${status}` });

export class FakeDevinApi extends FakeServer<FakeDevinRequest> {
  apiKey: string;
  readonly orgId: string;
  pullRequestAfterPolls: number;
  readonly sessions: FakeDevinSession[] = [];
  /** Overrides what each GET of a session returns; called with the session and its poll count (after increment). Return a partial to merge, or undefined for the default progression. */
  onPoll?: (session: FakeDevinSession, poll: number) => Partial<FakeDevinSession> | undefined;

  /** When each session was created (ms since epoch), in order. */
  readonly createTimes: number[] = [];
  /** Creates answered 429 by the `createsPerSecond` limit. */
  rateLimited = 0;
  readonly createLatencyMs: number;
  readonly createsPerSecond?: number;

  private readonly faults = new FaultQueue<FakeFault, DevinRoute>();
  /** Outages: every request on the route is answered with `status` until `until` (ms since epoch). */
  private readonly outages = new Map<DevinRoute, { status: number; until: number }>();
  /** Creation order, for newest-first listing and cursors (created_at has one-second resolution). */
  private readonly sequence = new WeakMap<FakeDevinSession, number>();
  private nextSequence = 1;
  private nextPullRequest = 1;
  private created = 0;

  private constructor(options: FakeDevinApiOptions) {
    super({
      json: 'application/json',
      text: (body) => (body === '' ? undefined : 'text/plain; charset=utf-8'),
      basePath: '/v3',
      cutOffBody: 'crash',
      crash: (error) => ({ status: 500, body: { detail: `fake Devin API crashed: ${String(error)}` } }),
    });
    this.apiKey = options.apiKey ?? 'cog_test_fake_key_0123456789abcdef';
    this.orgId = options.orgId ?? 'org-fake0001';
    this.pullRequestAfterPolls = options.pullRequestAfterPolls ?? 2;
    this.createLatencyMs = options.createLatencyMs ?? 0;
    this.createsPerSecond = options.createsPerSecond;
  }

  static start(options: FakeDevinApiOptions = {}): Promise<FakeDevinApi> {
    return new FakeDevinApi(options).listen();
  }

  /** Queue a fault for the next matching request(s); faults for a route are used in order. */
  fail(route: DevinRoute, fault: FakeFault): void {
    this.faults.add((key) => key === route, { ...fault });
  }

  /** An outage: every request on `route` is answered `status` for the next `ms` milliseconds. */
  failFor(route: DevinRoute, ms: number, status = 500): void {
    this.outages.set(route, { status, until: Date.now() + ms });
  }

  /** Sessions actually created (including those whose response was dropped). */
  createCount(): number {
    return this.created;
  }

  protected record(request: ReceivedRequest): FakeDevinRequest {
    const { receivedAt, method, path, query, headers, body } = request;
    return { at: receivedAt, method, path, query, headers, body };
  }

  protected async respond(request: ReceivedRequest): Promise<Reply | null> {
    const match = matchRoute(request.method, request.path);
    if (!match) return { status: 404, body: { detail: 'Not Found' } };
    if (match.route === undefined) return { status: 405, body: { detail: 'Method Not Allowed' }, headers: { allow: match.allowed.join(', ') } };

    if (match.route === 'create' && this.createLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.createLatencyMs));
    const outage = this.outages.get(match.route);
    if (outage && Date.now() < outage.until) return { status: outage.status, body: faultDetail(outage.status) };
    if (match.route === 'create' && this.overRateLimit()) {
      this.rateLimited++;
      return { status: 429, body: { detail: FAULT_DETAIL[429] }, headers: { 'retry-after': '1' } };
    }

    const fault = this.faults.take(match.route);
    if (fault && !fault.dropResponse) {
      const status = fault.status ?? 500;
      return { status, body: fault.body === undefined ? faultDetail(status) : fault.body, headers: fault.headers };
    }

    let reply: Reply;
    try {
      reply = { status: 200, body: this.operate(match, request) };
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      reply = error;
    }
    // On a dropped response the server acted; the client never hears about it.
    return fault?.dropResponse ? null : reply;
  }

  /** True when `createsPerSecond` sessions were already created within the last second. */
  private overRateLimit(): boolean {
    if (this.createsPerSecond === undefined) return false;
    const since = Date.now() - 1000;
    let recent = 0;
    for (let i = this.createTimes.length - 1; i >= 0 && (this.createTimes[i] ?? 0) > since; i--) recent++;
    return recent >= this.createsPerSecond;
  }

  private operate(match: RouteMatch, request: ReceivedRequest): unknown {
    const auth = request.headers.authorization;
    const token = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    if (!token || token !== this.apiKey) throw new ReplyError(401, { detail: 'Invalid API key' });
    if (match.orgId !== this.orgId) throw new ReplyError(403, { detail: 'Forbidden' });
    switch (match.route) {
      case 'create':
        return this.create(request.text);
      case 'list':
        return listSessions(this.sessions, request.query, (s) => this.sequenceOf(s));
      case 'get':
        return this.poll(this.find(match.sessionId));
      case 'message': {
        const session = this.find(match.sessionId);
        receiveMessage(session, request.text);
        return serialize(session);
      }
    }
  }

  /** Sessions a test pushed into `sessions` by hand get their place on first sight. */
  private sequenceOf(session: FakeDevinSession): number {
    let seq = this.sequence.get(session);
    if (seq === undefined) {
      seq = this.nextSequence++;
      this.sequence.set(session, seq);
    }
    return seq;
  }

  private find(sessionId: string | undefined): FakeDevinSession {
    const session = this.sessions.find((s) => s.session_id === sessionId);
    if (!session) throw new ReplyError(404, { detail: 'Session not found' });
    return session;
  }

  private create(raw: string): unknown {
    const session = newSession(raw, this.orgId);
    this.sequence.set(session, this.nextSequence++);
    this.sessions.push(session);
    this.createTimes.push(Date.now());
    this.created++;
    return serialize(session, { structuredOutput: false });
  }

  private poll(session: FakeDevinSession): unknown {
    session.polls++;
    const override = this.onPoll?.(session, session.polls);
    if (override) Object.assign(session, override);
    else progress(session, this.pullRequestAfterPolls, () => `https://github.com/acme/runbooks/pull/${this.nextPullRequest++}`);
    touch(session);
    return serialize(session);
  }
}
