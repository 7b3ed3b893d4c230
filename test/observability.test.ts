// The worker as operators run it: JSON logs that carry the incident's workflow id and never a
// secret, and the Temporal Runtime's Prometheus metrics on WORKER_METRICS_ADDRESS.
import { createServer } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { workflowIdForIncident } from '../src/domain/incident';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { incidentWebhook } from '../src/dev/simulation';
import { createWebhookApp } from '../src/bridge/webhook-app';
import { FakeDevinApi } from './fakes/devin-api';
import { FakeGitHubApi } from './fakes/github-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { capturingLogger, eventually, startDevServer } from './support/temporal';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

let env: TestWorkflowEnvironment;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let github: FakeGitHubApi;
let worker: WorkerProcess | undefined;
let metricsPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  [env, devin, pagerDuty, github, metricsPort] = await Promise.all([startDevServer(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start(), freePort()]);
  // Devin's PR holds a draft that fails the evidence check (no sections, no header): its findings are counted.
  github.onMissingPull = (owner, repo, number) => ({ owner, repo, number, files: { 'postmortems/draft.md': '# Postmortem\n\nTo be written.\n' } });
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'observability',
    ...fakeApiVars(devin, pagerDuty),
    DEVIN_POLL_INTERVAL: '1s',
    RESOLVE_QUIET_PERIOD: '0s',
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    GITHUB_TOKEN: github.token,
    GITHUB_API_BASE_URL: github.baseUrl,
    GITHUB_POLL_INTERVAL: '1s',
    POSTMORTEM_FIX_ROUNDS: '0',
    ACTION_ITEMS_ON: 'off',
  });
});

afterAll(async () => {
  await worker?.kill();
  await Promise.all([devin?.close(), pagerDuty?.close(), github?.close()]);
  await env?.teardown();
});

it('runs an incident, logs JSON with ids and no secrets, and exports Temporal metrics', async () => {
  const incident = seedIncident(pagerDuty);
  devin.fail('create', { status: 503 }); // one logged, retried failure
  const app = createWebhookApp({ client: env.client, taskQueue: 'observability', secrets: { signingSecrets: ['s3cret-signing-observability'] }, logger: capturingLogger().logger });
  const body = JSON.stringify(incidentWebhook('incident.resolved', incident));
  const res = await request(app).post('/webhooks/pagerduty').set('x-pagerduty-signature', signBody(body, 's3cret-signing-observability')).send(body);
  expect(res.status).toBe(202);
  // The PR is checked (and fails), then merged: seen by the poll.
  // (The create's 503 is retried after a jittered backoff: allow for it.)
  const pr = await eventually(async () => (github.checkRuns.length > 0 ? [...github.pulls.values()][0] : undefined), 'the evidence check run', 90_000);
  github.merge(pr);
  const result = await env.client.workflow.getHandle(workflowIdForIncident(incident.id)).result();
  expect(result).toMatchObject({ outcome: 'pull_request_merged', evidenceCheck: 'failure' });

  const output = worker?.output() ?? '';
  const lines = output.split('\n').filter((l) => l.trim().length > 0);
  const json = lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  });
  expect(json.filter((l) => l === undefined)).toEqual([]); // every line is a JSON log record
  expect(json.some((l) => l?.msg === 'worker started')).toBe(true);
  // The SDK's own records (the retried create) carry the incident's workflow id.
  expect(json.some((l) => l?.component === 'temporal-sdk' && l?.workflowId === workflowIdForIncident(incident.id))).toBe(true);
  expect(output).not.toContain(devin.apiKey);
  expect(output).not.toContain(pagerDuty.token);
  expect(output).not.toContain(github.token);

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toMatch(/temporal_activity_execution_latency|temporal_workflow_completed/);
  expect(metrics).toMatch(/task_queue="observability"/);
  // The postmortem's cost (ACUs), a histogram by outcome, from the workflow's metric meter.
  expect(metrics).toMatch(/^postmortem_devin_acus_count\{[^}]*outcome="merged"[^}]*\} 1$/m);
  // The review's figures: resolution to PR, PR to merge, checks by conclusion, findings by kind.
  expect(metrics).toMatch(/^postmortem_resolution_to_pr_seconds_count\{[^}]*\} 1$/m);
  expect(metrics).toMatch(/^postmortem_pr_to_merge_seconds_count\{[^}]*\} 1$/m);
  expect(metrics).toMatch(/^postmortem_evidence_checks(_total)?\{[^}]*conclusion="failure"[^}]*\} 1$/m);
  expect(metrics).toMatch(/^postmortem_evidence_check_findings(_total)?\{[^}]*kind="missing_section"[^}]*\} [1-9]/m);
});
