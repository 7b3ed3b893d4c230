// A local stand-in for Devin's v3 REST API (the endpoints this project uses), so tests can drive the
// real client through session progressions and inject faults: error statuses with Retry-After,
// lost responses after the server acted (the case that makes a retried create duplicate a session).
// Answers follow docs.devin.ai's v3 reference: FastAPI-style `{detail}` errors, 422 validation lists,
// cursor pagination `{items, end_cursor, has_next_page, total}`, epoch-second timestamps.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeDevinSession {
  session_id: string;
  url: string;
  org_id: string;
  title: string | null;
  tags: string[];
  playbook_id: string | null;
  status: string;
  status_detail: string | null;
  created_at: number;
  updated_at: number;
  pull_requests: { pr_url: string; pr_state: string | null }[];
  structured_output: Record<string, unknown> | null;
  is_archived: boolean;
  acus_consumed: number;
  // test-only bookkeeping, not serialized in responses:
  prompt: string;
  body: Record<string, unknown>;
  messages: string[];
  polls: number;
}

export interface FakeFault {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests this fault answers; default 1. */
  times?: number;
  /** Perform the operation, then destroy the socket without answering. */
  dropResponse?: boolean;
}

export type DevinRoute = 'create' | 'get' | 'list' | 'message';

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

/** Fields a SessionResponse carries; everything else on FakeDevinSession is bookkeeping. */
const RESPONSE_FIELDS = [
  'session_id',
  'url',
  'org_id',
  'title',
  'tags',
  'playbook_id',
  'status',
  'status_detail',
  'created_at',
  'updated_at',
  'pull_requests',
  'structured_output',
  'is_archived',
  'acus_consumed',
] as const satisfies readonly (keyof FakeDevinSession)[];

const IN_PROGRESS = new Set(['new', 'claimed', 'resuming', 'creating']);

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

interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const invalid = (issues: ValidationIssue[]) => new HttpError(422, { detail: issues });

type Match = { route: DevinRoute; orgId: string; sessionId?: string } | { route: undefined; allowed: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return isRecord(value) && typeof value.s === 'number' && Number.isInteger(value.s) ? value.s : undefined;
  } catch {
    return undefined;
  }
}

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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function stringField(body: Record<string, unknown>, key: string, required: boolean, issues: ValidationIssue[]): string | null | undefined {
  const value = body[key];
  if (value === undefined) {
    if (required) issues.push({ loc: ['body', key], msg: 'Field required', type: 'missing', input: body });
    return undefined;
  }
  if (value === null && !required) return null;
  if (typeof value !== 'string') {
    issues.push({ loc: ['body', key], msg: 'Input should be a valid string', type: 'string_type', input: value });
    return undefined;
  }
  return value;
}

function stringListField(body: Record<string, unknown>, key: string, issues: ValidationIssue[], max?: number): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.push({ loc: ['body', key], msg: 'Input should be a valid list', type: 'list_type', input: value });
    return undefined;
  }
  const list: string[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item === 'string') list.push(item);
    else issues.push({ loc: ['body', key, index], msg: 'Input should be a valid string', type: 'string_type', input: item });
  });
  if (max !== undefined && list.length > max) {
    issues.push({ loc: ['body', key], msg: `List should have at most ${max} items after validation, not ${list.length}`, type: 'too_long', input: value });
  }
  return list;
}

function parsedJsonObject(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw invalid([{ loc: ['body', 0], msg: `JSON decode error: ${error instanceof Error ? error.message : String(error)}`, type: 'json_invalid' }]);
  }
  if (!isRecord(body)) {
    throw invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input: body }]);
  }
  return body;
}

function epochQuery(query: URLSearchParams, key: string, issues: ValidationIssue[]): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    issues.push({ loc: ['query', key], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing', input: raw });
    return undefined;
  }
  return n;
}

export class FakeDevinApi {
  apiKey: string;
  readonly orgId: string;
  pullRequestAfterPolls: number;
  readonly sessions: FakeDevinSession[] = [];
  readonly requests: FakeDevinRequest[] = [];
  /** Overrides what each GET of a session returns; called with the session and its poll count (after increment). Return a partial to merge, or undefined for the default progression. */
  onPoll?: (session: FakeDevinSession, poll: number) => Partial<FakeDevinSession> | undefined;

  /** When each session was created (ms since epoch), in order. */
  readonly createTimes: number[] = [];
  /** Creates answered 429 by the `createsPerSecond` limit. */
  rateLimited = 0;
  readonly createLatencyMs: number;
  readonly createsPerSecond?: number;

  private readonly faults = new Map<DevinRoute, FakeFault[]>();
  /** Outages: every request on the route is answered with `status` until `until` (ms since epoch). */
  private readonly outages = new Map<DevinRoute, { status: number; until: number }>();
  /** Creation order, for newest-first listing and cursors (created_at has one-second resolution). */
  private readonly sequence = new WeakMap<FakeDevinSession, number>();
  private nextSequence = 1;
  private nextPullRequest = 1;
  private created = 0;
  private baseUrlValue = '';

  private constructor(
    private readonly server: Server,
    options: FakeDevinApiOptions,
  ) {
    this.apiKey = options.apiKey ?? 'cog_test_fake_key_0123456789abcdef';
    this.orgId = options.orgId ?? 'org-fake0001';
    this.pullRequestAfterPolls = options.pullRequestAfterPolls ?? 2;
    this.createLatencyMs = options.createLatencyMs ?? 0;
    this.createsPerSecond = options.createsPerSecond;
  }

  static async start(options: FakeDevinApiOptions = {}): Promise<FakeDevinApi> {
    const server = createServer();
    const api = new FakeDevinApi(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      api.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) api.send(res, 500, { detail: `fake Devin API crashed: ${String(error)}` });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    api.baseUrlValue = `http://127.0.0.1:${port}/v3`;
    return api;
  }

  get baseUrl(): string {
    return this.baseUrlValue;
  }

  /** Queue a fault for the next matching request(s); faults for a route are used in order. */
  fail(route: DevinRoute, fault: FakeFault): void {
    const queue = this.faults.get(route) ?? [];
    queue.push({ ...fault, times: fault.times ?? 1 });
    this.faults.set(route, queue);
  }

  /** An outage: every request on `route` is answered `status` for the next `ms` milliseconds. */
  failFor(route: DevinRoute, ms: number, status = 500): void {
    this.outages.set(route, { status, until: Date.now() + ms });
  }

  /** Sessions actually created (including those whose response was dropped). */
  createCount(): number {
    return this.created;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
    });
    this.server.closeAllConnections();
    await closed;
  }

  /** The SessionResponse for `session` as the API serializes it. */
  private serialize(session: FakeDevinSession, options: { structuredOutput?: boolean } = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of RESPONSE_FIELDS) {
      if (key === 'structured_output' && options.structuredOutput === false) continue;
      const value = session[key];
      out[key] = Array.isArray(value) ? value.map((v: unknown) => (isRecord(v) ? { ...v } : v)) : value;
    }
    return out;
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

  private takeFault(route: DevinRoute): FakeFault | undefined {
    const queue = this.faults.get(route);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    const remaining = (fault.times ?? 1) - 1;
    if (remaining <= 0) queue.shift();
    else queue[0] = { ...fault, times: remaining };
    return fault;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    res.writeHead(status, {
      ...(hasType || text === '' ? {} : { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' }),
      'content-length': Buffer.byteLength(text).toString(),
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let parsed: unknown = undefined;
    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = raw;
      }
    }
    const headers: IncomingHttpHeaders = { ...req.headers };
    this.requests.push({ at: Date.now(), method, path: url.pathname, query: url.searchParams, headers, body: parsed });

    const match = matchRoute(method, url.pathname);
    if (!match) {
      this.send(res, 404, { detail: 'Not Found' });
      return;
    }
    if (match.route === undefined) {
      this.send(res, 405, { detail: 'Method Not Allowed' }, { allow: match.allowed.join(', ') });
      return;
    }

    if (match.route === 'create' && this.createLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.createLatencyMs));
    const outage = this.outages.get(match.route);
    if (outage && Date.now() < outage.until) {
      this.send(res, outage.status, { detail: FAULT_DETAIL[outage.status] ?? `Injected fault ${outage.status}` });
      return;
    }
    if (match.route === 'create' && this.overRateLimit()) {
      this.rateLimited++;
      this.send(res, 429, { detail: FAULT_DETAIL[429] }, { 'retry-after': '1' });
      return;
    }

    const fault = this.takeFault(match.route);
    if (fault && !fault.dropResponse) {
      const status = fault.status ?? 500;
      this.send(res, status, fault.body === undefined ? { detail: FAULT_DETAIL[status] ?? `Injected fault ${status}` } : fault.body, fault.headers);
      return;
    }

    let status = 200;
    let body: unknown;
    try {
      body = this.operate(match, req, url.searchParams, raw);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      body = error.body;
    }
    if (fault?.dropResponse) {
      // The server acted; the client never hears about it.
      req.socket.destroy();
      return;
    }
    this.send(res, status, body);
  }

  /** True when `createsPerSecond` sessions were already created within the last second. */
  private overRateLimit(): boolean {
    if (this.createsPerSecond === undefined) return false;
    const since = Date.now() - 1000;
    let recent = 0;
    for (let i = this.createTimes.length - 1; i >= 0 && (this.createTimes[i] ?? 0) > since; i--) recent++;
    return recent >= this.createsPerSecond;
  }

  private operate(match: { route: DevinRoute; orgId: string; sessionId?: string }, req: IncomingMessage, query: URLSearchParams, raw: string): unknown {
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    if (!token || token !== this.apiKey) throw new HttpError(401, { detail: 'Invalid API key' });
    if (match.orgId !== this.orgId) throw new HttpError(403, { detail: 'Forbidden' });
    switch (match.route) {
      case 'create':
        return this.create(raw);
      case 'list':
        return this.list(query);
      case 'get':
        return this.poll(this.find(match.sessionId));
      case 'message':
        return this.message(this.find(match.sessionId), raw);
    }
  }

  private find(sessionId: string | undefined): FakeDevinSession {
    const session = this.sessions.find((s) => s.session_id === sessionId);
    if (!session) throw new HttpError(404, { detail: 'Session not found' });
    return session;
  }

  private create(raw: string): unknown {
    const body = parsedJsonObject(raw);
    const issues: ValidationIssue[] = [];
    const prompt = stringField(body, 'prompt', true, issues);
    const title = stringField(body, 'title', false, issues);
    const playbookId = stringField(body, 'playbook_id', false, issues);
    const tags = stringListField(body, 'tags', issues, 50);
    for (const key of ['knowledge_ids', 'secret_ids', 'repos', 'attachment_urls']) stringListField(body, key, issues);
    const limit = body.max_acu_limit;
    if (limit !== undefined && limit !== null && !(typeof limit === 'number' && Number.isInteger(limit))) {
      issues.push({ loc: ['body', 'max_acu_limit'], msg: 'Input should be a valid integer', type: 'int_type', input: limit });
    }
    if (issues.length > 0 || prompt === undefined || prompt === null) throw invalid(issues);

    const hex = randomBytes(16).toString('hex');
    const now = nowSeconds();
    const session: FakeDevinSession = {
      session_id: `devin-${hex}`,
      url: `https://app.devin.ai/sessions/${hex}`,
      org_id: this.orgId,
      title: title ?? null,
      tags: tags ?? [],
      playbook_id: playbookId ?? null,
      status: 'new',
      status_detail: null,
      created_at: now,
      updated_at: now,
      pull_requests: [],
      structured_output: null,
      is_archived: false,
      acus_consumed: 0,
      prompt,
      body,
      messages: [],
      polls: 0,
    };
    this.sequence.set(session, this.nextSequence++);
    this.sessions.push(session);
    this.createTimes.push(Date.now());
    this.created++;
    return this.serialize(session, { structuredOutput: false });
  }

  private poll(session: FakeDevinSession): unknown {
    session.polls++;
    const override = this.onPoll?.(session, session.polls);
    if (override) {
      Object.assign(session, override);
    } else {
      // Default progression; states a test set by hand (exit, suspended, waiting_for_user, …) stay put.
      if (IN_PROGRESS.has(session.status)) {
        session.status = 'running';
        session.status_detail = 'working';
      }
      if (
        session.status === 'running' &&
        session.status_detail === 'working' &&
        session.polls >= this.pullRequestAfterPolls &&
        session.pull_requests.length === 0
      ) {
        session.pull_requests.push({ pr_url: `https://github.com/acme/runbooks/pull/${this.nextPullRequest++}`, pr_state: 'open' });
      }
      if (session.status === 'running') session.acus_consumed = Math.round((session.acus_consumed + 0.25) * 100) / 100;
    }
    session.updated_at = Math.max(session.updated_at, nowSeconds());
    return this.serialize(session);
  }

  private message(session: FakeDevinSession, raw: string): unknown {
    const body = parsedJsonObject(raw);
    const issues: ValidationIssue[] = [];
    const text = stringField(body, 'message', true, issues);
    if (issues.length > 0 || typeof text !== 'string') throw invalid(issues);
    session.messages.push(text);
    if (session.status === 'suspended' && session.status_detail === 'inactivity') {
      session.status = 'running';
      session.status_detail = 'working';
    }
    session.updated_at = Math.max(session.updated_at, nowSeconds());
    return this.serialize(session);
  }

  private list(query: URLSearchParams): unknown {
    const issues: ValidationIssue[] = [];
    let first = 100;
    const rawFirst = query.get('first');
    if (rawFirst !== null) {
      const n = Number(rawFirst);
      if (rawFirst.trim() === '' || !Number.isInteger(n)) {
        issues.push({ loc: ['query', 'first'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing', input: rawFirst });
      } else if (n < 1) {
        issues.push({ loc: ['query', 'first'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal', input: rawFirst });
      } else if (n > 200) {
        issues.push({ loc: ['query', 'first'], msg: 'Input should be less than or equal to 200', type: 'less_than_equal', input: rawFirst });
      } else {
        first = n;
      }
    }
    let afterSeq: number | undefined;
    const after = query.get('after');
    if (after !== null && after !== '') {
      afterSeq = decodeCursor(after);
      if (afterSeq === undefined) issues.push({ loc: ['query', 'after'], msg: 'Invalid cursor', type: 'value_error', input: after });
    }
    const createdAfter = epochQuery(query, 'created_after', issues);
    const createdBefore = epochQuery(query, 'created_before', issues);
    const updatedAfter = epochQuery(query, 'updated_after', issues);
    const updatedBefore = epochQuery(query, 'updated_before', issues);
    if (issues.length > 0) throw invalid(issues);

    const tags = query.getAll('tags');
    const sessionIds = query.getAll('session_ids');
    const playbookId = query.get('playbook_id');
    for (const s of this.sessions) this.sequenceOf(s);
    const seq = (s: FakeDevinSession) => this.sequenceOf(s);
    const matching = this.sessions
      .filter(
        (s) =>
          tags.every((t) => s.tags.includes(t)) &&
          (sessionIds.length === 0 || sessionIds.includes(s.session_id)) &&
          (playbookId === null || s.playbook_id === playbookId) &&
          (createdAfter === undefined || s.created_at >= createdAfter) &&
          (createdBefore === undefined || s.created_at <= createdBefore) &&
          (updatedAfter === undefined || s.updated_at >= updatedAfter) &&
          (updatedBefore === undefined || s.updated_at <= updatedBefore),
      )
      .sort((a, b) => seq(b) - seq(a));
    const remaining = afterSeq === undefined ? matching : matching.filter((s) => seq(s) < afterSeq);
    const page = remaining.slice(0, first);
    const last = page[page.length - 1];
    return {
      items: page.map((s) => this.serialize(s)),
      end_cursor: last ? encodeCursor(seq(last)) : null,
      has_next_page: remaining.length > page.length,
      total: matching.length,
    };
  }
}
