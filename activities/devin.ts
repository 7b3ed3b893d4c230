// Devin API v3: start the postmortem session, then watch it until a pull request is open.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { DevinApiConfig } from '../src/config';
import { requestJson } from './http';

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
  endedWithoutPullRequest: 'SessionEndedWithoutPullRequest',
} as const;

export class DevinClient {
  constructor(
    private readonly config: DevinApiConfig,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
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
    });
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
 * One poll: the PR URL when it is open; a retryable, benign failure while Devin works (the activity's
 * retry policy is the polling loop, so polls add no history events); a non-retryable failure when the
 * session can no longer produce a PR.
 */
export function judgeSession(session: DevinSession): string {
  const pr = pullRequestUrl(session);
  if (pr) return pr;
  const detail = session.status_detail ?? undefined;
  const where = `Devin session ${session.session_id}${session.url ? ` (${session.url})` : ''}`;
  if (session.status === 'exit' || session.status === 'error' || (session.status === 'running' && detail === 'finished')) {
    throw ApplicationFailure.create({
      type: SessionFailureTypes.endedWithoutPullRequest,
      message: `${where} ended (${session.status}${detail ? `/${detail}` : ''}) without opening a pull request`,
      nonRetryable: true,
      details: [{ status: session.status, statusDetail: detail ?? null }],
    });
  }
  if (session.status === 'suspended' && detail && QUOTA_OR_BILLING.has(detail)) {
    throw ApplicationFailure.create({
      type: SessionFailureTypes.endedWithoutPullRequest,
      message: `${where} is suspended (${detail}): an administrator must restore quota or billing`,
      nonRetryable: true,
      details: [{ status: session.status, statusDetail: detail }],
    });
  }
  throw ApplicationFailure.create({
    type: SessionFailureTypes.notReady,
    message: `${where} is ${session.status}${detail ? `/${detail}` : ''}; no pull request yet`,
    category: ApplicationFailureCategory.BENIGN,
  });
}
