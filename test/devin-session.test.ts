// Devin as it really behaves: every state of the v3 enum and every documented status_detail has a
// decided meaning; the right PR and a final report; Devin's questions; the cost; exactly one working
// session (a lost create found after the list's lag, another session never adopted silently); terminate;
// the startup check; errors as v3 sends them. Pure judgement, and the real client and activities against
// the fake Devin v3 API.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities';
import { toActivityFailure } from '../activities/failures';
import { loadWorkerConfig, type WorkerConfig } from '../src/config';
import type { IncidentContext } from '../src/domain/evidence';
import type { SessionIdentity } from '../src/domain/session';
import { DevinClient, type DevinMessage, type DevinSession, devinId } from '../src/integrations/devin/client';
import { choosePullRequest, judgeSession } from '../src/integrations/devin/session';
import { errorDetail } from '../src/integrations/http';
import { redactText } from '../src/postmortem/redaction';
import { safeTag, sessionTags } from '../src/postmortem/prompt';
import { checkDevinCredentials, DevinCredentialsError } from '../src/worker/devin-check';
import { FakeDevinApi } from './fakes/devin-api';
import { capturingLogger } from './support/temporal';

const URL = 'https://app.devin.ai/sessions/abc';
const session = (overrides: Partial<DevinSession>): DevinSession => ({ session_id: 'devin-abc', url: URL, status: 'running', status_detail: 'working', ...overrides });
const pr = (n: number, state: string | null = 'open') => ({ pr_url: `https://github.com/acme/runbooks/pull/${n}`, pr_state: state });

describe('every v3 status and status_detail has a decided meaning', () => {
  const kind = (s: Partial<DevinSession>) => judgeSession(session(s)).kind;
  test.each([
    ['new', null, 'working'],
    ['claimed', null, 'working'],
    ['resuming', null, 'working'],
    ['creating', null, 'working'],
    ['running', 'working', 'working'],
    ['running', 'waiting_for_user', 'waiting_for_user'],
    ['running', 'waiting_for_approval', 'needs_human'],
    ['running', 'finished', 'finished_without_pr'],
    ['exit', null, 'finished_without_pr'],
    ['error', null, 'needs_human'],
    ['suspended', 'inactivity', 'inactive'],
    ['suspended', 'user_request', 'needs_human'],
    ['suspended', 'usage_limit_exceeded', 'needs_human'],
    ['suspended', 'out_of_credits', 'needs_human'],
    ['suspended', 'out_of_quota', 'needs_human'],
    ['suspended', 'no_quota_allocation', 'needs_human'],
    ['suspended', 'payment_declined', 'needs_human'],
    ['suspended', 'org_usage_limit_exceeded', 'needs_human'],
    ['suspended', 'total_session_limit_exceeded', 'needs_human'],
    ['suspended', 'error', 'needs_human'],
    ['suspended', 'something_new', 'needs_human'],
    ['brand_new_status', null, 'working'],
  ])('%s / %s → %s', (status, detail, expected) => {
    expect(kind({ status, status_detail: detail })).toBe(expected);
  });

  test('what retry does once a human acted: poll, message (resumes), or a new session', () => {
    const recovery = (s: Partial<DevinSession>) => {
      const verdict = judgeSession(session(s));
      return verdict.kind === 'needs_human' ? verdict.recovery : verdict.kind;
    };
    expect(recovery({ status: 'running', status_detail: 'waiting_for_approval' })).toBe('poll');
    expect(recovery({ status: 'suspended', status_detail: 'user_request' })).toBe('message');
    expect(recovery({ status: 'suspended', status_detail: 'out_of_quota' })).toBe('message');
    expect(recovery({ status: 'error', status_detail: null })).toBe('new_session');
    expect(recovery({ status: 'suspended', status_detail: 'error' })).toBe('new_session');
  });

  test('a session a person stopped in Devin says so, and what retry will do', () => {
    const verdict = judgeSession(session({ status: 'suspended', status_detail: 'user_request' }));
    expect(verdict).toMatchObject({ kind: 'needs_human', recovery: 'message' });
    if (verdict.kind !== 'needs_human') throw new Error('unexpected');
    expect(verdict.reason).toContain(URL);
    expect(verdict.reason).toMatch(/stopped by a person in Devin \(suspended: user_request\).*`retry` sends it a message, which resumes it/);
  });
});

describe('the right pull request and a final report', () => {
  test('the PR the report names; a closed one never; one open PR alone; several: wait for the report, then the latest', () => {
    expect(choosePullRequest(session({ pull_requests: [pr(1), pr(2)] }), { prUrl: 'https://github.com/acme/runbooks/pull/2/' }, false)).toEqual({ url: pr(2).pr_url });
    expect(choosePullRequest(session({ pull_requests: [pr(1, 'closed'), pr(2)] }), undefined, false)).toEqual({ url: pr(2).pr_url });
    expect(choosePullRequest(session({ pull_requests: [pr(1, 'closed')] }), { prUrl: pr(1).pr_url }, true)).toEqual({ note: expect.stringContaining('is closed') });
    expect(choosePullRequest(session({ pull_requests: [pr(1), pr(2)] }), undefined, false)).toEqual({ note: expect.stringContaining('waiting for the report') });
    expect(choosePullRequest(session({ pull_requests: [pr(1), pr(2)] }), undefined, true)).toEqual({ url: pr(2).pr_url, note: expect.stringContaining('the latest listed') });
    expect(choosePullRequest(session({ pull_requests: [] }), { prUrl: pr(7).pr_url }, false)).toEqual({ url: pr(7).pr_url, note: expect.stringContaining('not in its pull_requests') });
  });

  test('a PR while Devin works is published but not final; with finalOnly it is still working; at running/finished it is final', () => {
    const working = session({ pull_requests: [pr(3)], structured_output: { root_cause: 'Hypothesis: draft' }, acus_consumed: 4 });
    expect(judgeSession(working)).toMatchObject({ kind: 'published', final: false, acus: 4, report: { rootCause: 'Hypothesis: draft' } });
    expect(judgeSession(working, { ignore: [], finalOnly: true }).kind).toBe('working');
    expect(judgeSession({ ...working, status_detail: 'finished' }, { ignore: [], finalOnly: true })).toMatchObject({ kind: 'published', final: true });
    expect(judgeSession({ ...working, status_detail: 'waiting_for_user' })).toMatchObject({ kind: 'published', final: true });
  });

  test('the ACU warning comes once, at 80 % of DEVIN_MAX_ACU', () => {
    expect(judgeSession(session({ acus_consumed: 7.9 }), { ignore: [], maxAcu: 10 }).kind).toBe('working');
    expect(judgeSession(session({ acus_consumed: 8 }), { ignore: [], maxAcu: 10 })).toEqual({ kind: 'acu_limit_near', status: 'running', detail: 'working', acus: 8, limit: 10 });
    expect(judgeSession(session({ acus_consumed: 9 }), { ignore: ['acu_limit_near'], maxAcu: 10 }).kind).toBe('working');
  });
});

describe("Devin's questions", () => {
  const asked = (id: string, message: string): DevinMessage => ({ event_id: id, message, source: 'devin', created_at: 1 });
  const waiting = session({ status_detail: 'waiting_for_user' });
  const messages = [asked('e1', 'Which region?'), { event_id: 'e2', message: 'us-east', source: 'user', created_at: 2 }, asked('e3', 'Which   release\nwas rolled back?')];

  test("Devin's latest message is the question, on one line", () => {
    expect(judgeSession(waiting, { ignore: [] }, { messages })).toMatchObject({ kind: 'waiting_for_user', question: 'Which release was rolled back?', questionId: 'e3' });
  });

  test('an answered question is "working" until it stays open past DEVIN_ANSWER_WAIT; a new question is asked again', () => {
    const now = Date.parse('2026-12-01T10:10:00Z');
    const answered = { questionId: 'e3', at: '2026-12-01T10:00:00Z' };
    expect(judgeSession(waiting, { ignore: ['waiting_for_user'], answered }, { messages, answerWaitMs: 15 * 60_000, now }).kind).toBe('working');
    expect(judgeSession(waiting, { ignore: ['waiting_for_user'], answered }, { messages, answerWaitMs: 5 * 60_000, now }).kind).toBe('waiting_for_user');
    expect(judgeSession(waiting, { ignore: ['waiting_for_user'], answered: { questionId: 'e1', at: answered.at } }, { messages, answerWaitMs: 15 * 60_000, now })).toMatchObject({ questionId: 'e3' });
  });
});

describe('tags, ids and errors as the API takes and sends them', () => {
  test('service names become safe tags; the incident tag stays exact; the run tag names one session of one run', () => {
    expect(safeTag('Checkout API (EU) — Zürich')).toBe('checkout-api-eu-zurich');
    expect(safeTag('✨✨')).toBeUndefined();
    expect(safeTag('x'.repeat(100))).toHaveLength(64);
    const context = { incident: { id: 'Q1AbC', service: { id: 'S', name: 'Payments Gateway' } } } as IncidentContext;
    expect(sessionTags(context, { runId: 'run-1', generation: 2 })).toEqual(['pagerduty-postmortem', 'pd-incident:Q1AbC', 'service:payments-gateway', 'pd-run:run-1.2']);
  });

  test('session ids in paths carry the devin- prefix', () => {
    expect(devinId('abc123')).toBe('devin-abc123');
    expect(devinId('devin-abc123')).toBe('devin-abc123');
  });

  test('problem+json (title, detail, field errors) and the older {detail} read into one message', () => {
    expect(errorDetail({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Invalid API key' })).toBe('Unauthorized: Invalid API key');
    expect(errorDetail({ title: 'Unprocessable Entity', status: 422, detail: [{ loc: ['body', 'prompt'], msg: 'Field required' }], errors: [{ loc: ['body', 'prompt'], msg: 'Field required' }] })).toBe(
      'Unprocessable Entity: prompt: Field required',
    );
    expect(errorDetail({ title: 'Bad Request', status: 400 })).toBe('Bad Request');
    expect(errorDetail({ detail: [{ loc: ['body', 'tags', 3], msg: 'Input should be a valid string' }] })).toBe('tags.3: Input should be a valid string');
    expect(errorDetail({ detail: 'Session not found' })).toBe('Session not found');
  });

  test('a long detail is clipped between words, so no half token escapes redaction later', () => {
    const token = `ghp_${'A1b2'.repeat(9)}`;
    const detail = errorDetail({ detail: `${'word '.repeat(76)}leaked ${token} and more` }); // the token straddles the 400th character
    expect(detail.endsWith(' …')).toBe(true);
    expect(detail).not.toMatch(/ghp_\S*…/);
    expect(redactText(detail).text).not.toContain('ghp_');
    expect(errorDetail(`x${'y'.repeat(500)}`)).toBe('(501 characters left out)');
  });
});

describe('the client and the activities against the fake Devin v3 API', () => {
  let fake: FakeDevinApi;
  let client: DevinClient;
  const config = (vars: Record<string, string> = {}): WorkerConfig =>
    loadWorkerConfig({ DEVIN_API_KEY: fake.apiKey, DEVIN_ORG_ID: fake.orgId, DEVIN_API_BASE_URL: fake.baseUrl, HTTP_TIMEOUT: '5s', DEVIN_LIST_LAG: '300ms', ...vars });
  const context: IncidentContext = {
    source: 'webhook_only',
    incident: { id: 'Q1DEVINSESS01', title: 'Checkout down', service: { id: 'S', name: 'checkout' } },
    timeline: [],
    alerts: [],
    notes: [],
    changeEvents: [],
    omitted: {},
    collectedAt: '2026-12-01T10:00:00Z',
  };
  const identity: SessionIdentity = { runId: '0b1c-run', generation: 1 };
  const start = (attempt: number, vars?: Record<string, string>, who: SessionIdentity | undefined = identity) =>
    new MockActivityEnvironment({ attempt }).run(createActivities(config(vars)).startPostmortemSession, context, who);

  /** Past the fake's list lag: what was created is listed. */
  const settled = () => new Promise((resolve) => setTimeout(resolve, 250));

  beforeEach(async () => {
    fake = await FakeDevinApi.start({ listLagMs: 200 });
    client = new DevinClient({ apiKey: fake.apiKey, orgId: fake.orgId, baseUrl: fake.baseUrl }, 5_000);
  });
  afterEach(() => fake.close());

  test('create sets structured_output_required, the safe tags and the run tag; an unknown create field is a 400, not retried', async () => {
    const started = await start(1);
    expect(started).toMatchObject({ dryRun: false, adopted: false });
    const body = fake.sessions[0]?.body;
    expect(body).toMatchObject({ structured_output_required: true, tags: ['pagerduty-postmortem', 'pd-incident:Q1DEVINSESS01', 'service:checkout', 'pd-run:0b1c-run.1'] });
    const refused = await client.createSession({ prompt: 'p', title: 't', tags: [], ...({ idempotent: true } as object) }).catch((e: unknown) => toActivityFailure(e));
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'ExternalServiceRejected', nonRetryable: true });
    expect((refused as ApplicationFailure).message).toContain('400: Bad Request: Unknown field(s) in the request: idempotent');
  });

  test('a lost create is found on the retry, even when the list lags behind the create', async () => {
    fake.fail('create', { dropResponse: true });
    await expect(start(1)).rejects.toMatchObject({ type: 'ExternalServiceUnavailable' });
    expect(fake.createCount()).toBe(1);
    // At once the list does not show it yet; the retry looks again after DEVIN_LIST_LAG and adopts it.
    const retried = await start(2);
    expect(retried).toMatchObject({ dryRun: false, adopted: true, sessionId: fake.sessions[0]?.session_id });
    expect(fake.createCount()).toBe(1);
  });

  test('after a create refused with 429 (nothing created) the retry creates without waiting for the list\'s lag; any other failure still waits', async () => {
    const lists = () => fake.requests.filter((r) => r.method === 'GET' && /\/sessions$/.test(r.path)).length;
    fake.fail('create', { status: 429, headers: { 'retry-after': '1' } });
    const first = new MockActivityEnvironment({ attempt: 1 });
    const recorded: unknown[] = [];
    first.on('heartbeat', (details: unknown) => recorded.push(details));
    await expect(first.run(createActivities(config()).startPostmortemSession, context, identity)).rejects.toMatchObject({ type: 'ExternalServiceUnavailable' });
    expect(recorded).toEqual([{ createRateLimitedInAttempt: 1 }]);
    expect(fake.createCount()).toBe(0);

    const before = lists();
    const retried = await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: recorded[0] }).run(createActivities(config()).startPostmortemSession, context, identity);
    expect(retried).toMatchObject({ dryRun: false, adopted: false });
    expect(lists() - before).toBe(1);
    expect(fake.createCount()).toBe(1);

    // A record from an older attempt says nothing about the last one: that retry looks again after the lag.
    await settled();
    const later = lists();
    const third = await new MockActivityEnvironment({ attempt: 3, heartbeatDetails: recorded[0] }).run(createActivities(config()).startPostmortemSession, context, { ...identity, generation: 2 });
    expect(third).toMatchObject({ conflict: [{ sessionId: fake.sessions[0]?.session_id }] });
    expect(lists() - later).toBe(2);
    expect(fake.createCount()).toBe(1);
  });

  test('another active session of the incident is not adopted: a conflict, unless an operator said to go ahead', async () => {
    const other = await client.createSession({ prompt: 'by hand', title: 'mine', tags: ['pd-incident:Q1DEVINSESS01'] });
    await settled();
    const conflict = await start(1);
    expect(conflict).toEqual({ dryRun: false, conflict: [{ sessionId: other.session_id, sessionUrl: other.url, status: 'new' }] });
    expect(fake.createCount()).toBe(1);
    const anyway = await start(1, undefined, { ...identity, despiteOthers: true });
    expect(anyway).toMatchObject({ adopted: false, others: [{ sessionId: other.session_id }] });
    expect(fake.createCount()).toBe(2);
  });

  test('an errored or ended session of the incident is named, not adopted, and a new one is started', async () => {
    const old = await client.createSession({ prompt: 'old', title: 'old', tags: ['pd-incident:Q1DEVINSESS01', 'pd-run:0b1c-run.1'] });
    const oldSession = fake.sessions.find((s) => s.session_id === old.session_id);
    if (!oldSession) throw new Error('no session');
    oldSession.status = 'error';
    await settled();
    const next = await start(1, undefined, { runId: '0b1c-run', generation: 2 });
    expect(next).toMatchObject({ adopted: false, others: [{ sessionId: old.session_id, status: 'error' }] });
  });

  test('waiting for a user: the poll reads the question from the messages, redacted', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    const stored = fake.sessions[0];
    if (!stored) throw new Error('no session');
    fake.onPoll = () => ({});
    fake.ask(stored, 'Should I page jane.doe@acme.example about the rollback?');
    const observation = await createActivities(config()).waitForPullRequest({ sessionId: session_id, ignore: [] });
    expect(observation).toMatchObject({ kind: 'waiting_for_user', question: 'Should I page [REDACTED:email] about the rollback?' });
  });

  test('terminate ends a session once; an ended one is left as it is; bare ids get the devin- prefix', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: [] });
    const activities = createActivities(config());
    expect(await activities.terminateSession({ sessionId: session_id.replace(/^devin-/, ''), reason: 'cancelled' })).toMatchObject({ terminated: true, status: 'exit' });
    expect(fake.sessions[0]?.terminated).toBe(true);
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path}?${r.query.toString()}`)).toEqual([`/v3/organizations/${fake.orgId}/sessions/${session_id}?archive=false`]);
    expect(await activities.terminateSession({ sessionId: session_id, reason: 'again' })).toMatchObject({ terminated: false, status: 'exit' });
  });

  test('the startup check: a refused key or another organization stops the worker naming the variable; Devin down only warns', async () => {
    const { logger, lines } = capturingLogger('devin-check');
    await expect(checkDevinCredentials(config(), logger)).resolves.toBeUndefined();
    await expect(checkDevinCredentials(config({ DEVIN_API_KEY: 'cog_wrong' }), logger)).rejects.toBeInstanceOf(DevinCredentialsError);
    await expect(checkDevinCredentials(config({ DEVIN_API_KEY: 'cog_wrong' }), logger)).rejects.toThrow(/DEVIN_API_KEY was refused by Devin/);
    await expect(checkDevinCredentials(config({ DEVIN_ORG_ID: 'org-other' }), logger)).rejects.toThrow(/DEVIN_ORG_ID is org-other, but DEVIN_API_KEY belongs to organization org-fake0001/);
    const baseUrl = fake.baseUrl;
    await fake.close();
    await expect(checkDevinCredentials(loadWorkerConfig({ DEVIN_API_KEY: 'cog_x', DEVIN_ORG_ID: 'org-x', DEVIN_API_BASE_URL: baseUrl, HTTP_TIMEOUT: '1s' }), logger)).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(/could not check the Devin credentials/);
    fake = await FakeDevinApi.start();
  });
});
