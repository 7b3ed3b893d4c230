// Sentry's REST API (no SDK): the issues of one project that were seen during the incident.
// Optional evidence: the worker calls it only when a Sentry token is configured, and a rejected
// token or missing project becomes a `problem` line in the pack instead of a blocked postmortem.
// Transient failures (429, 5xx, network) throw a retryable ApplicationFailure for Temporal to retry.
//
// Endpoint: GET {baseUrl}/api/0/projects/{org}/{project}/issues/
//   query=lastSeen:>=<from> firstSeen:<=<to>   the window: this (deprecated but still served) endpoint
//                                              ignores start/end, so the window is a search filter; an
//                                              explicit query also lifts the implied is:unresolved
//   statsPeriod=                               no timeline stats (only '', '24h', '14d' are accepted)
//   sort=freq, limit=<≤100>, cursor=<from the Link header's rel="next"; results="true">
//   Authorization: Bearer <token>
// `X-Hits` gives the total number of matches, so `omitted` is exact without paging through them.
//
// Not through http.ts's requestJson: it returns the body only, and this endpoint's pagination and
// hit count live in response headers (Link, X-Hits). Its failure policy is kept: same types, same
// retryable statuses, Retry-After honoured.
import { ApplicationFailure } from '@temporalio/common';
import type { EvidenceItem, ExternalEvidence } from '../../domain/incident';
// Types only: importing values from ./datadog would load the Datadog client with this module.
import type { CollectorLimits, CollectorOptions } from '../datadog/evidence';
import { backoffWithJitter, FailureTypes, retryDelayFromHeaders } from '../http';

export interface SentryConfig {
  token: string;
  /** Organization slug. */
  org: string;
  /** Project slug. */
  project: string;
  /** https://sentry.io, a regional host (https://us.sentry.io) or a self-hosted Sentry. */
  baseUrl: string;
}

export interface SentryQuery {
  /** ISO 8601 window. */
  from: string;
  to: string;
}

/** The fields of Sentry's issue (StreamGroupSerializer) the collector reads. */
export interface SentryIssue {
  id: string;
  shortId: string;
  title: string;
  culprit?: string | null;
  permalink?: string | null;
  level?: string | null;
  status?: string | null;
  /** A string in Sentry's answers. */
  count?: string | number | null;
  userCount?: number | null;
  firstSeen?: string | null;
  lastSeen?: string | null;
}

export interface SentryIssuePage {
  issues: SentryIssue[];
  /** The cursor of the next page when Sentry says it has results. */
  next?: string;
  /** `X-Hits`: how many issues match in all (Sentry caps the count at 1,000). */
  hits?: number;
}

const DEFAULT_LIMITS: CollectorLimits = { items: 50 };
const SUMMARY_CHARS = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
const PAGE_MAX = 100;
/** Pages read to count matches when Sentry sends no X-Hits. */
const COUNT_PAGES = 10;
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 10 * 60_000;

function clip(text: string, max = SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A non-retryable answer: becomes the evidence's `problem`. */
export class SentryRejected extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Sentry answered ${status}: ${detail}`);
  }
}

/** The `rel="next"` cursor of a Sentry `Link` header, when that page has results. */
export function nextCursor(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,\s*(?=<)/)) {
    const params = new Map<string, string>();
    for (const match of part.matchAll(/;\s*([a-z]+)="([^"]*)"/gi)) params.set((match[1] ?? '').toLowerCase(), match[2] ?? '');
    if (params.get('rel') === 'next' && params.get('results') === 'true' && params.get('cursor')) return params.get('cursor');
  }
  return undefined;
}

/** X-Sentry-Rate-Limit-Reset is an absolute time, in epoch seconds. */
function sentryResetDelay(headers: Headers, now = Date.now()): number | undefined {
  const reset = Number(headers.get('x-sentry-rate-limit-reset') ?? Number.NaN);
  if (!Number.isFinite(reset)) return undefined;
  return Math.min(Math.max(0, reset * 1000 - now), MAX_RETRY_DELAY_MS);
}

function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { detail?: unknown };
    if (typeof body.detail === 'string') return body.detail;
    if (body.detail !== undefined) return JSON.stringify(body.detail).slice(0, 200);
  } catch {
    // not JSON
  }
  return clip(text, 200) || 'no detail';
}

export class SentryClient {
  constructor(
    private readonly config: SentryConfig,
    private readonly options: CollectorOptions = {},
  ) {}

  private get issuesUrl(): string {
    const { org, project } = this.config;
    return `${this.config.baseUrl.replace(/\/+$/, '')}/api/0/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/issues/`;
  }

  async listIssues(params: { query: string; limit: number; cursor?: string; sort?: string }): Promise<SentryIssuePage> {
    const url = new URL(this.issuesUrl);
    url.searchParams.set('query', params.query);
    url.searchParams.set('statsPeriod', '');
    url.searchParams.set('sort', params.sort ?? 'freq');
    url.searchParams.set('limit', String(params.limit));
    if (params.cursor) url.searchParams.set('cursor', params.cursor);
    const what = `GET ${url.pathname}`;

    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS), ...(this.options.signal ? [this.options.signal] : [])];
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', authorization: `Bearer ${this.config.token}` },
        signal: AbortSignal.any(signals),
      });
      text = await response.text();
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw ApplicationFailure.create({
        type: FailureTypes.transient,
        message: `Sentry ${what}: network error (${reason})`,
        nextRetryDelay: this.options.attempt === undefined ? undefined : backoffWithJitter(this.options.attempt),
      });
    }

    if (!response.ok) {
      const detail = errorDetail(text);
      if (RETRYABLE.has(response.status) || response.status >= 500) {
        throw ApplicationFailure.create({
          type: FailureTypes.transient,
          message: `Sentry ${what} answered ${response.status}: ${detail}`,
          nextRetryDelay:
            retryDelayFromHeaders(response.headers) ??
            (response.status === 429 ? sentryResetDelay(response.headers) : undefined) ??
            (this.options.attempt === undefined ? undefined : backoffWithJitter(this.options.attempt)),
          details: [{ system: 'Sentry', status: response.status }],
        });
      }
      throw new SentryRejected(response.status, detail);
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body)) {
      // A proxy's HTML page with a 200, most likely: transient.
      throw ApplicationFailure.create({
        type: FailureTypes.transient,
        message: `Sentry ${what} answered ${response.status} with a body that is not a list of issues`,
      });
    }
    const hits = Number(response.headers.get('x-hits') ?? Number.NaN);
    return {
      issues: body as SentryIssue[],
      next: nextCursor(response.headers.get('link')),
      hits: Number.isFinite(hits) ? hits : undefined,
    };
  }
}

/** Sentry's issue-search date: ISO 8601 in UTC (`2026-02-10T14:00:00.000Z`). */
const searchDate = (ms: number) => new Date(ms).toISOString();

/** Issues with an event in [from, to]: last seen after the start, first seen before the end. */
export function issuesInWindowQuery(fromMs: number, toMs: number): string {
  return `lastSeen:>=${searchDate(fromMs)} firstSeen:<=${searchDate(toMs)}`;
}

function issueItem(issue: SentryIssue, fromMs: number): EvidenceItem {
  const first = Date.parse(issue.firstSeen ?? '');
  const last = Date.parse(issue.lastSeen ?? '');
  // New during the incident: when it first appeared. Already known: when it was last seen.
  const at = Number.isFinite(first) && (first >= fromMs || !Number.isFinite(last)) ? first : Number.isFinite(last) ? last : fromMs;
  const count = issue.count === null || issue.count === undefined ? '?' : String(issue.count);
  const users = issue.userCount ?? '?';
  return {
    at: new Date(at).toISOString(),
    kind: 'sentry_issue',
    summary: clip(`${issue.shortId} ${issue.title} (${count} events, ${users} users, ${issue.level ?? 'unknown level'})`),
    ...(issue.permalink ? { url: issue.permalink } : {}),
  };
}

/**
 * The project's issues seen during [from, to], the most frequent first when there are more than
 * `limits.items` (the rest are counted in `omitted`), listed in time order.
 */
export async function collectSentryEvidence(
  config: SentryConfig,
  query: SentryQuery,
  limits: CollectorLimits = DEFAULT_LIMITS,
  options: CollectorOptions = {},
): Promise<ExternalEvidence> {
  const fromMs = Date.parse(query.from);
  const toMs = Date.parse(query.to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw ApplicationFailure.create({
      type: 'InvalidEvidenceWindow',
      message: `Sentry evidence window is not a valid range: ${query.from} .. ${query.to}`,
      nonRetryable: true,
    });
  }
  const max = Math.max(0, Math.floor(limits.items));
  const pageSize = Math.min(options.pageSize ?? PAGE_MAX, PAGE_MAX);
  const sentry = new SentryClient(config, options);
  const search = issuesInWindowQuery(fromMs, toMs);

  const kept: SentryIssue[] = [];
  let seen = 0;
  let hits: number | undefined;
  let cursor: string | undefined;
  let pages = 0;
  try {
    do {
      // While filling the bound, ask for what is still needed; past it, only count (when no X-Hits).
      const wanted = kept.length < max ? Math.min(pageSize, max - kept.length) : PAGE_MAX;
      const page = await sentry.listIssues({ query: search, limit: Math.max(1, wanted), cursor });
      pages += 1;
      hits ??= page.hits;
      seen += page.issues.length;
      kept.push(...page.issues.slice(0, Math.max(0, max - kept.length)));
      cursor = page.issues.length > 0 ? page.next : undefined;
    } while (cursor && (kept.length < max || (hits === undefined && pages < COUNT_PAGES)));
  } catch (error) {
    if (!(error instanceof SentryRejected)) throw error;
    return { source: 'sentry', items: [], omitted: 0, problem: error.message };
  }

  const items = kept.map((issue) => issueItem(issue, fromMs)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const total = Math.max(hits ?? seen, seen);
  return { source: 'sentry', items, omitted: Math.max(0, total - kept.length) };
}
