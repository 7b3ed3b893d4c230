// The operator CLI against a real Temporal dev server and the real worker (fake PagerDuty and Devin):
// every command in-process through runCli, and the real bin/postmortem.js once in a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FINDINGS_SHOWN, formatReview } from '../src/cli/format';
import { formatStatus, listQuery, quoteQueryValue, runCli } from '../src/cli/main';
import { workflowIdForIncident } from '../src/domain/incident';
import type { CheckFinding, ReviewStatus } from '../src/domain/review';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { cancelSignal, statusQuery } from '../src/domain/messages';
import { incidentWebhook, pingWebhook, sampleIncident, type SimulatedIncident } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { type RunningWorker, SIGNING_SECRET, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, startDevServer } from './support/temporal';

const REPO = path.join(__dirname, '..');

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let live: RunningWorker;
let tmp: string;
const { logger } = capturingLogger('cli');

beforeAll(async () => {
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  live = await startPipeline(env, bundle, logger, {
    DEVIN_API_KEY: devin.apiKey,
    DEVIN_ORG_ID: devin.orgId,
    DEVIN_API_BASE_URL: devin.baseUrl,
    PAGERDUTY_API_TOKEN: pagerDuty.token,
    PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl,
    // Session creation is rate-limited for Devin; not in tests.
    DEVIN_MAX_SESSIONS_PER_MINUTE: '600',
  });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'postmortem-cli-'));
});

afterAll(async () => {
  await live?.stop();
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** What the CLI sees: the dev server, the pipeline's task queue, and (for backfill) the fake PagerDuty's incident list. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: live.taskQueue,
    PAGERDUTY_API_TOKEN: pagerDuty.token,
    PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl,
    ...extra,
  };
}

async function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: cliEnv(extraEnv),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

/** A sample incident that the fake PagerDuty knows as well. */
function seeded(overrides: Partial<SimulatedIncident> = {}, resolvedMinutesAgo?: number): SimulatedIncident {
  const incident = sampleIncident(overrides);
  pagerDuty.addIncident({
    id: incident.id,
    incident_number: incident.number,
    title: incident.title,
    status: resolvedMinutesAgo === undefined ? 'acknowledged' : 'resolved',
    resolved_at: resolvedMinutesAgo === undefined ? undefined : new Date(Date.now() - resolvedMinutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    urgency: incident.urgency,
    priority: incident.priority ? { id: 'PPRIO01', summary: incident.priority } : null,
    service: { id: incident.serviceId, summary: incident.serviceName },
    created_at: incident.createdAt,
  });
  return incident;
}

const handleFor = (incident: SimulatedIncident) =>
  env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));

function waitForPhase(incident: SimulatedIncident, phase: PostmortemStatus['phase']) {
  return eventually(async () => {
    const status = await handleFor(incident).query(statusQuery);
    return status.phase === phase ? status : undefined;
  }, `incident ${incident.id} to reach ${phase}`);
}

async function acknowledged(overrides: Partial<SimulatedIncident> = {}): Promise<SimulatedIncident> {
  const incident = seeded(overrides);
  expect((await live.deliver(incidentWebhook('incident.acknowledged', incident))).status).toBe(202);
  await waitForPhase(incident, 'awaiting_resolution');
  return incident;
}

function writePayload(name: string, payload: unknown): string {
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(payload, null, 2));
  return file;
}

describe('postmortem CLI', () => {
  it('status: a human summary, and the raw status with --json; accepts the workflow id too', async () => {
    const incident = await acknowledged();

    const human = await cli(['status', incident.id]);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain(`incident-${incident.id}`);
    expect(human.stdout).toMatch(/phase\s+awaiting_resolution/);
    expect(human.stdout).toMatch(new RegExp(`title\\s+${incident.title}`));
    expect(human.stdout).toMatch(/service\s+checkout-api/);
    expect(human.stdout).toMatch(/priority\s+P1/);
    expect(human.stdout).toMatch(/session\s+—/);
    expect(human.stdout).toMatch(/pull request\s+—/);

    const json = await cli(['status', `incident-${incident.id}`, '--json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout) as PostmortemStatus;
    expect(status).toEqual(await handleFor(incident).query(statusQuery));
    expect(status).toMatchObject({ incidentId: incident.id, phase: 'awaiting_resolution', service: 'checkout-api', priority: 'P1' });

    const missing = await cli(['status', 'QNOSUCHINCIDENT1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no workflow incident-QNOSUCHINCIDENT1');
  });

  it("status and list show the Devin session's cost (ACUs)", async () => {
    const service = `cli-cost ${Date.now()}`;
    const incident = seeded({ serviceName: service, serviceId: 'PSVCCOST' });
    expect((await live.deliver(incidentWebhook('incident.resolved', incident))).status).toBe(202);
    const result = await handleFor(incident).result();
    expect(result.devinAcusConsumed).toBeGreaterThan(0);
    const human = await cli(['status', incident.id]);
    expect(human.stdout).toMatch(new RegExp(`cost\\s+${result.devinAcusConsumed} ACUs?`));
    const rows = JSON.parse((await cli(['list', '--service', service, '--json'])).stdout) as { incidentId: string; acus?: number }[];
    expect(rows).toEqual([expect.objectContaining({ incidentId: incident.id, acus: result.devinAcusConsumed })]);
    const table = (await cli(['list', '--service', service])).stdout.trim().split('\n');
    expect(table[1]).toMatch(new RegExp(`completed\\s+P1\\s+${service}\\s+${result.devinAcusConsumed}\\s+`));
  });

  it('list: filters by service, priority and phase (values quoted safely), as a table or JSON', async () => {
    // A service name with a quote: the query must keep it one literal.
    const service = `cli-list ${Date.now()} o'neil's api`;
    const p1 = await acknowledged({ serviceName: service, serviceId: 'PSVCCLI1', priority: 'P1' });
    const p3 = await acknowledged({ serviceName: service, serviceId: 'PSVCCLI1', priority: 'P3' });
    await acknowledged({ priority: 'P1' }); // another service: never listed below

    expect(quoteQueryValue("o'neil \\ api")).toBe("'o\\'neil \\\\ api'");
    expect(listQuery({ service, priority: 'P1', phase: 'awaiting_resolution' })).toBe(
      `WorkflowType = 'incidentPostmortem' AND PostmortemPhase = 'awaiting_resolution' AND PagerDutyService = ${quoteQueryValue(service)} AND IncidentPriority = 'P1'`,
    );

    const both = await eventually(async () => {
      const result = await cli(['list', '--service', service, '--json']);
      const rows = JSON.parse(result.stdout) as { incidentId: string }[];
      return rows.length === 2 ? rows : undefined;
    }, 'both incidents to be visible');
    expect(both.map((r) => r.incidentId).sort()).toEqual([p1.id, p3.id].sort());
    expect(both[0]).toMatchObject({ phase: 'awaiting_resolution', service, status: 'RUNNING' });

    const table = await cli(['list', '--service', service, '--priority', 'P1']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^INCIDENT\s+PHASE\s+PRIORITY\s+SERVICE\s+ACUS\s+STARTED$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(p1.id);
    expect(lines[1]).toMatch(/awaiting_resolution\s+P1\s+/);
    expect(lines[1]).toContain(service);
    expect(lines[1]).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const limited = await cli(['list', '--service', service, '--phase', 'awaiting_resolution', '--limit', '1', '--json']);
    expect(JSON.parse(limited.stdout)).toHaveLength(1);

    const none = await cli(['list', '--service', service, '--phase', 'completed']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No incident workflows match');
  });

  it('retry and skip: refused outside needs_attention; accepted in it', async () => {
    const waiting = await acknowledged();
    for (const command of ['retry', 'skip']) {
      const refused = await cli([command, waiting.id, '--reason', 'too early']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`refusing to ${command} incident-${waiting.id}: its phase is awaiting_resolution`);
      expect(refused.stderr).toContain('needs_attention');
    }

    // Park two incidents in needs_attention: the Devin key the worker has is rejected.
    const toRetry = seeded();
    const toSkip = seeded();
    const goodKey = devin.apiKey;
    devin.apiKey = 'other';
    try {
      await live.deliver(incidentWebhook('incident.resolved', toRetry));
      await live.deliver(incidentWebhook('incident.resolved', toSkip));
      await waitForPhase(toRetry, 'needs_attention');
      await waitForPhase(toSkip, 'needs_attention');
    } finally {
      devin.apiKey = goodKey;
    }

    const parked = await cli(['status', toRetry.id]);
    expect(parked.stdout).toMatch(/last error\s+Start Devin session: .*401/);
    expect(parked.stdout).toContain(`postmortem retry ${toRetry.id}`);

    const retried = await cli(['retry', toRetry.id]);
    expect(retried).toMatchObject({ code: 0, stderr: '' });
    expect(retried.stdout).toContain(`retry sent to incident-${toRetry.id}`);
    expect(retried.stdout).toMatch(/the failed step was: Start Devin session: .*401/);
    expect((await handleFor(toRetry).result()).outcome).toBe('pull_request_opened');

    const skipped = await cli(['skip', `incident-${toSkip.id}`, '--reason', 'no postmortem needed']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain(`skip sent to incident-${toSkip.id}`);
    const result = await handleFor(toSkip).result();
    expect(result.outcome).toBe('skipped');
    expect(result.skipReason).toContain('no postmortem needed');
  });

  it('cancel: ends the incident in any phase with the reason; a finished one is said to be finished', async () => {
    const incident = await acknowledged();
    const cancelled = await cli(['cancel', incident.id, '--reason', 'test incident']);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toContain(`cancel sent to incident-${incident.id}`);
    expect(await handleFor(incident).result()).toMatchObject({ outcome: 'skipped', skipReason: 'cancelled by an operator: test incident' });

    const again = await cli(['cancel', incident.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`incident-${incident.id} has already finished (completed): there is nothing to cancel`);
  });

  it('replay-webhook: a saved payload takes the bridge’s path (accepted, ignored, incident closed)', async () => {
    const incident = seeded();
    const acknowledgedFile = writePayload('acknowledged.json', incidentWebhook('incident.acknowledged', incident));
    const accepted = await cli(['replay-webhook', acknowledgedFile, '--webhook-id', 'replayed-delivery-1']);
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect(accepted.stdout).toContain(`accepted: incident.acknowledged`);
    expect(accepted.stdout).toContain(`incident-${incident.id}`);
    await waitForPhase(incident, 'awaiting_resolution');
    const description = await handleFor(incident).describe();
    expect(description.taskQueue).toBe(live.taskQueue);

    // The same file again: the workflow recognises the redelivery.
    expect((await cli(['replay-webhook', acknowledgedFile, '--webhook-id', 'replayed-delivery-1'])).code).toBe(0);
    const status = await eventually(async () => {
      const s = await handleFor(incident).query(statusQuery);
      return s.duplicatesIgnored === 1 ? s : undefined;
    }, 'the redelivery to be ignored');
    expect(status.eventsReceived).toBe(1);

    const ping = await cli(['replay-webhook', writePayload('ping.json', pingWebhook())]);
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain('ignored: event type pagey.ping');

    await handleFor(incident).signal(cancelSignal, { reason: 'replay test' });
    await handleFor(incident).result();
    const late = await cli(['replay-webhook', writePayload('resolved.json', incidentWebhook('incident.resolved', incident)), '--json']);
    expect(late.code).toBe(0);
    expect(JSON.parse(late.stdout)).toMatchObject({ status: 'incident_closed', workflowId: `incident-${incident.id}`, eventType: 'incident.resolved' });

    const notJson = path.join(tmp, 'not-json.txt');
    writeFileSync(notJson, 'hello');
    const bad = await cli(['replay-webhook', notJson]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not JSON');
    const invalid = await cli(['replay-webhook', writePayload('invalid.json', { hello: 'world' })]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('not a PagerDuty v3 webhook');
    expect((await cli(['replay-webhook', path.join(tmp, 'missing.json')])).code).toBe(1);
  });

  it('backfill: starts resolved incidents without a workflow; routing, merges and existing workflows are skipped', async () => {
    const qualifies = seeded({ priority: 'P1' }, 30);
    const lowPriority = seeded({ priority: 'P4' }, 40);
    const lowUrgency = seeded({ priority: null, urgency: 'low' }, 50);
    const hasWorkflow = seeded({ priority: 'P2' }, 60);
    const merged = seeded({ priority: 'P1' }, 70);
    Object.assign(pagerDuty.incident(merged.id) ?? {}, { resolve_reason: { type: 'merge_resolve_reason', incident: { id: 'QSURVIVOR0001', type: 'incident_reference' } } });
    expect((await live.deliver(incidentWebhook('incident.acknowledged', hasWorkflow))).status).toBe(202);
    // The fake's GET /incidents serves two a page, to make the CLI follow `more`.
    pagerDuty.incidentPageCap = 2;

    // Dry run: everything is decided, nothing is started.
    const dry = await cli(['backfill', '--since', '7d', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`[1/5] ${qualifies.id} would start incident-${qualifies.id}`);
    await expect(handleFor(qualifies).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const listRequests = () => pagerDuty.requests.filter((r) => r.path === '/incidents').map((r) => r.query);
    const requestsBefore = listRequests().length;
    const run = await cli(['backfill', '--since', '7d', '--until', 'now', '--rate', '600']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('5 resolved PagerDuty incidents');
    expect(run.stdout).toContain(`[1/5] ${qualifies.id} started incident-${qualifies.id}`);
    expect(run.stdout).toContain(`[2/5] ${lowPriority.id} skipped: priority P4 is below POSTMORTEM_MIN_PRIORITY=P2`);
    expect(run.stdout).toContain(`[3/5] ${lowUrgency.id} skipped: no priority set; low urgency does not qualify`);
    expect(run.stdout).toContain(`[4/5] ${hasWorkflow.id} skipped: incident-${hasWorkflow.id} already exists (running)`);
    expect(run.stdout).toContain(`[5/5] ${merged.id} skipped: merged into QSURVIVOR0001`);
    expect(run.stdout).toContain('1 started, 1 already had a workflow, 2 skipped by severity routing, 1 merged');

    // PagerDuty was asked for resolved incidents of the last 7 days, page by page (the list serves 2 a page).
    const requests = listRequests().slice(requestsBefore);
    expect(requests).toHaveLength(3);
    expect(requests.map((r) => r.get('offset'))).toEqual(['0', '2', '4']);
    for (const query of requests) {
      expect(query.getAll('statuses[]')).toEqual(['resolved']);
      expect(query.get('time_zone')).toBe('UTC');
      for (const bound of ['since', 'until']) expect(query.get(bound)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Math.abs(Date.now() - 7 * 86_400_000 - Date.parse(query.get('since') ?? ''))).toBeLessThan(60_000);
      expect(Math.abs(Date.now() - Date.parse(query.get('until') ?? ''))).toBeLessThan(60_000);
    }

    // The started workflow received the synthetic resolved event and goes all the way to its PR.
    const result = await handleFor(qualifies).result();
    expect(result.outcome).toBe('pull_request_opened');
    const status = await handleFor(qualifies).query(statusQuery);
    expect(status).toMatchObject({ eventsReceived: 1, priority: 'P1', service: 'checkout-api' });
    expect(status.resolvedAt).toBe(new Date((pagerDuty.incident(qualifies.id)?.resolved_at as string)).toISOString());
    for (const skipped of [lowPriority, lowUrgency, merged]) {
      await expect(handleFor(skipped).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }

    // Run again: nothing new to start; a JSON summary for scripts.
    const again = await cli(['backfill', '--since', '7d', '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { total: number; counts: Record<string, number>; incidents: { incidentId: string; outcome: string }[] };
    expect(summary.total).toBe(5);
    expect(summary.counts).toMatchObject({ started: 0, exists: 2, routing: 2, merged: 1, failed: 0 });
    expect(summary.incidents.find((i) => i.incidentId === qualifies.id)?.outcome).toBe('exists');
    expect(again.stderr).toContain('[1/5]'); // progress goes to stderr with --json

    // An answer whose incident id is not a PagerDuty id never becomes a workflow id: that item fails, the rest go on.
    const hostile = pagerDuty.incident(lowPriority.id) as { id: string };
    hostile.id = '../../namespaces/x';
    const refused = await cli(['backfill', '--since', '7d', '--dry-run']);
    hostile.id = lowPriority.id;
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('[2/5] "../../namespaces/x" failed: not a PagerDuty incident id');
    expect(refused.stdout).toContain('1 failed');

    const noToken = await cli(['backfill', '--since', '1d'], { PAGERDUTY_API_TOKEN: '' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('PAGERDUTY_API_TOKEN');
    pagerDuty.incidentPageCap = undefined;
  });

  it('backfill --since 400d: consecutive windows of at most 6 months (180 days), no gap, no overlap, each incident once', async () => {
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const old = [390, 250, 100, 8].map((days) => {
      const incident = sampleIncident({ priority: 'P1', createdAt: daysAgo(days) });
      pagerDuty.addIncident({
        id: incident.id,
        status: 'resolved',
        created_at: incident.createdAt,
        resolved_at: daysAgo(days - 0.01),
        priority: { id: 'PPRIO01', summary: 'P1' },
        service: { id: incident.serviceId, summary: incident.serviceName },
      });
      return incident.id;
    });
    const before = pagerDuty.requests.length;
    const startedAt = Date.now();
    const run = await cli(['backfill', '--since', '400d', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { incidents: { incidentId: string; outcome: string }[] };
    const listedIds = summary.incidents.map((i) => i.incidentId);
    expect(new Set(listedIds).size).toBe(listedIds.length);
    expect(listedIds.filter((id) => old.includes(id))).toEqual(old); // oldest first, each once
    for (const id of old) expect(summary.incidents.find((i) => i.incidentId === id)?.outcome).toBe('would_start');

    const windows = pagerDuty.requests.slice(before).filter((r) => r.path === '/incidents' && r.query.get('offset') === '0');
    expect(windows).toHaveLength(3); // 400 days: 180 + 180 + 40
    const bounds = windows.map((r) => [Date.parse(r.query.get('since') ?? ''), Date.parse(r.query.get('until') ?? '')] as const);
    expect(Math.abs(bounds[0]![0] - (startedAt - 400 * 86_400_000))).toBeLessThan(60_000);
    expect(Math.abs(bounds.at(-1)![1] - startedAt)).toBeLessThan(60_000);
    bounds.forEach(([since, until], i) => {
      expect(until - since).toBeLessThanOrEqual(180 * 86_400_000);
      if (i > 0) expect(since).toBe(bounds[i - 1]![1]); // no gap, no overlap
    });
    for (const r of windows) for (const bound of ['since', 'until']) expect(r.query.get(bound)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    // A custom POSTMORTEM_MIN_PRIORITY the account does not have would draft everything: backfill refuses.
    const unknownThreshold = await cli(['backfill', '--since', '1d', '--dry-run'], { POSTMORTEM_MIN_PRIORITY: 'Urgent' });
    expect(unknownThreshold.code).toBe(1);
    expect(unknownThreshold.stderr).toContain(`POSTMORTEM_MIN_PRIORITY: "Urgent" is not one of the account's priorities (P1, P2, P3, P4, P5)`);
  });

  it('simulate: runs the simulator against the bridge', async () => {
    const server = live.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await cli(['simulate'], {
        BRIDGE_URL: `http://127.0.0.1:${port}`,
        PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET,
        SIMULATE_WAIT_SECONDS: '60',
      });
      expect(result.stdout).toContain('Simulating PagerDuty incident');
      expect(result.stdout).toMatch(/incident\.resolved\s+→ 202/);
      expect(result.code).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('usage errors exit 2 with the usage; an unreachable Temporal exits 1 naming TEMPORAL_ADDRESS', async () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['status'],
      ['status', 'Q1', 'Q2'],
      ['status', 'not an id'],
      ['retry', 'Q1ABC', '--bogus'],
      ['list', '--limit', 'zero'],
      ['list', '--phase', 'sleeping'],
      ['list', 'extra'],
      ['backfill'],
      ['backfill', '--since', 'last tuesday'],
      ['backfill', '--since', '1d', '--until', '2d'],
      ['backfill', '--since', '7d', '--rate', '0'],
      ['replay-webhook'],
    ];
    for (const argv of cases) {
      const result = await cli(argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stderr).toContain('Usage: postmortem <command>');
      expect(result.stdout).toBe('');
    }

    const help = await cli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: postmortem <command>');

    const badKeys = await cli(['status', 'Q1ABC'], { PAYLOAD_ENCRYPTION_KEYS: 'not-a-key' });
    expect(badKeys.code).toBe(1);
    expect(badKeys.stderr).toContain('PAYLOAD_ENCRYPTION_KEYS');

    const down = await cli(['status', 'Q1ABC'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(down.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it('bin/postmortem.js --help runs the CLI through tsx', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin', 'postmortem.js'), '--help'], { cwd: REPO });
    expect(stdout).toContain('Usage: postmortem <command> [options]');
    expect(stdout).toContain('backfill --since 7d');

    const usage = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin', 'postmortem.js'), 'list', '--limit', 'x'], { cwd: REPO }).catch(
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(usage).toMatchObject({ code: 2 });
    expect((usage as { stderr: string }).stderr).toContain('--limit must be a positive whole number');
  });
});

describe('status: the review (formatting tested as pure functions, then once through the command)', () => {
  const base: PostmortemStatus = {
    incidentId: 'Q1REVIEW000001',
    phase: 'in_review',
    title: 'Checkout API p99 latency above 2s',
    service: 'checkout-api',
    priority: 'P1',
    devinSessionId: 'devin-abc',
    pullRequestUrl: 'https://github.com/acme/postmortems/pull/7',
    dryRun: false,
    writeBack: [],
    reopenedAfterDraft: 0,
    redactions: {},
    eventsReceived: 2,
    duplicatesIgnored: 0,
  };
  const finding = (line: number, severity: CheckFinding['severity'] = 'error'): CheckFinding => ({ severity, kind: 'invented_link', line, message: `link on line ${line} is not in the evidence` });
  const failing: ReviewStatus = {
    checks: 2,
    lastCheck: {
      headSha: '0123456789abcdef0123456789abcdef01234567',
      path: 'postmortems/2026-12-01-checkout.md',
      conclusion: 'failure',
      errors: 7,
      warnings: 1,
      byKind: { invented_link: 7, unverified_link: 1 },
      findings: [...[18, 21, 22, 30, 31, 40].map((line) => finding(line)), finding(44, 'warning')],
      checkRunUrl: 'https://github.com/acme/postmortems/runs/99',
    },
    fixRounds: 1,
    fixRoundsAllowed: 2,
    reviewState: 'changes_requested',
    reviewersRequested: ['alice', '@acme/sre'],
    remindersSent: 1,
    openedAt: '2026-12-01T10:00:00Z',
    note: 'watching the pull request through the webhook (GITHUB_POLL_INTERVAL as a safety net)',
    deliveries: 4,
    duplicateDeliveries: 1,
  };

  it('a failing check: conclusion, counts, check run, the first findings with their lines, fix rounds, review, reviewers, reminders, note', () => {
    expect(formatReview(failing)).toEqual([
      ['evidence check', 'failure: 7 errors, 1 warning (postmortems/2026-12-01-checkout.md at 0123456789ab; 2 checks run)'],
      ['check run', 'https://github.com/acme/postmortems/runs/99'],
      ['findings', 'line 18: error invented_link: link on line 18 is not in the evidence'],
      ['', 'line 21: error invented_link: link on line 21 is not in the evidence'],
      ['', 'line 22: error invented_link: link on line 22 is not in the evidence'],
      ['', 'line 30: error invented_link: link on line 30 is not in the evidence'],
      ['', 'line 31: error invented_link: link on line 31 is not in the evidence'],
      ['', '… and 3 more (see the check run)'],
      ['fix rounds', '1 of 2 used'],
      ['review', 'changes requested'],
      ['reviewers', 'requested: alice, @acme/sre'],
      ['reminders', '1 of at most 3 sent'],
      ['review note', 'watching the pull request through the webhook (GITHUB_POLL_INTERVAL as a safety net)'],
    ]);
    expect(FINDINGS_SHOWN).toBe(5);
  });

  it('formatStatus prints them in the table after the pull request (phase revising)', () => {
    const text = formatStatus({ ...base, phase: 'revising', review: failing });
    const lines = text.split('\n');
    expect(lines[0]).toBe('incident-Q1REVIEW000001');
    expect(text).toMatch(/^ {2}phase +revising$/m);
    expect(text).toMatch(/^ {2}evidence check +failure: 7 errors, 1 warning/m);
    expect(text).toMatch(/^ {2}findings +line 18: error invented_link/m);
    // A continued line keeps the value column.
    const column = (line: string | undefined) => line?.search(/line \d+:/);
    const first = lines.findIndex((l) => l.includes('line 18:'));
    expect(column(lines[first + 1])).toBe(column(lines[first]));
    expect(text).toMatch(/^ {2}fix rounds +1 of 2 used$/m);
    expect(text.indexOf('pull request')).toBeLessThan(text.indexOf('evidence check'));
    // Without a review, none of it.
    expect(formatStatus(base)).not.toMatch(/evidence check|fix rounds|reminders/);
  });

  it('merged: merged at and the merge commit; no reviewers requested: the note why; a check not run yet; a check run not published', () => {
    const merged = formatReview({
      ...failing,
      lastCheck: { ...failing.lastCheck!, conclusion: 'success', errors: 0, warnings: 0, findings: [], byKind: {}, checkRunUrl: undefined, publishError: 'GitHub 403: Resource not accessible by integration' },
      reviewState: 'approved',
      reviewersRequested: undefined,
      reviewRequestNote: 'no reviewers requested: POSTMORTEM_REVIEWERS is empty and the repository has no CODEOWNERS',
      remindersSent: 0,
      mergedAt: '2026-12-02T09:30:00Z',
      mergeCommitSha: 'fedcba9876543210fedcba9876543210fedcba98',
      note: undefined,
    });
    expect(merged).toEqual([
      ['evidence check', 'success: 0 errors, 0 warnings (postmortems/2026-12-01-checkout.md at 0123456789ab; 2 checks run)'],
      ['check run', 'not published: GitHub 403: Resource not accessible by integration'],
      ['fix rounds', '1 of 2 used'],
      ['review', 'approved'],
      ['reviewers', 'no reviewers requested: POSTMORTEM_REVIEWERS is empty and the repository has no CODEOWNERS'],
      ['reminders', '0 of at most 3 sent'],
      ['merged', '2026-12-02T09:30:00Z, merge commit fedcba9876543210fedcba9876543210fedcba98'],
    ]);
    const fresh = formatReview({ checks: 0, fixRounds: 0, fixRoundsAllowed: 0, reviewState: 'none', remindersSent: 0, deliveries: 0, duplicateDeliveries: 0 });
    expect(fresh).toEqual([
      ['evidence check', 'not run yet'],
      ['fix rounds', '0 of 0 used'],
      ['review', 'none'],
      ['reminders', '0 of at most 3 sent'],
    ]);
  });

  it('status prints the review of a workflow that has one, and --json the whole status with it', async () => {
    // A stand-in for an incident in review (the incident workflow's review is not written yet).
    const taskQueue = 'cli-status-review';
    const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowsPath: require.resolve('./support/tiny-workflows') });
    const running = worker.run();
    const status: PostmortemStatus = { ...base, review: failing };
    const handle = await env.client.workflow.start('statusHolder', { workflowId: workflowIdForIncident(base.incidentId), taskQueue, args: [status] });
    try {
      const human = await cli(['status', base.incidentId]);
      expect(human).toEqual({ code: 0, stderr: '', stdout: `${formatStatus(status)}\n` });
      expect(human.stdout).toMatch(/^ {2}phase +in_review$/m);
      expect(human.stdout).toMatch(/^ {2}reviewers +requested: alice, @acme\/sre$/m);
      const json = await cli(['status', base.incidentId, '--json']);
      expect(JSON.parse(json.stdout)).toEqual(status);
    } finally {
      await handle.terminate('test done');
      worker.shutdown();
      await running;
    }
  });
});
