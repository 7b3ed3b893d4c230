// The HTTP edge against a real Temporal dev server: what it accepts, what it refuses, and that a
// refused request never creates a workflow.
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { workflowIdForIncident } from '../src/domain/incident';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { incidentWebhook, pingWebhook, sampleIncident } from '../src/dev/simulation';
import { createBridgeMetrics, createMetricsApp } from '../src/bridge/metrics';
import { createWebhookApp } from '../src/bridge/webhook-app';
import { capturingLogger, startDevServer } from './support/temporal';

const SIGNING_SECRET = 'whsec-test-signing-0001';
const SHARED_SECRET = 'shared-test-secret-0002';
const secrets = { signingSecrets: [SIGNING_SECRET], sharedSecret: SHARED_SECRET };

let env: TestWorkflowEnvironment;
const { logger, lines } = capturingLogger('bridge');
let app: ReturnType<typeof createWebhookApp>;
const metrics = createBridgeMetrics(false);
const taskQueue = 'bridge-test-no-worker';

beforeAll(async () => {
  env = await startDevServer();
  app = createWebhookApp({ client: env.client, taskQueue, secrets, logger, metrics });
});

afterAll(async () => {
  await env?.teardown();
});

function post(payload: unknown, headers: Record<string, string> = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return request(app)
    .post('/webhooks/pagerduty')
    .set('content-type', 'application/json')
    .set('x-pagerduty-signature', signBody(body, SIGNING_SECRET))
    .set(headers)
    .send(body);
}

async function workflowExists(incidentId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(workflowIdForIncident(incidentId)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

describe('POST /webhooks/pagerduty', () => {
  it('signals-with-start the incident workflow and answers 202 once Temporal accepted it', async () => {
    const incident = sampleIncident();
    const res = await post(incidentWebhook('incident.acknowledged', incident), { 'x-webhook-id': 'wh-accept-1' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', workflowId: `incident-${incident.id}` });

    const description = await env.client.workflow.getHandle(workflowIdForIncident(incident.id)).describe();
    expect(description.type).toBe('incidentPostmortem');
    expect(description.taskQueue).toBe(taskQueue);
    expect(await description.staticSummary()).toBe(`P1 · checkout-api · ${incident.title}`);
    expect(await description.staticDetails()).toContain(`https://acme.pagerduty.com/incidents/${incident.id}`);
  });

  it('accepts the shared X-Webhook-Secret scheme without a signature', async () => {
    const incident = sampleIncident();
    const body = JSON.stringify(incidentWebhook('incident.resolved', incident));
    const res = await request(app)
      .post('/webhooks/pagerduty')
      .set('content-type', 'application/json')
      .set('x-webhook-secret', SHARED_SECRET)
      .send(body);
    expect(res.status).toBe(202);
    expect(await workflowExists(incident.id)).toBe(true);
  });

  it('sends every incident event of one incident to the same workflow', async () => {
    const incident = sampleIncident();
    for (const type of ['incident.acknowledged', 'incident.priority_updated', 'incident.annotated', 'incident.unacknowledged', 'incident.reopened']) {
      const res = await post(incidentWebhook(type, incident, { note: 'a note' }));
      expect(res.status).toBe(202);
    }
    const { executions } = await listByIncident(incident.id);
    expect(executions).toBe(1);
  });

  it.each([
    ['no signature at all', (body: string) => ({ 'x-pagerduty-signature': '', _body: body })],
    ['a signature made with another secret', (body: string) => ({ 'x-pagerduty-signature': signBody(body, 'not-the-secret'), _body: body })],
    ['a body changed after signing', (body: string) => ({ 'x-pagerduty-signature': signBody(body, SIGNING_SECRET), _body: body.replace('checkout', 'chekout') })],
    ['a wrong shared secret', (body: string) => ({ 'x-pagerduty-signature': '', 'x-webhook-secret': 'guess', _body: body })],
  ])('answers 401 to %s and starts nothing', async (_name, variant) => {
    const incident = sampleIncident();
    const original = JSON.stringify(incidentWebhook('incident.acknowledged', incident));
    const { _body, ...headers } = variant(original);
    const res = await request(app).post('/webhooks/pagerduty').set('content-type', 'application/json').set(headers).send(_body);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/signature/);
    expect(await workflowExists(incident.id)).toBe(false);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const res = await post('{"event": nope');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'body is not valid JSON' });
  });

  it('answers 400 to a body without event, and to an incident event without incident id', async () => {
    expect((await post({ hello: 'world' })).status).toBe(400);
    const res = await post({ event: { id: 'e-1', event_type: 'incident.resolved', occurred_at: new Date().toISOString(), data: { type: 'incident' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/no incident id/);
  });

  it.each([
    ['a path', '../../../../tmp/NAME'],
    ['a newline', 'Q1ABC\nQ2'],
    ['`..`', '..'],
    ['10 KB', 'Q'.repeat(10 * 1024)],
    ['lowercase', 'q1abc'],
  ])('answers 400 (never 503) to an incident id with %s, logs it, and starts nothing', async (_what, id) => {
    const incident = sampleIncident({ id });
    const before = lines.length;
    const res = await post(incidentWebhook('incident.acknowledged', incident), { 'x-webhook-id': 'wh-hostile-id' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/is not a PagerDuty id/);
    expect(lines.slice(before).join('\n')).toMatch(/is not a PagerDuty id/);
    if (id.length < 1000) expect(await workflowExists(id)).toBe(false);
  });

  it('answers 400 to a hostile service id, merge target or event id', async () => {
    const incident = sampleIncident({ serviceId: '../services' });
    expect((await post(incidentWebhook('incident.acknowledged', incident))).status).toBe(400);
    const merged = await post(incidentWebhook('incident.resolved', sampleIncident(), { mergedInto: '..' }));
    expect(merged.status).toBe(400);
    const event = incidentWebhook('incident.resolved', sampleIncident());
    (event.event as { id: string }).id = 'evt/../../x';
    expect((await post(event)).body.error).toMatch(/is not an event id/);
  });

  it('leaves out an X-Webhook-Id that is not a plain id (its format is not published), says so, and accepts the delivery', async () => {
    const before = lines.length;
    const incident = sampleIncident();
    const res = await post(incidentWebhook('incident.acknowledged', incident), { 'x-webhook-id': `${'a'.repeat(65)}/../x` });
    expect(res.status).toBe(202);
    const logged = lines.slice(before).join('\n');
    expect(logged).toContain('"webhookIdIgnored":"\\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\\""');
    expect(logged).not.toContain('"webhookId"');
    expect(await workflowExists(incident.id)).toBe(true);
  });

  it('answers 413 to a body over 1 MiB, before anything else', async () => {
    const res = await post({ padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/exceeds/);
  });

  it('answers 200 to the ping, service events and unused incident events, and starts nothing', async () => {
    const ping = await post(pingWebhook());
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ status: 'ignored', eventType: 'pagey.ping' });

    const service = await post({ event: { id: 's-1', event_type: 'service.updated', resource_type: 'service', occurred_at: new Date().toISOString(), data: { id: 'PSVC', type: 'service' } } });
    expect(service.status).toBe(200);

    const incident = sampleIncident();
    const escalated = await post(incidentWebhook('incident.escalated', incident));
    expect(escalated.status).toBe(200);
    expect(await workflowExists(incident.id)).toBe(false);
  });

  it('answers 503 when Temporal cannot be reached, so PagerDuty retries', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const down = createWebhookApp({ client: unreachable, taskQueue, secrets, logger });
    const body = JSON.stringify(incidentWebhook('incident.acknowledged', sampleIncident()));
    const started = Date.now();
    const res = await request(down).post('/webhooks/pagerduty').set('x-pagerduty-signature', signBody(body, SIGNING_SECRET)).send(body);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000); // PagerDuty waits 5 s
    expect(res.headers['retry-after']).toBe('5');
    const ready = await request(down).get('/readyz');
    expect(ready.status).toBe(503);
  });

  it('never logs a secret or a signature', () => {
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain(SHARED_SECRET);
    expect(all).not.toMatch(/v1=[0-9a-f]{64}/);
  });
});

describe('metrics', () => {
  it('GET /metrics (its own listener) counts webhooks by event type and outcome, signature failures and Temporal latency', async () => {
    const res = await request(createMetricsApp(metrics)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const value = (pattern: RegExp) => Number(pattern.exec(res.text)?.[1] ?? NaN);
    expect(value(/^postmortem_bridge_webhooks_total\{event_type="incident\.acknowledged",outcome="accepted"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^postmortem_bridge_webhooks_total\{event_type="pagey\.ping",outcome="ignored"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_webhooks_total\{event_type="unknown",outcome="unauthorized"\} (\d+)/m)).toBe(4);
    expect(value(/^postmortem_bridge_webhooks_total\{event_type="unknown",outcome="too_large"\} (\d+)/m)).toBe(1);
    expect(value(/^postmortem_bridge_signature_failures_total (\d+)/m)).toBe(4);
    expect(value(/^postmortem_bridge_temporal_call_seconds_count\{operation="signal_with_start",result="ok"\} (\d+)/m)).toBeGreaterThanOrEqual(5);
    expect(res.text).not.toContain(SIGNING_SECRET);
  });

  it('the webhook app does not serve them', async () => {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('postmortem_bridge');
  });
});

describe('health', () => {
  it('GET /healthz says the process is up', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz says Temporal is reachable', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('unknown routes are a JSON 404', async () => {
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
  });
});

async function listByIncident(incidentId: string) {
  let executions = 0;
  for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${workflowIdForIncident(incidentId)}'` })) {
    if (wf) executions++;
  }
  return { executions };
}
