// A local stand-in for PagerDuty's REST API v2, for the endpoints this project calls. It answers with
// the real API's shapes, status codes, error bodies, pagination rules and rate-limit headers, records
// every request, and can be told to fail. The incidents it serves are in pagerduty-incidents.ts.
import { FakeServer, FaultQueue, matchesPath, type PathMatch, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { alertCounts, PagerDutyIncidents, type StoredIncident } from './pagerduty-incidents';
import type { FakeIncidentExtras, FakeIncidentSeed, FakeNote } from './pagerduty-types';

export type { FakeAlert, FakeChangeEvent, FakeIncidentExtras, FakeIncidentSeed, FakeLogEntry, FakeNote, FakeReference } from './pagerduty-types';

export interface FakeFault {
  status: number;
  /** Default: PagerDuty's error body for the status. A string is sent as is (not JSON). */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer; default 1. */
  times?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  /** Extension: when the request arrived (epoch ms), to check that a retry waited. */
  receivedAt: number;
}

const errorBody = (message: string, code: number, errors?: string[]) => ({ error: { message, code, ...(errors ? { errors } : {}) } });
const invalidInput = (...errors: string[]) => new ReplyError(400, errorBody('Invalid Input Provided', 2001, errors));
const notFound = () => new ReplyError(404, errorBody('Not Found', 2100));
const AUTH_HEADERS = { 'www-authenticate': 'Token realm="PagerDuty API"' };

/** PagerDuty's error body for a status, used when a fault gives none. */
function defaultErrorBody(status: number): unknown {
  switch (status) {
    case 400:
      return errorBody('Invalid Input Provided', 2001);
    case 401:
      return errorBody('Authentication failed', 2006);
    case 402:
      return errorBody('Payment Required', 2014, ['Account does not have the abilities to perform the action.']);
    case 403:
      return errorBody('Access Denied', 2010);
    case 404:
      return errorBody('Not Found', 2100);
    case 429:
      return errorBody('Rate Limit Exceeded', 2020);
    default:
      return status >= 500 ? errorBody('Internal Server Error', 2000) : errorBody('Error', status);
  }
}

export class FakePagerDutyApi extends FakeServer<FakeRequest> {
  token: string;

  private readonly incidents = new PagerDutyIncidents(this);
  private readonly faults = new FaultQueue<FakeFault>();
  private readonly drops = new FaultQueue<{ times: number }, { method: string; path: string }>();
  private rateLimited = { remaining: 0, resetSeconds: 0 };
  private readonly targetedRateLimits: { match: (request: FakeRequest) => boolean; resetSeconds: number; remaining: number }[] = [];

  private constructor(token: string) {
    super({ json: 'application/json; charset=utf-8', crash: () => ({ status: 500, body: errorBody('Internal Server Error', 2000) }) });
    this.token = token;
  }

  static start(options: { token?: string } = {}): Promise<FakePagerDutyApi> {
    return new FakePagerDutyApi(options.token ?? 'u+fakePagerDutyToken01').listen();
  }

  // ---- seeding -------------------------------------------------------------------------------

  /** Adds (or replaces) an incident with generated, realistic log entries, alerts, notes and change events unless given. */
  addIncident(seed: FakeIncidentSeed, extras: FakeIncidentExtras = {}): void {
    this.incidents.add(seed, extras);
  }

  /** The stored full incident: the live object, so a test may change or delete fields. */
  incident(id: string): Record<string, unknown> | undefined {
    return this.incidents.get(id)?.incident;
  }

  /** The incident's notes, including those posted through the API (the live array). */
  notes(id: string): FakeNote[] {
    return this.incidents.get(id)?.notes ?? [];
  }

  // ---- faults --------------------------------------------------------------------------------

  /**
   * The next `times` requests with this method and path are carried out (a note is really created), then
   * the connection is dropped without an answer — a response lost on the way back.
   */
  dropResponses(method: string, pathMatch: PathMatch, times = 1): void {
    const upper = method.toUpperCase();
    if (times > 0) this.drops.add((r) => r.method === upper && matchesPath(pathMatch, r.path), { times });
  }

  /** Queue faults for the next requests whose path matches (string = exact path prefix, or RegExp). */
  fail(pathMatch: PathMatch, fault: FakeFault): void {
    this.faults.add(pathMatch, fault);
  }

  /** The next `times` requests (any path) answer 429 with PagerDuty's rate-limit headers and body. */
  rateLimit(times: number, resetSeconds: number): void {
    this.rateLimited = { remaining: times, resetSeconds };
  }

  /**
   * Extension: the next `times` requests that `match` accepts (e.g. one page of a list, by its query)
   * answer 429 with the same headers and body as `rateLimit` — a limit hit in the middle of a collection.
   */
  rateLimitWhen(match: (request: FakeRequest) => boolean, resetSeconds: number, times = 1): void {
    this.targetedRateLimits.push({ match, resetSeconds, remaining: times });
  }

  private rateLimitReply(resetSeconds: number): Reply {
    return {
      status: 429,
      body: errorBody('Rate Limit Exceeded', 2020),
      headers: { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': String(resetSeconds) },
    };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  protected record(request: ReceivedRequest): FakeRequest {
    const { method, path, query, headers, body, receivedAt } = request;
    return { method, path, query, headers, body, receivedAt };
  }

  protected respond(request: ReceivedRequest, recorded: FakeRequest): Reply | null {
    let reply: Reply;
    try {
      reply = this.route(recorded, request.bodyIsJson);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      reply = error;
    }
    return reply.status < 400 && this.drops.take(request) ? null : reply;
  }

  private route(req: FakeRequest, bodyIsJson: boolean): Reply {
    if (this.rateLimited.remaining > 0) {
      this.rateLimited.remaining -= 1;
      return this.rateLimitReply(this.rateLimited.resetSeconds);
    }
    const targeted = this.targetedRateLimits.find((limit) => limit.remaining > 0 && limit.match(req));
    if (targeted) {
      targeted.remaining -= 1;
      return this.rateLimitReply(targeted.resetSeconds);
    }
    const fault = this.faults.take(req.path);
    if (fault) {
      return {
        status: fault.status,
        body: fault.body === undefined ? defaultErrorBody(fault.status) : fault.body,
        headers: { ...(fault.status === 401 ? AUTH_HEADERS : {}), ...(fault.headers ?? {}) },
      };
    }
    if (req.headers.authorization !== `Token token=${this.token}`) {
      throw new ReplyError(401, errorBody('Authentication failed', 2006), AUTH_HEADERS);
    }

    const segments = req.path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    const [collection, id, sub, ...rest] = segments;
    if (rest.length > 0 || !collection || !id) throw notFound();

    if (collection === 'services' && sub === 'change_events' && req.method === 'GET') return this.serviceChangeEvents(id, req.query);
    if (collection !== 'incidents') throw notFound();
    const stored = this.incidents.get(id);
    if (!stored) throw notFound();

    if (sub === undefined && req.method === 'GET') return this.getIncident(stored, req.query);
    if (sub === 'log_entries' && req.method === 'GET') {
      const sorted = [...stored.logEntries].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      return { status: 200, body: this.page('log_entries', sorted, req.query) };
    }
    if (sub === 'alerts' && req.method === 'GET') {
      const statuses = req.query.getAll('statuses[]');
      const alerts = statuses.length > 0 ? stored.alerts.filter((a) => statuses.includes(a.status)) : stored.alerts;
      return { status: 200, body: this.page('alerts', alerts, req.query) };
    }
    if (sub === 'notes' && req.method === 'GET') return { status: 200, body: { notes: stored.notes } };
    if (sub === 'notes' && req.method === 'POST') return this.postNote(stored, req, bodyIsJson);
    if (sub === 'related_change_events' && req.method === 'GET') return { status: 200, body: { change_events: stored.relatedChangeEvents } };
    throw notFound();
  }

  private getIncident(stored: StoredIncident, query: URLSearchParams): Reply {
    const incident: Record<string, unknown> = { ...stored.incident, alert_counts: alertCounts(stored.alerts) };
    if (query.getAll('include[]').includes('first_trigger_log_entries')) {
      const first = [...stored.logEntries]
        .filter((e) => e.type === 'trigger_log_entry')
        .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[0];
      if (first) incident.first_trigger_log_entry = first;
    }
    return { status: 200, body: { incident } };
  }

  private postNote(stored: StoredIncident, req: FakeRequest, bodyIsJson: boolean): Reply {
    const from = req.headers.from;
    const email = Array.isArray(from) ? from[0] : from;
    if (!email) throw new ReplyError(400, errorBody('You must specify a user in the From header', 2001));
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new ReplyError(400, errorBody('Malformed "From" header', 1028));
    if (!bodyIsJson) throw invalidInput('Could not parse JSON body');
    const note = (req.body as { note?: { content?: unknown } } | undefined)?.note;
    if (!note || typeof note.content !== 'string' || note.content.trim().length === 0) throw invalidInput("Content can't be blank");
    const created = this.incidents.newNote(email.split('@')[0] ?? email, note.content);
    stored.notes.push(created);
    return { status: 201, body: { note: created } };
  }

  private serviceChangeEvents(serviceId: string, query: URLSearchParams): Reply {
    const known = this.incidents.serviceChangeEvents(serviceId);
    if (!known) throw notFound();
    const bound = (name: 'since' | 'until'): number | undefined => {
      const value = query.get(name);
      if (value === null || value === '') return undefined;
      const ms = Date.parse(value);
      if (!Number.isFinite(ms)) throw new ReplyError(400, errorBody("Invalid 'since' or 'until' Parameter Values", 2004, [`${name} is not a valid ISO 8601 date`]));
      return ms;
    };
    const since = bound('since');
    const until = bound('until');
    if (since !== undefined && until !== undefined && since > until) throw new ReplyError(400, errorBody('Invalid Query Date Range', 2005));
    const selected = known
      .filter((c) => {
        const at = Date.parse(c.timestamp);
        return (since === undefined || at >= since) && (until === undefined || at <= until);
      })
      .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
    return { status: 200, body: this.page('change_events', selected, query) };
  }

  /** PagerDuty's classic pagination: limit (default 25, max 100), offset, more, total (null unless total=true). */
  private page<K extends string, T>(key: K, items: T[], query: URLSearchParams): Record<K, T[]> & { limit: number; offset: number; more: boolean; total: number | null } {
    const integer = (name: string, fallback: number): number => {
      const raw = query.get(name);
      if (raw === null || raw === '') return fallback;
      if (!/^\d+$/.test(raw)) throw invalidInput(`${name[0]?.toUpperCase() ?? ''}${name.slice(1)} must be a non-negative integer`);
      return Number(raw);
    };
    const limit = integer('limit', 25);
    const offset = integer('offset', 0);
    if (limit > 100) throw invalidInput('Limit must be ≤ 100');
    if (limit < 1) throw invalidInput('Limit must be ≥ 1');
    if (offset + limit > 10_000) throw invalidInput('Offset + limit must be ≤ 10000');
    const slice = items.slice(offset, offset + limit);
    return {
      [key]: slice,
      limit,
      offset,
      more: offset + slice.length < items.length,
      total: query.get('total') === 'true' ? items.length : null,
    } as Record<K, T[]> & { limit: number; offset: number; more: boolean; total: number | null };
  }
}
