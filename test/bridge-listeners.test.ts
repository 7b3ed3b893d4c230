// Slow and idle clients against the bridge's real listeners (webhook, codec, metrics), through raw
// sockets: a trickled body or trickled headers are cut off (408), an idle connection is closed, and
// connections above BRIDGE_MAX_CONNECTIONS are refused while a delivery still goes through. The limits
// are configured short here so that the file runs in seconds; the assertions are "closed before X".
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { type RunningBridge, startBridge } from '../src/bridge/main';
import { pingWebhook } from '../src/dev/simulation';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { capturingLogger } from './support/temporal';

const SECRET = 'whsec-listeners-test-0001';
const { logger } = capturingLogger('listeners');
const bridges: RunningBridge[] = [];
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  for (const socket of sockets) socket.destroy();
  await Promise.all(bridges.map((bridge) => bridge.close()));
});

/** No Temporal server: the connection is lazy and nothing here needs one. */
async function bridge(vars: Record<string, string>): Promise<RunningBridge> {
  const running = await startBridge(
    {
      PORT: '0',
      CODEC_PORT: '0',
      BRIDGE_METRICS_ADDRESS: '127.0.0.1:0',
      PAGERDUTY_WEBHOOK_SECRETS: SECRET,
      PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      ...vars,
    },
    logger,
  );
  bridges.push(running);
  return running;
}

interface Probe {
  socket: net.Socket;
  closed: Promise<void>;
  isClosed(): boolean;
  received(): string;
}

function connect(port: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let data = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => undefined); // a reset is one way of being closed
    const closedPromise = new Promise<void>((done) =>
      socket.on('close', () => {
        closed = true;
        done();
      }),
    );
    socket.once('connect', () => resolve({ socket, closed: closedPromise, isClosed: () => closed, received: () => data }));
    socket.once('error', reject);
  });
}

/** Writes `chunk` every `ms` until the socket closes. */
function trickle(probe: Probe, chunk: string, ms: number): void {
  const timer = setInterval(() => {
    if (probe.socket.writable) probe.socket.write(chunk);
  }, ms);
  timers.push(timer);
  void probe.closed.then(() => clearInterval(timer));
}

async function closedBefore(probe: Probe, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([probe.closed.then(() => true as const), late]);
  clearTimeout(timer);
  return result;
}

const SHORT = { BRIDGE_REQUEST_TIMEOUT: '1s', BRIDGE_HEADERS_TIMEOUT: '500ms', BRIDGE_KEEP_ALIVE_TIMEOUT: '500ms' };

describe('slow clients (BRIDGE_REQUEST_TIMEOUT 1s, BRIDGE_HEADERS_TIMEOUT 500ms, BRIDGE_KEEP_ALIVE_TIMEOUT 500ms)', () => {
  let running: RunningBridge;
  let ports: Array<[string, number]>;
  beforeAll(async () => {
    running = await bridge(SHORT);
    ports = [
      ['webhook', running.port],
      ['codec', running.codec?.port ?? 0],
      ['metrics', running.metrics?.port ?? 0],
    ];
  });

  it('a body trickled one byte at a time is answered 408 and closed, on every listener', async () => {
    const probes = await Promise.all(
      ports.map(async ([name, port]) => {
        const probe = await connect(port);
        const path = name === 'codec' ? '/codec/decode' : name === 'metrics' ? '/metrics' : '/webhooks/pagerduty';
        probe.socket.write(`POST ${path} HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
        trickle(probe, '{', 200);
        return [name, probe] as const;
      }),
    );
    for (const [name, probe] of probes) {
      expect([name, await closedBefore(probe, 4_000)]).toEqual([name, true]);
      // The metrics app answers its 404 without reading the body; the unread rest is then cut off.
      expect([name, probe.received()]).toEqual([name, expect.stringMatching(name === 'metrics' ? /HTTP\/1\.1 408 / : /^HTTP\/1\.1 408 /)]);
    }
  });

  it('headers trickled a line at a time are cut off, and a connection that sends nothing is closed', async () => {
    const trickled = await connect(running.port);
    trickled.socket.write('GET /healthz HTTP/1.1\r\nHost: bridge\r\n');
    trickle(trickled, 'X-Pad: a\r\n', 100);
    const silent = await connect(running.port);
    expect(await closedBefore(trickled, 3_000)).toBe(true);
    expect(trickled.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await closedBefore(silent, 3_000)).toBe(true);
  });

  it('an idle keep-alive connection is closed after its answer', async () => {
    const probe = await connect(running.port);
    probe.socket.write('GET /healthz HTTP/1.1\r\nHost: bridge\r\nConnection: keep-alive\r\n\r\n');
    expect(await closedBefore(probe, 3_000)).toBe(true);
    expect(probe.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('a delivery of 256 KB (the most PagerDuty sends) is taken as usual', async () => {
    const ping = JSON.stringify(pingWebhook());
    const body = ping + ' '.repeat(256 * 1024 - ping.length);
    const res = await request(`http://127.0.0.1:${running.port}`)
      .post('/webhooks/pagerduty')
      .set('content-type', 'application/json')
      .set('x-pagerduty-signature', signBody(body, SECRET))
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored', eventType: 'pagey.ping' });
  });
});

describe('BRIDGE_MAX_CONNECTIONS', () => {
  it('closes connections above the cap at once, keeps the ones it holds, and serves again once one is freed', async () => {
    const running = await bridge({ BRIDGE_MAX_CONNECTIONS: '3', BRIDGE_HEADERS_TIMEOUT: '10s', BRIDGE_REQUEST_TIMEOUT: '10s' });
    const connections = () => new Promise<number>((resolve, reject) => running.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
    const held = [await connect(running.port), await connect(running.port), await connect(running.port)];
    for (let i = 0; i < 50 && (await connections()) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await connections()).toBe(3);

    const extra = await Promise.all([connect(running.port), connect(running.port)]);
    for (const probe of extra) expect(await closedBefore(probe, 1_000)).toBe(true);
    expect(held.map((probe) => probe.isClosed())).toEqual([false, false, false]);
    const metrics = await request(`http://127.0.0.1:${running.metrics?.port}`).get('/metrics');
    expect(metrics.text).toMatch(/^postmortem_bridge_dropped_connections_total\{listener="webhook"\} 2$/m);

    held[0]?.socket.destroy();
    for (let i = 0; i < 50 && (await connections()) > 2; i++) await new Promise((r) => setTimeout(r, 20));
    const res = await request(`http://127.0.0.1:${running.port}`).get('/healthz');
    expect(res.status).toBe(200);
  });
});
