// The harness of the fast workflow tests (test/workflow-*.test.ts): one real dev server and one workflow
// bundle per file, and a worker whose activities are scripted stubs (test/support/stub-activities.ts) on
// both task queues, like production. `useLifecycle()` registers the file's hooks; each test gets its own
// incident, script and workflow through `newCase`.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { type IncidentEvent, workflowIdForIncident } from '../../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../../src/domain/status';
import { statusQuery } from '../../src/domain/messages';
import { incidentWebhook, sampleIncident, type SimulatedIncident, type WebhookOptions } from '../../src/dev/simulation';
import { parseWebhook } from '../../src/integrations/pagerduty/webhook';
import { deliverIncidentEvent } from '../../src/temporal/deliver-event';
import { ensureSearchAttributes } from '../../src/worker/postmortem-worker';
import { Latch, type PostmortemSettings, type Script, StubActivities, type StubIncident } from './stub-activities';
import { bundleWorkflows, capturingLogger, eventually, startDevServer } from './temporal';

export const INCIDENTS_QUEUE = `lifecycle-incidents-${process.pid}`;
export const SESSIONS_QUEUE = `lifecycle-sessions-${process.pid}`;
/** How long a test waits for a phase or a call before failing (generous: 2 shared cores). */
export const WAIT_MS = 15_000;

export const DEFAULT_SETTINGS: PostmortemSettings = {
  pollIntervalMs: 200,
  // Long enough never to end a test by accident; the DEVIN_MAX_WAIT test sets its own.
  maxWaitMs: 20_000,
  // None unless the test is about it (as in the slow suites): the dev server fires timers on a ~1 s tick,
  // so every timer costs a second. The tests that watch the quiet period set their own.
  quietPeriodMs: 0,
  lateResolutionGraceMs: 1_500,
  dryRun: false,
  routing: { minPriority: 2, noPriority: 'urgency' },
  destination: 'repo',
  slack: true,
  sessionTaskQueue: SESSIONS_QUEUE,
};

let env: TestWorkflowEnvironment | undefined;
let workers: Worker[] = [];
let running: Promise<unknown> | undefined;
const stubs = new StubActivities(DEFAULT_SETTINGS);

/** Registers the file's hooks: the dev server and workers before all tests, cleanup after each and all. */
export function useLifecycle(): void {
  beforeAll(async () => {
    const [server, bundle] = await Promise.all([startDevServer(), bundleWorkflows()]);
    env = server;
    const namespace = env.namespace ?? 'default';
    await ensureSearchAttributes(env.nativeConnection, namespace, capturingLogger('lifecycle').logger);
    // Like production: the incidents queue runs the workflow and every activity; session creation has its own queue.
    workers = await Promise.all([
      Worker.create({ connection: env.nativeConnection, namespace, taskQueue: INCIDENTS_QUEUE, workflowBundle: bundle, activities: stubs.activities }),
      Worker.create({
        connection: env.nativeConnection,
        namespace,
        taskQueue: SESSIONS_QUEUE,
        activities: { startPostmortemSession: stubs.activities.startPostmortemSession },
      }),
    ]);
    running = Promise.all(workers.map((w) => w.run()));
  });

  afterAll(async () => {
    try {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    } finally {
      await env?.teardown();
    }
  });

  afterEach(async () => {
    // A failed test must not leave its workflow polling stubs into the next tests.
    for (const c of cases.splice(0)) {
      try {
        const { status } = await c.handle.describe();
        if (status.name === 'RUNNING') await c.handle.terminate('test ended');
      } catch {
        // never started
      }
      stubs.dispose(c.incident.id);
    }
    for (const gate of latches.splice(0)) gate.abort('test ended');
  });
}

// ---- One incident per test: its stub script, its workflow, and the ways a test drives it ----

export interface Case {
  incident: SimulatedIncident;
  stub: StubIncident;
  handle: WorkflowHandle<() => Promise<PostmortemResult>>;
  /** What PagerDuty would send, `minutes` after the incident was created (order is judged by occurred_at). */
  event(type: IncidentEvent['type'], minutes: number, options?: WebhookOptions & { webhookId?: string }): IncidentEvent;
  deliver(event: IncidentEvent): Promise<void>;
  status(): Promise<PostmortemStatus>;
  phase(phase: PostmortemStatus['phase']): Promise<PostmortemStatus>;
  at(minutes: number): string;
}

const cases: Case[] = [];
const latches: Latch[] = [];

/** A gate for a stub, aborted when the test ends so that no activity waits at it for ever. */
export function latch(): Latch {
  const gate = new Latch();
  latches.push(gate);
  return gate;
}

export function newCase(script: Script = {}, overrides: Partial<SimulatedIncident> = {}): Case {
  const incident = sampleIncident(overrides);
  const stub = stubs.script(incident.id, script);
  const handle = client().workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
  const at = (minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();
  const status = () => handle.query(statusQuery);
  const c: Case = {
    incident,
    stub,
    handle,
    at,
    event(type, minutes, { webhookId, ...options } = {}) {
      const parsed = parseWebhook(incidentWebhook(type, incident, { occurredAt: at(minutes), ...options }), webhookId, new Date());
      if (parsed.kind !== 'incident_event') throw new Error(`not an incident event: ${JSON.stringify(parsed)}`);
      return parsed.event;
    },
    async deliver(event) {
      expect(await deliverIncidentEvent(client(), INCIDENTS_QUEUE, event)).toMatchObject({ status: 'accepted' });
    },
    status,
    phase: (phase) =>
      eventually(
        async () => {
          const s = await status();
          return s.phase === phase ? s : undefined;
        },
        `incident ${incident.id} to reach ${phase}`,
        WAIT_MS,
      ),
  };
  cases.push(c);
  return c;
}


export function client() {
  if (!env) throw new Error('dev server not started');
  return env.client;
}

/** Where the dev server listens, for a CLI pointed at it (TEMPORAL_ADDRESS). */
export function serverAddress(): string {
  if (!env) throw new Error('dev server not started');
  return env.address;
}

export function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  return eventually(async () => probe(), what, WAIT_MS);
}

/** The messages of the workflow tasks that failed (a wedged or non-deterministic workflow). */
export async function workflowTaskFailures(c: Case): Promise<string[]> {
  const history = await c.handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? '(no message)');
}

/** The workflow's failure: a WorkflowFailedError whose cause is the ApplicationFailure it threw. */
export async function failureOf(c: Case): Promise<ApplicationFailure> {
  const error = await c.handle.result().then(
    (result) => {
      throw new Error(`expected the workflow to fail, it returned ${JSON.stringify(result)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

export const kinds = (c: Case) => c.stub.callsTo('sendSessionMessage').map((m) => m.kind);

/** Resolves a case that was acknowledged and waits until its session is being watched. */
export async function toAwaitingPr(c: Case): Promise<PostmortemStatus> {
  await c.deliver(c.event('incident.acknowledged', 2));
  await c.deliver(c.event('incident.resolved', 20));
  return c.phase('awaiting_pr');
}

