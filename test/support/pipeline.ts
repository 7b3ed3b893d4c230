// Runs the real worker (real workflow bundle, real activities) against a dev server, with the SaaS
// APIs replaced by the local fakes, plus the real webhook app in front of it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { loadWorkerConfig, type WorkerConfig } from '../../src/config';
import type { Logger } from '../../src/config/logger';
import { signBody } from '../../src/integrations/pagerduty/webhook';
import { createPostmortemWorker, type PostmortemWorker } from '../../src/worker/postmortem-worker';
import { sampleIncident, type SimulatedIncident } from '../../src/dev/simulation';
import { createWebhookApp } from '../../src/bridge/webhook-app';
import type { FakeDevinApi } from '../fakes/devin-api';
import type { FakePagerDutyApi } from '../fakes/pagerduty-api';

export const SIGNING_SECRET = 'whsec-pipeline-test-0001';

/** The worker variables that point it at the fake SaaS APIs. */
export function fakeApiVars(devin: FakeDevinApi, pagerDuty: FakePagerDutyApi): Record<string, string> {
  return {
    DEVIN_API_KEY: devin.apiKey,
    DEVIN_ORG_ID: devin.orgId,
    DEVIN_API_BASE_URL: devin.baseUrl,
    PAGERDUTY_API_TOKEN: pagerDuty.token,
    PAGERDUTY_API_BASE_URL: pagerDuty.baseUrl,
  };
}

/** A sample incident that the fake PagerDuty knows too, as PagerDuty would after the webhooks. */
export function seedIncident(
  pagerDuty: FakePagerDutyApi,
  overrides: Partial<SimulatedIncident> = {},
  extras?: Parameters<FakePagerDutyApi['addIncident']>[1],
  /** What PagerDuty's REST API shows beyond the webhooks, e.g. an incident already resolved. */
  apiFields: Partial<Parameters<FakePagerDutyApi['addIncident']>[0]> = {},
): SimulatedIncident {
  const incident = sampleIncident(overrides);
  pagerDuty.addIncident(
    {
      id: incident.id,
      incident_number: incident.number,
      title: incident.title,
      status: 'acknowledged',
      urgency: incident.urgency,
      priority: incident.priority ? { id: 'PPRIO01', summary: incident.priority } : null,
      service: { id: incident.serviceId, summary: incident.serviceName },
      created_at: incident.createdAt,
      ...apiFields,
    },
    extras,
  );
  return incident;
}

/** The real webhook app in front of a task queue (whoever's worker serves it). */
export interface Bridge {
  taskQueue: string;
  app: ReturnType<typeof createWebhookApp>;
  /** Posts a correctly signed delivery through the real webhook app. */
  deliver(payload: unknown, webhookId?: string): Promise<request.Response>;
}

export interface RunningWorker extends Bridge {
  worker: PostmortemWorker;
  config: WorkerConfig;
  stop(): Promise<void>;
}

/** The worker settings of every pipeline (a worker process of a test takes them too). */
export const PIPELINE_DEFAULTS: Record<string, string> = {
  DEVIN_POLL_INTERVAL: '1s',
  DEVIN_MAX_WAIT: '2m',
  HTTP_TIMEOUT: '5s',
  RESOLVE_QUIET_PERIOD: '0s',
  // The production default (10 a minute) would space the suites' sessions 6 s apart; the cap has its own test.
  DEVIN_MAX_SESSIONS_PER_MINUTE: '600',
  // The fakes list a new session a moment after its create, as Devin may; a lost create is looked for this long.
  DEVIN_LIST_LAG: '2s',
};

let queues = 0;

/** A task queue of its own for each pipeline of a test file. */
export const newTaskQueue = () => `pipeline-${process.pid}-${++queues}`;

/** The bridge for `taskQueue`: PagerDuty's webhooks signed with SIGNING_SECRET, GitHub's with `githubSecret` when given. */
export function bridgeFor(env: TestWorkflowEnvironment, taskQueue: string, logger: Logger, githubSecret?: string): Bridge {
  const app = createWebhookApp({ client: env.client, taskQueue, secrets: { signingSecrets: [SIGNING_SECRET] }, logger, ...(githubSecret ? { githubSecret } : {}) });
  return {
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
  };
}

export async function startPipeline(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  logger: Logger,
  vars: Record<string, string>,
  /** The bridge's GITHUB_WEBHOOK_SECRET, for POST /webhooks/github. */
  githubSecret?: string,
): Promise<RunningWorker> {
  const taskQueue = newTaskQueue();
  const config = loadWorkerConfig({
    ...PIPELINE_DEFAULTS,
    ...vars,
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  const worker = await createPostmortemWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', config, logger, workflowBundle });
  const running = worker.run();
  return {
    ...bridgeFor(env, taskQueue, logger, githubSecret),
    worker,
    config,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
