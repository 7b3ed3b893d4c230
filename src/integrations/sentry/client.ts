// Sentry's REST API (no SDK): one project's issues, with the pagination and hit count that live in
// the response headers (Link, X-Hits). Failures follow the one HTTP policy (../http.ts).
//
// Endpoint: GET {baseUrl}/api/0/projects/{org}/{project}/issues/
//   query=lastSeen:>=<from> firstSeen:<=<to>   the window: this (deprecated but still served) endpoint
//                                              ignores start/end, so the window is a search filter; an
//                                              explicit query also lifts the implied is:unresolved
//   statsPeriod=                               no timeline stats (only '', '24h', '14d' are accepted)
//   sort=freq, limit=<≤100>, cursor=<from the Link header's rel="next"; results="true">
//   Authorization: Bearer <token>
import { type CollectorOptions, DEFAULT_COLLECTOR_TIMEOUT_MS } from '../collector';
import { send, unexpectedBody } from '../http';

export interface SentryConfig {
  token: string;
  /** Organization slug. */
  org: string;
  /** Project slug. */
  project: string;
  /** https://sentry.io, a regional host (https://us.sentry.io) or a self-hosted Sentry. */
  baseUrl: string;
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
    const request = {
      system: 'Sentry',
      method: 'GET' as const,
      url: url.toString(),
      headers: { authorization: `Bearer ${this.config.token}` },
      timeoutMs: this.options.timeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS,
      signal: this.options.signal,
    };
    const answer = await send(request);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body)) throw unexpectedBody(request, answer.status, 'a list of issues');
    const hits = Number(answer.headers.get('x-hits') ?? Number.NaN);
    return { issues: body as SentryIssue[], next: nextCursor(answer.headers.get('link')), hits: Number.isFinite(hits) ? hits : undefined };
  }
}
