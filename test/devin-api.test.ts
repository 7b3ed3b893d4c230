// The real Devin client (src/integrations/devin over the one HTTP policy) against the local fake of
// Devin's v3 API: session progression, tag lookup, and how each failure is classified for Temporal
// (through the activities' translation, activities/failures.ts and activities/session.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities';
import { toActivityFailure } from '../activities/failures';
import { observeSession as judgeSession } from '../activities/session';
import { loadWorkerConfig } from '../src/config';
import { FailureTypes } from '../src/domain/failures';
import type { SessionSituation } from '../src/domain/session';
import { DevinClient, type DevinSession } from '../src/integrations/devin/client';
import { choosePullRequest } from '../src/integrations/devin/session';

const pullRequestUrl = (s: DevinSession) => choosePullRequest(s, undefined, true).url;
import { FakeDevinApi } from './fakes/devin-api';

/** The failure types the workflow reads, under the names this file has always used. */
const SessionFailureTypes = { notReady: FailureTypes.pullRequestNotReady, cannotContinue: FailureTypes.sessionCannotContinue } as const;

const TIMEOUT_MS = 5_000;

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (caught) {
    const error = toActivityFailure(caught);
    if (error instanceof ApplicationFailure) return error;
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`, { cause: caught });
  }
  throw new Error('expected the call to fail');
}

function judged(session: DevinSession, ignore: SessionSituation[] = []): ApplicationFailure {
  try {
    judgeSession(session, { ignore });
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected judgeSession to throw');
}

function session(overrides: Partial<DevinSession>): DevinSession {
  return { session_id: 'devin-0123456789abcdef0123456789abcdef', url: 'https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef', status: 'running', ...overrides };
}

describe('DevinClient against the fake Devin v3 API', () => {
  let fake: FakeDevinApi;
  let client: DevinClient;

  beforeEach(async () => {
    fake = await FakeDevinApi.start();
    client = new DevinClient({ apiKey: fake.apiKey, orgId: fake.orgId, baseUrl: fake.baseUrl }, TIMEOUT_MS);
  });

  afterEach(async () => {
    await fake.close();
  });

  async function rawRequest(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${fake.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  test('create, then polls progress from new to running to an open pull request', async () => {
    const created = await client.createSession({ prompt: 'Draft a postmortem', title: 'Postmortem: db down', tags: ['pd-incident:P1', 'pagerduty-postmortem'], playbook_id: 'playbook-abc' });
    expect(created.session_id).toMatch(/^devin-[0-9a-f]{32}$/);
    expect(created.url).toBe(`https://app.devin.ai/sessions/${created.session_id.slice('devin-'.length)}`);
    expect(created.status).toBe('new');
    // Devin adds system tags of its own besides the caller's.
    expect(created.tags).toEqual(expect.arrayContaining(['pd-incident:P1', 'pagerduty-postmortem']));
    expect(created).not.toHaveProperty('prompt');
    expect(created).not.toHaveProperty('polls');
    expect(fake.createCount()).toBe(1);
    expect(fake.sessions[0]?.prompt).toBe('Draft a postmortem');
    expect(fake.sessions[0]?.playbook_id).toBe('playbook-abc');

    const request = fake.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/v3/organizations/${fake.orgId}/sessions`);
    expect(request?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.body).toMatchObject({ prompt: 'Draft a postmortem', title: 'Postmortem: db down' });

    const first = await client.getSession(created.session_id);
    expect(first).toMatchObject({ status: 'running', status_detail: 'working', pull_requests: [] });
    expect(pullRequestUrl(first)).toBeUndefined();
    const notReady = judged(first);
    expect(notReady.type).toBe(SessionFailureTypes.notReady);
    expect(notReady.nonRetryable).toBe(false);

    const second = await client.getSession(created.session_id);
    expect(second).toMatchObject({ status: 'running', status_detail: 'working' });
    expect(pullRequestUrl(second)).toMatch(/^https:\/\/github\.com\/acme\/runbooks\/pull\/\d+$/);
    // The PR is open while Devin's turn goes on: published, but its report not final yet.
    expect(judgeSession(second)).toEqual({ kind: 'published', url: pullRequestUrl(second), report: undefined, final: false, acus: second.acus_consumed });
    // Real sessions then sit at running/finished rather than reach exit.
    const third = await client.getSession(created.session_id);
    expect(third).toMatchObject({ status: 'running', status_detail: 'finished' });
    expect(judgeSession(third)).toMatchObject({ kind: 'published', final: true });
    expect(fake.sessions[0]?.polls).toBe(3);
  });

  test('pullRequestAfterPolls and onPoll shape the progression', async () => {
    fake.pullRequestAfterPolls = 3;
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    expect(pullRequestUrl(await client.getSession(session_id))).toBeUndefined();
    expect(pullRequestUrl(await client.getSession(session_id))).toBeUndefined();
    expect(pullRequestUrl(await client.getSession(session_id))).toBeDefined();

    const other = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    fake.onPoll = (_s, poll) => (poll === 1 ? { status: 'exit', status_detail: null } : undefined);
    const exited = await client.getSession(other.session_id);
    expect(exited.status).toBe('exit');
    expect(judgeSession(exited)).toMatchObject({ kind: 'finished_without_pr', status: 'exit' });
    // A session a test moved out of the happy path stays there under the default progression.
    expect((await client.getSession(other.session_id)).status).toBe('exit');
  });

  test('sessionsTagged returns only sessions carrying every tag, oldest first', async () => {
    const a = await client.createSession({ prompt: 'a', title: 'a', tags: ['pd-incident:P1', 'pagerduty-postmortem'] });
    await client.createSession({ prompt: 'b', title: 'b', tags: ['pd-incident:P2', 'pagerduty-postmortem'] });
    const c = await client.createSession({ prompt: 'c', title: 'c', tags: ['pd-incident:P1'] });

    const p1 = await client.sessionsTagged(['pd-incident:P1']);
    expect(p1.map((s) => s.session_id).sort()).toEqual([a.session_id, c.session_id].sort());
    expect(await client.sessionsTagged(['pd-incident:P1', 'pagerduty-postmortem'])).toEqual([expect.objectContaining({ session_id: a.session_id })]);
    expect(await client.sessionsTagged(['pd-incident:P9'])).toEqual([]);

    const list = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/sessions'));
    expect(list.at(-1)?.query.getAll('tags')).toEqual(['pd-incident:P9']);
    expect(list.at(-1)?.query.get('first')).toBe('100');
  });

  test('sessionsTagged follows the cursor across pages (more than one page of 100)', async () => {
    // Seed the fake directly: 150 matching sessions plus noise, without 150 HTTP creates.
    const base = Math.floor(Date.now() / 1000) - 1000;
    for (let i = 0; i < 160; i++) {
      const hex = i.toString(16).padStart(32, '0');
      fake.sessions.push({
        session_id: `devin-${hex}`,
        url: `https://app.devin.ai/sessions/${hex}`,
        org_id: fake.orgId,
        title: `s${i}`,
        tags: i % 16 === 15 ? ['pd-incident:OTHER'] : ['pd-incident:P1', 'pagerduty-postmortem'],
        playbook_id: null,
        status: 'running',
        status_detail: 'working',
        created_at: base + i,
        updated_at: base + i,
        pull_requests: [],
        structured_output: null,
        is_archived: false,
        acus_consumed: 0,
        prompt: `s${i}`,
        body: {},
        messages: [],
        conversation: [],
        polls: 0,
      });
    }
    const seen = await client.sessionsTagged(['pd-incident:P1']);
    expect(seen).toHaveLength(150);
    expect(new Set(seen.map((s) => s.session_id)).size).toBe(150);
    expect(seen[0]?.created_at).toBe(base); // oldest first
    const pages = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/sessions'));
    expect(pages).toHaveLength(2);
    expect(pages[0]?.query.get('after')).toBeNull();
    expect(pages[1]?.query.get('after')).toEqual(expect.any(String));
  });

  test('the list endpoint paginates newest first with an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.createSession({ prompt: `s${i}`, title: `s${i}`, tags: ['x'] })).session_id);
    await client.createSession({ prompt: 'other', title: 'other', tags: ['y'] });

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const query = new URLSearchParams([['tags', 'x'], ['first', '1'], ...(after ? [['after', after] as [string, string]] : [])]);
      const { status, body } = await rawRequest(`/organizations/${fake.orgId}/sessions?${query.toString()}`);
      expect(status).toBe(200);
      const result = body as { items: { session_id: string }[]; end_cursor: string | null; has_next_page: boolean; total: number };
      expect(result.total).toBe(3);
      expect(result.items).toHaveLength(1);
      seen.push(...result.items.map((s) => s.session_id));
      if (!result.has_next_page) break;
      after = result.end_cursor;
    }
    expect(seen).toEqual([...ids].reverse());

    for (const bad of ['0', '201', 'ten']) {
      const { status, body } = await rawRequest(`/organizations/${fake.orgId}/sessions?first=${bad}`);
      expect(status).toBe(422);
      expect(body).toMatchObject({ title: 'Unprocessable Entity', status: 422, detail: [{ loc: ['query', 'first'] }], errors: [{ loc: ['query', 'first'] }] });
    }
  });

  test('create without a prompt is a 422 validation error, and not retried', async () => {
    const { status, body } = await rawRequest(`/organizations/${fake.orgId}/sessions`, { method: 'POST', body: JSON.stringify({ title: 'x' }) });
    expect(status).toBe(422);
    expect(body).toMatchObject({ status: 422, detail: [{ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' }], errors: [{ loc: ['body', 'prompt'] }] });
    expect(fake.createCount()).toBe(0);
  });

  test('auth, org and unknown-session errors', async () => {
    fake.apiKey = 'cog_rotated_key';
    const unauthorized = await failureOf(client.createSession({ prompt: 'p', title: 't', tags: [] }));
    expect(unauthorized.type).toBe(FailureTypes.rejected);
    expect(unauthorized.nonRetryable).toBe(true);
    expect(unauthorized.message).toContain('401');
    expect(unauthorized.message).toContain('Invalid API key');
    expect(fake.createCount()).toBe(0);

    const rotated = new DevinClient({ apiKey: 'cog_rotated_key', orgId: fake.orgId, baseUrl: fake.baseUrl }, TIMEOUT_MS);
    const wrongOrg = new DevinClient({ apiKey: 'cog_rotated_key', orgId: 'org-someoneelse', baseUrl: fake.baseUrl }, TIMEOUT_MS);
    const forbidden = await failureOf(wrongOrg.sessionsTagged(['x']));
    expect(forbidden.nonRetryable).toBe(true);
    expect(forbidden.message).toContain('403');

    const missing = await failureOf(rotated.getSession('devin-ffffffffffffffffffffffffffffffff'));
    expect(missing.type).toBe(FailureTypes.rejected);
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('404: Not Found: Session not found');

    const noAuth = await fetch(`${fake.baseUrl}/organizations/${fake.orgId}/sessions`);
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('content-type')).toBe('application/problem+json');
    expect(await noAuth.json()).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Invalid API key', instance: `/v3/organizations/${fake.orgId}/sessions` });
    expect((await fetch(`${fake.baseUrl}/nowhere`)).status).toBe(404);
  });

  test('a 429 with Retry-After is retryable after that delay, and does not create', async () => {
    fake.fail('create', { status: 429, headers: { 'retry-after': '7' } });
    const failure = await failureOf(client.createSession({ prompt: 'p', title: 't', tags: [] }));
    expect(failure.type).toBe(FailureTypes.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(failure.message).toContain('429');
    expect(fake.createCount()).toBe(0);
    // The fault was used up: the retry goes through.
    await client.createSession({ prompt: 'p', title: 't', tags: [] });
    expect(fake.createCount()).toBe(1);
  });

  test('a 500 is retryable; faults with times repeat', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    fake.fail('get', { status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      const failure = await failureOf(client.getSession(session_id));
      expect(failure.type).toBe(FailureTypes.unavailable);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBeUndefined();
      expect(failure.message).toContain('500');
    }
    expect(fake.sessions[0]?.polls).toBe(0);
    expect((await client.getSession(session_id)).status).toBe('running');
  });

  test('a create whose response is lost is a network error, yet the session exists', async () => {
    fake.fail('create', { dropResponse: true });
    const failure = await failureOf(client.createSession({ prompt: 'p', title: 't', tags: ['pd-incident:P7'] }));
    expect(failure.type).toBe(FailureTypes.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('network error');
    expect(fake.createCount()).toBe(1);
    expect(fake.sessions).toHaveLength(1);
    // What the activity does before retrying the create: find the session by its incident tag.
    const [existing] = await client.sessionsTagged(['pd-incident:P7']);
    expect(existing?.session_id).toBe(fake.sessions[0]?.session_id);
  });

  test('createsPerSecond answers 429 with Retry-After above the limit; failFor is an outage for a while', async () => {
    const limited = await FakeDevinApi.start({ createsPerSecond: 2, createLatencyMs: 20 });
    try {
      const limitedClient = new DevinClient({ apiKey: limited.apiKey, orgId: limited.orgId, baseUrl: limited.baseUrl }, TIMEOUT_MS);
      const started = Date.now();
      await limitedClient.createSession({ prompt: 'p', title: 't', tags: [] });
      await limitedClient.createSession({ prompt: 'p', title: 't', tags: [] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      const failure = await failureOf(limitedClient.createSession({ prompt: 'p', title: 't', tags: [] }));
      expect(failure.type).toBe(FailureTypes.unavailable);
      expect(failure.nextRetryDelay).toBe(1000);
      expect(limited.rateLimited).toBe(1);
      expect(limited.createTimes).toHaveLength(2);

      limited.failFor('create', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const outage = await failureOf(limitedClient.createSession({ prompt: 'p', title: 't', tags: [] }));
      expect(outage.message).toContain('500');
      limited.failFor('create', 0);
      await limitedClient.createSession({ prompt: 'p', title: 't', tags: [] });
      expect(limited.createCount()).toBe(3);
    } finally {
      await limited.close();
    }
  });

  test('messages are recorded and wake a session suspended for inactivity', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    const stored = fake.sessions[0];
    if (!stored) throw new Error('no session');
    stored.status = 'suspended';
    stored.status_detail = 'inactivity';
    const { status, body } = await rawRequest(`/organizations/${fake.orgId}/sessions/${session_id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ message: 'Please open the pull request' }),
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ session_id, status: 'running' });
    expect(stored.messages).toEqual(['Please open the pull request']);

    fake.fail('message', { status: 503 });
    expect((await rawRequest(`/organizations/${fake.orgId}/sessions/${session_id}/messages`, { method: 'POST', body: JSON.stringify({ message: 'again' }) })).status).toBe(503);
    expect(stored.messages).toHaveLength(1);
  });

  test('archive: POST …/archive (a bare id gets the devin- prefix), the session back archived and still readable', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: ['x'] });
    const archived = await client.archive(session_id.slice('devin-'.length));
    const request = fake.requests.at(-1);
    expect({ method: request?.method, path: request?.path }).toEqual({ method: 'POST', path: `/v3/organizations/${fake.orgId}/sessions/${session_id}/archive` });
    expect(archived).toMatchObject({ session_id, is_archived: true, status: 'new' });
    expect(archived).not.toHaveProperty('archiveCalls');
    // A SessionResponse: the fields of the published create example's response (the docs show no archive answer).
    const published = (JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'published', 'devin', 'v3-create-session-example.json'), 'utf8')) as { response_200: Record<string, unknown> }).response_200;
    for (const key of ['session_id', 'url', 'status', 'tags', 'is_archived', 'acus_consumed', 'created_at', 'updated_at'] as const) {
      expect({ key, published: key in published, answered: key in archived }).toEqual({ key, published: true, answered: true });
    }
    const read = await client.getSession(session_id);
    expect(read).toMatchObject({ session_id, is_archived: true });
    expect((await client.sessionsTagged(['x']))[0]).toMatchObject({ session_id, is_archived: true });
  });

  test('archive: an unknown session is a 404 problem+json, not retried; other methods on the path are 405', async () => {
    const missing = await failureOf(client.archive('devin-ffffffffffffffffffffffffffffffff'));
    expect(missing.type).toBe(FailureTypes.rejected);
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('404: Not Found: Session not found');
    const raw = await fetch(`${fake.baseUrl}/organizations/${fake.orgId}/sessions/devin-ffffffffffffffffffffffffffffffff/archive`, { method: 'POST', headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(raw.status).toBe(404);
    expect(raw.headers.get('content-type')).toBe('application/problem+json');
    expect(await raw.json()).toMatchObject({ title: 'Not Found', status: 404, detail: 'Session not found' });

    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    const get = await rawRequest(`/organizations/${fake.orgId}/sessions/${session_id}/archive`);
    expect(get.status).toBe(405);
    expect(fake.sessions[0]?.is_archived).toBe(false);
  });

  describe('the archiveSession activity', () => {
    const archiveSession = () =>
      createActivities(loadWorkerConfig({ DEVIN_API_KEY: fake.apiKey, DEVIN_ORG_ID: fake.orgId, DEVIN_API_BASE_URL: fake.baseUrl })).archiveSession;
    const archiveCalls = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archive')).length;

    test('archives a session once: read first, so an archived one is not asked again', async () => {
      const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
      const activity = archiveSession();
      expect(await new MockActivityEnvironment().run(activity, { sessionId: session_id })).toEqual({ archived: true, alreadyArchived: false });
      expect(fake.sessions[0]?.is_archived).toBe(true);
      expect(archiveCalls()).toBe(1);
      expect(await new MockActivityEnvironment().run(activity, { sessionId: session_id })).toEqual({ archived: true, alreadyArchived: true });
      expect(archiveCalls()).toBe(1);
      expect(fake.sessions[0]?.archiveCalls).toBe(1);
    });

    test('failures in Temporal terms: an unknown session is non-retryable, a 503 retryable', async () => {
      const unknown = await failureOf(new MockActivityEnvironment().run(archiveSession(), { sessionId: 'devin-ffffffffffffffffffffffffffffffff' }));
      expect(unknown.type).toBe(FailureTypes.rejected);
      expect(unknown.nonRetryable).toBe(true);
      expect(archiveCalls()).toBe(0);

      const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
      fake.fail('archive', { status: 503 });
      const unavailable = await failureOf(new MockActivityEnvironment().run(archiveSession(), { sessionId: session_id }));
      expect(unavailable.type).toBe(FailureTypes.unavailable);
      expect(unavailable.nonRetryable).toBe(false);
      expect(fake.sessions[0]?.is_archived).toBe(false);
      // The retry goes through.
      expect(await new MockActivityEnvironment().run(archiveSession(), { sessionId: session_id })).toEqual({ archived: true, alreadyArchived: false });
    });
  });
});

describe('judgeSession (through observeSession, as the poll activity hands it to Temporal)', () => {
  test('running/finished without a pull request asks for a follow-up, unless already asked; so does exit', () => {
    expect(judgeSession(session({ status: 'running', status_detail: 'finished' }))).toMatchObject({ kind: 'finished_without_pr', detail: 'finished' });
    expect(judgeSession(session({ status: 'exit', status_detail: null, pull_requests: [] }))).toMatchObject({ kind: 'finished_without_pr', status: 'exit' });
    expect(judged(session({ status: 'exit', status_detail: null }), ['finished_without_pr']).type).toBe(SessionFailureTypes.notReady);
  });

  test('running/working is a benign, retryable "not ready"', () => {
    const failure = judged(session({ status: 'running', status_detail: 'working' }));
    expect(failure.type).toBe(SessionFailureTypes.notReady);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
  });

  test('a pull request wins over any state; an empty pr_url does not count, nor a closed one', () => {
    const pr = 'https://github.com/acme/runbooks/pull/9';
    expect(judgeSession(session({ status: 'exit', pull_requests: [{ pr_url: '', pr_state: null }, { pr_url: pr, pr_state: 'merged' }] }))).toMatchObject({ kind: 'published', url: pr, final: true });
    expect(pullRequestUrl(session({ pull_requests: [{ pr_url: '', pr_state: 'open' }] }))).toBeUndefined();
    expect(pullRequestUrl(session({ pull_requests: [{ pr_url: pr, pr_state: 'closed' }] }))).toBeUndefined();
  });
});
