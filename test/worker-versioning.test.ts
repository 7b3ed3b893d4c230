// Upgrading with incidents in flight (docs/operations.md): the scenario of test/support/upgrade-scenario.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars } from './support/pipeline';
import { startDevServer, temporalCli } from './support/temporal';
import { runUpgrade } from './support/upgrade-scenario';
import { startWorkerProcess } from './support/worker-process';

/** Drainage is checked every 3 minutes by default; seconds here. */
const FAST_DRAINAGE = [
  '--dynamic-config-value', 'matching.wv.VersionDrainageStatusVisibilityGracePeriod="2s"',
  '--dynamic-config-value', 'matching.wv.VersionDrainageStatusRefreshInterval="2s"',
];

let env: TestWorkflowEnvironment;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
const workDir = mkdtempSync(path.join(os.tmpdir(), 'pm-upgrade-'));

beforeAll(async () => {
  [env, devin, pagerDuty] = await Promise.all([startDevServer({ extraArgs: FAST_DRAINAGE }), FakeDevinApi.start(), FakePagerDutyApi.start()]);
});

afterAll(async () => {
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
  rmSync(workDir, { recursive: true, force: true });
});

it('incidents started on build 1 finish correctly on build 2; new ones start on build 2; build 1 drains', async () => {
  const taskQueue = 'upgrade';
  const outcome = await runUpgrade({
    client: env.client,
    address: env.address,
    namespace: env.namespace ?? 'default',
    taskQueue,
    temporalCli: temporalCli(),
    devin,
    pagerDuty,
    workDir,
    startWorker: (extra) =>
      startWorkerProcess({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, ...fakeApiVars(devin, pagerDuty), DEVIN_POLL_INTERVAL: '1s', RESOLVE_QUIET_PERIOD: '0s', ...extra }),
  });
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
}, 300_000); // two worker starts, one webpack bundle, routing propagation twice, drainage
