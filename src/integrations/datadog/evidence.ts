// Datadog, through the official client (@datadog/datadog-api-client): the monitor alerts and the
// error/warn logs of the incident's service during the incident. Optional evidence: the worker calls
// it only when Datadog keys are configured, and a rejected key or missing permission becomes a
// `problem` line in the pack instead of a blocked postmortem. Transient failures (429, 5xx, network)
// throw a retryable ApplicationFailure so the activity's retry policy, not the client, retries.
//
// Endpoints:
//   GET  /api/v2/events                      filter[query]=source:alert service:<svc>, filter[from|to] (epoch ms),
//                                            sort=timestamp, page[limit], page[cursor]   (v2 EventsApi.listEvents)
//   POST /api/v2/logs/events/search          filter {query: service:<svc> status:(error OR warn), from, to (epoch ms)},
//                                            sort=timestamp, page {limit, cursor}         (v2 LogsApi.listLogs)
//   POST /api/v2/logs/analytics/aggregate    count of the same filter, only when logs overflow the bound
//                                            (v2 LogsApi.aggregateLogs), so `omitted` is exact
import type * as DatadogSdk from '@datadog/datadog-api-client';
import type { v2 } from '@datadog/datadog-api-client';
import { ApplicationFailure } from '@temporalio/common';
import type { EvidenceItem, ExternalEvidence } from '../../domain/incident';
import { backoffWithJitter, FailureTypes } from '../http';

export interface DatadogConfig {
  apiKey: string;
  appKey: string;
  /** The Datadog site: datadoghq.com, datadoghq.eu, us3.datadoghq.com, ddog-gov.com… */
  site: string;
  /** Test/override: the full API base URL, such as http://127.0.0.1:PORT. Default https://api.<site>. */
  baseUrl?: string;
}

export interface DatadogQuery {
  /** The Datadog service tag (`service:<name>`). */
  service: string;
  /** ISO 8601 window. */
  from: string;
  to: string;
}

export interface CollectorLimits {
  /** Most items in the evidence; the rest are counted in `omitted`. */
  items: number;
}

export interface CollectorOptions {
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
  /** The activity's cancellation signal. */
  signal?: AbortSignal;
  /** The activity attempt, for jittered backoff when the server gives no reset time. */
  attempt?: number;
  /** Page size override (tests use a small one to exercise pagination). */
  pageSize?: number;
}

export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = { items: 50 };
export const SUMMARY_CHARS = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Datadog allows up to 5,000 logs per page; 1,000 keeps a response small. */
const LOGS_PAGE_MAX = 1_000;
const EVENTS_PAGE_MAX = 100;
/** Monitor alerts are counted page by page; this bounds the counting for a pathological window. */
const EVENT_COUNT_PAGES = 10;
const MAX_RETRY_DELAY_MS = 10 * 60_000;
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

let sdk: Promise<typeof DatadogSdk> | undefined;

/**
 * The official client, loaded on first use: it takes seconds and ~100 MB to load (thousands of
 * generated models), which a worker without Datadog configured should never pay.
 */
export function loadDatadogSdk(): Promise<typeof DatadogSdk> {
  sdk ??= import('@datadog/datadog-api-client').catch((error: unknown) => {
    sdk = undefined;
    throw error;
  });
  return sdk;
}

/** `text` on one line, at most `max` characters (an ellipsis marks a cut). */
export function clip(text: string, max = SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function normalizeSite(site: string): string {
  return site
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^(app|api)\./, '');
}

/** The web app's host for a site: app.datadoghq.com and app.datadoghq.eu, but us3.datadoghq.com as is. */
export function datadogAppHost(site: string): string {
  const host = normalizeSite(site);
  return host.split('.').length > 2 ? host : `app.${host}`;
}

export function datadogApiBaseUrl(config: Pick<DatadogConfig, 'site' | 'baseUrl'>): string {
  return (config.baseUrl ?? `https://api.${normalizeSite(config.site)}`).replace(/\/+$/, '');
}

/** A search-syntax value: bare when safe, otherwise double-quoted. */
function searchValue(value: string): string {
  return /^[\w.\-/]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

export function monitorAlertQuery(service: string): string {
  return `source:alert service:${searchValue(service)}`;
}

export function errorLogsQuery(service: string): string {
  return `service:${searchValue(service)} status:(error OR warn)`;
}

interface Window {
  fromMs: number;
  toMs: number;
}

function parseWindow(query: DatadogQuery): Window {
  const fromMs = Date.parse(query.from);
  const toMs = Date.parse(query.to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw ApplicationFailure.create({
      type: 'InvalidEvidenceWindow',
      message: `Datadog evidence window is not a valid range: ${query.from} .. ${query.to}`,
      nonRetryable: true,
    });
  }
  return { fromMs, toMs };
}

/** A non-retryable answer: becomes the evidence's `problem`. */
class Rejected extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Datadog answered ${status}: ${detail}`);
  }
}

function errorDetail(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const errors = (body as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ');
  }
  if (typeof body === 'string') {
    // The client wraps unexpected statuses as 'Unknown API Status Code!\nBody: "<body>"'.
    const inner = /Body: "([\s\S]*)"$/.exec(body)?.[1] ?? body;
    try {
      return errorDetail(JSON.parse(inner) as unknown);
    } catch {
      return clip(inner, 200);
    }
  }
  return 'no detail';
}

/** The one small typed client: the three calls the collector makes, with failures in Temporal's terms. */
export class DatadogEvidenceClient {
  private readonly logsApi: v2.LogsApi;
  private readonly eventsApi: v2.EventsApi;
  /** The headers of the last response: the client's ApiException does not carry them. */
  private lastHeaders: Headers | undefined;
  private readonly timeoutMs: number;

  /** `sdk`: from loadDatadogSdk(). */
  constructor(
    private readonly sdk: typeof DatadogSdk,
    config: DatadogConfig,
    private readonly options: CollectorOptions = {},
  ) {
    const { client, v2 } = sdk;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const configuration = client.createConfiguration({
      authMethods: { apiKeyAuth: config.apiKey, appKeyAuth: config.appKey },
      // Always an explicit server: the client otherwise reads DD_SITE from the environment.
      baseServer: new client.BaseServerConfiguration(datadogApiBaseUrl(config), {}),
      // Temporal retries the activity; the client's own retry loop stays off.
      enableRetry: false,
      fetch: (url: string, init: RequestInit) => this.fetch(url, init),
    });
    this.logsApi = new v2.LogsApi(configuration);
    this.eventsApi = new v2.EventsApi(configuration);
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    this.lastHeaders = undefined;
    const signals = [AbortSignal.timeout(this.timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
    const response = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
    this.lastHeaders = response.headers;
    return response;
  }

  /** Runs one API call; 429/5xx/network throw retryable failures, other statuses throw Rejected. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      if (error instanceof this.sdk.client.ApiException) {
        const status = error.code;
        const detail = errorDetail(error.body);
        if (RETRYABLE.has(status) || status >= 500) {
          throw ApplicationFailure.create({
            type: FailureTypes.transient,
            message: `Datadog ${what} answered ${status}: ${detail}`,
            nextRetryDelay: this.retryDelay(status),
            details: [{ system: 'Datadog', status }],
          });
        }
        throw new Rejected(status, detail);
      }
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw ApplicationFailure.create({
        type: FailureTypes.transient,
        message: `Datadog ${what}: network error (${reason})`,
        nextRetryDelay: this.options.attempt === undefined ? undefined : backoffWithJitter(this.options.attempt),
      });
    }
  }

  /** `X-RateLimit-Reset` is the seconds until the rate-limit window resets. */
  private retryDelay(status: number): number | undefined {
    const reset = Number(this.lastHeaders?.get('x-ratelimit-reset') ?? Number.NaN);
    if (status === 429 && Number.isFinite(reset) && reset >= 0) return Math.min(reset * 1000, MAX_RETRY_DELAY_MS);
    const retryAfter = Number(this.lastHeaders?.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, MAX_RETRY_DELAY_MS);
    return this.options.attempt === undefined ? undefined : backoffWithJitter(this.options.attempt);
  }

  monitorEvents(service: string, window: Window, limit: number, cursor?: string): Promise<v2.EventsListResponse> {
    return this.call('GET /api/v2/events', () =>
      this.eventsApi.listEvents({
        filterQuery: monitorAlertQuery(service),
        filterFrom: String(window.fromMs),
        filterTo: String(window.toMs),
        sort: 'timestamp',
        pageLimit: limit,
        pageCursor: cursor,
      }),
    );
  }

  errorLogs(service: string, window: Window, limit: number, cursor?: string): Promise<v2.LogsListResponse> {
    return this.call('POST /api/v2/logs/events/search', () =>
      this.logsApi.listLogs({
        body: {
          filter: { query: errorLogsQuery(service), from: String(window.fromMs), to: String(window.toMs) },
          sort: 'timestamp',
          page: { limit, ...(cursor ? { cursor } : {}) },
        },
      }),
    );
  }

  async countErrorLogs(service: string, window: Window): Promise<number | undefined> {
    const response = await this.call('POST /api/v2/logs/analytics/aggregate', () =>
      this.logsApi.aggregateLogs({
        body: {
          compute: [{ aggregation: 'count', type: 'total' }],
          filter: { query: errorLogsQuery(service), from: String(window.fromMs), to: String(window.toMs) },
        },
      }),
    );
    const value = Object.values(response.data?.buckets?.[0]?.computes ?? {})[0];
    const count = typeof value === 'string' ? Number(value) : value;
    return typeof count === 'number' && Number.isFinite(count) ? count : undefined;
  }
}

/** A Datadog explorer (`/logs`, `/event/explorer`), opened on this item, in the incident's window. */
function explorerUrl(appHost: string, explorer: '/logs' | '/event/explorer', query: string, id: string | undefined, window: Window): string {
  const url = new URL(`https://${appHost}${explorer}`);
  url.searchParams.set('query', query);
  if (id) url.searchParams.set('event', id);
  url.searchParams.set('from_ts', String(window.fromMs));
  url.searchParams.set('to_ts', String(window.toMs));
  url.searchParams.set('live', 'false');
  return url.toString();
}

const iso = (value: Date | string | number | undefined, fallback: number): string => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  return new Date(typeof ms === 'number' && Number.isFinite(ms) ? ms : fallback).toISOString();
};

function eventItem(event: v2.EventResponse, appHost: string, query: string, window: Window): EvidenceItem {
  const outer = event.attributes;
  const inner = outer?.attributes;
  const title = inner?.title ?? inner?.monitor?.name ?? 'Datadog event';
  const status = typeof inner?.status === 'string' ? inner.status : undefined;
  // Markdown event text comes wrapped in %%% markers.
  const message = (outer?.message ?? '').replace(/%%%/g, ' ').trim();
  const parts = [status ? `[${status}]` : '', title, message && message !== title ? `— ${message}` : ''];
  return {
    at: iso(outer?.timestamp ?? inner?.timestamp, window.fromMs),
    kind: 'datadog_monitor_alert',
    summary: clip(parts.filter((p) => p.length > 0).join(' ')),
    url: explorerUrl(appHost, '/event/explorer', query, event.id, window),
  };
}

function logItem(log: v2.Log, appHost: string, query: string, window: Window): EvidenceItem {
  const a = log.attributes;
  const status = (a?.status ?? 'log').toLowerCase();
  const host = a?.host ? ` (host ${a.host})` : '';
  return {
    at: iso(a?.timestamp, window.fromMs),
    kind: 'datadog_log',
    summary: clip(`[${status}] ${a?.message ?? ''}${host}`),
    url: explorerUrl(appHost, '/logs', query, log.id, window),
  };
}

interface Gathered<T> {
  kept: T[];
  /** Everything that matched, when known exactly or as far as it was counted. */
  total: number;
}

async function gatherMonitorEvents(dd: DatadogEvidenceClient, service: string, window: Window, budget: number, pageSize: number): Promise<Gathered<v2.EventResponse>> {
  const kept: v2.EventResponse[] = [];
  let total = 0;
  let cursor: string | undefined;
  for (let page = 0; page < EVENT_COUNT_PAGES; page++) {
    const response = await dd.monitorEvents(service, window, pageSize, cursor);
    const batch = response.data ?? [];
    total += batch.length;
    for (const event of batch) if (kept.length < budget) kept.push(event);
    cursor = response.meta?.page?.after;
    if (!cursor || batch.length === 0) break;
  }
  return { kept, total };
}

async function gatherErrorLogs(dd: DatadogEvidenceClient, service: string, window: Window, budget: number, pageSize: number): Promise<Gathered<v2.Log>> {
  const kept: v2.Log[] = [];
  let cursor: string | undefined;
  let more = budget <= 0;
  while (kept.length < budget) {
    const response = await dd.errorLogs(service, window, Math.min(pageSize, budget - kept.length), cursor);
    const batch = response.data ?? [];
    kept.push(...batch.slice(0, budget - kept.length));
    cursor = response.meta?.page?.after;
    more = Boolean(cursor) && batch.length > 0;
    if (!more) break;
  }
  if (!more) return { kept, total: kept.length };
  // More logs than the bound: ask for the exact count rather than paging through them all.
  const count = await dd.countErrorLogs(service, window);
  return { kept, total: Math.max(count ?? kept.length, kept.length) };
}

/**
 * What Datadog knew about the service during the incident: its monitor alerts first (they are few
 * and say what fired), then its error and warn logs, oldest first, up to `limits.items` in all.
 */
export async function collectDatadogEvidence(
  config: DatadogConfig,
  query: DatadogQuery,
  limits: CollectorLimits = DEFAULT_COLLECTOR_LIMITS,
  options: CollectorOptions = {},
): Promise<ExternalEvidence> {
  const window = parseWindow(query);
  const max = Math.max(0, Math.floor(limits.items));
  const dd = new DatadogEvidenceClient(await loadDatadogSdk(), config, options);
  const appHost = datadogAppHost(config.site);
  const problems: { what: string; error: Rejected }[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<Gathered<T>>): Promise<Gathered<T>> => {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      problems.push({ what, error });
      return { kept: [], total: 0 };
    }
  };

  const eventsQuery = monitorAlertQuery(query.service);
  const logsQuery = errorLogsQuery(query.service);
  const events = await attempt('monitor alerts', () => gatherMonitorEvents(dd, query.service, window, max, Math.min(options.pageSize ?? EVENTS_PAGE_MAX, EVENTS_PAGE_MAX)));
  const logs = await attempt('logs', () =>
    gatherErrorLogs(dd, query.service, window, max - events.kept.length, Math.min(options.pageSize ?? LOGS_PAGE_MAX, LOGS_PAGE_MAX)),
  );

  const items = [
    ...events.kept.map((event) => eventItem(event, appHost, eventsQuery, window)),
    ...logs.kept.map((log) => logItem(log, appHost, logsQuery, window)),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const omitted = events.total - events.kept.length + (logs.total - logs.kept.length);

  const evidence: ExternalEvidence = { source: 'datadog', items, omitted };
  if (problems.length > 0) {
    const grouped = new Map<string, string[]>();
    for (const { what, error } of problems) grouped.set(error.message, [...(grouped.get(error.message) ?? []), what]);
    evidence.problem = [...grouped].map(([message, whats]) => `${message} (${whats.join(', ')})`).join('; ');
  }
  return evidence;
}
