// The README's "Following an incident in the Temporal UI", proven in a real browser: one incident
// through the real pipeline (signed webhooks → bridge → dev server → worker → fake PagerDuty and
// Devin), then the dev server's own Temporal UI in headless Chromium, driven by playwright-core.
//
// Not part of `npm test`: run with `npm run test:ui` (or `npx jest --runInBand test/ui`).
// Needs a system Chromium (`apt-get install -y chromium`; CHROMIUM_PATH overrides /usr/bin/chromium)
// — playwright-core never downloads a browser. Screenshots land in test-output/ui/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { workflowIdForIncident } from '../../src/domain/incident';
import { type PostmortemResult } from '../../src/domain/status';
import { incidentWebhook, sampleIncident, type SimulatedIncident } from '../../src/dev/simulation';
import { FakeDevinApi } from '../fakes/devin-api';
import { FakePagerDutyApi } from '../fakes/pagerduty-api';
import { type RunningWorker, seedIncident, startPipeline } from '../support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, startDevServer } from '../support/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'ui');
/** The UI is a single-page app that loads its data after the page: wait for what it shows, never sleep. */
const UI_TIMEOUT = 30_000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let pipeline: RunningWorker;
let uiUrl: string;
let profileDir: string;
let browser: BrowserContext;
let page: Page;
const { logger } = capturingLogger('temporal-ui');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function screenshot(name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the locator is visible and returns its text. */
async function visibleText(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

function listUrl(query: string): string {
  return `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
}

/** Clicks one of the workflow page's tabs; opens the workflow by id first if the page is elsewhere. */
async function openTab(workflowId: string, tab: 'timeline' | 'history' | 'user-metadata' | 'search-attributes') {
  if (!page.url().includes(`/workflows/${workflowId}/`)) {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  }
  await page.getByTestId(`${tab}-tab`).click();
  await page.waitForURL(new RegExp(`/workflows/${workflowId}/[^/]+/${tab}$`));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const uiPort = await freePort();
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer({ uiPort }), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  uiUrl = `http://localhost:${uiPort}`;
  pipeline = await startPipeline(env, bundle, logger, {
    DEVIN_API_KEY: devin.apiKey,
    DEVIN_ORG_ID: devin.orgId,
    DEVIN_API_BASE_URL: devin.baseUrl,
    PAGERDUTY_API_TOKEN: pagerDuty.token,
    PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl,
  });
  // The UI server comes up with the dev server; make sure it answers before the browser asks.
  await eventually(async () => ((await fetch(uiUrl)).ok ? true : undefined), `the Temporal UI at ${uiUrl}`);

  profileDir = mkdtempSync(path.join(os.tmpdir(), 'temporal-ui-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1600, height: 1200 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(UI_TIMEOUT);
  page.setDefaultNavigationTimeout(UI_TIMEOUT);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
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
    await eventually(async () => {
      for await (const wf of env.client.workflow.list({ query: `PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'completed'` })) return wf.workflowId;
      return undefined;
    }, 'the visibility store to index the completed workflow');
  }, 120_000);

  // Each step screenshots once what it waits for shows up, or the wait times out: a failure leaves a picture.
  it('finds it by a search-attribute list query, and not by a wrong phase', async () => {
    await page.goto(listUrl(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'failed'`));
    const empty = page.getByRole('heading', { name: 'No Workflows Found' });
    await empty.waitFor({ state: 'visible' }).finally(() => screenshot('01-list-wrong-phase'));

    await page.goto(listUrl(`PagerDutyIncidentId = '${incident.id}' AND PostmortemPhase = 'completed'`));
    const rows = page.getByTestId('workflows-summary-configurable-table-row');
    const link = rows.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor({ state: 'visible' }).finally(() => screenshot('02-list-completed'));
    expect(await rows.count()).toBe(1);
    const row = await visibleText(rows.first());
    expect(row).toContain('COMPLETED');
    expect(row).toContain('incidentPostmortem');

    await link.click();
    await page.waitForURL(new RegExp(`/workflows/${workflowId}/[^/]+/timeline$`));
    expect(await visibleText(page.getByTestId('workflow-id-heading'))).toContain(workflowId);
  });

  it('shows the static summary, the phase and the pull request link in User Metadata', async () => {
    await openTab(workflowId, 'user-metadata');
    // Summary, Details and Current Details are markdown rendered in sandboxed iframes.
    const summary = page.locator('iframe#user-metadata-summary').contentFrame();
    const details = page.locator('iframe#user-metadata-details').contentFrame();
    const current = page.locator('iframe#user-metadata-current-details').contentFrame();
    const prLink = current.getByRole('link', { name: result.pullRequestUrl, exact: true });
    await Promise.all([
      summary.getByText('P1 · checkout-api · Checkout API p99 latency above 2s').waitFor({ state: 'visible' }),
      details.getByText(`#${incident.number}`).waitFor({ state: 'visible' }),
      prLink.waitFor({ state: 'visible' }),
    ]).finally(() => screenshot('03-user-metadata'));

    for (const heading of ['Summary', 'Details', 'Current Details']) {
      expect(await visibleText(page.getByRole('heading', { name: heading, exact: true }))).toBe(heading);
    }
    // Current Details starts with the phase as a heading: `### completed`.
    expect(await visibleText(current.getByRole('heading').first())).toBe('completed');
    const currentText = await visibleText(current.locator('body'));
    expect(currentText).toContain(`Incident: ${incident.title} — P1 · high urgency · checkout-api`);
    expect(currentText).toContain(`Pull request: ${result.pullRequestUrl}`);
    expect(await prLink.getAttribute('href')).toBe(result.pullRequestUrl);
    expect(await current.getByRole('link', { name: result.devinSessionId!, exact: true }).getAttribute('href')).toBe(result.devinSessionUrl);
  });

  it('shows the phase among the search attributes', async () => {
    await openTab(workflowId, 'search-attributes');
    const phase = page.getByText('"PostmortemPhase": "completed"');
    await phase.waitFor({ state: 'visible' }).finally(() => screenshot('04-search-attributes'));
    const attributes = await visibleText(page.locator('main'));
    expect(attributes).toContain(`"PagerDutyIncidentId": "${incident.id}"`);
    expect(attributes).toContain('"PagerDutyService": "checkout-api"');
    expect(attributes).toContain('"IncidentPriority": "P1"');
  });

  it('labels activities with their summaries in the timeline and the event history', async () => {
    await openTab(workflowId, 'timeline');
    const timeline = [
      page.getByText('startPostmortemSession • Start Devin session', { exact: true }),
      page.getByText(/waitForPullRequest • Wait for pull request$/),
      page.getByText('collectIncidentContext • Fetch PagerDuty incident, timeline, alerts, notes and changes', { exact: true }),
    ];
    await Promise.all(timeline.map((label) => label.first().waitFor({ state: 'visible' }))).finally(() => screenshot('05-timeline'));

    await openTab(workflowId, 'history');
    const scheduled = page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
    const startSession = scheduled.filter({ hasText: 'startPostmortemSession' });
    await startSession.waitFor({ state: 'visible' }).finally(() => screenshot('06-event-history'));
    expect(await visibleText(startSession)).toContain('Summary Start Devin session');
    // The same activity is scheduled for the pull request and then, once it is open, for Devin's final
    // report (DEVIN_REPORT_WAIT), each with its own summary; the history lists the newest first.
    const waits = scheduled.filter({ hasText: 'waitForPullRequest' });
    await waits.filter({ hasText: 'Summary Wait for pull request' }).first().waitFor({ state: 'visible' });
    for (const row of await waits.all()) {
      expect(await visibleText(row)).toMatch(/Summary (Wait for pull request|Wait for Devin's final report)/);
    }
  });
});
