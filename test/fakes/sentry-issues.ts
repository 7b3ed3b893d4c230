// Sentry's issues as the fake Sentry API (sentry-api.ts) stores, searches and serializes them: the
// issue-search subset the collector uses and the StreamGroupSerializer shape (`count` a string,
// `userCount` a number, microsecond `...Z` dates).
import { ReplyError } from './fake-server';

export interface FakeSentryIssueSeed {
  id?: string;
  shortId?: string;
  title: string;
  culprit?: string;
  level?: 'fatal' | 'error' | 'warning' | 'info' | 'debug';
  status?: 'unresolved' | 'resolved' | 'ignored';
  /** Lifetime event count (Sentry sends it as a string). */
  count: number;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  platform?: string;
}

export interface StoredIssue {
  id: string;
  seed: FakeSentryIssueSeed;
  firstMs: number;
  lastMs: number;
  shortId: string;
}

/** Sentry's DRF-style error answer: `{"detail": ...}`. */
export const sentryError = (status: number, detail: string, headers: Record<string, string> = {}) => new ReplyError(status, { detail }, headers);

/** Sentry's JSON dates: microseconds and `Z` (`2026-02-10T14:02:11.392000Z`). */
const sentryDate = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Sentry's issue-search dates: `YYYY-MM-DD`, optional `THH:MM:SS`, optional `.ffffff`, optional `Z` or `±HH:MM`. */
const SEARCH_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$/;

type Filter = (issue: StoredIssue) => boolean;

/**
 * The issue-search subset the collector uses: `firstSeen:`/`lastSeen:` with `>=`, `<=`, `>`, `<`,
 * `is:unresolved|resolved|ignored`, `level:`, and free text against the title. Unknown keys are a
 * 400, so a client drifting from the syntax fails loudly.
 */
export function parseIssueQuery(query: string): Filter[] {
  const filters: Filter[] = [];
  for (const token of query.trim().split(/\s+/).filter((t) => t.length > 0)) {
    const dated = /^(firstSeen|lastSeen):(>=|<=|>|<)?(.+)$/.exec(token);
    if (dated) {
      const [, key, op = '=', value = ''] = dated;
      if (!SEARCH_DATE.test(value)) throw sentryError(400, `Error parsing search query: Invalid date: ${value}`);
      const bound = Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:\d{2})$/.test(value) ? `${value}Z` : value);
      const pick = (issue: StoredIssue) => (key === 'firstSeen' ? issue.firstMs : issue.lastMs);
      filters.push((issue) => {
        const at = pick(issue);
        return op === '>=' ? at >= bound : op === '<=' ? at <= bound : op === '>' ? at > bound : op === '<' ? at < bound : at === bound;
      });
      continue;
    }
    const is = /^is:(unresolved|resolved|ignored)$/.exec(token);
    if (is) {
      filters.push((issue) => (issue.seed.status ?? 'unresolved') === is[1]);
      continue;
    }
    const level = /^level:(\w+)$/.exec(token);
    if (level) {
      filters.push((issue) => (issue.seed.level ?? 'error') === level[1]);
      continue;
    }
    if (token.includes(':')) throw sentryError(400, `Error parsing search query: the fake does not search '${token}'`);
    filters.push((issue) => issue.seed.title.toLowerCase().includes(token.toLowerCase()));
  }
  return filters;
}

/** An issue as the StreamGroupSerializer writes it. */
export function serializeIssue(issue: StoredIssue, stats: string | undefined, org: string, project: string) {
  const seed = issue.seed;
  const [type, ...rest] = seed.title.split(': ');
  return {
    id: issue.id,
    shareId: null,
    shortId: issue.shortId,
    title: seed.title,
    culprit: seed.culprit ?? 'POST /api/checkout',
    permalink: `https://${org}.sentry.io/issues/${issue.id}/`,
    logger: null,
    level: seed.level ?? 'error',
    status: seed.status ?? 'unresolved',
    statusDetails: {},
    substatus: (seed.status ?? 'unresolved') === 'unresolved' ? 'ongoing' : null,
    isPublic: false,
    platform: seed.platform ?? 'node',
    project: { id: '4505123456789', name: project, slug: project, platform: seed.platform ?? 'node' },
    type: 'error',
    metadata: rest.length > 0 ? { type, value: rest.join(': '), filename: 'src/cart/totals.ts', function: 'calculateTotals' } : { title: seed.title },
    numComments: 0,
    assignedTo: null,
    isBookmarked: false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: false,
    annotations: [],
    issueType: 'error',
    issueCategory: 'error',
    priority: seed.level === 'fatal' || seed.level === 'error' || seed.level === undefined ? 'high' : 'medium',
    priorityLockedAt: null,
    isUnhandled: true,
    count: String(seed.count),
    userCount: seed.userCount,
    firstSeen: sentryDate(issue.firstMs),
    lastSeen: sentryDate(issue.lastMs),
    ...(stats ? { stats: { [stats]: Array.from({ length: stats === '24h' ? 24 : 14 }, (_, i) => [Math.floor(issue.lastMs / 3_600_000) * 3600 - i * 3600, 0]).reverse() } } : {}),
  };
}
