// The Datadog collector: the monitor alerts and the error/warn logs of the incident's service during
// the incident. Optional evidence: the worker calls it only when Datadog keys are configured, and a
// rejected key or missing permission becomes a `problem` line in the pack instead of a blocked
// postmortem. Transient failures (429, 5xx, network) are thrown for the caller (Temporal) to retry.
import type { v2 } from '@datadog/datadog-api-client';
import type { EvidenceItem, ExternalEvidence } from '../../domain/evidence';
import { type CollectorLimits, type CollectorOptions, DEFAULT_COLLECTOR_LIMITS, type EvidenceWindow, evidenceWindow } from '../collector';
import { rawText } from '../evidence-text';
import { ExternalServiceError } from '../http';
import { type DatadogConfig, DatadogEvidenceClient, datadogAppHost, errorLogsQuery, loadDatadogSdk, monitorAlertQuery } from './client';

export interface DatadogQuery {
  /** The Datadog service tag (`service:<name>`). */
  service: string;
  /** ISO 8601 window. */
  from: string;
  to: string;
}

/** Datadog allows up to 5,000 logs per page; 1,000 keeps a response small. */
const LOGS_PAGE_MAX = 1_000;
const EVENTS_PAGE_MAX = 100;
/** Monitor alerts are counted page by page; this bounds the counting for a pathological window. */
const EVENT_COUNT_PAGES = 10;

/** A Datadog explorer (`/logs`, `/event/explorer`), opened on this item, in the incident's window. */
function explorerUrl(appHost: string, explorer: '/logs' | '/event/explorer', query: string, id: string | undefined, window: EvidenceWindow): string {
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

function eventItem(event: v2.EventResponse, appHost: string, query: string, window: EvidenceWindow): EvidenceItem {
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
    // Whole: clipped (clipEvidence) only after the activity has redacted it.
    summary: rawText(parts.filter((p) => p.length > 0).join(' ')),
    url: explorerUrl(appHost, '/event/explorer', query, event.id, window),
  };
}

function logItem(log: v2.Log, appHost: string, query: string, window: EvidenceWindow): EvidenceItem {
  const a = log.attributes;
  const status = (a?.status ?? 'log').toLowerCase();
  const host = a?.host ? ` (host ${a.host})` : '';
  return {
    at: iso(a?.timestamp, window.fromMs),
    kind: 'datadog_log',
    summary: rawText(`[${status}] ${a?.message ?? ''}${host}`),
    url: explorerUrl(appHost, '/logs', query, log.id, window),
  };
}

interface Gathered<T> {
  kept: T[];
  /** Everything that matched, when known exactly or as far as it was counted. */
  total: number;
}

async function gatherMonitorEvents(dd: DatadogEvidenceClient, service: string, window: EvidenceWindow, budget: number, pageSize: number): Promise<Gathered<v2.EventResponse>> {
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

async function gatherErrorLogs(dd: DatadogEvidenceClient, service: string, window: EvidenceWindow, budget: number, pageSize: number): Promise<Gathered<v2.Log>> {
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
  const window = evidenceWindow('Datadog', query.from, query.to);
  const max = Math.max(0, Math.floor(limits.items));
  const dd = new DatadogEvidenceClient(await loadDatadogSdk(), config, options);
  const appHost = datadogAppHost(config.site);
  const problems: { what: string; problem: string }[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<Gathered<T>>): Promise<Gathered<T>> => {
    try {
      return await fn();
    } catch (error) {
      // A rejected key or a missing permission: one missing list, said in `problem`; outages are retried.
      if (!(error instanceof ExternalServiceError) || error.retryable) throw error;
      problems.push({ what, problem: `Datadog answered ${error.status}: ${error.detail}` });
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
    for (const { what, problem } of problems) grouped.set(problem, [...(grouped.get(problem) ?? []), what]);
    evidence.problem = [...grouped].map(([problem, whats]) => `${problem} (${whats.join(', ')})`).join('; ');
  }
  return evidence;
}
