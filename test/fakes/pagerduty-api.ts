// A local stand-in for PagerDuty's REST API v2, for the endpoints this project calls. It answers with
// the real API's shapes, status codes, error bodies, pagination rules and rate-limit headers, records
// every request, and can be told to fail. Listens on 127.0.0.1 on a free port; nothing leaves the host.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue, type Reply, sendReply } from './http';

const WEB = 'https://acme.pagerduty.com';

export interface FakeIncidentSeed {
  id: string;
  incident_number?: number;
  title?: string;
  status?: string;
  urgency?: 'high' | 'low';
  priority?: { id: string; summary: string } | null;
  service?: { id: string; summary: string };
  created_at?: string;
  resolved_at?: string | null;
  resolve_reason?: { type: string; incident?: { id: string } } | null;
}

export interface FakeFault {
  status: number;
  /** Default: PagerDuty's error body for the status. A string is sent as is (not JSON). */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer; default 1. */
  times?: number;
}

/** `{id, type, summary, self, html_url}`, PagerDuty's reference object. */
export interface FakeReference {
  id: string;
  type: string;
  summary: string | null;
  self?: string | null;
  html_url?: string | null;
}

export interface FakeLogEntry {
  id: string;
  /** trigger_log_entry, notify_log_entry, acknowledge_log_entry, annotate_log_entry, resolve_log_entry, … */
  type: string;
  summary: string;
  self?: string;
  html_url: string;
  created_at: string;
  agent: FakeReference | null;
  channel: { type: string; summary?: string; [key: string]: unknown };
  service?: FakeReference;
  incident?: FakeReference;
  teams?: FakeReference[];
  contexts?: unknown[];
  event_details?: Record<string, unknown>;
  user?: FakeReference;
}

export interface FakeAlert {
  id: string;
  type: 'alert';
  summary: string;
  self?: string;
  html_url: string;
  created_at: string;
  status: 'triggered' | 'resolved';
  severity: 'critical' | 'error' | 'warning' | 'info';
  alert_key: string;
  suppressed?: boolean;
  service?: FakeReference;
  incident?: FakeReference;
  body: { type?: 'alert_body'; details: Record<string, unknown>; contexts: unknown[]; cef_details?: Record<string, unknown> };
}

export interface FakeNote {
  id: string;
  user: FakeReference;
  channel?: { summary: string };
  content: string;
  created_at: string;
}

export interface FakeChangeEvent {
  id: string;
  summary: string;
  timestamp: string;
  type: 'change_event';
  source: string | null;
  integration: FakeReference | null;
  services: FakeReference[];
  custom_details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  images?: { src: string; href?: string; alt?: string }[];
  /** Present on `/incidents/{id}/related_change_events` only. */
  correlation_reason?: { reason: 'most_recent' | 'related_service' | 'intelligent' };
}

export interface FakeIncidentExtras {
  /** A count of entries to generate, or the entries themselves. Default: 7 when resolved, 4 otherwise. */
  logEntries?: number | FakeLogEntry[];
  alerts?: FakeAlert[];
  notes?: FakeNote[];
  relatedChangeEvents?: FakeChangeEvent[];
  serviceChangeEvents?: FakeChangeEvent[];
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

interface StoredIncident {
  incident: Record<string, unknown>;
  logEntries: FakeLogEntry[];
  alerts: FakeAlert[];
  notes: FakeNote[];
  relatedChangeEvents: FakeChangeEvent[];
  serviceId: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const errorBody = (message: string, code: number, errors?: string[]) => ({ error: { message, code, ...(errors ? { errors } : {}) } });
const invalidInput = (...errors: string[]) => new HttpError(400, errorBody('Invalid Input Provided', 2001, errors));
const notFound = () => new HttpError(404, errorBody('Not Found', 2100));
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

/** PagerDuty timestamps: UTC, second precision (`2026-02-10T15:18:04Z`). */
const stamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const ID_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export class FakePagerDutyApi {
  readonly baseUrl: string;
  token: string;
  readonly requests: FakeRequest[] = [];
  /** Extension: the most requests this fake has had in flight at once (1 = strictly serial client). */
  peakConcurrency = 0;

  private readonly incidents = new Map<string, StoredIncident>();
  private readonly serviceChanges = new Map<string, FakeChangeEvent[]>();
  private readonly faults = new FaultQueue<FakeFault>();
  private rateLimited = { remaining: 0, resetSeconds: 0 };
  private readonly targetedRateLimits: { match: (request: FakeRequest) => boolean; resetSeconds: number; remaining: number }[] = [];
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  private nextId = 0;
  private nextNumber = 1200;

  private constructor(
    private readonly server: Server,
    token: string,
  ) {
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    this.token = token;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: { token?: string } = {}): Promise<FakePagerDutyApi> {
    const ready: { api?: FakePagerDutyApi } = {};
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
    ready.api = new FakePagerDutyApi(server, options.token ?? 'u+fakePagerDutyToken01');
    return ready.api;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ---- seeding -------------------------------------------------------------------------------

  /** Adds (or replaces) an incident with generated, realistic log entries, alerts, notes and change events unless given. */
  addIncident(seed: FakeIncidentSeed, extras: FakeIncidentExtras = {}): void {
    const service = seed.service ?? { id: 'PSVC7Q1', summary: 'checkout-api' };
    const resolvedAt = seed.resolved_at === undefined ? undefined : seed.resolved_at;
    const status = seed.status ?? (resolvedAt ? 'resolved' : 'triggered');
    const createdMs = seed.created_at ? Date.parse(seed.created_at) : Date.now() - 2 * 3_600_000;
    const createdAt = seed.created_at ?? stamp(createdMs);
    const resolved = status === 'resolved';
    const resolvedAtValue = resolved ? (resolvedAt ?? stamp(createdMs + 47 * 60_000)) : null;
    const number = seed.incident_number ?? this.nextNumber++;
    const title = seed.title ?? `High error rate on ${service.summary}`;
    const serviceRef = this.serviceRef(service.id, service.summary);
    const incidentRef = this.ref(seed.id, 'incident_reference', `[#${number}] ${title}`, `/incidents/${seed.id}`, `${WEB}/incidents/${seed.id}`);

    const logEntries =
      Array.isArray(extras.logEntries)
        ? extras.logEntries.map((entry) => ({ ...entry }))
        : this.generateLogEntries(seed.id, incidentRef, serviceRef, status, createdMs, resolvedAtValue, seed.resolve_reason ?? null, extras.logEntries ?? (resolved ? 7 : 4));
    const alerts = extras.alerts ?? this.generateAlerts(incidentRef, serviceRef, resolved, createdMs, Math.max(1, Math.ceil(logEntries.length / 3)));
    const notes = extras.notes ?? this.generateNotes(createdMs, resolvedAtValue);
    const serviceChanges = extras.serviceChangeEvents ?? this.generateServiceChanges(serviceRef, createdMs);
    const related =
      extras.relatedChangeEvents ??
      (serviceChanges[0] ? [{ ...serviceChanges[0], correlation_reason: { reason: 'most_recent' as const } }] : []);

    const known = this.serviceChanges.get(service.id) ?? [];
    for (const change of serviceChanges) {
      const at = known.findIndex((c) => c.id === change.id);
      if (at >= 0) known[at] = change;
      else known.push(change);
    }
    this.serviceChanges.set(service.id, known);

    const byTime = [...logEntries].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    const lastChange = [...byTime].reverse().find((e) => /^(trigger|acknowledge|resolve|unacknowledge)_log_entry$/.test(e.type));
    const user = this.user('PUSR0A1', 'Jane Doe');

    const incident: Record<string, unknown> = {
      id: seed.id,
      type: 'incident',
      summary: `[#${number}] ${title}`,
      self: `${this.baseUrl}/incidents/${seed.id}`,
      html_url: `${WEB}/incidents/${seed.id}`,
      incident_number: number,
      title,
      description: title,
      created_at: createdAt,
      updated_at: resolvedAtValue ?? lastChange?.created_at ?? createdAt,
      status,
      incident_key: `${service.summary}-${seed.id.toLowerCase()}`,
      service: serviceRef,
      assignments: resolved ? [] : [{ at: createdAt, assignee: user }],
      assigned_via: 'escalation_policy',
      last_status_change_at: resolvedAtValue ?? lastChange?.created_at ?? createdAt,
      last_status_change_by: resolved || status === 'acknowledged' ? user : serviceRef,
      resolved_at: resolvedAtValue,
      resolve_reason: seed.resolve_reason
        ? {
            type: seed.resolve_reason.type,
            ...(seed.resolve_reason.incident
              ? { incident: this.ref(seed.resolve_reason.incident.id, 'incident_reference', null, `/incidents/${seed.resolve_reason.incident.id}`, `${WEB}/incidents/${seed.resolve_reason.incident.id}`) }
              : {}),
          }
        : null,
      acknowledgements: status === 'acknowledged' ? [{ at: lastChange?.created_at ?? createdAt, acknowledger: user }] : [],
      pending_actions: [],
      alert_counts: this.alertCounts(alerts),
      is_mergeable: !resolved,
      incident_type: { name: 'incident_default' },
      escalation_policy: this.ref('PESC0P1', 'escalation_policy_reference', `${service.summary} escalation`, '/escalation_policies/PESC0P1', `${WEB}/escalation_policies/PESC0P1`),
      teams: [this.ref('PTEAM01', 'team_reference', 'Payments', '/teams/PTEAM01', `${WEB}/teams/PTEAM01`)],
      priority:
        seed.priority === null
          ? null
          : {
              ...this.ref(seed.priority?.id ?? 'PPRI0P2', 'priority', seed.priority?.summary ?? 'P2', `/priorities/${seed.priority?.id ?? 'PPRI0P2'}`, null),
              name: seed.priority?.summary ?? 'P2',
              description: '',
              color: 'a8171c',
            },
      urgency: seed.urgency ?? 'high',
      conference_bridge: null,
      body: { type: 'incident_body', details: '' },
    };

    this.incidents.set(seed.id, { incident, logEntries, alerts, notes, relatedChangeEvents: related, serviceId: service.id });
  }

  /** The stored full incident: the live object, so a test may change or delete fields. */
  incident(id: string): Record<string, unknown> | undefined {
    return this.incidents.get(id)?.incident;
  }

  /** The incident's notes, including those posted through the API (the live array). */
  notes(id: string): FakeNote[] {
    return this.incidents.get(id)?.notes ?? [];
  }

  /**
   * The next `times` requests with this method and path are carried out (a note is really created), then
   * the connection is dropped without an answer — a response lost on the way back.
   */
  dropResponses(method: string, pathMatch: string | RegExp, times = 1): void {
    this.drops.push({ method: method.toUpperCase(), match: pathMatch, remaining: times });
  }

  private readonly drops: { method: string; match: string | RegExp; remaining: number }[] = [];

  private takeDrop(method: string, path: string): boolean {
    const drop = this.drops.find((d) => d.method === method && d.remaining > 0 && (typeof d.match === 'string' ? path.startsWith(d.match) : d.match.test(path)));
    if (!drop) return false;
    drop.remaining -= 1;
    return true;
  }

  /** Queue faults for the next requests whose path matches (string = exact path prefix, or RegExp). */
  fail(pathMatch: string | RegExp, fault: FakeFault): void {
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

  // ---- generation ----------------------------------------------------------------------------

  /** PagerDuty-style ids: a letter and upper-case alphanumerics (`R0000000000A1B`), unique per fake. */
  private id(prefix: string, length = 14): string {
    let n = this.nextId++;
    let text = '';
    do {
      text = `${ID_ALPHABET[n % ID_ALPHABET.length] ?? '0'}${text}`;
      n = Math.floor(n / ID_ALPHABET.length);
    } while (n > 0);
    return `${prefix}${text.padStart(length - prefix.length, '0')}`;
  }

  private ref(id: string, type: string, summary: string | null, path: string, htmlUrl: string | null): FakeReference {
    return { id, type, summary, self: `${this.baseUrl}${path}`, html_url: htmlUrl };
  }

  private serviceRef(id: string, summary: string): FakeReference {
    return this.ref(id, 'service_reference', summary, `/services/${id}`, `${WEB}/service-directory/${id}`);
  }

  private user(id: string, name: string): FakeReference {
    return this.ref(id, 'user_reference', name, `/users/${id}`, `${WEB}/users/${id}`);
  }

  private generateLogEntries(
    incidentId: string,
    incident: FakeReference,
    service: FakeReference,
    status: string,
    createdMs: number,
    resolvedAt: string | null,
    resolveReason: FakeIncidentSeed['resolve_reason'],
    count: number,
  ): FakeLogEntry[] {
    if (count <= 0) return [];
    const resolved = status === 'resolved';
    const types: string[] = ['trigger'];
    const middle = count - 1 - (resolved && count > 1 ? 1 : 0);
    const filler = ['annotate', 'notify', 'escalate', 'assign', 'annotate', 'notify'];
    for (let i = 0; i < middle; i++) {
      if (i === 0) types.push('notify');
      else if (i === 1 && status !== 'triggered') types.push('acknowledge');
      else types.push(filler[i % filler.length] ?? 'annotate');
    }
    if (resolved && count > 1) types.push('resolve');

    const endMs = resolvedAt ? Date.parse(resolvedAt) : createdMs + count * 60_000;
    const step = Math.max(1000, Math.floor((endMs - createdMs) / Math.max(1, count - 1) / 1000) * 1000);
    const integration = this.ref('PINT0D1', 'generic_events_api_inbound_integration_reference', 'Datadog', `/services/${service.id}/integrations/PINT0D1`, `${WEB}/services/${service.id}/integrations/PINT0D1`);
    const people = [this.user('PUSR0A1', 'Jane Doe'), this.user('PUSR0B2', 'Sam Okafor'), this.user('PUSR0C3', 'Priya Raman')];
    const notes = ['Rolling back the 14:02 deploy', 'Error rate dropping after rollback', 'Customer support informed', 'DB connection pool saturated'];

    return types.map((kind, index) => {
      const id = this.id('R');
      const person = people[index % people.length] ?? integration;
      const base = {
        id,
        type: `${kind}_log_entry`,
        self: `${this.baseUrl}/log_entries/${id}`,
        html_url: `${WEB}/incidents/${incidentId}/log_entries/${id}`,
        created_at: stamp(createdMs + step * index),
        service,
        incident,
        teams: [this.ref('PTEAM01', 'team_reference', 'Payments', '/teams/PTEAM01', `${WEB}/teams/PTEAM01`)],
        contexts: [],
      };
      switch (kind) {
        case 'trigger':
          return { ...base, summary: 'Triggered through the API.', agent: integration, channel: { type: 'api', summary: 'High error rate', details: { host: 'checkout-7f9c' } }, event_details: { description: 'High error rate' } };
        case 'notify':
          return { ...base, summary: `Notified ${person.summary} by SMS.`, agent: service, channel: { type: 'sms' }, user: person };
        case 'acknowledge':
          return { ...base, summary: `Acknowledged by ${person.summary}.`, agent: person, channel: { type: 'mobile' } };
        case 'annotate':
          return { ...base, summary: `Note added: ${notes[index % notes.length] ?? ''}`, agent: person, channel: { type: 'note', summary: notes[index % notes.length] ?? '' } };
        case 'escalate':
          return { ...base, summary: 'Escalated to level 2 by timeout.', agent: service, channel: { type: 'timeout' } };
        case 'assign':
          return { ...base, summary: `Assigned to ${person.summary}.`, agent: service, channel: { type: 'auto' } };
        default: {
          const merged = resolveReason?.type === 'merge_resolve_reason' && resolveReason.incident;
          return {
            ...base,
            summary: merged ? `Resolved by merging into incident ${resolveReason.incident?.id ?? ''}.` : `Resolved by ${person.summary}.`,
            agent: person,
            channel: { type: merged ? 'merge' : 'website' },
          };
        }
      }
    });
  }

  private generateAlerts(incident: FakeReference, service: FakeReference, resolved: boolean, createdMs: number, count: number): FakeAlert[] {
    const severities = ['critical', 'error', 'warning'] as const;
    return Array.from({ length: count }, (_, index) => {
      const id = this.id('Q');
      return {
        id,
        type: 'alert' as const,
        summary: `5xx rate ${(4.2 + index).toFixed(1)}% on ${service.summary ?? 'service'} (threshold 2%)`,
        self: `${this.baseUrl}/alerts/${id}`,
        html_url: `${WEB}/alerts/${id}`,
        created_at: stamp(createdMs + index * 60_000),
        status: resolved ? ('resolved' as const) : ('triggered' as const),
        severity: severities[index % severities.length] ?? 'critical',
        alert_key: `${service.summary ?? 'service'}:http_5xx:${index}`,
        suppressed: false,
        service,
        incident,
        body: {
          type: 'alert_body' as const,
          details: { metric: 'http.server.errors.rate', threshold: '2%', value: `${(4.2 + index).toFixed(1)}%`, host: `checkout-${index}` },
          contexts: [],
        },
      };
    });
  }

  private generateNotes(createdMs: number, resolvedAt: string | null): FakeNote[] {
    const endMs = resolvedAt ? Date.parse(resolvedAt) : createdMs + 30 * 60_000;
    const user = this.user('PUSR0A1', 'Jane Doe');
    return [
      { id: this.id('P', 7), user, channel: { summary: 'The PagerDuty website or APIs' }, content: 'Rolled back the 14:02 deploy of checkout-api.', created_at: stamp(createdMs + (endMs - createdMs) / 3) },
      { id: this.id('P', 7), user, channel: { summary: 'The PagerDuty website or APIs' }, content: 'Error rate back under 1%; watching for 15 minutes.', created_at: stamp(createdMs + ((endMs - createdMs) * 2) / 3) },
    ];
  }

  private generateServiceChanges(service: FakeReference, createdMs: number): FakeChangeEvent[] {
    const integration = this.ref('PINT0G1', 'change_event_transform_inbound_integration_reference', 'GitHub Actions', `/services/${service.id}/integrations/PINT0G1`, null);
    const change = (summary: string, offsetMs: number, sha: string): FakeChangeEvent => ({
      id: this.id('Q'),
      summary,
      timestamp: stamp(createdMs - offsetMs),
      type: 'change_event',
      source: 'github-actions',
      integration,
      services: [service],
      custom_details: { commit: sha, environment: 'production', actor: 'deploy-bot' },
      links: [{ href: `https://github.com/acme/checkout/commit/${sha}`, text: `Commit ${sha.slice(0, 7)}` }],
      images: [],
    });
    return [change(`Deploy ${service.summary ?? 'service'} v2.14.0`, 10 * 60_000, '9f1c2ab7d34e'), change(`Deploy ${service.summary ?? 'service'} v2.13.2`, 3 * 3_600_000, '51e07a9c0b22')];
  }

  private alertCounts(alerts: FakeAlert[]) {
    const triggered = alerts.filter((a) => a.status === 'triggered').length;
    return { all: alerts.length, triggered, resolved: alerts.length - triggered };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
    let done = false;
    const finished = () => {
      if (!done) this.inFlight -= 1;
      done = true;
    };
    res.once('finish', finished);
    res.once('close', finished);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const text = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    let body: unknown = undefined;
    let bodyIsJson = true;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
        bodyIsJson = false;
      }
    }
    const method = req.method ?? 'GET';
    const request: FakeRequest = { method, path: url.pathname, query: url.searchParams, headers: { ...req.headers }, body, receivedAt: Date.now() };
    this.requests.push(request);

    let reply: Reply;
    try {
      reply = this.route(request, bodyIsJson);
    } catch (error) {
      if (error instanceof HttpError) reply = { status: error.status, body: error.body, headers: error.headers };
      else reply = { status: 500, body: errorBody('Internal Server Error', 2000) };
    }
    if (reply.status < 400 && this.takeDrop(method, url.pathname)) {
      res.socket?.destroy();
      return;
    }
    sendReply(res, reply, 'application/json; charset=utf-8');
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
      throw new HttpError(401, errorBody('Authentication failed', 2006), AUTH_HEADERS);
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
    const incident: Record<string, unknown> = { ...stored.incident, alert_counts: this.alertCounts(stored.alerts) };
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
    if (!email) throw new HttpError(400, errorBody('You must specify a user in the From header', 2001));
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new HttpError(400, errorBody('Malformed "From" header', 1028));
    if (!bodyIsJson) throw invalidInput('Could not parse JSON body');
    const note = (req.body as { note?: { content?: unknown } } | undefined)?.note;
    if (!note || typeof note.content !== 'string' || note.content.trim().length === 0) throw invalidInput("Content can't be blank");
    const name = email.split('@')[0] ?? email;
    const created: FakeNote = {
      id: this.id('P', 7),
      user: this.user('PUSR0F' + String(name.length % 10), name),
      channel: { summary: 'The PagerDuty website or APIs' },
      content: note.content,
      created_at: stamp(Date.now()),
    };
    stored.notes.push(created);
    return { status: 201, body: { note: created } };
  }

  private serviceChangeEvents(serviceId: string, query: URLSearchParams): Reply {
    const known = this.serviceChanges.get(serviceId) ?? ([...this.incidents.values()].some((i) => i.serviceId === serviceId) ? [] : undefined);
    if (!known) throw notFound();
    const bound = (name: 'since' | 'until'): number | undefined => {
      const value = query.get(name);
      if (value === null || value === '') return undefined;
      const ms = Date.parse(value);
      if (!Number.isFinite(ms)) throw new HttpError(400, errorBody("Invalid 'since' or 'until' Parameter Values", 2004, [`${name} is not a valid ISO 8601 date`]));
      return ms;
    };
    const since = bound('since');
    const until = bound('until');
    if (since !== undefined && until !== undefined && since > until) throw new HttpError(400, errorBody('Invalid Query Date Range', 2005));
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
