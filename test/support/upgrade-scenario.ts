// An upgrade with incidents in flight, as docs/operations.md tells an operator to do it: build 1 is the
// Worker Deployment's current version and holds open incidents; build 2 (a changed workflow, behind
// patched()) is deployed beside it and made current; the open incidents move to build 2 at their next task
// (Auto-Upgrade) and finish there, new incidents start on build 2, and build 1 drains and is stopped.
// Run against whatever server the caller started (the real cluster of test:production).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { statusQuery } from '../../src/domain/messages';
import { workflowIdForIncident } from '../../src/domain/incident';
import type { PostmortemStatus } from '../../src/domain/status';
import { incidentWebhook, type SimulatedIncident } from '../../src/dev/simulation';
import { parseWebhook } from '../../src/integrations/pagerduty/webhook';
import { deliverIncidentEvent } from '../../src/temporal/deliver-event';
import { WORKFLOWS_PATH } from '../../src/worker/postmortem-worker';
import type { FakeDevinApi } from '../fakes/devin-api';
import type { FakePagerDutyApi } from '../fakes/pagerduty-api';
import { seedIncident } from './pipeline';
import { UPGRADE_PATCH } from './upgrade-build-2';
import type { NodeProcess } from './worker-process';

const run = promisify(execFile);

export interface UpgradeContext {
  client: Client;
  address: string;
  namespace: string;
  taskQueue: string;
  temporalCli: string;
  devin: FakeDevinApi;
  pagerDuty: FakePagerDutyApi;
  /** Starts a worker process with these variables on top of the pipeline's (fake APIs, task queue, server). */
  startWorker(env: Record<string, string>): Promise<NodeProcess>;
  /** A directory for build 2's workflow bundle. */
  workDir: string;
}

export interface UpgradeOutcome {
  deploymentName: string;
  oldIncidents: string[];
  newIncidents: string[];
  /** Per workflow id: the build ids that completed its workflow tasks, in order. */
  buildsByWorkflow: Record<string, string[]>;
  /** Per workflow id: whether build 2's patch marker is in its history, and its changed command's memo. */
  patchedByBuild2: Record<string, boolean>;
  resolvedOnBuild2: Record<string, boolean>;
  /** Per workflow id: its versioning behaviour as the server recorded it. */
  behaviors: Record<string, string>;
  /** Devin sessions per incident id. */
  sessionsPerIncident: Record<string, number>;
  drainage: string;
}

/** Build 2's bundle: the product's workflows plus the changed command (./upgrade-build-2.ts). */
export async function buildTwoBundle(workDir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [require.resolve('./upgrade-build-2')],
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
  });
  const file = path.join(workDir, 'workflow-bundle-build-2.js');
  await writeFile(file, code);
  return file;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export async function runUpgrade(ctx: UpgradeContext): Promise<UpgradeOutcome> {
  const deploymentName = `postmortems-upgrade-${process.pid}`;
  const cli = async (...args: string[]) =>
    (await run(ctx.temporalCli, [...args, '--address', ctx.address, '--namespace', ctx.namespace], { encoding: 'utf8' })).stdout;
  const versionJson = async (buildId: string) =>
    JSON.parse(await cli('worker', 'deployment', 'describe-version', '--deployment-name', deploymentName, '--build-id', buildId, '--output', 'json')) as Record<string, unknown>;
  const currentBuild = async () =>
    (await ctx.client.workflowService.describeWorkerDeployment({ namespace: ctx.namespace, deploymentName })).workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
  // The change reaches the task queues' partitions asynchronously: until then, tasks still go to the old
  // current version (docs/operations.md has the operator wait for this too).
  const routedTo = (buildId: string) =>
    waitFor(`the routing to ${buildId} to reach every task queue`, async () => {
      const { workerDeploymentInfo: info } = await ctx.client.workflowService.describeWorkerDeployment({ namespace: ctx.namespace, deploymentName });
      const state = info?.routingConfigUpdateState;
      return info?.routingConfig?.currentDeploymentVersion?.buildId === buildId && state === temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED ? true : undefined;
    });
  const makeCurrent = async (buildId: string) => {
    // The version exists once its workers have polled; then it can be made current.
    await waitFor(`version ${buildId} to register`, async () => ((await versionJson(buildId)) ? true : undefined));
    await cli('worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', buildId, '--yes');
    await routedTo(buildId);
  };
  const deliver = async (type: string, incident: SimulatedIncident) => {
    const parsed = parseWebhook(incidentWebhook(type, incident), undefined, new Date());
    if (parsed.kind !== 'incident_event') throw new Error(`not an incident event: ${parsed.kind}`);
    await deliverIncidentEvent(ctx.client, ctx.taskQueue, parsed.event);
  };
  const phaseOf = async (incident: SimulatedIncident) => (await ctx.client.workflow.getHandle(workflowIdForIncident(incident.id)).query<PostmortemStatus>(statusQuery)).phase;

  // Build 1 is current and holds three open incidents, acknowledged and waiting for their resolution.
  const build1 = await ctx.startWorker({ WORKER_BUILD_ID: 'build-1', WORKER_DEPLOYMENT_NAME: deploymentName });
  let build2: NodeProcess | undefined;
  try {
    // A new deployment has no current version: its first build makes itself current (src/worker/first-version.ts),
    // or a fresh deployment's first incidents would wait for an operator.
    await routedTo('build-1');
    if (!/this first build made itself current/.test(build1.output())) throw new Error(`build-1 became current without saying so:\n${build1.output()}`);
    const oldIncidents = [0, 1, 2].map(() => seedIncident(ctx.pagerDuty));
    for (const incident of oldIncidents) await deliver('incident.acknowledged', incident);
    for (const incident of oldIncidents) await waitFor(`${incident.id} to await its resolution`, async () => ((await phaseOf(incident)) === 'awaiting_resolution' ? true : undefined));

    // Build 2 beside it, then current.
    const bundle = await buildTwoBundle(ctx.workDir);
    build2 = await ctx.startWorker({ WORKER_BUILD_ID: 'build-2', WORKER_DEPLOYMENT_NAME: deploymentName, WORKFLOW_BUNDLE_PATH: bundle });
    // A later build never takes over by itself: it says what to run, and build 1 stays current until then.
    const second = build2;
    await waitFor('build-2 to say it is not current', async () => (/this build is not current: build build-1 takes new incidents until you run: temporal worker deployment set-current-version/.test(second.output()) ? true : undefined));
    const stillCurrent = await currentBuild();
    if (stillCurrent !== 'build-1') throw new Error(`build-2 started and the current build is ${stillCurrent}, not build-1`);
    await makeCurrent('build-2');

    // The open incidents resolve now, and two new ones arrive.
    const newIncidents = [0, 1].map(() => seedIncident(ctx.pagerDuty));
    for (const incident of oldIncidents) await deliver('incident.resolved', incident);
    for (const incident of newIncidents) {
      await deliver('incident.acknowledged', incident);
      await deliver('incident.resolved', incident);
    }
    const all = [...oldIncidents, ...newIncidents];
    const results = await Promise.all(all.map((i) => ctx.client.workflow.getHandle(workflowIdForIncident(i.id)).result()));
    for (const [index, result] of results.entries()) {
      if (result.outcome !== 'pull_request_opened') throw new Error(`${all[index]?.id} ended ${result.outcome}`);
    }

    // Build 1 has nothing left: it drains, and is stopped.
    const drainage = await waitFor(
      'build-1 to drain',
      async () => {
        const info = (await versionJson('build-1')) as { drainageStatus?: string; drainageInfo?: { drainageStatus?: string; status?: string } };
        const status = info.drainageStatus ?? info.drainageInfo?.drainageStatus ?? info.drainageInfo?.status;
        return typeof status === 'string' && /drained/i.test(status) && !/draining/i.test(status) ? status : undefined;
      },
      120_000,
      1_000,
    );
    await build1.stop();

    const buildsByWorkflow: Record<string, string[]> = {};
    const patchedByBuild2: Record<string, boolean> = {};
    const resolvedOnBuild2: Record<string, boolean> = {};
    const behaviors: Record<string, string> = {};
    for (const incident of all) {
      const workflowId = workflowIdForIncident(incident.id);
      const handle = ctx.client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      resolvedOnBuild2[workflowId] = description.memo?.resolvedOnBuild2 === true;
      behaviors[workflowId] = temporal.api.enums.v1.VersioningBehavior[description.raw.workflowExecutionInfo?.versioningInfo?.behavior ?? 0] ?? 'unknown';
      const history = await handle.fetchHistory();
      buildsByWorkflow[workflowId] = (history.events ?? []).flatMap((e) => {
        const done = e.workflowTaskCompletedEventAttributes;
        if (!done) return [];
        const build = done.deploymentVersion?.buildId ?? done.workerVersion?.buildId ?? '';
        return [build];
      });
      patchedByBuild2[workflowId] = (history.events ?? []).some((e) => {
        const marker = e.markerRecordedEventAttributes;
        if (!marker?.details) return false;
        return Object.values(marker.details).some((payloads) => (payloads.payloads ?? []).some((p) => Buffer.from(p.data ?? []).toString().includes(UPGRADE_PATCH)));
      });
    }
    const sessionsPerIncident = Object.fromEntries(all.map((i) => [i.id, ctx.devin.sessions.filter((s) => s.tags.includes(`pd-incident:${i.id}`)).length]));
    return { deploymentName, oldIncidents: oldIncidents.map((i) => workflowIdForIncident(i.id)), newIncidents: newIncidents.map((i) => workflowIdForIncident(i.id)), buildsByWorkflow, patchedByBuild2, resolvedOnBuild2, behaviors, sessionsPerIncident, drainage };
  } finally {
    await Promise.allSettled([build1.stop(), build2?.stop()]);
  }
}

/** What both upgrade tests (dev server, real cluster) hold the outcome to. */
export function expectUpgraded(outcome: UpgradeOutcome): void {
  for (const id of outcome.oldIncidents) {
    const builds = outcome.buildsByWorkflow[id] ?? [];
    expect(builds[0]).toBe('build-1');
    expect(builds.at(-1)).toBe('build-2');
    // The changed command ran where the history first reached it: after the switch, on build 2.
    expect(outcome.patchedByBuild2[id]).toBe(true);
    expect(outcome.resolvedOnBuild2[id]).toBe(true);
  }
  for (const id of outcome.newIncidents) {
    expect(new Set(outcome.buildsByWorkflow[id])).toEqual(new Set(['build-2']));
    expect(outcome.patchedByBuild2[id]).toBe(true);
    expect(outcome.resolvedOnBuild2[id]).toBe(true);
  }
  expect(new Set(Object.values(outcome.behaviors))).toEqual(new Set(['VERSIONING_BEHAVIOR_AUTO_UPGRADE']));
  expect(Object.values(outcome.sessionsPerIncident)).toEqual([1, 1, 1, 1, 1]);
  expect(outcome.drainage).toMatch(/drained/i);
}
