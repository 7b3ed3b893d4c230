// Issue 15, end to end: after the postmortem PR merges, its front matter's three action items become
// GitHub issues (each once, the owner assigned when GitHub can), listed on the PR and in a PagerDuty note;
// the incident stays `following_up` until every issue is closed — one seen through GitHub's signed
// `issues` webhook, two by the periodic check — and an overdue item's owner is reminded once a week at
// most, across continue-as-new. The next incident on the service finds the earlier postmortem with its
// open item in POSTMORTEM_REPO: in its prompt, and marked a repeat. Signed webhooks through the real
// bridge → a real dev server → the real workflow → the fake Devin, PagerDuty and GitHub.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { runCli } from '../src/cli/main';
import { workflowIdForIncident } from '../src/domain/incident';
import { itemMarker } from '../src/domain/follow-up';
import { resyncActionItemsUpdate, stopFollowUpUpdate } from '../src/domain/messages';
import { PostmortemPhase } from '../src/domain/search-attributes';
import { FakeDevinApi } from './fakes/devin-api';
import { FakeGitHubApi } from './fakes/github-api';
import type { StoredIssue } from './fakes/github-issues';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { GITHUB_SECRET, gitHubDelivery, GitHubReview, gitHubVars, headOf, issuePayload, pullRequestPayload } from './support/github-review';
import { bridgeFor, fakeApiVars, newTaskQueue, PIPELINE_DEFAULTS, type RunningWorker, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, recordHistory, startDevServer, textOf } from './support/temporal';
import { freePort } from './support/temporal-ui';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let github: FakeGitHubApi;
let review: GitHubReview;
const { logger, lines } = capturingLogger('follow-up');
/** GitHub's webhooks move the PR and the issues; the items are checked every 15 s besides. */
const CHECK_MS = 15_000;
let webhooks: RunningWorker;
/** No webhook: the PR polled every second, the items checked every second, continued as new every 2 checks. */
let polling: RunningWorker;
/** The worker settings both share (and the worker process of the SIGKILL test takes). */
let vars: Record<string, string>;
const processes = new Set<WorkerProcess>();

/** Resolved 73 minutes ago (created 2 h ago, resolved 47 min later): inside the report's window. */
const earlier = () => ({ createdAt: new Date(Date.now() - 2 * 3_600_000).toISOString() });

const ITEMS = [
  { title: 'Alert on connection pool saturation', owner: '@ada', due: '2026-01-15' },
  { title: 'Add a canary stage to checkout deploys', owner: 'sre-team' },
  { title: 'Load-test pool size changes before release', owner: 'TBD', due: '2027-06-30' },
];

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, github] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start()]);
  vars = { ...fakeApiVars(devin, pagerDuty), PAGERDUTY_FROM_EMAIL: 'postmortems@acme.example', DEVIN_REPORT_WAIT: '0s', ...gitHubVars(github), POSTMORTEM_FIX_ROUNDS: '0', ACTION_ITEMS_ON: 'merge', POSTMORTEM_REPO: 'acme/runbooks' };
  webhooks = await startPipeline(env, bundle, logger, { ...vars, GITHUB_POLL_INTERVAL: '10m', ACTION_ITEMS_CHECK_INTERVAL: `${CHECK_MS / 1000}s` }, GITHUB_SECRET);
  polling = await startPipeline(env, bundle, logger, { ...vars, GITHUB_POLL_INTERVAL: '1s', ACTION_ITEMS_CHECK_INTERVAL: '1s', ACTION_ITEMS_CHECKS_PER_RUN: '2' });
  // The postmortems go where the prompt asks, so that the next incident finds them.
  review = new GitHubReview(env, devin, pagerDuty, github, { promptPaths: true });
  // `ada` is a collaborator; `sre-team` is not a login GitHub can assign.
  github.issues.assignable.set('acme/runbooks', new Set(['ada']));
});

afterAll(async () => {
  await Promise.all([webhooks?.stop(), polling?.stop(), ...[...processes].map((p) => p.kill())]);
  await Promise.all([devin?.close(), pagerDuty?.close(), github?.close()]);
  await env?.teardown();
});

/** The operator's CLI, in-process, against the dev server. */
async function cli(argv: string[], extra: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const env_ = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default', TEMPORAL_TASK_QUEUE: webhooks.taskQueue, ...extra };
  const code = await runCli(argv, { env: env_, stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) } });
  return { code, stdout, stderr };
}

const issuesOf = (incidentId: string) => github.issues.issues.filter((i) => i.labels.includes(`incident:${incidentId}`)).sort((a, b) => a.number - b.number);
const closeAndTell = async (issue: StoredIssue) => {
  github.issues.close(issue);
  const delivery = randomUUID();
  expect((await gitHubDelivery(webhooks, 'issues', issuePayload(issue, 'closed'), delivery)).status).toBe(202);
  return delivery;
};

describe('action items after the merge (ACTION_ITEMS_ON=merge)', () => {
  it('become issues once each, listed on the PR and in PagerDuty; one closed by webhook, two by the check, the incident completes', async () => {
    const { incident, pr, url } = await review.runUntilPullRequest(webhooks, { actionItems: ITEMS }, { ...earlier(), title: 'Checkout API connection pool exhausted' });
    await review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    // Nothing to stop yet: the operator's update is refused, saying why.
    await expect(review.handleFor(incident).executeUpdate(stopFollowUpUpdate, { args: [{ reason: 'too early' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not following up action items \(phase in_review\)/) } });
    expect(await cli(['followups', incident.id])).toMatchObject({ code: 0, stdout: expect.stringContaining('is not following action items yet (phase in_review)') });
    expect(await cli(['followups', incident.id, '--stop', '--reason', 'too early'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused: .*not following up action items \(phase in_review\)/) });
    github.merge(pr);
    const merged = pullRequestPayload('pull_request.closed.json', pr, url, { merged: true, merge_commit_sha: pr.mergeCommitSha, merged_by: { login: 'ada' } });
    expect((await gitHubDelivery(webhooks, 'pull_request', merged)).status).toBe(202);

    // Followed once the issues are listed on the PR and in PagerDuty.
    const following = await review.until(incident, 'the items are followed and announced', (s) => s.phase === 'following_up' && s.followUp?.items.length === 3 && s.writeBack.some((l) => l.startsWith('PagerDuty action items note')));
    expect(following.writeBack).toEqual(expect.arrayContaining(['Action items listed on the PR (3)', 'PagerDuty action items note posted']));
    const issues = issuesOf(incident.id);
    expect(issues.map((i) => i.title)).toEqual(ITEMS.map((i) => `[postmortem ${incident.id}] ${i.title}`));
    expect(github.issues.created).toBe(3);
    expect(issues.map((i) => i.assignees)).toEqual([['ada'], [], []]);
    expect(issues[1]!.body).toContain('Owner: sre-team');
    issues.forEach((issue, index) => {
      expect(issue.labels).toEqual(['postmortem', `incident:${incident.id}`]);
      expect(issue.body).toContain(itemMarker(incident.id, index));
      // The links go to the postmortem as merged and to the incident.
      expect(issue.body).toContain(`https://github.com/acme/runbooks/blob/${pr.mergeCommitSha}/${review.pathOf(incident.id)}`);
      expect(issue.body).toContain(`/incidents/${incident.id}`);
    });
    expect(following.followUp!.items.map((i) => [i.issueUrl, i.state, i.due ?? null])).toEqual(issues.map((i, n) => [`https://github.com/acme/runbooks/issues/${i.number}`, 'open', ITEMS[n]!.due ?? null]));
    const listed = github.comments.find((c) => c.number === pr.number && c.body.includes('tracked as issues'));
    const noted = pagerDuty.notes(incident.id).find((n) => n.content.includes('action items tracked as issues'));
    for (const issue of issues) {
      expect(listed?.body).toContain(`/issues/${issue.number}`);
      expect(noted?.content).toContain(`/issues/${issue.number}`);
    }

    // The operator's view: each item with its state (the first is past its due date), issue, owner, due date.
    const listing = await cli(['followups', incident.id]);
    expect(listing.code).toBe(0);
    const rows = listing.stdout.split('\n').filter((l) => /^\d+\s/.test(l));
    expect(rows).toHaveLength(3);
    issues.forEach((issue, n) => expect(rows[n]).toContain(`https://github.com/acme/runbooks/issues/${issue.number}`));
    expect(rows[0]).toMatch(/^1\s+overdue\s+\S+\s+@ada\s+2026-01-15\s+\d\s+Alert on connection pool saturation$/);
    expect(rows[1]).toMatch(/^2\s+open\s+\S+\s+sre-team\s+—\s+0\s+Add a canary stage/);
    expect(listing.stdout).toContain('0 of 3 closed, 1 overdue');
    expect(JSON.parse((await cli(['followups', incident.id, '--json'])).stdout)).toMatchObject({ phase: 'following_up', followUp: { items: issues.map((i) => ({ issueId: String(i.number) })) } });
    expect((await cli(['status', incident.id])).stdout).toMatch(/action items +0 of 3 closed, 1 overdue, followed for/);

    // One closed on github.com: the webhook has the workflow look at once, before its first scheduled check.
    const { startedAt } = following.followUp!;
    const first = await closeAndTell(issues[0]!);
    const oneClosed = await review.until(incident, 'the first item closed', (s) => s.followUp?.items[0]?.state === 'closed');
    expect(oneClosed.phase).toBe('following_up');
    expect(oneClosed.followUp!.items.map((i) => i.state)).toEqual(['closed', 'open', 'open']);
    expect(Date.parse(oneClosed.followUp!.lastCheckAt!)).toBeLessThan(Date.parse(startedAt) + CHECK_MS);
    // An operator's re-sync reads every item now and answers them (the Update, and the CLI that sends it).
    expect((await review.handleFor(incident).executeUpdate(resyncActionItemsUpdate)).map((i) => i.state)).toEqual(['closed', 'open', 'open']);
    const resynced = await cli(['followups', incident.id, '--resync']);
    expect(resynced).toMatchObject({ code: 0, stdout: expect.stringContaining(`re-synced incident-${incident.id}`) });
    expect(resynced.stdout).toMatch(/^1\s+closed\s/m);
    // A redelivery and an issue that is not one of this incident's are answered and change nothing.
    expect((await gitHubDelivery(webhooks, 'issues', issuePayload(issues[0]!, 'closed'), first)).status).toBe(202);
    const stranger = { ...issues[1]!, number: 9999, labels: ['bug'] };
    expect((await gitHubDelivery(webhooks, 'issues', issuePayload(stranger, 'closed'))).status).toBe(200);
    // Reopened on GitHub: open again here (closed items are read too), and followed until closed again.
    github.issues.reopen(issues[0]!);
    expect((await gitHubDelivery(webhooks, 'issues', issuePayload(issues[0]!, 'reopened'))).status).toBe(202);
    await review.until(incident, 'the reopened item open again', (s) => s.followUp?.items[0]?.state === 'open');

    // All three closed without a webhook: the periodic check sees them.
    const checksBefore = (await review.status(incident)).followUp!.checks;
    github.issues.close(issues[0]!);
    github.issues.close(issues[1]!);
    github.issues.close(issues[2]!, 'not_planned');
    const result = await review.handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'pull_request_merged', actionItems: { created: 3, closed: 3, open: [], endedReason: 'every action item is closed' } });
    const done = await review.status(incident);
    expect(done.phase).toBe('completed');
    expect(done.followUp?.endedReason).toBe('every action item is closed');
    expect(done.followUp!.checks).toBeGreaterThan(checksBefore);
    expect(github.issues.created).toBe(3);
    const history = textOf(await review.handleFor(incident).fetchHistory()).join('\n');
    expect(history).not.toContain(github.token);
    expect(lines.join('\n')).not.toContain(github.token);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'follow-up-closed-reopened-closed');
  }, 120_000);

  it('without a webhook: the check sees a closed item, an overdue owner is reminded once across continue-as-new, an operator stops the rest', async () => {
    const { incident, pr } = await review.runUntilPullRequest(polling, { actionItems: ITEMS.slice(0, 2) }, { ...earlier(), title: 'Checkout API p99 latency above 2s' });
    await review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    github.merge(pr);
    await review.until(incident, 'the items are followed', (s) => s.phase === 'following_up' && s.followUp?.items.length === 2);
    const issues = issuesOf(incident.id);
    const created = github.issues.created;

    // The first item was due 2026-01-15: its owner is reminded on the issue, and only once in a week.
    const reminded = await review.until(incident, 'the overdue owner reminded', (s) => s.followUp?.items[0]?.reminders === 1);
    expect(reminded.followUp!.items[1]!.reminders).toBe(0);
    // Two checks per run (ACTION_ITEMS_CHECKS_PER_RUN): the follow-up continues as new with its state.
    const continued = await review.until(incident, 'two more runs', (s) => (s.followUp?.runs ?? 0) >= 3);
    expect(continued.phase).toBe('following_up');
    expect(continued.followUp!.items.map((i) => [i.issueId, i.reminders])).toEqual(issues.map((i, n) => [String(i.number), n === 0 ? 1 : 0]));
    expect(issues[0]!.comments.filter((c) => c.includes('postmortem-pipeline:overdue-reminder'))).toHaveLength(1);
    expect(issues[0]!.comments[0]).toMatch(/^@ada: this action item .* was due 2026-01-15 and is still open/);
    expect(issues[1]!.comments).toEqual([]);
    expect(github.issues.created).toBe(created);

    github.issues.close(issues[1]!);
    await review.until(incident, 'the check sees the closed item', (s) => s.followUp?.items[1]?.state === 'closed');

    expect(await cli(['followups', incident.id, '--stop', '--reason', 'tracked in the quarterly plan'])).toMatchObject({ code: 0, stdout: expect.stringContaining('1 item(s) left open (reason: tracked in the quarterly plan)') });
    const result = await review.handleFor(incident).result();
    expect(result.actionItems).toMatchObject({ created: 2, closed: 1, open: [{ title: ITEMS[0]!.title }], endedReason: 'stopped by an operator: tracked in the quarterly plan' });
    expect((await review.status(incident)).phase).toBe('completed');
    // Each run it continued from closed as continued-as-new, still following up: not failed, and the
    // Devin session (archived at the merge) was not terminated by it.
    const runs: { status: string; phase: string | undefined }[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowIdForIncident(incident.id)}'` })) runs.push({ status: run.status.name, phase: run.typedSearchAttributes.get(PostmortemPhase) });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.filter((r) => r.status !== 'COMPLETED')).toEqual(Array.from({ length: runs.length - 1 }, () => ({ status: 'CONTINUED_AS_NEW', phase: 'following_up' })));
    expect(review.sessionOf(incident)?.terminated).toBeFalsy();
    recordHistory(env.address, workflowIdForIncident(incident.id), 'follow-up-continued-as-new-then-stopped');
  }, 120_000);

  it('the next incident on the service finds the earlier postmortem with its open item: in the prompt, and marked a repeat', async () => {
    // Of the two merged postmortems above, only the second left an item open.
    const open = github.issues.issues.filter((i) => i.state === 'open' && i.labels.includes('postmortem'));
    expect(open).toHaveLength(1);
    const { incident } = await review.runUntilPullRequest(webhooks, {}, { title: 'Checkout API errors after the pool change' });
    const status = await review.status(incident);
    expect(status.earlierPostmortems).toBe('2 earlier postmortem(s) of checkout-api in acme/runbooks, 1 open action item(s)');
    expect(status.repeatOf).toMatch(/^https:\/\/github\.com\/acme\/runbooks\/blob\/main\/docs\/postmortems\/\d{4}-\d{2}-\d{2}-checkout-api-checkout-api-p99-latency-above-2s\.md has 1 open action item$/);
    const prompt = review.sessionOf(incident)!.prompt;
    expect(prompt).toContain(`https://github.com/acme/runbooks/issues/${open[0]!.number}`);
    expect(prompt).toContain(ITEMS[0]!.title);
    expect(pagerDuty.notes(incident.id).find((n) => n.content.startsWith('Postmortem drafting started'))?.content).toContain(`repeat: ${status.repeatOf}`);
    await review.handleFor(incident).terminate('test over');
  }, 120_000);
  it('postmortem report: the figures of the window, from the merged front matter, the incidents\' notes, the tracker and the open workflows', async () => {
    // The two merged postmortems above: 3 items all closed, 2 items with one open and overdue; both passed the check at the first try.
    const vars_ = { GITHUB_TOKEN: github.token, GITHUB_API_BASE_URL: github.baseUrl, POSTMORTEM_REPO: 'acme/runbooks', PAGERDUTY_API_TOKEN: pagerDuty.token, PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl };
    const json = await cli(['report', '--since', '30d', '--json'], vars_);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const figures = JSON.parse(json.stdout);
    expect(figures).toMatchObject({
      repository: 'acme/runbooks',
      postmortems: { drafted: 2, merged: 2, skipped: 0 },
      evidenceCheck: { checked: 2, passedFirstTry: 2, firstTryPassRate: 1 },
      actionItems: { created: 5, closed: 4, open: 1, overdue: 1 },
      repeats: { count: 0 },
      problems: [],
    });
    // The incidents: the two merged, and the third (its workflow is still listed).
    expect(figures.incidents).toBe(3);
    // Resolved 73 minutes before its PR opened, a minute or so before the merge.
    expect(figures.resolutionToPullRequest).toMatchObject({ count: 2 });
    expect(figures.resolutionToPullRequest.medianMinutes).toBeGreaterThanOrEqual(70);
    expect(figures.resolutionToPullRequest.medianMinutes).toBeLessThan(90);
    expect(figures.resolutionToMerge.count).toBe(2);
    // Each merged note carries the session's cost.
    expect(figures.devinAcus.postmortemsWithCost).toBe(2);
    expect(figures.devinAcus.total).toBeGreaterThan(0);

    const text = await cli(['report', '--since', '30d'], vars_);
    expect(text.stdout).toMatch(/Evidence check, first try +100 % passed \(2 of 2\)/);
    expect(text.stdout).toMatch(/Action items +5 created, 4 closed, 1 open, 1 overdue/);
    const markdown = await cli(['report', '--since', '30d', '--service', 'checkout-api', '--markdown'], vars_);
    expect(markdown.stdout).toContain('| Merged | 2 |');
    expect((await cli(['report', '--since', '30d', '--service', 'payments-api', '--json'], vars_)).stdout).toContain('"merged": 0');
    // A repository without the folder (a typo, a token that cannot see it): said, not zeros in silence.
    const typo = await cli(['report', '--json'], { ...vars_, POSTMORTEM_REPO: 'acme/runbook' });
    expect(JSON.parse(typo.stdout).problems).toContain('docs/postmortems/ not found in acme/runbook: no postmortem merged there yet, or POSTMORTEM_REPO is wrong, or the token cannot read it (Contents: read)');
    // Where it cannot read, it says which variable is missing.
    expect(await cli(['report'], { ...vars_, POSTMORTEM_REPO: '' })).toMatchObject({ code: 1, stderr: expect.stringContaining('POSTMORTEM_REPO') });
    expect(await cli(['report', '--json', '--markdown'], vars_)).toMatchObject({ code: 2 });
    expect(json.stdout + text.stdout).not.toContain(github.token);
  }, 60_000);

  it('ACTION_ITEMS_ON=pr_open: followed from the PR\'s opening, without a review, read at its head commit', async () => {
    const prOpen = await startPipeline(env, bundle, logger, { ...vars, ACTION_ITEMS_ON: 'pr_open', ACTION_ITEMS_CHECK_INTERVAL: '1s', GITHUB_POLL_INTERVAL: '1s' });
    try {
      const { incident, pr } = await review.runUntilPullRequest(prOpen, { actionItems: ITEMS.slice(1) }, { title: 'Checkout API canary skipped' }, (s) => s.phase === 'following_up');
      const following = await review.until(incident, 'the items are followed', (s) => s.followUp?.items.length === 2);
      // Nobody reviews through the PR: no check run, the items linked at the PR's head commit.
      expect(following.review).toBeUndefined();
      expect(github.checkRuns.filter((r) => r.headSha === headOf(pr))).toEqual([]);
      const issues = issuesOf(incident.id);
      expect(issues.map((i) => i.title)).toEqual(ITEMS.slice(1).map((i) => `[postmortem ${incident.id}] ${i.title}`));
      expect(issues[0]!.body).toContain(`/blob/${headOf(pr)}/${review.pathOf(incident.id)}`);
      issues.forEach((issue) => github.issues.close(issue));
      const result = await review.handleFor(incident).result();
      expect(result).toMatchObject({ outcome: 'pull_request_opened', actionItems: { created: 2, closed: 2, open: [], endedReason: 'every action item is closed' } });
      expect((await review.status(incident)).phase).toBe('completed');
    } finally {
      await prOpen.stop();
    }
  }, 90_000);

  it('ACTION_ITEMS_FOLLOW_UP_MAX: the follow-up ends with the open items named', async () => {
    const bounded = await startPipeline(env, bundle, logger, { ...vars, ACTION_ITEMS_ON: 'pr_open', ACTION_ITEMS_CHECK_INTERVAL: '1s', ACTION_ITEMS_FOLLOW_UP_MAX: '4s' });
    try {
      const { incident } = await review.runUntilPullRequest(bounded, { actionItems: ITEMS.slice(1) }, { title: 'Checkout API canary skipped again' }, (s) => s.phase === 'following_up');
      const issues = issuesOf(incident.id);
      github.issues.close(issues[0]!);
      const result = await review.handleFor(incident).result();
      expect(result.actionItems).toEqual({
        created: 2,
        closed: 1,
        open: [{ title: ITEMS[2]!.title, url: `https://github.com/acme/runbooks/issues/${issues[1]!.number}` }],
        endedReason: 'ACTION_ITEMS_FOLLOW_UP_MAX (4s) passed with 1 item(s) open',
      });
      expect((await review.status(incident)).phase).toBe('completed');
    } finally {
      await bounded.stop();
    }
  }, 90_000);

  it('are created once each across a worker SIGKILL in the middle of creating them', async () => {
    // The worker as its own process, so that it can die; the bridge in front of its task queue.
    const taskQueue = newTaskQueue();
    const bridge = bridgeFor(env, taskQueue, logger, GITHUB_SECRET);
    const workerVars: Record<string, string> = { ...PIPELINE_DEFAULTS, ...vars, GITHUB_POLL_INTERVAL: '10m', ACTION_ITEMS_CHECK_INTERVAL: '1m', TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue };
    const start = async () => {
      const started = await startWorkerProcess(workerVars);
      processes.add(started);
      return started;
    };
    let worker = await start();
    const { incident, pr, url } = await review.runUntilPullRequest(bridge, { actionItems: ITEMS }, { title: 'Checkout API pool exhausted once more' });
    await review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    const createdBefore = github.issues.created;

    // GitHub has created the first issue when the worker dies, before its answer arrives: the attempt is lost.
    let killed: Promise<void> | undefined;
    github.issues.onCreate = (issue) => {
      if (!killed && issue.labels.includes(`incident:${incident.id}`)) killed = worker.kill();
    };
    github.merge(pr);
    const merged = pullRequestPayload('pull_request.closed.json', pr, url, { merged: true, merge_commit_sha: pr.mergeCommitSha, merged_by: { login: 'ada' } });
    expect((await gitHubDelivery(bridge, 'pull_request', merged)).status).toBe(202);
    await eventually(async () => (killed ? true : undefined), 'the worker killed while it creates the issues', 60_000);
    await killed;
    github.issues.onCreate = undefined;
    expect(issuesOf(incident.id)).toHaveLength(1);

    // A new worker (with its metrics endpoint): the retried attempt (after the heartbeat timeout) finds the first issue by its marker.
    const metricsPort = await freePort();
    workerVars.WORKER_METRICS_ADDRESS = `127.0.0.1:${metricsPort}`;
    worker = await start();
    const following = await review.until(incident, 'the items are followed', (s) => s.phase === 'following_up' && s.followUp?.items.length === 3, 90_000);
    const issues = issuesOf(incident.id);
    expect(issues.map((i) => i.title)).toEqual(ITEMS.map((i) => `[postmortem ${incident.id}] ${i.title}`));
    expect(github.issues.created - createdBefore).toBe(3);
    expect(following.followUp!.items.map((i) => i.issueUrl)).toEqual(issues.map((i) => `https://github.com/acme/runbooks/issues/${i.number}`));
    const attempts = (await review.handleFor(incident).fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt! > 1);
    expect(attempts.length).toBeGreaterThan(0);
    expect(worker.output()).not.toContain(github.token);

    // The follow-up's figures on the worker's metrics endpoint: issues created, an overdue item reminded, one closed.
    await review.until(incident, 'the overdue owner reminded', (s) => s.followUp?.items[0]?.reminders === 1);
    github.issues.close(issues[1]!);
    await review.handleFor(incident).executeUpdate(resyncActionItemsUpdate);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^postmortem_action_items_created(_total)?\{[^}]*\} 3$/m);
    expect(metrics).toMatch(/^postmortem_action_items_overdue(_total)?\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^postmortem_action_item_reminders(_total)?\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^postmortem_action_items_closed(_total)?\{[^}]*\} 1$/m);
    await review.handleFor(incident).terminate('test over');
    await worker.kill();
  }, 180_000);
});
