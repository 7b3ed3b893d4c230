// Issue 15, end to end: after the postmortem PR merges, its front matter's action items become GitHub
// issues (each once, the owner assigned when GitHub can), listed on the PR; the incident stays
// `following_up` until every issue is closed — seen through GitHub's signed `issues` webhook, or by the
// slow check alone — and an overdue item's owner is reminded once a week at most. Signed webhooks
// through the real bridge → a real dev server → the real workflow → the fake Devin, PagerDuty and GitHub.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../src/domain/incident';
import { itemMarker } from '../src/domain/follow-up';
import { resyncActionItemsUpdate, stopFollowUpUpdate } from '../src/domain/messages';
import { FakeDevinApi } from './fakes/devin-api';
import { FakeGitHubApi } from './fakes/github-api';
import type { StoredIssue } from './fakes/github-issues';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { GITHUB_SECRET, gitHubDelivery, GitHubReview, gitHubVars, issuePayload, pullRequestPayload } from './support/github-review';
import { fakeApiVars, type RunningWorker, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, recordHistory, startDevServer, textOf } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let github: FakeGitHubApi;
let review: GitHubReview;
const { logger, lines } = capturingLogger('follow-up');
/** GitHub's webhooks move the PR and the issues; the checks are hourly, so what closes items here is the webhook. */
let webhooks: RunningWorker;
/** No webhook: the PR polled every second, the items checked every second. */
let polling: RunningWorker;

const ITEMS = [
  { title: 'Alert on connection pool saturation', owner: '@ada', due: '2026-01-15' },
  { title: 'Add a canary stage to checkout deploys', owner: 'sre-team' },
];

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, github] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start()]);
  const vars = { ...fakeApiVars(devin, pagerDuty), DEVIN_REPORT_WAIT: '0s', ...gitHubVars(github), POSTMORTEM_FIX_ROUNDS: '0', ACTION_ITEMS_ON: 'merge' };
  webhooks = await startPipeline(env, bundle, logger, { ...vars, GITHUB_POLL_INTERVAL: '10m', ACTION_ITEMS_CHECK_INTERVAL: '1h' }, GITHUB_SECRET);
  polling = await startPipeline(env, bundle, logger, { ...vars, GITHUB_POLL_INTERVAL: '1s', ACTION_ITEMS_CHECK_INTERVAL: '1s' });
  review = new GitHubReview(env, devin, pagerDuty, github);
  // `ada` is a collaborator; `sre-team` is not a login GitHub can assign.
  github.issues.assignable.set('acme/runbooks', new Set(['ada']));
});

afterAll(async () => {
  await Promise.all([webhooks?.stop(), polling?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close(), github?.close()]);
  await env?.teardown();
});

const issuesOf = (incidentId: string) => github.issues.issues.filter((i) => i.labels.includes(`incident:${incidentId}`)).sort((a, b) => a.number - b.number);
const closeAndTell = async (issue: StoredIssue) => {
  github.issues.close(issue);
  const delivery = randomUUID();
  expect((await gitHubDelivery(webhooks, 'issues', issuePayload(issue, 'closed'), delivery)).status).toBe(202);
  return delivery;
};

describe('action items after the merge (ACTION_ITEMS_ON=merge)', () => {
  it('become issues once each, listed on the PR; closing them (webhook) completes the incident', async () => {
    const { incident, pr, url } = await review.runUntilPullRequest(webhooks, { actionItems: ITEMS });
    await review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    // Nothing to stop yet: the operator's update is refused, saying why.
    await expect(review.handleFor(incident).executeUpdate(stopFollowUpUpdate, { args: [{ reason: 'too early' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not following up action items \(phase in_review\)/) } });
    github.merge(pr);
    const merged = pullRequestPayload('pull_request.closed.json', pr, url, { merged: true, merge_commit_sha: pr.mergeCommitSha, merged_by: { login: 'ada' } });
    expect((await gitHubDelivery(webhooks, 'pull_request', merged)).status).toBe(202);

    const following = await review.until(incident, 'the items are followed', (s) => s.phase === 'following_up' && s.followUp?.items.length === 2);
    const issues = issuesOf(incident.id);
    expect(issues.map((i) => i.title)).toEqual(ITEMS.map((i) => `[postmortem ${incident.id}] ${i.title}`));
    expect(github.issues.created).toBe(2);
    expect(issues.map((i) => i.assignees)).toEqual([['ada'], []]);
    expect(issues[1]!.body).toContain('Owner: sre-team');
    issues.forEach((issue, index) => {
      expect(issue.labels).toEqual(['postmortem', `incident:${incident.id}`]);
      expect(issue.body).toContain(itemMarker(incident.id, index));
      // The link goes to the postmortem as merged.
      expect(issue.body).toContain(`https://github.com/acme/runbooks/blob/${pr.mergeCommitSha}/postmortems/${incident.id}.md`);
    });
    expect(following.followUp!.items.map((i) => [i.issueUrl, i.state, i.due ?? null])).toEqual(issues.map((i, n) => [`https://github.com/acme/runbooks/issues/${i.number}`, 'open', ITEMS[n]!.due ?? null]));
    const listed = github.comments.find((c) => c.number === pr.number && c.body.includes('tracked as issues'));
    for (const issue of issues) expect(listed?.body).toContain(`/issues/${issue.number}`);

    // One closed on github.com: the webhook has the workflow look at once (the hourly check is far off).
    const first = await closeAndTell(issues[0]!);
    const oneClosed = await review.until(incident, 'the first item closed', (s) => s.followUp?.items[0]?.state === 'closed');
    expect(oneClosed.phase).toBe('following_up');
    expect(oneClosed.followUp!.items[1]!.state).toBe('open');
    // An operator's re-sync reads every item now and answers them.
    expect((await review.handleFor(incident).executeUpdate(resyncActionItemsUpdate)).map((i) => i.state)).toEqual(['closed', 'open']);
    // A redelivery and an issue that is not one of this incident's are answered and change nothing.
    expect((await gitHubDelivery(webhooks, 'issues', issuePayload(issues[0]!, 'closed'), first)).status).toBe(202);
    const stranger = { ...issues[1]!, number: 9999, labels: ['bug'] };
    expect((await gitHubDelivery(webhooks, 'issues', issuePayload(stranger, 'closed'))).status).toBe(200);

    await closeAndTell(issues[1]!);
    const result = await review.handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'pull_request_merged', actionItems: { created: 2, closed: 2, open: [], endedReason: 'every action item is closed' } });
    const done = await review.status(incident);
    expect(done.phase).toBe('completed');
    expect(done.followUp?.endedReason).toBe('every action item is closed');
    expect(github.issues.created).toBe(2);
    const history = textOf(await review.handleFor(incident).fetchHistory()).join('\n');
    expect(history).not.toContain(github.token);
    expect(lines.join('\n')).not.toContain(github.token);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'follow-up-items-closed');
  }, 120_000);

  it('without a webhook: the check sees a closed item, an overdue owner is reminded once, an operator stops the rest', async () => {
    const { incident, pr } = await review.runUntilPullRequest(polling, { actionItems: ITEMS });
    await review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    github.merge(pr);
    await review.until(incident, 'the items are followed', (s) => s.phase === 'following_up' && s.followUp?.items.length === 2);
    const issues = issuesOf(incident.id);

    // The first item was due 2026-01-15: its owner is reminded on the issue, and only once in a week.
    const reminded = await review.until(incident, 'the overdue owner reminded', (s) => s.followUp?.items[0]?.reminders === 1);
    expect(reminded.followUp!.items[1]!.reminders).toBe(0);
    const checksThen = reminded.followUp!.checks;
    await review.until(incident, 'three more checks', (s) => (s.followUp?.checks ?? 0) >= checksThen + 3);
    expect(issues[0]!.comments.filter((c) => c.includes('postmortem-pipeline:overdue-reminder'))).toHaveLength(1);
    expect(issues[0]!.comments[0]).toMatch(/^@ada: this action item .* was due 2026-01-15 and is still open/);
    expect(issues[1]!.comments).toEqual([]);

    github.issues.close(issues[1]!);
    await review.until(incident, 'the check sees the closed item', (s) => s.followUp?.items[1]?.state === 'closed');

    await review.handleFor(incident).executeUpdate(stopFollowUpUpdate, { args: [{ reason: 'tracked in the quarterly plan' }] });
    const result = await review.handleFor(incident).result();
    expect(result.actionItems).toMatchObject({ created: 2, closed: 1, open: [{ title: ITEMS[0]!.title }], endedReason: 'stopped by an operator: tracked in the quarterly plan' });
    expect((await review.status(incident)).phase).toBe('completed');
    recordHistory(env.address, workflowIdForIncident(incident.id), 'follow-up-reminder-and-stop');
  }, 120_000);
});
