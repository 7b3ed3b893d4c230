// The GitHub webhook (POST /webhooks/github): the signature, the parser on GitHub's published payload
// examples (test/fixtures/published/github/webhooks), and the route against a real dev server with a tiny
// workflow standing in for the incident's once its PR is open.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import request from 'supertest';
import { createBridgeMetrics, createMetricsApp } from '../src/bridge/metrics';
import { createWebhookApp } from '../src/bridge/webhook-app';
import { EVIDENCE_CHECK_NAME, type PullRequestEvent } from '../src/domain/review';
import { PostmortemPullRequest } from '../src/domain/search-attributes';
import { hasValidGitHubSignature, MAX_GITHUB_SIGNATURE_HEADER, parseGitHubWebhook, signGitHubBody } from '../src/integrations/github/webhook';
import { pullRequestWorkflowQuery } from '../src/temporal/deliver-pull-request-event';
import { capturingLogger, eventually, startDevServer } from './support/temporal';
import type { pullRequestWatcher } from './support/tiny-workflows';

const GITHUB_SECRET = 'github-webhook-test-secret-01';
const PD_SECRETS = { signingSecrets: ['whsec-test-signing-0001'] };
const FIXTURES = path.join(__dirname, 'fixtures', 'published', 'github', 'webhooks');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- published JSON, read loosely
const published = (name: string): Json => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Json;

/** A copy of a published payload with the PR's html_url set (spread over it, the file is never edited). */
function withPullRequestUrl(payload: Json, url: string, extra: Json = {}): Json {
  return { ...payload, pull_request: { ...payload.pull_request, html_url: url, ...extra } };
}

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

describe('X-Hub-Signature-256', () => {
  const body = Buffer.from(readFileSync(path.join(FIXTURES, 'ping.json')));

  it('accepts the HMAC-SHA256 of the raw body with the secret', () => {
    expect(signGitHubBody(body, GITHUB_SECRET)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(hasValidGitHubSignature(body, signGitHubBody(body, GITHUB_SECRET), GITHUB_SECRET)).toBe(true);
  });

  it("matches GitHub's documented test vector", () => {
    // docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signGitHubBody('Hello, World!', "It's a Secret to Everybody")).toBe(header);
    expect(hasValidGitHubSignature(Buffer.from('Hello, World!'), header, "It's a Secret to Everybody")).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['wrong digest', `sha256=${'0'.repeat(64)}`],
    ['made with another secret', signGitHubBody(body, 'another-secret-entirely')],
    ['the sha1 header form', `sha1=${'a'.repeat(40)}`],
    ['a short digest', 'sha256=abcd'],
    ['over-long (the right digest, padded)', `${signGitHubBody(body, GITHUB_SECRET)}${' '.repeat(MAX_GITHUB_SIGNATURE_HEADER)}`],
    ['over-long (10 KB)', `sha256=${'a'.repeat(10 * 1024)}`],
  ])('refuses a signature that is %s', (_what, header) => {
    expect(hasValidGitHubSignature(body, header, GITHUB_SECRET)).toBe(false);
  });

  it('refuses a body changed after signing, and any signature without a secret', () => {
    const header = signGitHubBody(body, GITHUB_SECRET);
    expect(hasValidGitHubSignature(Buffer.concat([body, Buffer.from(' ')]), header, GITHUB_SECRET)).toBe(false);
    expect(hasValidGitHubSignature(body, header, undefined)).toBe(false);
    expect(hasValidGitHubSignature(body, header, '')).toBe(false);
  });
});

describe('parseGitHubWebhook on the published payloads', () => {
  const parse = (event: string, body: unknown, deliveryId: string | undefined = DELIVERY) => parseGitHubWebhook(event, deliveryId, body);

  it('pull_request closed, not merged → closed, by the sender', () => {
    expect(parse('pull_request', published('pull_request.closed'))).toEqual({
      kind: 'events',
      event: 'pull_request',
      action: 'closed',
      events: [
        {
          deliveryId: DELIVERY,
          kind: 'closed',
          pullRequestUrl: 'https://github.com/Codertocat/Hello-World/pull/2',
          actor: 'Codertocat',
          headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
          at: '2019-05-15T15:21:18.000Z',
        },
      ],
    });
  });

  it('pull_request closed and merged → merged, with the merge commit and who merged', () => {
    const closed = published('pull_request.closed');
    const merged = { ...closed, pull_request: { ...closed.pull_request, merged: true, merged_by: { ...closed.sender, login: 'octo-merger' } } };
    const parsed = parse('pull_request', merged);
    expect(parsed.kind === 'events' && parsed.events).toEqual([
      {
        deliveryId: DELIVERY,
        kind: 'merged',
        pullRequestUrl: 'https://github.com/Codertocat/Hello-World/pull/2',
        mergeCommitSha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
        actor: 'octo-merger',
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        at: '2019-05-15T15:21:18.000Z',
      },
    ]);
  });

  it('pull_request synchronize and reopened → the head commit after it', () => {
    const sync = parse('pull_request', published('pull_request.synchronize'));
    expect(sync.kind === 'events' && sync.events).toEqual([
      { deliveryId: DELIVERY, kind: 'synchronize', pullRequestUrl: 'https://github.com/Codertocat/Hello-World/pull/2', headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', actor: 'Codertocat', at: '2019-05-15T15:20:33.000Z' },
    ]);
    const reopened = parse('pull_request', published('pull_request.reopened'));
    expect(reopened.kind === 'events' && reopened.events[0]?.kind).toBe('reopened');
  });

  it('pull_request_review submitted and dismissed → review, the state lower-cased, the reviewer, the reviewed commit', () => {
    const submitted = parse('pull_request_review', published('pull_request_review.submitted'));
    expect(submitted.kind === 'events' && submitted.events).toEqual([
      {
        deliveryId: DELIVERY,
        kind: 'review',
        pullRequestUrl: 'https://github.com/Codertocat/Hello-World/pull/2',
        reviewState: 'commented',
        actor: 'Codertocat',
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        at: '2019-05-15T15:20:38.000Z',
      },
    ]);
    const payload = published('pull_request_review.submitted');
    const approved = parse('pull_request_review', { ...payload, review: { ...payload.review, state: 'APPROVED' } });
    expect(approved.kind === 'events' && approved.events[0]?.reviewState).toBe('approved');
    const dismissed = parse('pull_request_review', published('pull_request_review.dismissed'));
    expect(dismissed.kind === 'events' && dismissed.events[0]).toMatchObject({ kind: 'review', reviewState: 'dismissed', actor: 'Codertocat' });
  });

  it(`check_run rerequested of ${EVIDENCE_CHECK_NAME} → check_rerequested for each of its pull requests, the html URL built from the repository's`, () => {
    const payload = published('check_run.rerequested');
    // The published example is another check on no PR: both are ignored, with the reason.
    expect(parse('check_run', payload)).toMatchObject({ kind: 'ignored', reason: 'check run "randscape" is not postmortem/evidence' });
    const ours = { ...payload, check_run: { ...payload.check_run, name: EVIDENCE_CHECK_NAME } };
    expect(parse('check_run', ours)).toMatchObject({ kind: 'ignored', reason: 'the re-requested check run is on no pull request' });
    // An entry of check_run.pull_requests as GitHub publishes it (number and API URLs only).
    const entry = published('check_run.created').check_run.pull_requests[0];
    const onPr = { ...ours, check_run: { ...ours.check_run, pull_requests: [entry, { ...entry, number: 7 }] } };
    const parsed = parse('check_run', onPr);
    expect(parsed.kind === 'events' && parsed.events).toEqual([
      { deliveryId: DELIVERY, kind: 'check_rerequested', pullRequestUrl: 'http://github.com/github/hello-world/pull/2', headSha: 'd6fde92930d4715a2b49857d24b940956b26d2d3' },
      { deliveryId: DELIVERY, kind: 'check_rerequested', pullRequestUrl: 'http://github.com/github/hello-world/pull/7', headSha: 'd6fde92930d4715a2b49857d24b940956b26d2d3' },
    ]);
  });

  it('ignores ping, other events and other actions, with the reason', () => {
    expect(parse('ping', published('ping'))).toEqual({ kind: 'ignored', event: 'ping', reason: 'ping: the webhook is set up' });
    expect(parse('pull_request', published('pull_request.opened'))).toEqual({ kind: 'ignored', event: 'pull_request', action: 'opened', reason: 'pull_request action "opened" is not used' });
    expect(parse('check_run', published('check_run.created'))).toMatchObject({ kind: 'ignored', reason: 'check_run action "created" is not used' });
    expect(parse('issues', { action: 'opened' })).toMatchObject({ kind: 'ignored', reason: 'issues action "opened" is not used' });
    expect(parse('deployment', { action: 'created' })).toMatchObject({ kind: 'ignored', reason: 'event deployment is not used' });
  });

  it('refuses a used event whose shape is not GitHub’s, saying what is wrong', () => {
    const closed = published('pull_request.closed');
    const { pull_request: _pr, ...noPr } = closed;
    expect(parse('pull_request', noPr)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^pull_request closed event: pull_request /) });
    expect(parse('pull_request', withPullRequestUrl(closed, 'javascript:alert(1)'))).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/pull_request\.html_url is not an http\(s\) URL/) });
    expect(parse('pull_request', { ...closed, pull_request: { ...closed.pull_request, head: { sha: 'nope' } } })).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/head\.sha is not a commit sha/) });
    expect(parse('pull_request', { ...closed, action: undefined })).toMatchObject({ kind: 'invalid', message: 'pull_request event: action is missing' });
    expect(parse('pull_request', [])).toMatchObject({ kind: 'invalid', message: 'body is not a JSON object' });
  });

  it('requires X-GitHub-Delivery as a GUID and X-GitHub-Event as an event name', () => {
    const body = published('pull_request.synchronize');
    expect(parseGitHubWebhook('pull_request', undefined, body)).toMatchObject({ kind: 'invalid', message: 'X-GitHub-Delivery header is missing' });
    expect(parse('pull_request', body, '../../etc')).toMatchObject({ kind: 'invalid', message: 'X-GitHub-Delivery "../../etc" is not a delivery id (a GUID)' });
    expect(parse('pull_request', body, `${DELIVERY}0`).kind).toBe('invalid');
    expect(parseGitHubWebhook(undefined, DELIVERY, body)).toMatchObject({ kind: 'invalid', message: 'X-GitHub-Event header is missing' });
    expect(parseGitHubWebhook('Pull Request', DELIVERY, body).kind).toBe('invalid');
  });

  it('quotes the PR URL in the visibility query', () => {
    expect(pullRequestWorkflowQuery("https://github.com/a/b/pull/1' OR WorkflowId != '")).toBe(
      "PostmortemPullRequest = 'https://github.com/a/b/pull/1\\' OR WorkflowId != \\'' AND ExecutionStatus = 'Running'",
    );
  });
});

describe('POST /webhooks/github', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let workerRun: Promise<void>;
  let app: ReturnType<typeof createWebhookApp>;
  const { logger, lines } = capturingLogger('bridge');
  const metrics = createBridgeMetrics(false);
  const taskQueue = 'github-webhook-test';
  let prNumber = 100;

  beforeAll(async () => {
    env = await startDevServer({ extraArgs: ['--search-attribute', `${PostmortemPullRequest.name}=Keyword`] });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./support/tiny-workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    });
    worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle });
    workerRun = worker.run();
    app = createWebhookApp({ client: env.client, taskQueue, secrets: PD_SECRETS, logger, metrics, githubSecret: GITHUB_SECRET });
  }, 120_000);

  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await env?.teardown();
  });

  function post(event: string, payload: unknown, headers: Record<string, string> = {}, target = app) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return request(target)
      .post('/webhooks/github')
      .set('content-type', 'application/json')
      .set('x-github-event', event)
      .set('x-github-delivery', randomUUID())
      .set('x-hub-signature-256', signGitHubBody(body, GITHUB_SECRET))
      .set(headers)
      .send(body);
  }

  /** A running stand-in for an incident whose postmortem PR is `url`, once visibility lists it. */
  async function watching(url: string) {
    const handle = await env.client.workflow.start<typeof pullRequestWatcher>('pullRequestWatcher', { taskQueue, workflowId: `pr-watcher-${randomUUID()}`, args: [url] });
    await eventually(async () => {
      for await (const execution of env.client.workflow.list({ query: pullRequestWorkflowQuery(url) })) if (execution.workflowId === handle.workflowId) return true;
      return undefined;
    }, `visibility to list ${handle.workflowId} by ${PostmortemPullRequest.name}`);
    return handle;
  }

  const nextUrl = () => `https://github.com/acme/postmortems/pull/${++prNumber}`;

  it('answers 404 without GITHUB_WEBHOOK_SECRET, saying so', async () => {
    const off = createWebhookApp({ client: env.client, taskQueue, secrets: PD_SECRETS, logger });
    const res = await post('ping', published('ping'), {}, off);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/GITHUB_WEBHOOK_SECRET is not set/);
  });

  it('delivers a synchronize to the running workflow watching the PR', async () => {
    const url = nextUrl();
    const handle = await watching(url);
    const deliveryId = randomUUID();
    const res = await post('pull_request', withPullRequestUrl(published('pull_request.synchronize'), url), { 'x-github-delivery': deliveryId });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', workflowIds: [handle.workflowId] });
    const signalled: PullRequestEvent = await handle.result();
    expect(signalled).toEqual({
      deliveryId,
      kind: 'synchronize',
      pullRequestUrl: url,
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      actor: 'Codertocat',
      at: '2019-05-15T15:20:33.000Z',
    });
  });

  it('delivers a re-requested evidence check to the workflow of the PR it is on', async () => {
    const payload = published('check_run.rerequested');
    const entry = { ...published('check_run.created').check_run.pull_requests[0], number: ++prNumber };
    const url = `${payload.repository.html_url}/pull/${entry.number}`;
    const handle = await watching(url);
    const body = { ...payload, check_run: { ...payload.check_run, name: EVIDENCE_CHECK_NAME, pull_requests: [entry] } };
    const res = await post('check_run', body);
    expect(res.status).toBe(202);
    expect(await handle.result()).toMatchObject({ kind: 'check_rerequested', pullRequestUrl: url, headSha: payload.check_run.head_sha });
  });

  it('answers 202 ignored to an event of a PR no running incident watches', async () => {
    const res = await post('pull_request_review', { ...published('pull_request_review.submitted'), pull_request: { ...published('pull_request_review.submitted').pull_request, html_url: nextUrl() } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'ignored', reason: 'not a postmortem pull request of a running incident' });
  });

  it('answers 200 ignored to the ping and to unused actions', async () => {
    const ping = await post('ping', published('ping'));
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ status: 'ignored', reason: 'ping: the webhook is set up' });
    const opened = await post('pull_request', published('pull_request.opened'));
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({ status: 'ignored', reason: 'pull_request action "opened" is not used' });
  });

  it.each([
    ['no signature', (body: string) => ({ headers: { 'x-hub-signature-256': '' }, body })],
    ['a signature made with another secret', (body: string) => ({ headers: { 'x-hub-signature-256': signGitHubBody(body, 'not-the-github-secret') }, body })],
    ['a body changed after signing', (body: string) => ({ headers: { 'x-hub-signature-256': signGitHubBody(body, GITHUB_SECRET) }, body: body.replace('Codertocat', 'Codertocas') })],
    ['an over-long signature header', (body: string) => ({ headers: { 'x-hub-signature-256': `sha256=${'f'.repeat(4096)}` }, body })],
  ])('answers 401 to %s', async (_what, variant) => {
    const original = JSON.stringify(published('pull_request.synchronize'));
    const { headers, body } = variant(original);
    const res = await request(app).post('/webhooks/github').set('content-type', 'application/json').set('x-github-event', 'pull_request').set('x-github-delivery', DELIVERY).set(headers).send(body);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/X-Hub-Signature-256/);
  });

  it('answers 400 to a signed body that is not JSON, a missing or malformed delivery id, and an unknown shape of a used event', async () => {
    const notJson = await post('pull_request', 'payload=%7B%7D');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/not valid JSON.*application\/json/);

    const body = JSON.stringify(published('pull_request.synchronize'));
    const signed = () => request(app).post('/webhooks/github').set('content-type', 'application/json').set('x-github-event', 'pull_request').set('x-hub-signature-256', signGitHubBody(body, GITHUB_SECRET));
    const missing = await signed().send(body);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'X-GitHub-Delivery header is missing' });
    const malformed = await signed().set('x-github-delivery', 'not/a/guid').send(body);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/is not a delivery id/);

    const shape = await post('pull_request', { action: 'closed', pull_request: { html_url: nextUrl() } });
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatch(/^pull_request closed event: pull_request\.head/);
  });

  it('answers 503 when Temporal cannot be reached, within GitHub’s 10 s', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const down = createWebhookApp({ client: unreachable, taskQueue, secrets: PD_SECRETS, logger, githubSecret: GITHUB_SECRET });
    const started = Date.now();
    const res = await post('pull_request', withPullRequestUrl(published('pull_request.closed'), nextUrl()), {}, down);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('counts deliveries by event and outcome', async () => {
    const res = await request(createMetricsApp(metrics)).get('/metrics');
    const value = (pattern: RegExp) => Number(pattern.exec(res.text)?.[1] ?? NaN);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="pull_request",outcome="accepted"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="check_run",outcome="accepted"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="pull_request_review",outcome="unmatched"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="ping",outcome="ignored"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="pull_request",outcome="unauthorized"\} (\d+)/m)).toBe(4);
    expect(value(/^postmortem_bridge_github_webhooks_total\{event="pull_request",outcome="invalid"\} (\d+)/m)).toBe(4);
    expect(value(/^postmortem_bridge_temporal_call_seconds_count\{operation="list_and_signal",result="ok"\} (\d+)/m)).toBe(3);
  });

  it('never logs the secret or a signature', () => {
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(all).not.toContain(GITHUB_SECRET);
    expect(all).not.toMatch(/sha256=[0-9a-f]{64}/);
  });
});
