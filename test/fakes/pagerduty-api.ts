// A local stand-in for PagerDuty's REST API v2, for the endpoints this project calls. It answers with
// the real API's shapes, status codes, error bodies, pagination rules and rate-limit headers, records
// every request, and can be told to fail. The incidents it serves are in pagerduty-incidents.ts, its
// lists in pagerduty-lists.ts, its times (formats, zones) in pagerduty-time.ts.
//
// Like PagerDuty it renders times in the account's zone (`accountTimeZone`, `-05:00` in winter) unless
// `time_zone` asks for another — except `GET /incidents`, which the spec says renders UTC by default, the
// incident itself (UTC, as its published example), and the notes, which take no `time_zone` and render
// in the account's zone (as their published example). Log entries come oldest first (the trigger first,
// as PagerDuty's guide shows); `logEntryOrder` makes them newest first.
import { FakeServer, FaultQueue, matchesPath, type PathMatch, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { alertCounts, PagerDutyIncidents, type StoredIncident } from './pagerduty-incidents';
import { DEFAULT_PRIORITIES, errorBody, invalidInput, listIncidents, notFound, page, priorityResource, serviceChangeEvents } from './pagerduty-lists';
import { isTimeZone, renderTimes } from './pagerduty-time';
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
  /** The account's time zone: times are rendered in it where `time_zone` is absent (see above). */
  accountTimeZone = 'America/New_York';
  /** Extension: the order of `GET /incidents/{id}/log_entries`; PagerDuty's guide shows the trigger first. */
  logEntryOrder: 'oldest_first' | 'newest_first' = 'oldest_first';
  /** Extension: at most this many incidents a page of `GET /incidents` (to make a client follow `more`). */
  incidentPageCap?: number;
  /** The account's priorities, most severe first (`GET /priorities`). */
  priorities = DEFAULT_PRIORITIES.map((p) => ({ ...p }));

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

  /** Replaces the account's priorities (custom names, most severe first). */
  setPriorities(names: string[]): void {
    this.priorities = names.map((name, index) => ({ id: `PPRI${String(index + 1).padStart(3, '0')}`, name, description: `${name} (custom)` }));
  }

  /** Every stored incident, in the order they were added. */
  allIncidents(): Record<string, unknown>[] {
    return this.incidents.all().map((s) => s.incident);
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

    const zone = req.query.get('time_zone');
    if (zone !== null && !isTimeZone(zone)) throw invalidInput(`Time zone "${zone}" is not a valid time zone`);
    const rendered = (body: unknown, defaultZone = this.accountTimeZone): Reply => ({ status: 200, body: renderTimes(body, zone ?? defaultZone) });

    if (req.method === 'GET' && req.path === '/incidents') {
      const listed = listIncidents(this.incidents.all(), req.query, Date.now(), this.incidentPageCap);
      const incidents = listed.incidents.map((incident) => {
        const stored = this.incidents.get(String(incident.id));
        return stored ? this.getIncident(stored, req.query).incident : incident;
      });
      return rendered({ ...listed, incidents }, 'UTC');
    }
    if (req.method === 'GET' && req.path === '/priorities') return { status: 200, body: page('priorities', this.priorities.map((p) => priorityResource(this.baseUrl, p)), req.query) };

    const segments = req.path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    const [collection, id, sub, ...rest] = segments;
    if (rest.length > 0 || !collection || !id) throw notFound();

    if (collection === 'services' && sub === 'change_events' && req.method === 'GET') {
      const known = this.incidents.serviceChangeEvents(id);
      if (!known) throw notFound();
      return rendered(serviceChangeEvents(known, req.query));
    }
    if (collection !== 'incidents') throw notFound();
    const stored = this.incidents.get(id);
    if (!stored) throw notFound();

    if (sub === undefined && req.method === 'GET') return { status: 200, body: renderTimes(this.getIncident(stored, req.query), 'UTC') };
    if (sub === 'log_entries' && req.method === 'GET') {
      const sign = this.logEntryOrder === 'oldest_first' ? 1 : -1;
      const sorted = [...stored.logEntries].sort((a, b) => sign * (Date.parse(a.created_at) - Date.parse(b.created_at)));
      return rendered(page('log_entries', sorted, req.query));
    }
    if (sub === 'alerts' && req.method === 'GET') {
      const statuses = req.query.getAll('statuses[]');
      const alerts = statuses.length > 0 ? stored.alerts.filter((a) => statuses.includes(a.status)) : stored.alerts;
      return rendered(page('alerts', alerts, req.query));
    }
    // Notes take no time_zone (the spec lists none): the account's zone, as their published example shows.
    if (sub === 'notes' && req.method === 'GET') return { status: 200, body: renderTimes({ notes: stored.notes }, this.accountTimeZone) };
    if (sub === 'notes' && req.method === 'POST') return this.postNote(stored, req, bodyIsJson);
    if (sub === 'related_change_events' && req.method === 'GET') {
      return rendered({ change_events: stored.relatedChangeEvents, limit: null, offset: null, total: null, more: false });
    }
    throw notFound();
  }

  /** The incident; `first_trigger_log_entry` is a reference unless `include[]=first_trigger_log_entries` expands it. */
  private getIncident(stored: StoredIncident, query: URLSearchParams): { incident: Record<string, unknown> } {
    const incident: Record<string, unknown> = { ...stored.incident, alert_counts: alertCounts(stored.alerts) };
    const first = [...stored.logEntries].filter((e) => e.type === 'trigger_log_entry').sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[0];
    if (first) {
      incident.first_trigger_log_entry = query.getAll('include[]').includes('first_trigger_log_entries')
        ? first
        : { id: first.id, type: 'trigger_log_entry_reference', summary: first.summary, self: first.self, html_url: first.html_url };
    }
    return { incident };
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
    // 200, as the spec says (not 201), in the account's zone like the notes list.
    return { status: 200, body: renderTimes({ note: created }, this.accountTimeZone) };
  }
}
