// A local stand-in for Devin's v3 REST API (the endpoints this project uses), so tests can drive the
// real client through session progressions and inject faults: error statuses with Retry-After,
// lost responses after the server acted (the case that makes a retried create duplicate a session).
// Answers follow docs.devin.ai's v3 reference (see test/fixtures/published/devin/): RFC 9457
// problem+json errors (`title`, `detail` kept from the legacy body, field errors in `errors[]`), 400 for
// an unknown create field, cursor pagination `{items, end_cursor, has_next_page, total}`, epoch-second
// timestamps, `GET /v3/self`, terminate, archive, the session's messages, and what real sessions do that the
// reference does not say: they sit at running+finished with their output final rather than reach
// `exit`, carry system tags of their own, and show in the list only a moment after their create. The
// sessions themselves (validation, progression, listing) are in devin-sessions.ts.
import { STATUS_CODES } from 'node:http';
import { FakeServer, FaultQueue, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { addMessage, type DevinRoute, endTurnWithPullRequest, type FakeDevinSession, listMessages, listSessions, newSession, progress, receiveMessage, serialize, touch } from './devin-sessions';

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
  /** A session shows in `GET …/sessions` only this long after its create. Default 0. */
  listLagMs?: number;
  /** What `GET /v3/self` says the key's organization is (null: a key not scoped to one). Default: orgId. */
  selfOrgId?: string | null;
}

const FAULT_DETAIL: Record<number, string> = {
  400: 'Bad Request',
  401: 'Invalid API key',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
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
  orgId?: string;
  sessionId?: string;
}

type Match = RouteMatch | { route: undefined; allowed: string[] };

/** Segments of `/v3/self` and `/v3/organizations/{org}/sessions[/{id}[/messages|/archive]]`, or undefined. */
function matchRoute(method: string, pathname: string): Match | undefined {
  const parts = pathname.split('/').slice(1);
  if (parts[0] === 'v3' && parts[1] === 'self' && parts.length === 2) return method === 'GET' ? { route: 'self' } : { route: undefined, allowed: ['GET'] };
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
    if (method === 'GET') return { route: 'get', orgId, sessionId };
    if (method === 'DELETE') return { route: 'terminate', orgId, sessionId };
    return { route: undefined, allowed: ['GET', 'DELETE'] };
  }
  if (parts.length === 6 && sessionId && parts[5] === 'messages') {
    if (method === 'POST') return { route: 'message', orgId, sessionId };
    if (method === 'GET') return { route: 'messages', orgId, sessionId };
    return { route: undefined, allowed: ['GET', 'POST'] };
  }
  if (parts.length === 6 && sessionId && parts[5] === 'archive') {
    if (method === 'POST') return { route: 'archive', orgId, sessionId };
    return { route: undefined, allowed: ['POST'] };
  }
  return undefined;
}

/** An RFC 9457 problem+json body, as Devin v3 answers errors (`detail` kept from the legacy body). */
export function problem(status: number, detail: unknown, instance?: string, errors?: unknown[]): Record<string, unknown> {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? `HTTP ${status}`, status, detail, ...(instance ? { instance } : {}), ...(errors ? { errors } : {}) };
}

const faultDetail = (status: number) => problem(status, FAULT_DETAIL[status] ?? `Injected fault ${status}`);

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
  /** When a session was created (ms); one a test pushed by hand is listed at once. */
  private readonly createdAt = new WeakMap<FakeDevinSession, number>();
  private nextSequence = 1;
  private nextPullRequest = 1;
  private created = 0;

  readonly listLagMs: number;
  readonly selfOrgId: string | null;

  private constructor(options: FakeDevinApiOptions) {
    super({
      json: 'application/json',
      text: (body) => (body === '' ? undefined : 'text/plain; charset=utf-8'),
      basePath: '/v3',
      cutOffBody: 'crash',
      crash: (error) => ({ status: 500, body: problem(500, `fake Devin API crashed: ${String(error)}`) }),
    });
    this.apiKey = options.apiKey ?? 'cog_test_fake_key_0123456789abcdef';
    this.orgId = options.orgId ?? 'org-fake0001';
    this.pullRequestAfterPolls = options.pullRequestAfterPolls ?? 2;
    this.createLatencyMs = options.createLatencyMs ?? 0;
    this.createsPerSecond = options.createsPerSecond;
    this.listLagMs = options.listLagMs ?? 0;
    this.selfOrgId = options.selfOrgId === undefined ? this.orgId : options.selfOrgId;
  }

  /** The session now waits for a user: Devin asked `question` (a message from `devin`). */
  ask(session: FakeDevinSession, question: string): void {
    session.status = 'running';
    session.status_detail = 'waiting_for_user';
    addMessage(session, 'devin', question);
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
    const reply = await this.answer(request);
    // Errors are problem+json, with that content type.
    const body = reply?.body;
    if (reply && reply.status >= 400 && typeof body === 'object' && body !== null && 'title' in body) {
      return { status: reply.status, body, headers: { ...reply.headers, 'content-type': 'application/problem+json' } };
    }
    return reply;
  }

  private async answer(request: ReceivedRequest): Promise<Reply | null> {
    const match = matchRoute(request.method, request.path);
    if (!match) return { status: 404, body: problem(404, 'Not Found', request.path) };
    if (match.route === undefined) return { status: 405, body: problem(405, 'Method Not Allowed', request.path), headers: { allow: match.allowed.join(', ') } };

    if (match.route === 'create' && this.createLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.createLatencyMs));
    const outage = this.outages.get(match.route);
    if (outage && Date.now() < outage.until) return { status: outage.status, body: faultDetail(outage.status) };
    if (match.route === 'create' && this.overRateLimit()) {
      this.rateLimited++;
      return { status: 429, body: problem(429, FAULT_DETAIL[429], request.path), headers: { 'retry-after': '1' } };
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
    if (!token || token !== this.apiKey) throw new ReplyError(401, problem(401, 'Invalid API key', request.path));
    if (match.route === 'self') return { principal_type: 'service_user', service_user_id: 'service-user-fake0001', service_user_name: 'Postmortem bot', org_id: this.selfOrgId };
    if (match.orgId !== this.orgId) throw new ReplyError(403, problem(403, 'Forbidden', request.path));
    switch (match.route) {
      case 'create':
        return this.create(request.text);
      case 'list': {
        const listed = Date.now() - this.listLagMs;
        return listSessions(this.sessions.filter((s) => (this.createdAt.get(s) ?? 0) <= listed), request.query, (s) => this.sequenceOf(s));
      }
      case 'get':
        return this.poll(this.find(match.sessionId));
      case 'message': {
        const session = this.find(match.sessionId);
        receiveMessage(session, request.text);
        return serialize(session);
      }
      case 'messages':
        return listMessages(this.find(match.sessionId), request.query);
      case 'terminate': {
        const session = this.find(match.sessionId);
        if (session.status === 'exit' || session.status === 'error') throw new ReplyError(400, problem(400, 'Session is not active', request.path));
        session.status = 'exit';
        session.status_detail = null;
        session.terminated = true;
        touch(session);
        return serialize(session);
      }
      case 'archive': {
        // The reference gives the endpoint and no more: the answer is the session (a SessionResponse), now
        // `is_archived`, still readable; its status is left as it was. A second archive changes nothing.
        const session = this.find(match.sessionId);
        session.is_archived = true;
        session.archiveCalls = (session.archiveCalls ?? 0) + 1;
        touch(session);
        return serialize(session);
      }
      default:
        throw new ReplyError(404, problem(404, 'Not Found', request.path));
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
    if (!session) throw new ReplyError(404, problem(404, 'Session not found'));
    return session;
  }

  private create(raw: string): unknown {
    const session = newSession(raw, this.orgId);
    this.createdAt.set(session, Date.now());
    this.sequence.set(session, this.nextSequence++);
    this.sessions.push(session);
    this.createTimes.push(Date.now());
    this.created++;
    return serialize(session, { structuredOutput: false });
  }

  private poll(session: FakeDevinSession): unknown {
    session.polls++;
    const override = this.onPoll?.(session, session.polls);
    if (override) {
      Object.assign(session, override);
      endTurnWithPullRequest(session, override);
    } else progress(session, this.pullRequestAfterPolls, () => `https://github.com/acme/runbooks/pull/${this.nextPullRequest++}`);
    touch(session);
    return serialize(session);
  }
}
