// Secrets and personal data in PagerDuty data (alert bodies, notes, log lines, the webhook's note and
// title) never reach Devin's request body, Temporal's history or the logs — one check per kind.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemStatus } from '../src/domain/status';
import { statusQuery } from '../src/domain/messages';
import { incidentWebhook } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi, type FakeAlert, type FakeNote } from './fakes/pagerduty-api';
import { SECRET_SAMPLES } from './fixtures/secrets';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, startDevServer, textOf } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let pipeline: RunningWorker;
const { logger, lines } = capturingLogger('redaction');

let devinBody = '';
let historyText = '';
let status: PostmortemStatus;


beforeAll(async () => {
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  pipeline = await startPipeline(env, bundle, logger, fakeApiVars(devin, pagerDuty));

  const half = Math.ceil(SECRET_SAMPLES.length / 2);
  const now = Date.now();
  const alerts: FakeAlert[] = SECRET_SAMPLES.slice(0, half).map((sample, i) => ({
    id: `PALERT${i}`,
    type: 'alert',
    summary: `[${sample.kind}] ${sample.text.split('\n')[0]}`,
    html_url: `https://acme.pagerduty.com/alerts/PALERT${i}`,
    created_at: new Date(now - 20 * 60_000 + i * 1000).toISOString(),
    status: 'resolved',
    severity: 'critical',
    alert_key: `key-${i}`,
    body: { type: 'alert_body', details: { message: sample.text, host: 'ledger-7d9f8b6c5-x2x7k' }, contexts: [] },
  }));
  const notes: FakeNote[] = SECRET_SAMPLES.slice(half).map((sample, i) => ({
    id: `PNOTE${i}`,
    user: { id: 'PUSER01', type: 'user_reference', summary: 'Ada Lovelace' },
    content: sample.text,
    created_at: new Date(now - 10 * 60_000 + i * 1000).toISOString(),
  }));
  const incident = seedIncident(pagerDuty, { title: `Ledger 500s reported by ${'grace.hopper@' + 'customer-example.com'}` }, { alerts, notes });

  await pipeline.deliver(incidentWebhook('incident.acknowledged', incident));
  // Every kind also arrives through a webhook note, straight from PagerDuty to the bridge.
  await pipeline.deliver(incidentWebhook('incident.annotated', incident, { note: SECRET_SAMPLES.map((s) => s.text).join('\n') }));
  await pipeline.deliver(incidentWebhook('incident.resolved', incident));
  const handle = env.client.workflow.getHandle(workflowIdForIncident(incident.id));
  await handle.result();
  status = await handle.query(statusQuery);

  devinBody = JSON.stringify(devin.sessions.find((s) => s.tags.includes(`pd-incident:${incident.id}`))?.body ?? {});
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: handle.workflowId } });
  historyText = textOf(history).join('\n');
});

afterAll(async () => {
  await pipeline?.stop();
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
});

it('the evidence really went through: Devin got the alerts and notes, redacted', () => {
  expect(devinBody).toContain('ledger-7d9f8b6c5-x2x7k'); // alert details reached the prompt…
  expect(devinBody).toContain('[REDACTED:'); // …without their secrets
  expect(historyText).toContain('[REDACTED:');
});

it.each(SECRET_SAMPLES.map((s) => [s.kind, s] as const))('%s: never in the Devin request, the history or the logs; counted in status', (kind, sample) => {
  expect(devinBody).not.toContain(sample.secret);
  expect(historyText).not.toContain(sample.secret);
  expect(lines.join('\n')).not.toContain(sample.secret);
  expect(status.redactions[kind]).toBeGreaterThan(0);
});

it('the status keeps counts by kind, never values', () => {
  // And person: the webhooks' agent (a user_reference) is a pseudonym at the bridge.
  expect(Object.keys(status.redactions).sort()).toEqual([...new Set([...SECRET_SAMPLES.map((s) => s.kind), 'person'])].sort());
  expect(JSON.stringify(status.redactions)).toMatch(/^\{("[a-z_]+":\d+,?)+\}$/);
});
