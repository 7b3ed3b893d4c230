// End to end: signed webhooks through the real bridge → a real Temporal dev server → the real
// workflow and activities → fake PagerDuty and Devin APIs that answer like the real ones.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { statusQuery } from '../src/domain/messages';
import { incidentWebhook, sampleIncident, type SimulatedIncident } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, recordHistory, startDevServer, textOf } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
const { logger, lines } = capturingLogger('pipeline');
const outputDir = path.join(__dirname, '..', 'test-output', `pipeline-${process.pid}`);

/** Fully configured: PagerDuty API and Devin. */
let live: RunningWorker;
/** No PagerDuty token, a short DEVIN_MAX_WAIT. */
let webhookOnly: RunningWorker;
/** No Devin key: dry run. */
let dryRun: RunningWorker;

beforeAll(async () => {
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  const devinVars = { DEVIN_API_KEY: devin.apiKey, DEVIN_ORG_ID: devin.orgId, DEVIN_API_BASE_URL: devin.baseUrl };
  live = await startPipeline(env, bundle, logger, {
    ...devinVars,
    DEVIN_PLAYBOOK_ID: 'playbook-postmortem-template',
    PAGERDUTY_API_TOKEN: pagerDuty.token,
    PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl,
  });
  webhookOnly = await startPipeline(env, bundle, logger, { ...devinVars, DEVIN_MAX_WAIT: '4s' });
  dryRun = await startPipeline(env, bundle, logger, { POSTMORTEM_OUTPUT_DIR: outputDir });
});

afterAll(async () => {
  await Promise.all([live?.stop(), webhookOnly?.stop(), dryRun?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
  rmSync(outputDir, { recursive: true, force: true });
});

function handleFor(incident: SimulatedIncident) {
  return env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
}

function status(incident: SimulatedIncident): Promise<PostmortemStatus> {
  return handleFor(incident).query(statusQuery);
}

function waitForPhase(incident: SimulatedIncident, phase: PostmortemStatus['phase']) {
  return eventually(async () => {
    const s = await status(incident);
    return s.phase === phase ? s : undefined;
  }, `incident ${incident.id} to reach ${phase}`);
}

function sessionsFor(incident: SimulatedIncident) {
  return devin.sessions.filter((s) => s.tags.includes(`pd-incident:${incident.id}`));
}


const minutesAfter = (incident: SimulatedIncident, minutes: number) =>
  new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();

describe('incident postmortem pipeline', () => {
  it('acknowledged → evidence → resolved → Devin session → pull request URL in status and result', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 12 });

    expect((await live.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 2) }))).status).toBe(202);
    const waiting = await waitForPhase(incident, 'awaiting_resolution');
    expect(waiting).toMatchObject({ incidentId: incident.id, title: incident.title, service: 'checkout-api', priority: 'P1', contextSource: 'pagerduty_api' });
    expect(sessionsFor(incident)).toHaveLength(0);

    expect((await live.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: minutesAfter(incident, 25) }))).status).toBe(202);
    const result = await handleFor(incident).result();

    const [session] = sessionsFor(incident);
    expect(sessionsFor(incident)).toHaveLength(1);
    expect(result).toEqual({
      incidentId: incident.id,
      outcome: 'pull_request_opened',
      pullRequestUrl: session?.pull_requests[0]?.pr_url,
      devinSessionId: session?.session_id,
      devinSessionUrl: session?.url,
      // The session's cost, as of the poll that found its turn ended.
      devinAcusConsumed: session?.acus_consumed,
    });
    expect(result.pullRequestUrl).toMatch(/^https:\/\/github\.com\/.+\/pull\/\d+$/);

    const final = await status(incident);
    expect(final).toMatchObject({ phase: 'completed', pullRequestUrl: result.pullRequestUrl, devinSessionId: session?.session_id, devinSessionUrl: session?.url, devinAcusConsumed: session?.acus_consumed });
    expect(final.lastError).toBeUndefined();

    // What Devin was asked: the guide's session shape plus the collected evidence.
    expect(session?.tags).toEqual(expect.arrayContaining(['pagerduty-postmortem', 'service:checkout-api', `pd-incident:${incident.id}`]));
    expect(session?.playbook_id).toBe('playbook-postmortem-template');
    expect(session?.title).toContain(incident.title);
    const prompt = session?.prompt ?? '';
    expect(prompt).toContain(`Priority: P1`);
    expect(prompt).toContain(`https://acme.pagerduty.com/incidents/${incident.id}`);
    expect(prompt).toContain('Datadog MCP');
    expect(prompt).toMatch(/docs\/postmortems\/\d{4}-\d{2}-\d{2}-checkout-api-checkout-api-p99-latency-above-2s\.md/);
    expect(prompt).toContain(`/incidents/${incident.id}/log_entries/`); // timeline lines cite their source
    expect(prompt).toContain('Duration: 25m'); // created → resolved

    const creates = devin.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/sessions'));
    expect(creates.at(-1)?.headers.authorization).toBe(`Bearer ${devin.apiKey}`);

    // `npm run record:histories` refreshes the replay test's fixture from this run.
    recordHistory(env.address, workflowIdForIncident(incident.id), 'acknowledged-resolved-pull-request');
  });

  it('is findable in the Temporal UI by PagerDuty id, service, priority and phase', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 12 });
    await live.deliver(incidentWebhook('incident.acknowledged', incident));
    await live.deliver(incidentWebhook('incident.resolved', incident));
    await handleFor(incident).result();
    const query = `PagerDutyIncidentId = '${incident.id}' AND PagerDutyService = 'checkout-api' AND IncidentPriority = 'P1' AND PostmortemPhase = 'completed'`;
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    }, 'the visibility store to index the workflow');
    expect(found).toEqual([workflowIdForIncident(incident.id)]);
  });

  it('starts on resolve when the acknowledgement never came', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 12 });
    expect((await live.deliver(incidentWebhook('incident.resolved', incident))).status).toBe(202);
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
    expect((await status(incident)).acknowledgedAt).toBeUndefined();
  });

  it('the same delivery three times → one Devin session', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 12 });
    const acknowledged = incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 1) });
    const resolved = incidentWebhook('incident.resolved', incident, { occurredAt: minutesAfter(incident, 9) });
    for (let i = 0; i < 3; i++) expect((await live.deliver(acknowledged, 'wh-ack-1')).status).toBe(202);
    for (let i = 0; i < 3; i++) expect((await live.deliver(resolved, 'wh-res-1')).status).toBe(202);
    await handleFor(incident).result();
    // Late redeliveries after completion are acknowledged and start nothing.
    const late = await live.deliver(resolved, 'wh-res-1');
    expect(late.status).toBe(200);
    expect(late.body.status).toBe('incident_closed');

    expect(sessionsFor(incident)).toHaveLength(1);
    expect(await status(incident)).toMatchObject({ eventsReceived: 2, duplicatesIgnored: 4 });
  });

  it('a session that exits without a pull request → one follow-up, then failed with a clear lastError', async () => {
    const incident = seedIncident(pagerDuty, {}, { logEntries: 12 });
    devin.onPoll = (session) => (session.tags.includes(`pd-incident:${incident.id}`) ? { status: 'exit', status_detail: null } : undefined);
    try {
      await live.deliver(incidentWebhook('incident.acknowledged', incident));
      await live.deliver(incidentWebhook('incident.resolved', incident));
      const failure = await handleFor(incident).result().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const final = await status(incident);
      expect(final.phase).toBe('failed');
      expect(final.lastError).toMatch(/Devin session https:\/\/app\.devin\.ai\/sessions\/\w+ ended \(exit\) without opening a pull request, even after being asked for it/);
      expect(sessionsFor(incident)).toHaveLength(1);
      // Exactly one follow-up asked for the PR before giving up.
      expect(sessionsFor(incident)[0]?.messages).toEqual([expect.stringContaining('open the pull request')]);
    } finally {
      devin.onPoll = undefined;
    }
  });

  it('without PAGERDUTY_API_TOKEN it works from webhook data alone and says so', async () => {
    const incident = sampleIncident();
    await webhookOnly.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 3) }));
    await webhookOnly.deliver(incidentWebhook('incident.annotated', incident, { occurredAt: minutesAfter(incident, 5), note: 'Rolled back v2.14.0' }));
    await webhookOnly.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: minutesAfter(incident, 20) }));
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    const final = await status(incident);
    expect(final).toMatchObject({ contextSource: 'webhook_only', contextLimitation: expect.stringContaining('PAGERDUTY_API_TOKEN') });
    const prompt = sessionsFor(incident)[0]?.prompt ?? '';
    expect(prompt).toContain('Rolled back v2.14.0');
    expect(prompt).toContain('webhook data only');
  });

  it('a session that never opens a PR within DEVIN_MAX_WAIT → failed, never an endless loop', async () => {
    const incident = sampleIncident();
    devin.onPoll = (session) => (session.tags.includes(`pd-incident:${incident.id}`) ? { status: 'running', status_detail: 'working', pull_requests: [] } : undefined);
    try {
      await webhookOnly.deliver(incidentWebhook('incident.resolved', incident));
      await expect(handleFor(incident).result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect((await status(incident)).lastError).toMatch(/No pull request within DEVIN_MAX_WAIT \(4s\)/);
    } finally {
      devin.onPoll = undefined;
    }
  });

  it('dry run without DEVIN_API_KEY: every step runs and the prompt lands in the result and under postmortems/', async () => {
    const incident = sampleIncident();
    const before = devin.requests.length;
    await dryRun.deliver(incidentWebhook('incident.acknowledged', incident));
    await dryRun.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('dry_run');
    expect(result.prompt).toContain('A PagerDuty incident has been resolved. Draft a postmortem.');
    expect(result.promptPath).toBe(path.join(outputDir, `${incident.id}-dry-run-prompt.md`));
    expect(existsSync(result.promptPath as string)).toBe(true);
    const file = readFileSync(result.promptPath as string, 'utf8');
    expect(file).toMatch(/^<!-- DRY RUN/);
    expect(file).toContain(result.prompt as string);
    expect(await status(incident)).toMatchObject({ phase: 'completed', dryRun: true });
    expect(devin.requests.length).toBe(before);
  });

  it('keeps credentials out of workflow history and logs', async () => {
    const histories: string[] = [];
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = '${live.taskQueue}'` })) {
      const history = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      histories.push(textOf(history).join('\n'));
    }
    expect(histories.length).toBeGreaterThan(3);
    const everything = histories.join('\n') + lines.join('\n');
    // The scan reads payloads decoded: the incident data itself is there, the credentials are not.
    expect(everything).toContain('"incidentId"');
    expect(everything).toContain(`"devinSessionId":"${devin.sessions[0]?.session_id ?? '?'}"`);
    expect(everything).not.toContain(devin.apiKey);
    expect(everything).not.toContain(pagerDuty.token);
  });
});
