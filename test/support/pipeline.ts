// Runs the real worker (real workflow bundle, real activities) against a dev server, with the SaaS
// APIs replaced by the local fakes, plus the real webhook app in front of it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { loadWorkerConfig, type WorkerConfig } from '../../src/config';
import type { Logger } from '../../src/logger';
import { signBody } from '../../src/pagerduty-webhook';
import { createPostmortemWorker } from '../../src/postmortem-worker';
import { createWebhookApp } from '../../src/webhook-app';

export const SIGNING_SECRET = 'whsec-pipeline-test-0001';

export interface RunningWorker {
  worker: Worker;
  config: WorkerConfig;
  taskQueue: string;
  app: ReturnType<typeof createWebhookApp>;
  /** Posts a correctly signed delivery through the real webhook app. */
  deliver(payload: unknown, webhookId?: string): Promise<request.Response>;
  stop(): Promise<void>;
}

let queues = 0;

export async function startPipeline(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  logger: Logger,
  vars: Record<string, string>,
): Promise<RunningWorker> {
  const taskQueue = `pipeline-${process.pid}-${++queues}`;
  const config = loadWorkerConfig({ DEVIN_POLL_INTERVAL: '1s', DEVIN_MAX_WAIT: '2m', HTTP_TIMEOUT: '5s', RESOLVE_QUIET_PERIOD: '0s', ...vars, TEMPORAL_TASK_QUEUE: taskQueue });
  const worker = await createPostmortemWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', config, logger, workflowBundle });
  const running = worker.run();
  const app = createWebhookApp({ client: env.client, taskQueue, secrets: { signingSecrets: [SIGNING_SECRET] }, logger });
  return {
    worker,
    config,
    taskQueue,
    app,
    deliver(payload: unknown, webhookId?: string) {
      const body = JSON.stringify(payload);
      const req = request(app)
        .post('/webhooks/pagerduty')
        .set('content-type', 'application/json')
        .set('x-pagerduty-signature', signBody(body, SIGNING_SECRET));
      if (webhookId) req.set('x-webhook-id', webhookId);
      return req.send(body);
    },
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
