// Issue 15's follow-up in the Temporal UI, in a real browser: a merged postmortem with two action items
// (one past its due date) goes through the real pipeline (signed PagerDuty and GitHub webhooks → bridge →
// dev server → worker → fake PagerDuty, Devin and GitHub). While its items are open the dev server's own
// Temporal UI, in headless Chromium, lists it as following_up and shows the items in Current Details,
// each linked to its issue, the overdue one with its reminder; once GitHub's `issues` webhook says both
// are closed, it is completed with the follow-up's end.
//
// Not part of `npm test`: run with `npm run test:ui` (see test/ui/README.md).
import { workflowIdForIncident } from '../../src/domain/incident';
import type { SimulatedIncident } from '../../src/dev/simulation';
import type { StoredIssue } from '../fakes/github-issues';
import { gitHubDelivery, issuePayload, pullRequestPayload } from '../support/github-review';
import { type ReviewUi, startReviewUi } from '../support/review-ui';
import { untilListed } from '../support/temporal-ui';

const ITEMS = [
  { title: 'Alert on connection pool saturation', owner: '@ada', due: '2026-01-15' },
  { title: 'Add a canary stage to checkout deploys', owner: 'sre-team' },
];

let harness: ReviewUi;

beforeAll(async () => {
  // The action items followed after the merge; the scheduled check (10 m) never comes in this test.
  harness = await startReviewUi('follow-up-ui', { ACTION_ITEMS_ON: 'merge', ACTION_ITEMS_CHECK_INTERVAL: '10m' });
  harness.github.issues.assignable.set('acme/runbooks', new Set(['ada']));
}, 120_000);

afterAll(() => harness?.close(), 60_000);

describe('the Temporal UI follows a merged postmortem\'s action items to done', () => {
  let incident: SimulatedIncident;
  let workflowId: string;
  let issues: StoredIssue[];

  beforeAll(async () => {
    const run = await harness.review.runUntilPullRequest(harness.pipeline, { actionItems: ITEMS });
    incident = run.incident;
    workflowId = workflowIdForIncident(incident.id);
    await harness.review.until(incident, 'the check passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    harness.github.merge(run.pr);
    const merged = pullRequestPayload('pull_request.closed.json', run.pr, run.url, { merged: true, merge_commit_sha: run.pr.mergeCommitSha, merged_by: { login: 'ada' } });
    expect((await gitHubDelivery(harness.pipeline, 'pull_request', merged)).status).toBe(202);
    await harness.review.until(incident, 'the items followed, the overdue one reminded', (s) => s.phase === 'following_up' && s.followUp?.items[0]?.reminders === 1);
    issues = harness.github.issues.issues.filter((i) => i.labels.includes(`incident:${incident.id}`)).sort((a, b) => a.number - b.number);
    expect(issues).toHaveLength(2);
    await untilListed(harness.env.client, `PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'following_up'`, 'the visibility store to index the following_up phase');
  }, 120_000);

  it('lists the incident as following_up and shows each item, linked to its issue, in Current Details', async () => {
    const { rows } = await harness.ui.list(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'following_up'`);
    const link = rows.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('follow-up-01-list-following-up'));
    expect(await rows.count()).toBe(1);
    expect(await harness.ui.visibleText(rows.first())).toContain('RUNNING');

    await harness.ui.openTab(workflowId, 'user-metadata');
    const current = harness.ui.metadata('current-details');
    const first = current.getByRole('link', { name: ITEMS[0]!.title, exact: true });
    await first.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('follow-up-02-current-details-following-up'));
    expect(await harness.ui.visibleText(current.getByRole('heading').first())).toBe('following up');
    expect(await first.getAttribute('href')).toBe(`https://github.com/acme/runbooks/issues/${issues[0]!.number}`);
    expect(await current.getByRole('link', { name: ITEMS[1]!.title, exact: true }).getAttribute('href')).toBe(`https://github.com/acme/runbooks/issues/${issues[1]!.number}`);
    const text = await harness.ui.visibleText(current.locator('body'));
    expect(text).toContain('Action items: 0 of 2 closed');
    expect(text).toMatch(/Alert on connection pool saturation \(@ada, due 2026-01-15, 1 reminder\(s\)\) — overdue/);
    expect(text).toContain('Add a canary stage to checkout deploys (sre-team)');
  });

  it('after GitHub says both issues are closed: completed, the follow-up\'s end in Current Details', async () => {
    issues.forEach((issue) => harness.github.issues.close(issue));
    expect((await gitHubDelivery(harness.pipeline, 'issues', issuePayload(issues[1]!, 'closed'))).status).toBe(202);
    expect(await harness.review.handleFor(incident).result()).toMatchObject({ actionItems: { created: 2, closed: 2, endedReason: 'every action item is closed' } });
    const completed = `PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'completed'`;
    await untilListed(harness.env.client, completed, 'the visibility store to index the completed workflow');

    const { rows } = await harness.ui.list(completed);
    await rows.getByRole('link', { name: workflowId, exact: true }).waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('follow-up-03-list-completed'));
    expect(await harness.ui.visibleText(rows.first())).toContain('COMPLETED');
    await harness.ui.openTab(workflowId, 'user-metadata');
    const current = harness.ui.metadata('current-details');
    const ended = current.getByText(/^Follow-up ended:/);
    await ended.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('follow-up-04-current-details-completed'));
    expect(await harness.ui.visibleText(current.getByRole('heading').first())).toBe('completed');
    const text = await harness.ui.visibleText(current.locator('body'));
    expect(text).toContain('Action items: 2 of 2 closed');
    expect(text).toContain('Follow-up ended: every action item is closed');
  });

  it('labels the follow-up\'s activities with their summaries in the event history', async () => {
    await harness.ui.openTab(workflowId, 'history');
    const scheduled = harness.ui.page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
    await scheduled.filter({ hasText: 'Summary Create 2 action item issue(s)' }).first().waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('follow-up-05-event-history'));
    for (const summary of ['Summary Read the action items (front matter)', 'Summary List the action items on the PR', 'Summary Remind the owner', 'Summary Check the action items\' issues']) {
      await scheduled.filter({ hasText: summary }).first().waitFor({ state: 'visible' });
    }
  });
});
