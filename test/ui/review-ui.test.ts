// Issue 14's review in the Temporal UI, in a real browser: one incident whose draft cites an invented
// change event goes through the real pipeline (signed PagerDuty and GitHub webhooks → bridge → dev
// server → worker → fake PagerDuty, Devin and GitHub), fails the evidence check, is fixed in a round,
// passes and is merged through a webhook. At each stage the dev server's own Temporal UI is opened in
// headless Chromium: the list query for the phase, Current Details (check result and findings, fix
// rounds, review state, the merge), the search attributes and the activities' summaries.
//
// Not part of `npm test`: run with `npm run test:ui` (see test/ui/README.md).
import { workflowIdForIncident } from '../../src/domain/incident';
import { EVIDENCE_CHECK_NAME } from '../../src/domain/review';
import type { SimulatedIncident } from '../../src/dev/simulation';
import type { StoredPullRequest } from '../fakes/github-data';
import { gitHubDelivery, headOf, postmortemPath, pullRequestPayload } from '../support/github-review';
import { type ReviewUi, startReviewUi } from '../support/review-ui';
import { untilListed } from '../support/temporal-ui';

let harness: ReviewUi;

beforeAll(async () => {
  harness = await startReviewUi('review-ui');
}, 120_000);

afterAll(() => harness?.close(), 60_000);

describe('the Temporal UI follows a postmortem PR through a failing check, a fix round and a merge', () => {
  let incident: SimulatedIncident;
  let pr: StoredPullRequest;
  let url: string;
  let workflowId: string;
  let firstHead: string;

  beforeAll(async () => {
    ({ incident, pr, url } = await harness.review.runUntilPullRequest(harness.pipeline, { inventChangeEvent: true }));
    workflowId = workflowIdForIncident(incident.id);
    firstHead = headOf(pr);
    await harness.review.until(incident, 'the check fails and Devin is asked to fix it', (s) => s.phase === 'revising' && s.review?.lastCheck?.conclusion === 'failure');
    await untilListed(harness.env.client, `PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'revising'`, 'the visibility store to index the revising phase');
  }, 120_000);

  it('lists the incident as revising and shows the failed check, its findings and the fix round in Current Details', async () => {
    const { rows } = await harness.ui.list(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'revising'`);
    const link = rows.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-01-list-revising'));
    expect(await rows.count()).toBe(1);
    expect(await harness.ui.visibleText(rows.first())).toContain('RUNNING');

    await harness.ui.openTab(workflowId, 'user-metadata');
    const current = harness.ui.metadata('current-details');
    const checkRun = current.getByRole('link', { name: EVIDENCE_CHECK_NAME, exact: true });
    await checkRun.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-02-current-details-revising'));
    expect(await harness.ui.visibleText(current.getByRole('heading').first())).toBe('revising');
    const text = await harness.ui.visibleText(current.locator('body'));
    expect(text).toContain(`Evidence check: failed at ${firstHead.slice(0, 7)}`);
    expect(text).toMatch(/Findings: [^]*invented link 1/);
    expect(text).toContain('Fix rounds: 1 of 2');
    expect(text).toContain('requested: acme/sre');
    expect(text).toContain(`Pull request: ${url}`);
    // The link goes to the check run GitHub holds for the head commit.
    const run = harness.github.checkRuns.find((r) => r.headSha === firstHead)!;
    expect(await checkRun.getAttribute('href')).toBe(`https://github.com/${run.owner}/${run.repo}/runs/${run.id}`);
  });

  it('after the fix and the merge webhook: completed, the merge commit in Current Details, found by its PR URL', async () => {
    const fixed = await harness.review.correctedDraft(incident);
    harness.github.pushCommit(pr, { [postmortemPath(incident.id)]: fixed.markdown });
    expect((await gitHubDelivery(harness.pipeline, 'pull_request', pullRequestPayload('pull_request.synchronize.json', pr, url))).status).toBe(202);
    await harness.review.until(incident, 'the fix passes', (s) => s.phase === 'in_review' && s.review?.lastCheck?.conclusion === 'success');
    harness.github.merge(pr);
    const merged = pullRequestPayload('pull_request.closed.json', pr, url, { merged: true, merge_commit_sha: pr.mergeCommitSha, merged_by: { login: 'ada' } });
    expect((await gitHubDelivery(harness.pipeline, 'pull_request', merged)).status).toBe(202);
    await harness.review.handleFor(incident).result();
    const byPullRequest = `PostmortemPullRequest = '${url}' AND PostmortemPhase = 'completed'`;
    await untilListed(harness.env.client, byPullRequest, 'the visibility store to index the merged workflow');

    const { rows } = await harness.ui.list(byPullRequest);
    const link = rows.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-03-list-by-pull-request'));
    expect(await rows.count()).toBe(1);
    expect(await harness.ui.visibleText(rows.first())).toContain('COMPLETED');

    await harness.ui.openTab(workflowId, 'user-metadata');
    const current = harness.ui.metadata('current-details');
    const mergedLine = current.getByText(/^Merged:/);
    await mergedLine.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-04-current-details-merged'));
    expect(await harness.ui.visibleText(current.getByRole('heading').first())).toBe('completed');
    const text = await harness.ui.visibleText(current.locator('body'));
    expect(text).toContain(`(${pr.mergeCommitSha!.slice(0, 7)})`);
    expect(text).toContain(`Evidence check: passed at ${headOf(pr).slice(0, 7)}`);
    expect(text).toContain('(2 check(s) run)');
    expect(text).toContain('Fix rounds: 1 of 2');
    expect(text).toContain('Reminders sent: 0 of 3');
  });

  it('holds the PR URL and the phase among the search attributes', async () => {
    await harness.ui.openTab(workflowId, 'search-attributes');
    const phase = harness.ui.page.getByText('"PostmortemPhase": "completed"');
    await phase.waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-05-search-attributes'));
    const attributes = await harness.ui.visibleText(harness.ui.page.locator('main'));
    expect(attributes).toContain(`"PostmortemPullRequest": "${url}"`);
    expect(attributes).toContain(`"PagerDutyIncidentId": "${incident.id}"`);
  });

  it('labels the review\'s activities with their summaries in the event history', async () => {
    await harness.ui.openTab(workflowId, 'history');
    const scheduled = harness.ui.page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
    const fix = scheduled.filter({ hasText: 'Summary Ask Devin to fix the evidence check findings' });
    await fix.first().waitFor({ state: 'visible' }).finally(() => harness.ui.screenshot('review-06-event-history'));
    for (const summary of ['Summary Evidence check (1)', 'Summary Evidence check (2)', 'Summary Request reviews of the postmortem', 'Summary Archive the Devin session (postmortem merged)']) {
      await scheduled.filter({ hasText: summary }).first().waitFor({ state: 'visible' });
    }
  });
});
