// Upgrading with incidents in flight (docs/operations.md): the scenario of test/support/upgrade-scenario.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars } from './support/pipeline';
import { startDevServer, temporalCli } from './support/temporal';
import { expectUpgraded, runUpgrade } from './support/upgrade-scenario';
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
  expectUpgraded(outcome);
}, 300_000); // two worker starts, one webpack bundle, routing propagation twice, drainage
