// A Worker Deployment's very first build has no one to take over from: until some version is current,
// the server routes new incidents to unversioned workers, and a fresh `docker compose up` has none, so the
// first incident would wait silently for an operator. The first build therefore makes itself current —
// only when the deployment has no current version at all; every later build is made current by the
// operator after the replay gate (docs/operations.md), and the worker says so at startup.
import { status } from '@grpc/grpc-js';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../config/logger';

export type FirstVersionOutcome = 'made_current' | 'already_current' | 'another_current' | 'stopped';

interface Options {
  everyMs?: number;
  signal?: AbortSignal;
  identity?: string;
}

const isGrpc = (error: unknown, code: number) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/** Polls until this build's version is registered (its pollers seen), then decides once. Never throws. */
export async function makeFirstVersionCurrent(
  connection: NativeConnection,
  namespace: string,
  version: { deploymentName: string; buildId: string },
  logger: Logger,
  options: Options = {},
): Promise<FirstVersionOutcome> {
  const { deploymentName, buildId } = version;
  const everyMs = options.everyMs ?? 1000;
  const command = `temporal worker deployment set-current-version --deployment-name ${deploymentName} --build-id ${buildId}`;
  let lastProblem: string | undefined;
  while (!options.signal?.aborted) {
    try {
      const described = await connection.workflowService.describeWorkerDeployment({ namespace, deploymentName });
      const info = described.workerDeploymentInfo;
      const current = info?.routingConfig?.currentDeploymentVersion?.buildId;
      const registered = info?.versionSummaries?.some((summary) => summary.deploymentVersion?.buildId === buildId) ?? false;
      if (current === buildId) return 'already_current';
      if (current) {
        logger.info({ deployment: deploymentName, buildId, currentBuildId: current }, `this build is not current: build ${current} takes new incidents until you run: ${command}`);
        return 'another_current';
      }
      if (registered) {
        await connection.workflowService.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName,
          buildId,
          conflictToken: described.conflictToken,
          identity: options.identity ?? `first-version@${buildId}`,
        });
        logger.info({ deployment: deploymentName, buildId }, 'the deployment had no current version: this first build made itself current');
        return 'made_current';
      }
    } catch (error) {
      // NOT_FOUND: the deployment exists once this worker's pollers reach the server; a conflict: another
      // worker of the deployment changed it first — look again.
      const problem = error instanceof Error ? error.message : String(error);
      if (!isGrpc(error, status.NOT_FOUND) && !isGrpc(error, status.FAILED_PRECONDITION) && !isGrpc(error, status.ABORTED) && problem !== lastProblem) {
        logger.warn({ deployment: deploymentName, buildId, error: problem }, `could not check whether the deployment has a current version (retrying); if incidents wait, run: ${command}`);
      }
      lastProblem = problem;
    }
    await sleep(everyMs, options.signal);
  }
  return 'stopped';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
