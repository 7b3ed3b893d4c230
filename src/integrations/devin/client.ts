// Devin API v3: start the postmortem session, then watch it until a pull request is open.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { DevinApiConfig } from '../../config';
import { requestJson } from '../http';

/** Status values as documented; parsed leniently because the API adds values over time. */
export interface DevinSession {
  session_id: string;
  url?: string;
  status: string;
  status_detail?: string | null;
  tags?: string[];
  created_at?: number;
  pull_requests?: { pr_url?: string | null; pr_state?: string | null }[];
  structured_output?: Record<string, unknown> | null;
}

export interface CreateSessionRequest {
  prompt: string;
  title: string;
  tags: string[];
  playbook_id?: string;
  knowledge_ids?: string[];
  repos?: string[];
  max_acu_limit?: number;
  structured_output_schema?: Record<string, unknown>;
}

const QUOTA_OR_BILLING = new Set([
  'usage_limit_exceeded',
  'out_of_credits',
  'out_of_quota',
  'no_quota_allocation',
  'payment_declined',
  'org_usage_limit_exceeded',
  'total_session_limit_exceeded',
  'error',
]);

export const SessionFailureTypes = {
  notReady: 'PullRequestNotReady',
  /** Quota, billing, an error, or approval needed: a human must act in Devin. */
  cannotContinue: 'SessionCannotContinue',
} as const;

/** Situations the workflow answers with a message to the session. */
export type SessionSituation = 'waiting_for_user' | 'finished_without_pr' | 'inactive';

/** What the session reported through `structured_output_schema`, type-checked. */
export interface PostmortemReport {
  prUrl?: string;
  pageUrl?: string;
  postmortemPath?: string;
  rootCause?: string;
  rootCauseConfirmed?: boolean;
  actionItems?: string[];
}

export type SessionObservation =
  | { kind: 'published'; url: string; report?: PostmortemReport }
  | { kind: SessionSituation; status: string; detail?: string };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim().length > 0 ? value.trim().slice(0, 2_000) : undefined);

export function postmortemReport(session: DevinSession): PostmortemReport | undefined {
  const output = session.structured_output;
  if (!output || typeof output !== 'object') return undefined;
  const items = Array.isArray(output.action_items)
    ? output.action_items
        .map((item) => (typeof item === 'string' ? text(item) : item && typeof item === 'object' ? text((item as Record<string, unknown>).title ?? (item as Record<string, unknown>).description) : undefined))
        .filter((item): item is string => item !== undefined)
        .slice(0, 50)
    : undefined;
  return {
    prUrl: text(output.pr_url),
    pageUrl: text(output.page_url),
    postmortemPath: text(output.postmortem_path),
    rootCause: text(output.root_cause),
    rootCauseConfirmed: typeof output.root_cause_confirmed === 'boolean' ? output.root_cause_confirmed : undefined,
    actionItems: items,
  };
}

export class DevinClient {
  constructor(
    private readonly config: DevinApiConfig,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    private readonly attempt?: number,
  ) {}

  private request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return requestJson<T>({
      system: 'Devin',
      method,
      url: `${this.config.baseUrl}/organizations/${encodeURIComponent(this.config.orgId)}${path}`,
      headers: { authorization: `Bearer ${this.config.apiKey}` },
      body,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      attempt: this.attempt,
    });
  }

  /** Also resumes a suspended session. */
  sendMessage(sessionId: string, message: string): Promise<unknown> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/messages`, { message });
  }

  createSession(body: CreateSessionRequest): Promise<DevinSession> {
    return this.request<DevinSession>('POST', '/sessions', body);
  }

  getSession(sessionId: string): Promise<DevinSession> {
    return this.request<DevinSession>('GET', `/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** All sessions carrying every one of `tags`, oldest first. */
  async sessionsTagged(tags: string[]): Promise<DevinSession[]> {
    const sessions: DevinSession[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams([...tags.map((t): [string, string] => ['tags', t]), ['first', '100']]);
      if (after) query.set('after', after);
      const body = await this.request<{ items?: DevinSession[]; has_next_page?: boolean; end_cursor?: string | null }>(
        'GET',
        `/sessions?${query.toString()}`,
      );
      // Filter again client-side: the tag filter's any/all semantics are not documented.
      sessions.push(...(body.items ?? []).filter((s) => tags.every((t) => s.tags?.includes(t))));
      if (!body.has_next_page || !body.end_cursor) break;
      after = body.end_cursor;
    }
    return sessions.sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
  }
}

export function pullRequestUrl(session: DevinSession): string | undefined {
  return session.pull_requests?.find((pr) => typeof pr.pr_url === 'string' && pr.pr_url.length > 0)?.pr_url ?? undefined;
}

/**
 * One poll. An open PR, or a situation the workflow must answer, is returned; while Devin simply works,
 * a retryable, benign failure is thrown (the activity's retry policy is the polling loop, so polls add
 * no history events); a session that cannot continue without a human is a non-retryable failure.
 * `ignore` lists situations already answered, which then count as "still working".
 */
export function judgeSession(session: DevinSession, ignore: SessionSituation[] = [], destination: 'repo' | 'wiki' = 'repo'): SessionObservation {
  const report = postmortemReport(session);
  // Repo: an open PR. Wiki: the page URL the session reports in its structured output.
  const published = destination === 'wiki' ? report?.pageUrl : (pullRequestUrl(session) ?? undefined);
  if (published) return { kind: 'published', url: published, report };
  const detail = session.status_detail ?? undefined;
  const where = `Devin session ${session.session_id}${session.url ? ` (${session.url})` : ''}`;
  const state = `${session.status}${detail ? `/${detail}` : ''}`;

  const situation = ((): SessionSituation | undefined => {
    if (session.status === 'exit' || (session.status === 'running' && detail === 'finished')) return 'finished_without_pr';
    if (session.status === 'running' && detail === 'waiting_for_user') return 'waiting_for_user';
    if (session.status === 'suspended' && detail === 'inactivity') return 'inactive';
    return undefined;
  })();
  if (situation && !ignore.includes(situation)) return { kind: situation, status: session.status, detail };

  const cannotContinue =
    session.status === 'error'
      ? `${where} failed (${state})`
      : session.status === 'suspended' && detail && QUOTA_OR_BILLING.has(detail)
        ? `${where} is suspended (${detail}): restore quota or billing in Devin, then signal retry`
        : session.status === 'running' && detail === 'waiting_for_approval'
          ? `${where} waits for approval (safe mode): approve it in Devin, then signal retry`
          : undefined;
  if (cannotContinue) {
    throw ApplicationFailure.create({
      type: SessionFailureTypes.cannotContinue,
      message: cannotContinue,
      nonRetryable: true,
      details: [{ status: session.status, statusDetail: detail ?? null }],
    });
  }
  throw ApplicationFailure.create({
    type: SessionFailureTypes.notReady,
    message: `${where} is ${state}; no pull request yet`,
    category: ApplicationFailureCategory.BENIGN,
  });
}
