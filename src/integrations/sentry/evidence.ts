// The Sentry collector: the issues of one project that were seen during the incident. Optional
// evidence: the worker calls it only when a Sentry token is configured, and a rejected token or missing
// project becomes a `problem` line in the pack instead of a blocked postmortem. Transient failures
// (429, 5xx, network) are thrown for the caller (Temporal) to retry. `X-Hits` gives the total number of
// matches, so `omitted` is exact without paging through them.
import type { EvidenceItem, ExternalEvidence } from '../../domain/evidence';
import { type CollectorLimits, type CollectorOptions, DEFAULT_COLLECTOR_LIMITS, evidenceWindow } from '../collector';
import { rawText } from '../evidence-text';
import { ExternalServiceError } from '../http';
import { type SentryConfig, SentryClient, type SentryIssue } from './client';

export interface SentryQuery {
  /** ISO 8601 window. */
  from: string;
  to: string;
}

const PAGE_MAX = 100;
/** Pages read to count matches when Sentry sends no X-Hits. */
const COUNT_PAGES = 10;

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
    // Whole: clipped (clipEvidence) only after the activity has redacted it.
    summary: rawText(`${issue.shortId} ${issue.title} (${count} events, ${users} users, ${issue.level ?? 'unknown level'})`),
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
  limits: CollectorLimits = DEFAULT_COLLECTOR_LIMITS,
  options: CollectorOptions = {},
): Promise<ExternalEvidence> {
  const { fromMs, toMs } = evidenceWindow('Sentry', query.from, query.to);
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
    // A rejected token or a missing project: said in `problem`; outages are retried.
    if (!(error instanceof ExternalServiceError) || error.retryable) throw error;
    return { source: 'sentry', items: [], omitted: 0, problem: `Sentry answered ${error.status}: ${error.detail}` };
  }

  const items = kept.map((issue) => issueItem(issue, fromMs)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const total = Math.max(hits ?? seen, seen);
  return { source: 'sentry', items, omitted: Math.max(0, total - kept.length) };
}
