// After the PR opens, end to end: signed PagerDuty and GitHub webhooks through the real bridge → a real
// dev server → the real workflow and activities → the fake Devin, PagerDuty and GitHub APIs. A draft
// with an invented change-event link fails the evidence check (an annotation on that line), Devin is
// asked to fix it, its next commit passes, a webhook merges it and the incident completes with the merge;
// a PR left open is reminded and, closed, ends `skipped` (seen by the poll alone); without GITHUB_TOKEN
// nothing changes.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { incidentWebhook } from '../src/dev/simulation';
import { workflowIdForIncident } from '../src/domain/incident';
import { EVIDENCE_CHECK_NAME } from '../src/domain/review';
import { FakeDevinApi } from './fakes/devin-api';
import { FakeGitHubApi } from './fakes/github-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { GITHUB_SECRET, gitHubDelivery as deliverTo, GitHubReview, gitHubVars, headOf, minutesAfter, postmortemPath, pullRequestPayload } from './support/github-review';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, recordHistory, startDevServer, textOf } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let github: FakeGitHubApi;
let review: GitHubReview;
const { logger, lines } = capturingLogger('review');
/** Webhooks from GitHub; the poll is slow (10 m), so what moves the PR here is the webhook. */
let webhooks: RunningWorker;
/** No GitHub webhook: a 1 s poll, reminders 2 s apart. */
let polling: RunningWorker;
/** No GITHUB_TOKEN: as before issue 14. */
let withoutGitHub: RunningWorker;

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, github] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start()]);
  const vars = { ...fakeApiVars(devin, pagerDuty), PAGERDUTY_FROM_EMAIL: 'postmortems@acme.example', DEVIN_REPORT_WAIT: '0s' };
  webhooks = await startPipeline(env, bundle, logger, { ...vars, ...gitHubVars(github), GITHUB_POLL_INTERVAL: '10m' }, GITHUB_SECRET);
  polling = await startPipeline(env, bundle, logger, { ...vars, ...gitHubVars(github), GITHUB_POLL_INTERVAL: '1s', POSTMORTEM_REVIEW_REMINDER: '2s', POSTMORTEM_FIX_ROUNDS: '0' });
  withoutGitHub = await startPipeline(env, bundle, logger, vars);
  review = new GitHubReview(env, devin, pagerDuty, github);
});

afterAll(async () => {
  await Promise.all([webhooks?.stop(), polling?.stop(), withoutGitHub?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close(), github?.close()]);
  await env?.teardown();
});

const handleFor: GitHubReview['handleFor'] = (incident) => review.handleFor(incident);
const status: GitHubReview['status'] = (incident) => review.status(incident);
const until: GitHubReview['until'] = (...args) => review.until(...args);
const runUntilPullRequest: GitHubReview['runUntilPullRequest'] = (...args) => review.runUntilPullRequest(...args);
/** A GitHub delivery to the bridge that takes GitHub's webhooks. */
const gitHubDelivery = (event: string, payload: unknown, deliveryId?: string) => deliverTo(webhooks, event, payload, deliveryId);

describe('after the pull request opens (GITHUB_TOKEN set)', () => {
  it('an invented change-event link fails the check on its line, Devin fixes it, the next commit passes, a webhook merge completes the incident', async () => {
    const { incident, pr, draft, url } = await runUntilPullRequest(webhooks, { inventChangeEvent: true });
    const firstHead = headOf(pr);

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
    const session = review.sessionOf(incident)!;
    const fix = session.messages.find((m) => m.includes(EVIDENCE_CHECK_NAME))!;
    expect(fix).toContain(`- line ${draft.inventedLine} (invented link)`);

    // Devin pushes the fix; GitHub says so (synchronize) and the new head passes.
    const fixed = await review.correctedDraft(incident);
    github.pushCommit(pr, { [postmortemPath(incident.id)]: fixed.markdown });
    expect((await gitHubDelivery('pull_request', pullRequestPayload('pull_request.synchronize.json', pr, url))).status).toBe(202);
    const passing = await until(incident, 'the fix passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    expect(passing.review).toMatchObject({ checks: 2, fixRounds: 1 });
    expect(github.checkRuns.filter((r) => r.headSha === headOf(pr)).map((r) => r.conclusion)).toEqual(['success']);

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
    // Counted as sent, then posted: wait for the third note too (under load the two are a moment apart).
    const reminded = await until(incident, 'three reminders', (s) => s.review?.remindersSent === 3 && s.writeBack.some((l) => l.startsWith('PagerDuty review reminder 3 ')), 60_000);
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
