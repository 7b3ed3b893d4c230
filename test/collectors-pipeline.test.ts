// The optional collectors inside the pipeline: Datadog and Sentry evidence lands in the prompt with
// its links; a collector that is refused becomes a stated line, never a blocked postmortem.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult } from '../src/domain/status';
import { incidentWebhook } from '../src/dev/simulation';
import { FakeDatadogApi } from './fakes/datadog-api';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { FakeSentryApi } from './fakes/sentry-api';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, startDevServer } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let datadog: FakeDatadogApi;
let sentry: FakeSentryApi;
let pipeline: RunningWorker;
const { logger } = capturingLogger('collectors');

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, datadog, sentry] = await Promise.all([
    startDevServer(),
    bundleWorkflows(),
    FakeDevinApi.start(),
    FakePagerDutyApi.start(),
    FakeDatadogApi.start(),
    FakeSentryApi.start(),
  ]);
  pipeline = await startPipeline(env, bundle, logger, {
    ...fakeApiVars(devin, pagerDuty),
    DATADOG_API_KEY: datadog.apiKey,
    DATADOG_APP_KEY: datadog.appKey,
    DATADOG_API_BASE_URL: datadog.baseUrl,
    SENTRY_AUTH_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    SENTRY_PROJECT: sentry.project,
    SENTRY_BASE_URL: sentry.baseUrl,
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  await Promise.all([devin?.close(), pagerDuty?.close(), datadog?.close(), sentry?.close()]);
  await env?.teardown();
});

const promptOf = (incidentId: string) => devin.sessions.find((s) => s.tags.includes(`pd-incident:${incidentId}`))?.prompt ?? '';

it('adds Datadog logs and monitor alerts and Sentry issues of the incident window, with links', async () => {
  const incident = seedIncident(pagerDuty);
  const during = new Date(Date.parse(incident.createdAt) + 5 * 60_000).toISOString();
  datadog.addLogs({ timestamp: during, service: 'checkout-api', status: 'error', message: 'upstream timeout calling payments after 2000ms' });
  datadog.addEvents({ timestamp: during, title: '[Triggered] checkout-api p99 latency', source: 'alert', tags: ['service:checkout-api'], status: 'error' });
  sentry.addIssues({ shortId: 'CHECKOUT-4F', title: 'TimeoutError: payments did not answer', count: 312, userCount: 87, firstSeen: during, lastSeen: during, level: 'error' });

  await pipeline.deliver(incidentWebhook('incident.resolved', incident));
  const result: PostmortemResult = await env.client.workflow.getHandle(workflowIdForIncident(incident.id)).result();
  expect(result.outcome).toBe('pull_request_opened');
  const prompt = promptOf(incident.id);
  expect(prompt).toContain('### Datadog');
  expect(prompt).toContain('upstream timeout calling payments');
  expect(prompt).toContain('[Triggered] checkout-api p99 latency');
  expect(prompt).toContain('### Sentry');
  expect(prompt).toContain('CHECKOUT-4F TimeoutError: payments did not answer');
  expect(prompt).toMatch(/<https?:\/\/[^>]*datadoghq\.com[^>]*>/);
  // The Datadog query was for the incident's service.
  expect(datadog.requests.some((r) => JSON.stringify(r.body ?? {}).includes('service:checkout-api') || r.query.toString().includes('service%3Acheckout-api'))).toBe(true);
});

it('a refused collector is a line in the pack, and the postmortem still goes out', async () => {
  const incident = seedIncident(pagerDuty);
  const goodKey = datadog.apiKey;
  datadog.apiKey = 'rotated-elsewhere';
  try {
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const result: PostmortemResult = await env.client.workflow.getHandle(workflowIdForIncident(incident.id)).result();
    expect(result.outcome).toBe('pull_request_opened');
  } finally {
    datadog.apiKey = goodKey;
  }
  expect(promptOf(incident.id)).toMatch(/### Datadog \(unavailable: Datadog answered 403/);
  expect(promptOf(incident.id)).toContain('### Sentry');
});
