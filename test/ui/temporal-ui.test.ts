// The README's "Following an incident in the Temporal UI", proven in a real browser: one incident
// through the real pipeline (signed webhooks → bridge → dev server → worker → fake PagerDuty and
// Devin), then the dev server's own Temporal UI in headless Chromium, driven by playwright-core.
//
// Not part of `npm test`: run with `npm run test:ui` (or `npx jest --runInBand test/ui`).
// Needs a system Chromium (`apt-get install -y chromium`; CHROMIUM_PATH overrides /usr/bin/chromium)
// — playwright-core never downloads a browser. Screenshots land in test-output/ui/. The browser
// plumbing is shared with review-ui.test.ts: test/support/temporal-ui.ts.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../../src/domain/incident';
import { type PostmortemResult } from '../../src/domain/status';
import { incidentWebhook, sampleIncident, type SimulatedIncident } from '../../src/dev/simulation';
import { FakeDevinApi } from '../fakes/devin-api';
import { FakePagerDutyApi } from '../fakes/pagerduty-api';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from '../support/pipeline';
import { bundleWorkflows, capturingLogger, startDevServer } from '../support/temporal';
import { freePort, requireChromium, TemporalUi, untilListed } from '../support/temporal-ui';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let pipeline: RunningWorker;
let ui: TemporalUi;
const { logger } = capturingLogger('temporal-ui');

beforeAll(async () => {
  requireChromium();
  const uiPort = await freePort();
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer({ uiPort }), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  pipeline = await startPipeline(env, bundle, logger, fakeApiVars(devin, pagerDuty));
  ui = await TemporalUi.launch(`http://localhost:${uiPort}`);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await pipeline?.stop();
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
}, 60_000);

describe('the Temporal UI shows an incident postmortem', () => {
  let incident: SimulatedIncident;
  let result: PostmortemResult;
  let workflowId: string;

  beforeAll(async () => {
    incident = sampleIncident();
    workflowId = workflowIdForIncident(incident.id);
    seedIncident(pagerDuty, incident, { logEntries: 5 });
    expect((await pipeline.deliver(incidentWebhook('incident.acknowledged', incident))).status).toBe(202);
    expect((await pipeline.deliver(incidentWebhook('incident.resolved', incident))).status).toBe(202);
    result = await env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowId).result();
    expect(result.pullRequestUrl).toMatch(/^https:\/\/github\.com\/acme\/runbooks\/pull\/\d+$/);
    // Visibility is eventually consistent: what the UI lists is what the list API returns.
    await untilListed(env.client, `PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'completed'`, 'the visibility store to index the completed workflow');
  }, 120_000);

  // Each step screenshots once what it waits for shows up, or the wait times out: a failure leaves a picture.
  it('finds it by a search-attribute list query, and not by a wrong phase', async () => {
    const { empty } = await ui.list(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'failed'`);
    await empty.waitFor({ state: 'visible' }).finally(() => ui.screenshot('01-list-wrong-phase'));

    const { rows } = await ui.list(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'completed'`);
    const link = rows.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor({ state: 'visible' }).finally(() => ui.screenshot('02-list-completed'));
    expect(await rows.count()).toBe(1);
    const row = await ui.visibleText(rows.first());
    expect(row).toContain('COMPLETED');
    expect(row).toContain('incidentPostmortem');

    await link.click();
    await ui.page.waitForURL(new RegExp(`/workflows/${workflowId}/[^/]+/timeline$`));
    expect(await ui.visibleText(ui.page.getByTestId('workflow-id-heading'))).toContain(workflowId);
  });

  it('shows the static summary, the phase and the pull request link in User Metadata', async () => {
    await ui.openTab(workflowId, 'user-metadata');
    // Summary, Details and Current Details are markdown rendered in sandboxed iframes.
    const summary = ui.metadata('summary');
    const details = ui.metadata('details');
    const current = ui.metadata('current-details');
    const prLink = current.getByRole('link', { name: result.pullRequestUrl, exact: true });
    await Promise.all([
      summary.getByText('P1 · checkout-api · Checkout API p99 latency above 2s').waitFor({ state: 'visible' }),
      details.getByText(`#${incident.number}`).waitFor({ state: 'visible' }),
      prLink.waitFor({ state: 'visible' }),
    ]).finally(() => ui.screenshot('03-user-metadata'));

    for (const heading of ['Summary', 'Details', 'Current Details']) {
      expect(await ui.visibleText(ui.page.getByRole('heading', { name: heading, exact: true }))).toBe(heading);
    }
    // Current Details starts with the phase as a heading: `### completed`.
    expect(await ui.visibleText(current.getByRole('heading').first())).toBe('completed');
    const currentText = await ui.visibleText(current.locator('body'));
    expect(currentText).toContain(`Incident: ${incident.title} — P1 · high urgency · checkout-api`);
    expect(currentText).toContain(`Pull request: ${result.pullRequestUrl}`);
    expect(await prLink.getAttribute('href')).toBe(result.pullRequestUrl);
    expect(await current.getByRole('link', { name: result.devinSessionId!, exact: true }).getAttribute('href')).toBe(result.devinSessionUrl);
  });

  it('shows the phase among the search attributes', async () => {
    await ui.openTab(workflowId, 'search-attributes');
    const phase = ui.page.getByText('"PostmortemPhase": "completed"');
    await phase.waitFor({ state: 'visible' }).finally(() => ui.screenshot('04-search-attributes'));
    const attributes = await ui.visibleText(ui.page.locator('main'));
    expect(attributes).toContain(`"PagerDutyIncidentId": "${incident.id}"`);
    expect(attributes).toContain('"PagerDutyService": "checkout-api"');
    expect(attributes).toContain('"IncidentPriority": "P1"');
  });

  it('labels activities with their summaries in the timeline and the event history', async () => {
    await ui.openTab(workflowId, 'timeline');
    const timeline = [
      ui.page.getByText('startPostmortemSession • Start Devin session', { exact: true }),
      ui.page.getByText(/waitForPullRequest • Wait for pull request$/),
      ui.page.getByText('collectIncidentContext • Fetch PagerDuty incident, timeline, alerts, notes and changes', { exact: true }),
    ];
    await Promise.all(timeline.map((label) => label.first().waitFor({ state: 'visible' }))).finally(() => ui.screenshot('05-timeline'));

    await ui.openTab(workflowId, 'history');
    const scheduled = ui.page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
    const startSession = scheduled.filter({ hasText: 'startPostmortemSession' });
    await startSession.waitFor({ state: 'visible' }).finally(() => ui.screenshot('06-event-history'));
    expect(await ui.visibleText(startSession)).toContain('Summary Start Devin session');
    // The same activity is scheduled for the pull request and then, once it is open, for Devin's final
    // report (DEVIN_REPORT_WAIT), each with its own summary; the history lists the newest first.
    const waits = scheduled.filter({ hasText: 'waitForPullRequest' });
    await waits.filter({ hasText: 'Summary Wait for pull request' }).first().waitFor({ state: 'visible' });
    for (const row of await waits.all()) {
      expect(await ui.visibleText(row)).toMatch(/Summary (Wait for pull request|Wait for Devin's final report)/);
    }
  });
});
