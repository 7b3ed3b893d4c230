// The session model behind the fake Devin v3 API (devin-api.ts): request validation (problem+json with
// pydantic-style field errors; 400 for a field the create request does not have), session creation, the
// default status progression, messages, and cursor pagination `{items, end_cursor, has_next_page,
// total}`. Timestamps are epoch seconds.
import { randomBytes } from 'node:crypto';
import { ReplyError } from './fake-server';

export interface FakeDevinSession {
  session_id: string;
  url: string;
  org_id: string;
  title: string | null;
  tags: string[];
  playbook_id: string | null;
  status: string;
  status_detail: string | null;
  created_at: number;
  updated_at: number;
  pull_requests: { pr_url: string; pr_state: string | null }[];
  structured_output: Record<string, unknown> | null;
  is_archived: boolean;
  acus_consumed: number;
  // test-only bookkeeping, not serialized in responses:
  prompt: string;
  body: Record<string, unknown>;
  /** What clients sent (`POST …/messages`), in order. */
  messages: string[];
  /** The conversation as `GET …/messages` lists it: the user's messages and Devin's. */
  conversation: { event_id: string; message: string; source: 'devin' | 'user'; created_at: number }[];
  polls: number;
  /** Ended through `DELETE …/sessions/{id}`. */
  terminated?: boolean;
  /** `POST …/sessions/{id}/archive` calls received (a second one changes nothing). */
  archiveCalls?: number;
}

export type DevinRoute = 'create' | 'get' | 'list' | 'message' | 'messages' | 'terminate' | 'archive' | 'self';

/** The fields of SessionCreateRequest (the v3 OpenAPI): any other is refused with a 400. */
const CREATE_FIELDS = new Set([
  'attachment_urls',
  'bypass_approval',
  'child_playbook_id',
  'create_as_user_id',
  'devin_mode',
  'knowledge_ids',
  'max_acu_limit',
  'platform',
  'playbook_id',
  'prompt',
  'repos',
  'secret_ids',
  'session_links',
  'session_secrets',
  'structured_output_required',
  'structured_output_schema',
  'tags',
  'title',
]);
/** A tag Devin adds to every session on its own (real sessions carry such system tags besides the caller's). */
export const SYSTEM_TAG = 'origin:api';

/** Fields a SessionResponse carries; everything else on FakeDevinSession is bookkeeping. */
const RESPONSE_FIELDS = [
  'session_id',
  'url',
  'org_id',
  'title',
  'tags',
  'playbook_id',
  'status',
  'status_detail',
  'created_at',
  'updated_at',
  'pull_requests',
  'structured_output',
  'is_archived',
  'acus_consumed',
] as const satisfies readonly (keyof FakeDevinSession)[];

const IN_PROGRESS = new Set(['new', 'claimed', 'resuming', 'creating']);

interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

const invalid = (issues: ValidationIssue[]) =>
  new ReplyError(422, { type: 'about:blank', title: 'Unprocessable Entity', status: 422, detail: issues, errors: issues });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return isRecord(value) && typeof value.s === 'number' && Number.isInteger(value.s) ? value.s : undefined;
  } catch {
    return undefined;
  }
}

function stringField(body: Record<string, unknown>, key: string, required: boolean, issues: ValidationIssue[]): string | null | undefined {
  const value = body[key];
  if (value === undefined) {
    if (required) issues.push({ loc: ['body', key], msg: 'Field required', type: 'missing', input: body });
    return undefined;
  }
  if (value === null && !required) return null;
  if (typeof value !== 'string') {
    issues.push({ loc: ['body', key], msg: 'Input should be a valid string', type: 'string_type', input: value });
    return undefined;
  }
  return value;
}

function stringListField(body: Record<string, unknown>, key: string, issues: ValidationIssue[], max?: number): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.push({ loc: ['body', key], msg: 'Input should be a valid list', type: 'list_type', input: value });
    return undefined;
  }
  const list: string[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item === 'string') list.push(item);
    else issues.push({ loc: ['body', key, index], msg: 'Input should be a valid string', type: 'string_type', input: item });
  });
  if (max !== undefined && list.length > max) {
    issues.push({ loc: ['body', key], msg: `List should have at most ${max} items after validation, not ${list.length}`, type: 'too_long', input: value });
  }
  return list;
}

function parsedJsonObject(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw invalid([{ loc: ['body', 0], msg: `JSON decode error: ${error instanceof Error ? error.message : String(error)}`, type: 'json_invalid' }]);
  }
  if (!isRecord(body)) {
    throw invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input: body }]);
  }
  return body;
}

function epochQuery(query: URLSearchParams, key: string, issues: ValidationIssue[]): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    issues.push({ loc: ['query', key], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing', input: raw });
    return undefined;
  }
  return n;
}

/** The SessionResponse for `session` as the API serializes it. */
export function serialize(session: FakeDevinSession, options: { structuredOutput?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of RESPONSE_FIELDS) {
    if (key === 'structured_output' && options.structuredOutput === false) continue;
    const value = session[key];
    out[key] = Array.isArray(value) ? value.map((v: unknown) => (isRecord(v) ? { ...v } : v)) : value;
  }
  return out;
}

/** A new session from a create request's body (422 when it does not validate). */
export function newSession(raw: string, orgId: string): FakeDevinSession {
  const body = parsedJsonObject(raw);
  const unknown = Object.keys(body).filter((key) => !CREATE_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new ReplyError(400, { type: 'about:blank', title: 'Bad Request', status: 400, detail: `Unknown field(s) in the request: ${unknown.join(', ')}` });
  }
  const issues: ValidationIssue[] = [];
  const prompt = stringField(body, 'prompt', true, issues);
  const title = stringField(body, 'title', false, issues);
  const playbookId = stringField(body, 'playbook_id', false, issues);
  const tags = stringListField(body, 'tags', issues, 50);
  for (const key of ['knowledge_ids', 'secret_ids', 'repos', 'attachment_urls']) stringListField(body, key, issues);
  const limit = body.max_acu_limit;
  if (limit !== undefined && limit !== null && !(typeof limit === 'number' && Number.isInteger(limit))) {
    issues.push({ loc: ['body', 'max_acu_limit'], msg: 'Input should be a valid integer', type: 'int_type', input: limit });
  }
  if (issues.length > 0 || prompt === undefined || prompt === null) throw invalid(issues);

  const hex = randomBytes(16).toString('hex');
  const now = nowSeconds();
  return {
    session_id: `devin-${hex}`,
    url: `https://app.devin.ai/sessions/${hex}`,
    org_id: orgId,
    title: title ?? null,
    tags: [...(tags ?? []), SYSTEM_TAG],
    playbook_id: playbookId ?? null,
    status: 'new',
    status_detail: null,
    created_at: now,
    updated_at: now,
    pull_requests: [],
    structured_output: null,
    is_archived: false,
    acus_consumed: 0,
    prompt,
    body,
    messages: [],
    conversation: [],
    polls: 0,
  };
}

/**
 * The default progression on a poll: in-progress states become `running`/`working`, a pull request
 * appears after `pullRequestAfterPolls` polls, and on the next poll the turn ends: `running`/`finished`
 * (real sessions rarely reach `exit`). ACUs accrue while Devin works. States a test set by hand (exit, suspended,
 * waiting_for_user, …) stay put.
 */
export function progress(session: FakeDevinSession, pullRequestAfterPolls: number, nextPullRequestUrl: () => string): void {
  if (IN_PROGRESS.has(session.status)) {
    session.status = 'running';
    session.status_detail = 'working';
  }
  if (session.status === 'running' && session.status_detail === 'working' && session.pull_requests.length > 0) session.status_detail = 'finished';
  if (session.status === 'running' && session.status_detail === 'working' && session.polls >= pullRequestAfterPolls && session.pull_requests.length === 0) {
    session.pull_requests.push({ pr_url: nextPullRequestUrl(), pr_state: 'open' });
  }
  if (session.status === 'running' && session.status_detail === 'working') session.acus_consumed = Math.round((session.acus_consumed + 0.25) * 100) / 100;
}

/**
 * After a test's `onPoll` override: a session shown with an open PR (or a reported wiki page) and still at
 * running/working, when the override did not say where Devin is, ends its turn as Devin does once it
 * delivered.
 */
export function endTurnWithPullRequest(session: FakeDevinSession, override: Partial<FakeDevinSession>): void {
  if ('status' in override || 'status_detail' in override) return;
  if (IN_PROGRESS.has(session.status)) session.status = 'running';
  // Devin's turn ends once it has delivered: a PR opened, or (wiki destination) the page it reports.
  const delivered = session.pull_requests.some((pr) => pr.pr_state !== 'closed') || typeof session.structured_output?.page_url === 'string';
  if (session.status === 'running' && (session.status_detail === 'working' || session.status_detail === null) && delivered) session.status_detail = 'finished';
}

export function addMessage(session: FakeDevinSession, source: 'devin' | 'user', message: string): void {
  session.conversation.push({ event_id: `event-${randomBytes(8).toString('hex')}`, message, source, created_at: nowSeconds() });
  touch(session);
}

/** `GET …/sessions/{id}/messages`: the conversation, oldest first, a page at a time. */
export function listMessages(session: FakeDevinSession, query: URLSearchParams): unknown {
  const first = Math.min(Math.max(Number(query.get('first') ?? 100) || 100, 1), 200);
  const after = query.get('after');
  const start = after ? session.conversation.findIndex((m) => m.event_id === after) + 1 : 0;
  const page = session.conversation.slice(start, start + first);
  const last = page[page.length - 1];
  const more = start + page.length < session.conversation.length;
  return { items: page.map((m) => ({ ...m })), end_cursor: more && last ? last.event_id : null, has_next_page: more, total: session.conversation.length };
}

/**
 * A message sent to the session (422 when the body does not validate). As documented, it resumes a
 * suspended session — whatever suspended it — and answers a session waiting for a user.
 */
export function receiveMessage(session: FakeDevinSession, raw: string): void {
  const body = parsedJsonObject(raw);
  const issues: ValidationIssue[] = [];
  const text = stringField(body, 'message', true, issues);
  if (issues.length > 0 || typeof text !== 'string') throw invalid(issues);
  session.messages.push(text);
  addMessage(session, 'user', text);
  if (session.status === 'suspended' || (session.status === 'running' && session.status_detail === 'waiting_for_user')) {
    session.status = 'running';
    session.status_detail = 'working';
  }
  touch(session);
}

export function touch(session: FakeDevinSession): void {
  session.updated_at = Math.max(session.updated_at, nowSeconds());
}

/**
 * One page of `GET …/sessions`: filters, newest first by creation order (`seq`, which gives sessions
 * a test pushed by hand their place once the query validated), cursor after the last item.
 */
export function listSessions(sessions: FakeDevinSession[], query: URLSearchParams, seq: (session: FakeDevinSession) => number): unknown {
  const issues: ValidationIssue[] = [];
  let first = 100;
  const rawFirst = query.get('first');
  if (rawFirst !== null) {
    const n = Number(rawFirst);
    if (rawFirst.trim() === '' || !Number.isInteger(n)) {
      issues.push({ loc: ['query', 'first'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing', input: rawFirst });
    } else if (n < 1) {
      issues.push({ loc: ['query', 'first'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal', input: rawFirst });
    } else if (n > 200) {
      issues.push({ loc: ['query', 'first'], msg: 'Input should be less than or equal to 200', type: 'less_than_equal', input: rawFirst });
    } else {
      first = n;
    }
  }
  let afterSeq: number | undefined;
  const after = query.get('after');
  if (after !== null && after !== '') {
    afterSeq = decodeCursor(after);
    if (afterSeq === undefined) issues.push({ loc: ['query', 'after'], msg: 'Invalid cursor', type: 'value_error', input: after });
  }
  const createdAfter = epochQuery(query, 'created_after', issues);
  const createdBefore = epochQuery(query, 'created_before', issues);
  const updatedAfter = epochQuery(query, 'updated_after', issues);
  const updatedBefore = epochQuery(query, 'updated_before', issues);
  if (issues.length > 0) throw invalid(issues);

  const tags = query.getAll('tags');
  const sessionIds = query.getAll('session_ids');
  const playbookId = query.get('playbook_id');
  for (const s of sessions) seq(s);
  const matching = sessions
    .filter(
      (s) =>
        tags.every((t) => s.tags.includes(t)) &&
        (sessionIds.length === 0 || sessionIds.includes(s.session_id)) &&
        (playbookId === null || s.playbook_id === playbookId) &&
        (createdAfter === undefined || s.created_at >= createdAfter) &&
        (createdBefore === undefined || s.created_at <= createdBefore) &&
        (updatedAfter === undefined || s.updated_at >= updatedAfter) &&
        (updatedBefore === undefined || s.updated_at <= updatedBefore),
    )
    .sort((a, b) => seq(b) - seq(a));
  const remaining = afterSeq === undefined ? matching : matching.filter((s) => seq(s) < afterSeq);
  const page = remaining.slice(0, first);
  const last = page[page.length - 1];
  return {
    items: page.map((s) => serialize(s)),
    end_cursor: last ? encodeCursor(seq(last)) : null,
    has_next_page: remaining.length > page.length,
    total: matching.length,
  };
}
