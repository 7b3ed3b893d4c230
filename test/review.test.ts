// After the PR opens, end to end: signed PagerDuty and GitHub webhooks through the real bridge → a real
// dev server → the real workflow and activities → the fake Devin, PagerDuty and GitHub APIs. A draft
// with an invented change-event link fails the evidence check (an annotation on that line), Devin is
// asked to fix it, its next commit passes, a webhook merges it and the incident completes with the merge;
// a PR left open is reminded and, closed, ends `skipped` (seen by the poll alone); without GITHUB_TOKEN
// nothing changes.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { incidentWebhook, type SimulatedIncident } from '../src/dev/simulation';
import { workflowIdForIncident } from '../src/domain/incident';
import { evidencePackQuery, statusQuery } from '../src/domain/messages';
import { EVIDENCE_CHECK_NAME } from '../src/domain/review';
import type { PostmortemResult, PostmortemStatus } from '../src/domain/status';
import { FakeDevinApi } from './fakes/devin-api';
import { FakeGitHubApi } from './fakes/github-api';
import type { StoredPullRequest } from './fakes/github-data';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { type Draft, draftFromPack } from './support/drafts';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, recordHistory, startDevServer, textOf } from './support/temporal';

const GITHUB_SECRET = 'gh-webhook-secret-review-test';
const WEBHOOKS = path.join(__dirname, 'fixtures', 'published', 'github', 'webhooks');
const published = (name: string) => JSON.parse(readFileSync(path.join(WEBHOOKS, name), 'utf8')) as Record<string, Record<string, unknown>>;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let github: FakeGitHubApi;
const { logger, lines } = capturingLogger('review');
/** Webhooks from GitHub; the poll is slow (10 m), so what moves the PR here is the webhook. */
let webhooks: RunningWorker;
/** No GitHub webhook: a 1 s poll, reminders 2 s apart. */
let polling: RunningWorker;
/** No GITHUB_TOKEN: as before issue 14. */
let withoutGitHub: RunningWorker;
/** Each incident's drafts, by incident id: the fake GitHub serves the first when Devin's PR is first read. */
const drafts = new Map<string, Draft>();

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, github] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start()]);
  const vars = { ...fakeApiVars(devin, pagerDuty), PAGERDUTY_FROM_EMAIL: 'postmortems@acme.example', DEVIN_REPORT_WAIT: '0s' };
  const gitHubVars = { GITHUB_TOKEN: github.token, GITHUB_API_BASE_URL: github.baseUrl, POSTMORTEM_REVIEWERS: 'acme/sre' };
  webhooks = await startPipeline(env, bundle, logger, { ...vars, ...gitHubVars, GITHUB_POLL_INTERVAL: '10m' }, GITHUB_SECRET);
  polling = await startPipeline(env, bundle, logger, { ...vars, ...gitHubVars, GITHUB_POLL_INTERVAL: '1s', POSTMORTEM_REVIEW_REMINDER: '2s', POSTMORTEM_FIX_ROUNDS: '0' });
  withoutGitHub = await startPipeline(env, bundle, logger, vars);
  // Devin's PR, as GitHub shows it when the workflow first reads it: the incident's draft at its head.
  github.onMissingPull = (owner, repo, number) => {
    const url = `https://github.com/${owner}/${repo}/pull/${number}`;
    const session = devin.sessions.find((s) => s.pull_requests.some((pr) => pr.pr_url === url));
    const incidentId = session?.tags.find((t) => t.startsWith('pd-incident:'))?.slice('pd-incident:'.length);
    const draft = incidentId ? drafts.get(incidentId) : undefined;
    return draft ? { owner, repo, number, files: { [postmortemPath(incidentId!)]: draft.markdown } } : undefined;
  };
});

afterAll(async () => {
  await Promise.all([webhooks?.stop(), polling?.stop(), withoutGitHub?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close(), github?.close()]);
  await env?.teardown();
});

const postmortemPath = (incidentId: string) => `postmortems/${incidentId}.md`;
const handleFor = (incident: SimulatedIncident) => env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
const status = (incident: SimulatedIncident): Promise<PostmortemStatus> => handleFor(incident).query(statusQuery);
const minutesAfter = (incident: SimulatedIncident, minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();

function until(incident: SimulatedIncident, what: string, test: (s: PostmortemStatus) => boolean, timeoutMs = 60_000) {
  return eventually(async () => {
    const s = await status(incident);
    return test(s) ? s : undefined;
  }, `incident ${incident.id}: ${what}`, timeoutMs);
}

/** Acknowledged, its draft prepared from the pack the workflow holds, then resolved: Devin opens the PR. */
async function runUntilPullRequest(worker: RunningWorker, draft: { inventChangeEvent?: boolean } = {}) {
  const incident = seedIncident(pagerDuty, {}, { logEntries: 6 });
  expect((await worker.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 2) }))).status).toBe(202);
  await until(incident, 'awaiting resolution', (s) => s.phase === 'awaiting_resolution');
  const resolvedAt = minutesAfter(incident, 47);
  const answer = await handleFor(incident).query(evidencePackQuery);
  expect(answer.pack?.incident.id).toBe(incident.id);
  const prepared = draftFromPack(answer.pack!, resolvedAt, draft);
  drafts.set(incident.id, prepared);
  expect((await worker.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: resolvedAt }))).status).toBe(202);
  const opened = await until(incident, 'the PR is followed', (s) => s.review !== undefined && s.pullRequestUrl !== undefined);
  const pr = github.pullAt(opened.pullRequestUrl!);
  expect(pr).toBeDefined();
  return { incident, pr: pr!, draft: prepared, url: opened.pullRequestUrl! };
}

/** A GitHub delivery, signed with the bridge's secret. */
function gitHubDelivery(event: string, payload: unknown, deliveryId: string = randomUUID()) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
  return request(webhooks.app).post('/webhooks/github').set('content-type', 'application/json').set('x-github-event', event).set('x-github-delivery', deliveryId).set('x-hub-signature-256', signature).send(body);
}

function pullRequestPayload(name: string, pr: StoredPullRequest, url: string, extra: Record<string, unknown> = {}) {
  const example = published(name);
  const head = pr.commits[pr.commits.length - 1]!.sha;
  return { ...example, number: pr.number, pull_request: { ...example.pull_request, html_url: url, number: pr.number, head: { ...(example.pull_request!.head as object), sha: head }, ...extra } };
}

describe('after the pull request opens (GITHUB_TOKEN set)', () => {
  it('an invented change-event link fails the check on its line, Devin fixes it, the next commit passes, a webhook merge completes the incident', async () => {
    const { incident, pr, draft, url } = await runUntilPullRequest(webhooks, { inventChangeEvent: true });
    const firstHead = pr.commits[pr.commits.length - 1]!.sha;

    // The check run on the head commit: failing, with the annotation on the invented link's line.
    const failed = await until(incident, 'the check fails and Devin is asked to fix it', (s) => s.phase === 'revising' && s.review?.lastCheck?.conclusion === 'failure');
    expect(failed.review).toMatchObject({ checks: 1, fixRounds: 1, fixRoundsAllowed: 2, reviewersRequested: ['acme/sre'] });
    expect(failed.review!.lastCheck).toMatchObject({ headSha: firstHead, path: postmortemPath(incident.id), byKind: { invented_link: 1 } });
    const runs = github.checkRuns.filter((r) => r.headSha === firstHead);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: EVIDENCE_CHECK_NAME, conclusion: 'failure' });
    const annotation = runs[0]!.annotations.find((a) => String(a.message).includes(draft.inventedUrl!));
    expect(annotation).toMatchObject({ path: postmortemPath(incident.id), start_line: draft.inventedLine, annotation_level: 'failure' });
    expect(pr.requestedTeams).toEqual(['sre']);

    // Devin is sent the findings, as a list, in the same session.
    const session = devin.sessions.find((s) => s.tags.includes(`pd-incident:${incident.id}`))!;
    const fix = session.messages.find((m) => m.includes(EVIDENCE_CHECK_NAME))!;
    expect(fix).toContain(`- line ${draft.inventedLine} (invented link)`);

    // Devin pushes the fix; GitHub says so (synchronize) and the new head passes.
    const fixed = draftFromPack((await handleFor(incident).query(evidencePackQuery)).pack!, minutesAfter(incident, 47));
    github.pushCommit(pr, { [postmortemPath(incident.id)]: fixed.markdown });
    expect((await gitHubDelivery('pull_request', pullRequestPayload('pull_request.synchronize.json', pr, url))).status).toBe(202);
    const passing = await until(incident, 'the fix passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    expect(passing.review).toMatchObject({ checks: 2, fixRounds: 1 });
    expect(github.checkRuns.filter((r) => r.headSha === pr.commits[pr.commits.length - 1]!.sha).map((r) => r.conclusion)).toEqual(['success']);

    // Merged: GitHub's webhook (delivered twice, as a redelivery would) ends it.
    github.merge(pr);
    const merged = pullRequestPayload('pull_request.closed.json', pr, url, { merged: true, merge_commit_sha: pr.mergeCommitSha, merged_by: { login: 'ada' } });
    const deliveryId = randomUUID();
    expect((await gitHubDelivery('pull_request', merged, deliveryId)).status).toBe(202);
    const result = await handleFor(incident).result();
    await gitHubDelivery('pull_request', merged, deliveryId);
    expect(result).toMatchObject({ outcome: 'pull_request_merged', pullRequestUrl: url, mergeCommitSha: pr.mergeCommitSha, evidenceCheck: 'success' });
    const done = await status(incident);
    expect(done.phase).toBe('completed');
    expect(done.review).toMatchObject({ mergeCommitSha: pr.mergeCommitSha, remindersSent: 0 });
    expect(done.devinSessionEnded).toBe('archived (postmortem merged)');
    expect(session.is_archived).toBe(true);
    const notes = pagerDuty.notes(incident.id).map((n) => n.content);
    expect(notes.filter((n) => n.includes('[postmortem-pipeline:merged]'))).toHaveLength(1);
    expect(notes.find((n) => n.includes('Postmortem merged'))).toContain(url);

    // The postmortem PR is findable by its URL, and nothing secret reached the history.
    const described = await handleFor(incident).describe();
    expect(described.searchAttributes.PostmortemPullRequest).toEqual([url]);
    const history = textOf(await handleFor(incident).fetchHistory()).join('\n');
    expect(history).not.toContain(github.token);
    expect(lines.join('\n')).not.toContain(github.token);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'review-fix-round-and-merge');
  }, 120_000);

  it('a PR left open is reminded (PagerDuty note each time, at most 3), and closed without merging ends skipped — seen by the poll, without a webhook', async () => {
    const { incident, pr } = await runUntilPullRequest(polling);
    const reminded = await until(incident, 'three reminders', (s) => s.review?.remindersSent === 3, 60_000);
    expect(reminded.phase).toBe('in_review');
    // The check passed: nothing to fix (and POSTMORTEM_FIX_ROUNDS=0 would not ask).
    expect(reminded.review?.lastCheck?.conclusion).toBe('success');
    const reminders = pagerDuty.notes(incident.id).filter((n) => n.content.includes('[postmortem-pipeline:review_reminder-'));
    expect(reminders.map((n) => /review_reminder-(\d)/.exec(n.content)?.[1])).toEqual(['1', '2', '3']);

    github.closePull(pr);
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('skipped');
    expect(result.skipReason).toMatch(/closed without merging/);
    const ended = await status(incident);
    expect(ended.phase).toBe('skipped');
    expect(ended.review?.remindersSent).toBe(3);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'review-reminders-and-close');
  }, 120_000);

  it('without GITHUB_TOKEN nothing changes: completed when the PR is open, GitHub never asked', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 6 });
    const before = github.requests.length;
    await withoutGitHub.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 2) }));
    await withoutGitHub.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: minutesAfter(incident, 30) }));
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    const done = await status(incident);
    expect(done.review).toBeUndefined();
    expect(done.phase).toBe('completed');
    expect(github.requests.length).toBe(before);
  }, 60_000);
});
