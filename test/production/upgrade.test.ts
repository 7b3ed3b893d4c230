// Worker Versioning on the real cluster: the upgrade-with-incidents-in-flight scenario of
// test/worker-versioning.test.ts (test/support/upgrade-scenario.ts), against the Temporal server
// docker-compose.yml pins on PostgreSQL instead of the dev server. The dev-server test passes fast drainage
// on the command line; here it is a test-only dynamic config file: the compose file's values plus those two.
import { type Stack, startStack } from '../support/cluster/stack';
import { temporalCli } from '../support/temporal';
import { expectUpgraded, runUpgrade } from '../support/upgrade-scenario';

/** Drainage is checked every 3 minutes by default; seconds here (test cluster only). */
const FAST_DRAINAGE = {
  'matching.wv.VersionDrainageStatusVisibilityGracePeriod': '2s',
  'matching.wv.VersionDrainageStatusRefreshInterval': '2s',
};

let stack: Stack;
const startedAt = Date.now();

beforeAll(async () => {
  stack = await startStack({ name: 'upgrade', extraDynamicConfig: FAST_DRAINAGE });
  console.log(`production cluster (upgrade): ${stack.summary}`);
}, 300_000);

afterAll(async () => {
  await stack?.teardown();
  console.log(`production cluster (upgrade): file done in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}, 120_000);

it('incidents started on build 1 finish on build 2 on the real cluster; new ones start on build 2; build 1 drains', async () => {
  try {
    const outcome = await runUpgrade({
      client: stack.client,
      address: stack.address,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      temporalCli: temporalCli(),
      devin: stack.devin,
      pagerDuty: stack.pagerDuty,
      workDir: stack.workDir,
      startWorker: (extra) => stack.startWorker(`worker ${extra.WORKER_BUILD_ID ?? ''}`.trim(), extra),
    });
    expectUpgraded(outcome);
    console.log(`upgrade on the cluster: ${outcome.oldIncidents.length} incidents moved from build-1 to build-2, ${outcome.newIncidents.length} new on build-2, build-1 ${outcome.drainage}`);
  } catch (error) {
    if (error instanceof Error) error.message += `\n\n${stack.logs()}`;
    throw error;
  }
}, 300_000);
