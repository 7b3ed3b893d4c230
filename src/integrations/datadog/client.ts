// Datadog, through the official client (@datadog/datadog-api-client): the three calls the collector
// makes, with failures put in the one HTTP policy's terms (../http.ts).
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
import { type CollectorOptions, DEFAULT_COLLECTOR_TIMEOUT_MS, type EvidenceWindow } from '../collector';
import { errorDetail, failureForNetworkError, failureForStatus } from '../http';

export interface DatadogConfig {
  apiKey: string;
  appKey: string;
  /** The Datadog site: datadoghq.com, datadoghq.eu, us3.datadoghq.com, ddog-gov.com… */
  site: string;
  /** Test/override: the full API base URL, such as http://127.0.0.1:PORT. Default https://api.<site>. */
  baseUrl?: string;
}

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

/** The client wraps unexpected statuses as 'Unknown API Status Code!\nBody: "<body>"'. */
function datadogDetail(body: unknown): string {
  if (typeof body === 'string') return errorDetail(/Body: "([\s\S]*)"$/.exec(body)?.[1] ?? body);
  return body === undefined || body === null ? 'no detail' : errorDetail(body);
}

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
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS;
    const configuration = client.createConfiguration({
      authMethods: { apiKeyAuth: config.apiKey, appKeyAuth: config.appKey },
      // Always an explicit server: the client otherwise reads DD_SITE from the environment.
      baseServer: new client.BaseServerConfiguration(datadogApiBaseUrl(config), {}),
      // Retrying is the caller's (Temporal's): the client's own retry loop stays off.
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

  /** Runs one API call; its failures in the one HTTP policy's terms. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof this.sdk.client.ApiException) throw failureForStatus('Datadog', what, error.code, datadogDetail(error.body), this.lastHeaders);
      throw failureForNetworkError('Datadog', what, error, this.options.signal);
    }
  }

  monitorEvents(service: string, window: EvidenceWindow, limit: number, cursor?: string): Promise<v2.EventsListResponse> {
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

  errorLogs(service: string, window: EvidenceWindow, limit: number, cursor?: string): Promise<v2.LogsListResponse> {
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

  async countErrorLogs(service: string, window: EvidenceWindow): Promise<number | undefined> {
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
