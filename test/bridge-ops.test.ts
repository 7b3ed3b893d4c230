// The bridge's operational endpoints: /metrics on an internal listener of its own (BRIDGE_METRICS_ADDRESS,
// loopback by default), never the public webhook port; /healthz and /readyz stay on the webhook port, and
// /readyz answers from a cached check, so a flood of probes costs Temporal (almost) nothing.
import net, { type AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { type RunningBridge, startBridge } from '../src/bridge/main';
import { createBridgeMetrics, createMetricsApp } from '../src/bridge/metrics';
import { temporalReadiness } from '../src/bridge/readiness';
import { createWebhookApp } from '../src/bridge/webhook-app';
import { capturingLogger } from './support/temporal';

const SECRET = 'whsec-ops-test-0001';
const { logger, lines } = capturingLogger('ops');
const bridges: RunningBridge[] = [];
afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.close()));
});

/** No Temporal server: the connection is lazy. */
async function bridge(vars: Record<string, string>): Promise<RunningBridge> {
  const running = await startBridge({ PORT: '0', PAGERDUTY_WEBHOOK_SECRETS: SECRET, TEMPORAL_ADDRESS: '127.0.0.1:1', ...vars }, logger);
  bridges.push(running);
  return running;
}

describe('the metrics listener', () => {
  it('serves GET /metrics on BRIDGE_METRICS_ADDRESS; the webhook port keeps /healthz and /readyz only', async () => {
    const running = await bridge({ BRIDGE_METRICS_ADDRESS: '127.0.0.1:0' });
    expect(running.metrics?.host).toBe('127.0.0.1');
    expect((running.metrics?.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(running.metrics?.port).not.toBe(running.port);
    const metrics = request(`http://127.0.0.1:${running.metrics?.port}`);
    const webhook = request(`http://127.0.0.1:${running.port}`);

    const scraped = await metrics.get('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
    expect(scraped.text).toContain('# TYPE postmortem_bridge_webhooks_total counter');
    expect(scraped.text).toContain('postmortem_bridge_process_cpu_seconds_total');
    for (const path of ['/healthz', '/readyz', '/webhooks/pagerduty']) expect((await metrics.get(path)).status).toBe(404);

    const onWebhookPort = await webhook.get('/metrics');
    expect(onWebhookPort.status).toBe(404);
    expect(onWebhookPort.text).not.toContain('postmortem_bridge');
    expect((await webhook.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await webhook.get('/readyz')).status).toBe(503); // no Temporal here
    // close() waits for the probe's Temporal call (still retrying) before it closes the connection.
    bridges.splice(bridges.indexOf(running), 1);
    await running.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });

  it('is off with BRIDGE_METRICS_ADDRESS=off', async () => {
    const running = await bridge({ BRIDGE_METRICS_ADDRESS: 'off' });
    expect(running.metrics).toBeUndefined();
    expect(lines.some((line) => line.includes('"metrics":"off (BRIDGE_METRICS_ADDRESS=off)"'))).toBe(true);
  });

  it('refuses to start when its address is taken, naming the variable', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (blocker.address() as AddressInfo).port;
      await expect(bridge({ BRIDGE_METRICS_ADDRESS: `127.0.0.1:${taken}` })).rejects.toThrow(
        new RegExp(`metrics endpoint \\(BRIDGE_METRICS_ADDRESS 127\\.0\\.0\\.1:${taken}\\): listen EADDRINUSE`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('GET /readyz', () => {
  /** A client whose only call is the readiness check, counted; it answers after 20 ms. */
  function countingClient(answer: () => Promise<unknown>) {
    const calls = { n: 0 };
    const client = {
      connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
      workflowService: {
        getSystemInfo: async () => {
          calls.n++;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return answer();
        },
      },
    } as unknown as Client;
    return { client, calls };
  }

  const readinessCalls = async (metrics: ReturnType<typeof createBridgeMetrics>, result: 'ok' | 'error') => {
    const text = (await request(createMetricsApp(metrics)).get('/metrics')).text;
    return Number(new RegExp(`^postmortem_bridge_temporal_call_seconds_count\\{operation="readiness",result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('50 probes at once, then 50 more, cost Temporal one call', async () => {
    const { client, calls } = countingClient(async () => ({}));
    const metrics = createBridgeMetrics(false);
    const app = createWebhookApp({ client, taskQueue: 'ops', secrets: { signingSecrets: [SECRET] }, logger, metrics });
    const burst = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/readyz')));
    expect(burst.map((res) => res.status)).toEqual(Array(50).fill(200));
    for (let i = 0; i < 50; i++) expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready' });
    expect(calls.n).toBeLessThanOrEqual(2);
    expect(calls.n).toBeGreaterThanOrEqual(1);
    expect(await readinessCalls(metrics, 'ok')).toBe(calls.n);
  });

  it('a failure is cached too, for less time, and recovery is seen once it expires', async () => {
    let up = false;
    const { client, calls } = countingClient(async () => {
      if (!up) throw new Error('14 UNAVAILABLE: connection refused');
      return {};
    });
    const metrics = createBridgeMetrics(false);
    const readiness = temporalReadiness(client, { metrics, logger, cache: { okForMs: 60_000, failedForMs: 300 } });
    const app = createWebhookApp({ client, taskQueue: 'ops', secrets: { signingSecrets: [SECRET] }, logger, metrics, readiness });
    const burst = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/readyz')));
    expect(burst.map((res) => res.status)).toEqual(Array(50).fill(503));
    expect(burst[0]?.body).toEqual({ status: 'unavailable', error: 'Temporal is unreachable' });
    expect(calls.n).toBe(1);
    expect(await readinessCalls(metrics, 'error')).toBe(1);

    up = true;
    expect((await request(app).get('/readyz')).status).toBe(503); // still the cached failure
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect(calls.n).toBe(2);
  });
});
