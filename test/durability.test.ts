// Durability: what happens to an incident when the processes around it die. The worker runs as a real
// OS process (SIGKILL / SIGTERM), the Temporal dev server is stopped and restarted on its SQLite file,
// and the bridge is closed with a request in flight. Real dev servers only; PagerDuty and Devin are the
// local fakes.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { freePort } from './support/cluster/ports';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { noteMarker } from '../src/domain/write-back';
import { startBridge } from '../src/bridge/main';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { statusQuery } from '../src/domain/messages';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { incidentWebhook, sampleIncident, type SimulatedIncident } from '../src/dev/simulation';
import { loadTemporalSettings } from '../src/config/temporal';
import { createLazyClient } from '../src/temporal/connection';
import { createWebhookApp } from '../src/bridge/webhook-app';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { capturingLogger, eventually, startDevServer } from './support/temporal';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const SIGNING_SECRET = 'whsec-durability-test-0001';
const { logger } = capturingLogger('durability');
const EventType = temporal.api.enums.v1.EventType;

let env: TestWorkflowEnvironment;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;

/** Every worker process any test started: afterAll SIGKILLs whatever is still alive. */
const workers = new Set<WorkerProcess>();
/** Extra cleanups (servers, clients, temp files), run in reverse order in afterAll. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  [env, devin, pagerDuty] = await Promise.all([startDevServer(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
});

afterEach(() => {
  devin.onPoll = undefined;
});

afterAll(async () => {
  await Promise.all([...workers].map((w) => w.kill()));
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
});

let queues = 0;
const newTaskQueue = (name: string) => `durability-${name}-${process.pid}-${++queues}`;

function workerEnv(address: string, taskQueue: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...fakeApiVars(devin, pagerDuty),
    DEVIN_POLL_INTERVAL: '1s',
    DEVIN_MAX_WAIT: '2m',
    RESOLVE_QUIET_PERIOD: '0s',
    HTTP_TIMEOUT: '5s',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

async function startWorker(vars: Record<string, string>): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(vars);
  workers.add(worker);
  return worker;
}

/** Runs `body`; on failure, appends the worker processes' output so the cause is visible. */
async function withWorkerLogs<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const logs = [...workers].map((w, i) => `--- worker process ${i + 1} (pid ${w.child.pid}, exit ${w.child.exitCode}) ---\n${w.output().slice(-6000)}`);
    if (error instanceof Error) error.message += `\n\n${logs.join('\n')}`;
    throw error;
  }
}

function seeded(): SimulatedIncident {
  return seedIncident(pagerDuty);
}

const at = (incident: SimulatedIncident, minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();
const sessionsFor = (incident: SimulatedIncident) => devin.sessions.filter((s) => s.tags.includes(`pd-incident:${incident.id}`));
/** POST /sessions requests whose body carries this incident's tag (including ones whose answer was lost). */
const createRequestsFor = (incident: SimulatedIncident) =>
  devin.requests.filter((r) => {
    if (r.method !== 'POST' || !r.path.endsWith('/sessions')) return false;
    const tags = (r.body as { tags?: unknown } | undefined)?.tags;
    return Array.isArray(tags) && tags.includes(`pd-incident:${incident.id}`);
  });

function handleFor(client: Client, incident: SimulatedIncident) {
  return client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
}

function waitForStatus(client: Client, incident: SimulatedIncident, what: string, accept: (s: PostmortemStatus) => boolean, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const s = await handleFor(client, incident).query(statusQuery);
      return accept(s) ? s : undefined;
    },
    `incident ${incident.id}: ${what}`,
    timeoutMs,
  );
}

/** A correctly signed delivery, as bytes, so a retry can resend exactly the same request. */
function signedDelivery(payload: unknown, webhookId = `wh-${randomUUID()}`) {
  const body = JSON.stringify(payload);
  return { body, webhookId, signature: signBody(body, SIGNING_SECRET) };
}

function post(app: ReturnType<typeof createWebhookApp>, delivery: ReturnType<typeof signedDelivery>) {
  return request(app)
    .post('/webhooks/pagerduty')
    .set('content-type', 'application/json')
    .set('x-pagerduty-signature', delivery.signature)
    .set('x-webhook-id', delivery.webhookId)
    .send(delivery.body);
}


const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the value, or rejects after `ms` (so a hang fails the test instead of timing out jest). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An HTTP proxy in front of the fake Devin API that can hold `POST …/sessions` (session creation) until
 * released, so an activity is provably in flight. The fake itself answers at once.
 */
async function startHoldingDevinProxy(targetBaseUrl: string) {
  const target = new URL(targetBaseUrl);
  let holding = true;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let heldOne!: () => void;
  const held = new Promise<void>((r) => (heldOne = r));

  const server: Server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (holding && req.method === 'POST' && /\/sessions$/.test(new URL(req.url ?? '/', 'http://x').pathname)) {
          heldOne();
          await released;
        }
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const upstream = await fetch(`${target.origin}${req.url ?? '/'}`, { method: req.method, headers, body });
        const text = await upstream.text();
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname}`,
    /** Resolves once a session create is being held. */
    held,
    release() {
      holding = false;
      release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('durability', () => {
  it('worker SIGKILLed while waiting for the pull request, then restarted → same session, PR found, exactly one session', async () => {
    await withWorkerLogs(async () => {
      const taskQueue = newTaskQueue('sigkill');
      const app = createWebhookApp({ client: env.client, taskQueue, secrets: { signingSecrets: [SIGNING_SECRET] }, logger });
      const incident = seeded();

      // Devin keeps "working" without a PR until the test lets it open one.
      let pullRequestReady = false;
      let lastPollAt = 0;
      devin.onPoll = (session) => {
        if (!session.tags.includes(`pd-incident:${incident.id}`)) return undefined;
        lastPollAt = Date.now();
        return pullRequestReady ? undefined : { status: 'running', status_detail: 'working', pull_requests: [] };
      };

      // With write-back on, the drafting note goes out before the kill and the review note after it.
      const vars = workerEnv(env.address, taskQueue, { PAGERDUTY_FROM_EMAIL: 'postmortem-bot@acme.example' });
      const first = await startWorker(vars);
      expect((await post(app, signedDelivery(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 2) })))).status).toBe(202);
      expect((await post(app, signedDelivery(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 20) })))).status).toBe(202);

      const waiting = await waitForStatus(env.client, incident, 'awaiting_pr after 3 polls', (s) => s.phase === 'awaiting_pr' && (sessionsFor(incident)[0]?.polls ?? 0) >= 3);
      const [session] = sessionsFor(incident);
      expect(session).toBeDefined();
      expect(waiting.devinSessionId).toBe(session?.session_id);

      // Kill between two polls (the poll is an activity retried every second by the server), not in the
      // middle of one: an attempt lost mid-flight is only retried after its 1-minute start-to-close timeout.
      await eventually(async () => {
        const since = Date.now() - lastPollAt;
        return since >= 150 && since <= 600 ? true : undefined;
      }, 'a moment between two polls', 10_000);
      await first.kill();
      expect(first.child.signalCode).toBe('SIGKILL');
      const pollsAtKill = session?.polls ?? 0;

      // Nobody polls while no worker runs: the polling really was the dead worker's.
      await delay(2_500);
      expect(session?.polls).toBe(pollsAtKill);

      pullRequestReady = true;
      const restartedAt = Date.now();
      await startWorker(vars);
      const result = await within(60_000, 'workflow completion after the restart', handleFor(env.client, incident).result());
      const recoveryMs = Date.now() - restartedAt;

      expect(sessionsFor(incident)).toHaveLength(1);
      expect(session?.polls).toBeGreaterThan(pollsAtKill);
      expect(session?.pull_requests).toHaveLength(1);
      expect(result).toMatchObject({
        incidentId: incident.id,
        outcome: 'pull_request_opened',
        pullRequestUrl: session?.pull_requests[0]?.pr_url,
        devinSessionId: session?.session_id,
        devinSessionUrl: session?.url,
      });
      expect(createRequestsFor(incident)).toHaveLength(1);
      // Each PagerDuty note exactly once across the restart: the new worker replays, it does not re-post.
      const notes = pagerDuty.notes(incident.id);
      expect(notes.filter((n) => n.content.includes(noteMarker('drafting')))).toHaveLength(1);
      expect(notes.filter((n) => n.content.includes(noteMarker('published')))).toHaveLength(1);
      expect(pagerDuty.requests.filter((r) => r.method === 'POST' && r.path === `/incidents/${incident.id}/notes`)).toHaveLength(2);
      expect(await handleFor(env.client, incident).query(statusQuery)).toMatchObject({ phase: 'completed', pullRequestUrl: result.pullRequestUrl });
      console.log(`SIGKILL test: recovered ${recoveryMs} ms after the second worker was started (polls before kill: ${pollsAtKill}, total: ${session?.polls})`);
    });
  }, 100_000);

  it('Temporal dev server stopped and restarted on the same SQLite file while the incident awaits resolution → 503 while down, completes after', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'durability-temporal-'));
    const dbFilename = path.join(dir, 'temporal.sqlite');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    let server: TestWorkflowEnvironment | undefined = await startDevServer({ dbFilename, port });
    // The bridge's client lives independently of the dev server (and of the env's own client).
    const client = createLazyClient(loadTemporalSettings({ TEMPORAL_ADDRESS: address }));
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => client.connection.close(),
      () => server?.teardown(),
    );

    await withWorkerLogs(async () => {
      const taskQueue = newTaskQueue('server-restart');
      const app = createWebhookApp({ client, taskQueue, secrets: { signingSecrets: [SIGNING_SECRET] }, logger });
      const incident = seeded();
      const worker = await startWorker(workerEnv(address, taskQueue));

      expect((await post(app, signedDelivery(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 2) })))).status).toBe(202);
      await waitForStatus(server!.client, incident, 'awaiting_resolution', (s) => s.phase === 'awaiting_resolution');

      await server!.teardown();
      server = undefined;

      // PagerDuty delivers the resolution while Temporal is down: 503 with Retry-After, so it retries.
      const resolved = signedDelivery(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 25) }));
      const started = Date.now();
      const refused = await post(app, resolved);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(Date.now() - started).toBeLessThan(5_000); // inside PagerDuty's 5 s
      expect((await request(app).get('/readyz')).status).toBe(503);

      // The worker rides out the outage.
      await delay(3_000);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.child.signalCode).toBeNull();

      server = await startDevServer({ dbFilename, port });
      const restarted = server;

      // PagerDuty's retry of the same delivery (same body, signature and X-Webhook-Id). A retry that comes
      // while the client is still reconnecting gets another 503, as PagerDuty would; count them.
      let retries = 0;
      const accepted = await eventually(async () => {
        retries++;
        const res = await post(app, resolved);
        if (res.status === 503) return undefined;
        return res;
      }, 'the retried delivery to be accepted', 30_000);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ status: 'accepted', workflowId: workflowIdForIncident(incident.id) });
      expect((await request(app).get('/readyz')).status).toBe(200);

      const result = await within(45_000, 'workflow completion after the server restart', handleFor(restarted.client, incident).result());
      const [session] = sessionsFor(incident);
      expect(sessionsFor(incident)).toHaveLength(1);
      expect(createRequestsFor(incident)).toHaveLength(1);
      expect(result).toMatchObject({ outcome: 'pull_request_opened', pullRequestUrl: session?.pull_requests[0]?.pr_url, devinSessionId: session?.session_id });
      const final = await handleFor(restarted.client, incident).query(statusQuery);
      // What was known before the restart survived it: the evidence and the acknowledgement.
      expect(final).toMatchObject({ phase: 'completed', contextSource: 'pagerduty_api', acknowledgedAt: at(incident, 2), resolvedAt: at(incident, 25), eventsReceived: 2 });
      // The same worker process did the work before and after the restart.
      expect(worker.child.exitCode).toBeNull();
      console.log(`server restart test: retried delivery accepted on attempt ${retries}`);
    });
  }, 100_000);

  describe('graceful shutdown', () => {
    it('worker given SIGTERM while an activity is in flight finishes it, records it in Temporal, and exits 0', async () => {
      const proxy = await startHoldingDevinProxy(devin.baseUrl);
      cleanups.push(() => proxy.close());
      await withWorkerLogs(async () => {
        const taskQueue = newTaskQueue('sigterm');
        const app = createWebhookApp({ client: env.client, taskQueue, secrets: { signingSecrets: [SIGNING_SECRET] }, logger });
        const incident = seeded();
        const worker = await startWorker(workerEnv(env.address, taskQueue, { DEVIN_API_BASE_URL: proxy.baseUrl }));

        expect((await post(app, signedDelivery(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 2) })))).status).toBe(202);
        expect((await post(app, signedDelivery(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 20) })))).status).toBe(202);
        await within(30_000, 'the Devin session create to be in flight', proxy.held);

        const exited = worker.stop(); // SIGTERM
        // It drains: still alive while the create is held …
        await delay(1_500);
        expect(worker.child.exitCode).toBeNull();
        expect(sessionsFor(incident)).toHaveLength(0);
        // … and exits 0 once the activity finished.
        proxy.release();
        expect(await within(30_000, 'the worker to exit after SIGTERM', exited)).toBe(0);
        expect(worker.output()).toMatch(/"state":"DRAINED"/);

        // The create reached Devin and its completion reached Temporal before the process went away.
        expect(sessionsFor(incident)).toHaveLength(1);
        const history = await handleFor(env.client, incident).fetchHistory();
        const events = history.events ?? [];
        const scheduled = events.find(
          (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'startPostmortemSession',
        );
        expect(scheduled).toBeDefined();
        const outcome = events.filter((e) =>
          [
            e.activityTaskCompletedEventAttributes?.scheduledEventId,
            e.activityTaskFailedEventAttributes?.scheduledEventId,
            e.activityTaskTimedOutEventAttributes?.scheduledEventId,
          ].some((id) => id !== undefined && id !== null && String(id) === String(scheduled?.eventId)),
        );
        expect(outcome.map((e) => e.eventType)).toEqual([EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]);

        // A new worker takes over from there: same session, no second create, PR found.
        await startWorker(workerEnv(env.address, taskQueue));
        const result = await within(45_000, 'workflow completion on the new worker', handleFor(env.client, incident).result());
        const [session] = sessionsFor(incident);
        expect(result).toMatchObject({ outcome: 'pull_request_opened', devinSessionId: session?.session_id, pullRequestUrl: session?.pull_requests[0]?.pr_url });
        expect(sessionsFor(incident)).toHaveLength(1);
        expect(createRequestsFor(incident)).toHaveLength(1);
      });
    }, 100_000);

    it('bridge close() lets an in-flight request finish with its 202, and refuses new connections', async () => {
      const taskQueue = newTaskQueue('bridge-close');
      const bridge = await startBridge(
        { PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent' },
        logger,
      );
      let closing: Promise<void> | undefined;
      let closeCalledAt = 0;
      cleanups.push(() => closing ?? bridge.close());
      const agent = new http.Agent({ keepAlive: true }); // PagerDuty, like most senders, reuses connections
      cleanups.push(() => agent.destroy());

      const incident = sampleIncident();
      const delivery = signedDelivery(incidentWebhook('incident.acknowledged', incident));
      const body = Buffer.from(delivery.body);
      const arrived = new Promise<void>((resolve) => bridge.server.once('request', () => resolve()));
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: bridge.port,
            path: '/webhooks/pagerduty',
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': String(body.length),
              'x-pagerduty-signature': delivery.signature,
              'x-webhook-id': delivery.webhookId,
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        // Half the body now, the rest after close() was called: the request is provably in flight.
        req.write(body.subarray(0, Math.floor(body.length / 2)));
        arrived
          .then(async () => {
            closeCalledAt = Date.now();
            closing = bridge.close();
            await delay(300);
            req.end(body.subarray(Math.floor(body.length / 2)));
          })
          .catch(reject);
      });

      const answer = await within(15_000, 'the in-flight request to be answered', response);
      expect(answer.status).toBe(202);
      expect(JSON.parse(answer.body)).toEqual({ status: 'accepted', workflowId: workflowIdForIncident(incident.id) });
      // With a keep-alive client, close() currently resolves only when Node's keepAliveTimeout (5 s) ends
      // the connection; the bound leaves room for that.
      await within(10_000, 'bridge.close() to resolve', closing ?? Promise.reject(new Error('close() was never called')));
      console.log(`bridge close test: close() resolved ${Date.now() - closeCalledAt} ms after it was called`);

      // Temporal really has the event, and the closed bridge accepts no new connection.
      const description = await handleFor(env.client, incident).describe();
      expect(description.taskQueue).toBe(taskQueue);
      await expect(
        new Promise((resolve, reject) => {
          const socket = net.connect(bridge.port, '127.0.0.1', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await handleFor(env.client, incident).terminate('test over: no worker for this task queue');
    }, 30_000);
  });
});
