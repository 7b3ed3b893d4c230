// Devin API v3: the one client — create a session, read it, list sessions by tag, send it a message,
// terminate or archive it.
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
  /** The session's cost so far. */
  acus_consumed?: number | null;
  is_archived?: boolean;
}

/** A message in the session's conversation (`GET …/messages`, chronological). */
export interface DevinMessage {
  event_id: string;
  message: string;
  /** `devin` or `user`. */
  source: string;
  created_at: number;
}

/** `GET /v3/self`: who the key is. `org_id` is null for keys not scoped to one organization. */
export interface DevinPrincipal {
  principal_type?: string;
  service_user_id?: string | null;
  service_user_name?: string | null;
  org_id?: string | null;
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
  structured_output_required?: boolean;
}

/** Pages of `GET …/sessions` and `…/messages` read at most. */
const MAX_LIST_PAGES = 20;

/** Session ids in paths carry the `devin-` prefix (`devin-abc123`); a bare id gets it. */
export function devinId(sessionId: string): string {
  return sessionId.startsWith('devin-') ? sessionId : `devin-${sessionId}`;
}

interface Page<T> {
  items?: T[];
  has_next_page?: boolean;
  end_cursor?: string | null;
}

export class DevinClient {
  constructor(
    private readonly config: DevinApiConfig,
    private readonly timeoutMs: number,
    /** The caller's cancellation (an activity's). */
    private readonly signal?: AbortSignal,
  ) {}

  private request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, scope: 'org' | 'root' = 'org'): Promise<T> {
    const base = scope === 'org' ? `${this.config.baseUrl}/organizations/${encodeURIComponent(this.config.orgId)}` : this.config.baseUrl;
    return requestJson<T>({
      system: 'Devin',
      method,
      url: `${base}${path}`,
      headers: { authorization: `Bearer ${this.config.apiKey}` },
      body,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
    });
  }

  private sessionPath(sessionId: string, rest = ''): string {
    return `/sessions/${encodeURIComponent(devinId(sessionId))}${rest}`;
  }

  /** The key's principal and its organization: a cheap check of DEVIN_API_KEY and DEVIN_ORG_ID. */
  self(): Promise<DevinPrincipal> {
    return this.request<DevinPrincipal>('GET', '/self', undefined, 'root');
  }

  /** Also resumes a suspended session. */
  sendMessage(sessionId: string, message: string): Promise<unknown> {
    return this.request('POST', this.sessionPath(sessionId, '/messages'), { message });
  }

  createSession(body: CreateSessionRequest): Promise<DevinSession> {
    return this.request<DevinSession>('POST', '/sessions', body);
  }

  getSession(sessionId: string): Promise<DevinSession> {
    return this.request<DevinSession>('GET', this.sessionPath(sessionId));
  }

  /** Ends the session for good (it stops consuming ACUs); not archived, so it stays readable. */
  terminate(sessionId: string): Promise<DevinSession> {
    return this.request<DevinSession>('DELETE', this.sessionPath(sessionId, '?archive=false'));
  }

  /**
   * Archives the session (`POST …/sessions/{id}/archive`); it stays readable, with `is_archived: true`. An
   * archived session no longer answers PR review comments: archive only once its pull request is merged.
   */
  archive(sessionId: string): Promise<DevinSession> {
    return this.request<DevinSession>('POST', this.sessionPath(sessionId, '/archive'));
  }

  /** The session's conversation, oldest first. */
  async messages(sessionId: string): Promise<DevinMessage[]> {
    const messages: DevinMessage[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query = new URLSearchParams({ first: '200', ...(after ? { after } : {}) });
      const body = await this.request<Page<DevinMessage>>('GET', this.sessionPath(sessionId, `/messages?${query.toString()}`));
      messages.push(...(body.items ?? []));
      if (!body.has_next_page || !body.end_cursor) break;
      after = body.end_cursor;
    }
    return messages;
  }

  /** All sessions carrying every one of `tags`, oldest first. */
  async sessionsTagged(tags: string[]): Promise<DevinSession[]> {
    const sessions: DevinSession[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query = new URLSearchParams([...tags.map((t): [string, string] => ['tags', t]), ['first', '100']]);
      if (after) query.set('after', after);
      const body = await this.request<Page<DevinSession>>('GET', `/sessions?${query.toString()}`);
      // Filter again client-side: the tag filter's any/all semantics are not documented.
      sessions.push(...(body.items ?? []).filter((s) => tags.every((t) => s.tags?.includes(t))));
      if (!body.has_next_page || !body.end_cursor) break;
      after = body.end_cursor;
    }
    return sessions.sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
  }
}
