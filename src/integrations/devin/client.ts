// Devin API v3: the one client — create a session, read it, list sessions by tag, send it a message.
// Failures follow the one HTTP policy (../http.ts); retrying is the caller's.
import { requestJson } from '../http';

export interface DevinApiConfig {
  apiKey: string;
  /** `org-…`, shown under Settings > Service users. */
  orgId: string;
  baseUrl: string;
}

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

/** Pages of `GET …/sessions` read at most, at 100 a page. */
const MAX_LIST_PAGES = 20;

export class DevinClient {
  constructor(
    private readonly config: DevinApiConfig,
    private readonly timeoutMs: number,
    /** The caller's cancellation (an activity's). */
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
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query = new URLSearchParams([...tags.map((t): [string, string] => ['tags', t]), ['first', '100']]);
      if (after) query.set('after', after);
      const body = await this.request<{ items?: DevinSession[]; has_next_page?: boolean; end_cursor?: string | null }>('GET', `/sessions?${query.toString()}`);
      // Filter again client-side: the tag filter's any/all semantics are not documented.
      sessions.push(...(body.items ?? []).filter((s) => tags.every((t) => s.tags?.includes(t))));
      if (!body.has_next_page || !body.end_cursor) break;
      after = body.end_cursor;
    }
    return sessions.sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
  }
}
