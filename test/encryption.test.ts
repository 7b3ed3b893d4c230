// Encryption at rest: with PAYLOAD_ENCRYPTION_KEYS the history holds ciphertext only, the workflow
// still runs, and the codec endpoint the Temporal UI calls decodes it — on its own listener, never on
// the public webhook port.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { type RunningBridge, startBridge } from '../src/bridge/main';
import { loadWorkerConfig } from '../src/config';
import { EncryptionCodec, EncryptionConfigError, encryptionDataConverter, ENCRYPTED_ENCODING, parseEncryptionKeys } from '../src/temporal/encryption';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemStatus } from '../src/domain/status';
import { statusQuery } from '../src/domain/messages';
import { parseWebhook, signBody } from '../src/integrations/pagerduty/webhook';
import { deliverIncidentEvent } from '../src/temporal/deliver-event';
import { createPostmortemWorker, type PostmortemWorker } from '../src/worker/postmortem-worker';
import { incidentWebhook } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { bundleWorkflows, capturingLogger, startDevServer, temporalCli } from './support/temporal';

const SIGNING_SECRET = 'whsec-encryption-test-0001';
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

const bridges: RunningBridge[] = [];
afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.close()));
});

describe('payload codec', () => {
  const current = key('k2');
  const previous = key('k1');

  it('round-trips payloads and marks them encrypted with the key id', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(current));
    const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"title":"db down"}') };
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k2');
    expect(Buffer.from(encrypted?.data ?? []).toString()).not.toContain('db down');
    const [decoded] = await codec.decode([encrypted as never]);
    expect(Buffer.from(decoded?.data ?? []).toString()).toBe('{"title":"db down"}');
  });

  it('decrypts with an older key during rotation, and names an unknown key', async () => {
    const old = new EncryptionCodec(parseEncryptionKeys(previous));
    const encrypted = await old.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }]);
    const rotated = new EncryptionCodec(parseEncryptionKeys(`${current},${previous}`));
    expect(Buffer.from((await rotated.decode(encrypted))[0]?.data ?? []).toString()).toBe('"x"');
    const withoutOld = new EncryptionCodec(parseEncryptionKeys(current));
    await expect(withoutOld.decode(encrypted)).rejects.toThrow(/unknown key id "k1"/);
  });

  it('rejects malformed keys with the variable name', () => {
    expect(() => parseEncryptionKeys('nokey')).toThrow(EncryptionConfigError);
    expect(() => parseEncryptionKeys(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/PAYLOAD_ENCRYPTION_KEYS: key "k1" must be 32 bytes/);
    expect(encryptionDataConverter({})).toBeUndefined();
  });
});

describe('encrypted pipeline', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let devin: FakeDevinApi;
  let pagerDuty: FakePagerDutyApi;
  let worker: PostmortemWorker;
  let running: Promise<void>;
  const keys = key('ops-2026');
  const dataConverter = encryptionDataConverter({ PAYLOAD_ENCRYPTION_KEYS: keys });
  const { logger } = capturingLogger('encryption');
  /** The incident workflow of the first test, its history encrypted. */
  let encryptedWorkflowId: string | undefined;

  beforeAll(async () => {
    [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer(), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
    const config = loadWorkerConfig({ ...fakeApiVars(devin, pagerDuty), DEVIN_POLL_INTERVAL: '1s', RESOLVE_QUIET_PERIOD: '0s', TEMPORAL_TASK_QUEUE: 'encrypted' });
    worker = await createPostmortemWorker({ connection: env.nativeConnection, namespace: 'default', config, logger, workflowBundle: bundle, dataConverter });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await Promise.all([devin?.close(), pagerDuty?.close()]);
    await env?.teardown();
  });

  it('history holds ciphertext; the UI codec endpoint decodes it, on its own port only', async () => {
    const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const bridge = await startBridge(
      { PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', CODEC_PORT: '0', PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET, PAYLOAD_ENCRYPTION_KEYS: keys, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: 'encrypted' },
      logger,
    );
    bridges.push(bridge);
    const webhookPort = `http://127.0.0.1:${bridge.port}`;
    const codecPort = `http://127.0.0.1:${bridge.codec?.port}`;
    const incident = seedIncident(pagerDuty, { title: 'Ledger service returns 500 for acct 4471' });
    const body = JSON.stringify(incidentWebhook('incident.resolved', incident));
    expect((await request(webhookPort).post('/webhooks/pagerduty').set('x-pagerduty-signature', signBody(body, SIGNING_SECRET)).send(body)).status).toBe(202);
    const handle = client.workflow.getHandle(workflowIdForIncident(incident.id));
    expect(await handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    encryptedWorkflowId = handle.workflowId;
    expect((await handle.query<PostmortemStatus>(statusQuery)).title).toBe(incident.title);

    // The raw history, as stored by the server.
    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: handle.workflowId } });
    const payloads: { metadata?: Record<string, Uint8Array>; data?: Uint8Array }[] = [];
    const collect = (value: unknown) => {
      if (!value || typeof value !== 'object') return;
      if ('metadata' in value && 'data' in value && (value as { metadata?: { encoding?: unknown } }).metadata?.encoding) {
        payloads.push(value as never);
        return;
      }
      for (const child of Object.values(value)) collect(child);
    };
    // Every payload: inputs, results, and the UI metadata (static summary and details, current details).
    // Search attributes are not payloads and stay readable, which is why they hold no incident text.
    for (const event of history?.events ?? []) {
      collect(event.userMetadata);
      collect(event.workflowExecutionSignaledEventAttributes?.input);
      collect(event.activityTaskScheduledEventAttributes?.input);
      collect(event.activityTaskCompletedEventAttributes?.result);
      collect(event.workflowExecutionCompletedEventAttributes?.result);
    }
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.data ?? []).toString('latin1')).not.toContain('Ledger service');
    }

    // What the Temporal UI does with them.
    const signal = history?.events?.find((e) => e.workflowExecutionSignaledEventAttributes)?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    const asJson = {
      metadata: Object.fromEntries(Object.entries(signal?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(signal?.data ?? []).toString('base64'),
    };
    const decoded = await request(codecPort).post('/codec/decode').set('origin', 'http://localhost:8233').set('x-namespace', 'default').send({ payloads: [asJson] });
    expect(decoded.status).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const plain = Buffer.from(decoded.body.payloads[0].data, 'base64').toString();
    expect(plain).toContain('Ledger service returns 500');
    expect(Buffer.from(decoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

    // The public webhook port knows nothing of the codec.
    for (const path of ['/codec/decode', '/codec/encode']) {
      const res = await request(webhookPort).post(path).set('origin', 'http://localhost:8233').send({ payloads: [asJson] });
      expect(res.status).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain(asJson.data.slice(0, 16));
    }
    expect((await request(webhookPort).options('/codec/decode').set('origin', 'http://localhost:8233')).headers['access-control-allow-origin']).toBeUndefined();
  });
  it('failures are encrypted too: a retried error’s message and stack are an encoded payload, readable with the key', async () => {
    const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const incident = seedIncident(pagerDuty);
    devin.fail('create', { status: 503, body: { detail: 'upstream said: acct 4471 is locked' } });
    const parsed = parseWebhook(incidentWebhook('incident.resolved', incident), undefined, new Date());
    if (parsed.kind !== 'incident_event') throw new Error(parsed.kind);
    await deliverIncidentEvent(client, 'encrypted', parsed.event);
    const handle = client.workflow.getHandle(workflowIdForIncident(incident.id));
    expect(await handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: handle.workflowId } });
    const failures = (history?.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes?.lastFailure ? [e.activityTaskStartedEventAttributes.lastFailure] : []));
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
      expect(Buffer.from(failure.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(failure.encodedAttributes?.data ?? []).toString('latin1')).not.toContain('4471');
    }
    // With the key, the message is all there.
    const [attributes] = await new EncryptionCodec(parseEncryptionKeys(keys)).decode([failures[0]?.encodedAttributes as never]);
    expect(Buffer.from(attributes?.data ?? []).toString()).toContain('acct 4471 is locked');
  });

  it('the temporal CLI decodes through a codec endpoint that wants CODEC_AUTH_TOKEN, with --codec-auth "Bearer <token>"', async () => {
    const token = randomBytes(32).toString('base64url');
    const bridge = await startBridge(
      { PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', CODEC_PORT: '0', CODEC_AUTH_TOKEN: token, PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET, PAYLOAD_ENCRYPTION_KEYS: keys, TEMPORAL_ADDRESS: env.address },
      logger,
    );
    bridges.push(bridge);
    const show = (...extra: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const args = ['workflow', 'show', '--workflow-id', encryptedWorkflowId ?? '', '--address', env.address, '--namespace', 'default', '--codec-endpoint', `http://127.0.0.1:${bridge.codec?.port}/codec`, '--output', 'json', ...extra];
        execFile(temporalCli(), args, { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    const decodedText = (out: string) => {
      const texts: string[] = [out];
      for (const m of out.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)) texts.push(Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
      return texts.join('\n');
    };
    expect(encryptedWorkflowId).toBeDefined();
    const authorized = await show('--codec-auth', `Bearer ${token}`);
    expect(authorized.code).toBe(0);
    expect(decodedText(authorized.out)).toContain('Ledger service returns 500');
    // Without it the endpoint answers 401 and the CLI shows nothing decoded (it retries until its timeout).
    const refused = await show('--command-timeout', '3s');
    expect(refused.code).not.toBe(0);
    expect(decodedText(refused.out)).not.toContain('Ledger service returns 500');
  });
});

describe('codec listener', () => {
  const keys = key('ops-2026');
  const sample = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"db down"').toString('base64') };
  const { logger } = capturingLogger('codec');
  // No Temporal server: the bridge's connection is lazy, and the codec never calls Temporal.
  const bridgeEnv = { PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', CODEC_PORT: '0', PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET, TEMPORAL_ADDRESS: '127.0.0.1:1' };

  it('listens on loopback by default, and round-trips encode and decode there', async () => {
    const bridge = await startBridge({ ...bridgeEnv, PAYLOAD_ENCRYPTION_KEYS: keys }, logger);
    bridges.push(bridge);
    expect(bridge.codec?.host).toBe('127.0.0.1');
    expect((bridge.codec?.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(bridge.codec?.port).not.toBe(bridge.port);
    const codec = `http://127.0.0.1:${bridge.codec?.port}`;
    const encoded = await request(codec).post('/codec/encode').send({ payloads: [sample] });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const decoded = await request(codec).post('/codec/decode').send(encoded.body);
    expect(decoded.body).toEqual({ payloads: [sample] });
    expect((await request(codec).post('/codec/decode').send({ nope: true })).status).toBe(400);
    expect((await request(codec).post('/codec/decode').set('content-type', 'application/json').send('{not json')).status).toBe(400);
    // Only the codec routes: no webhooks, health or metrics on this port.
    for (const path of ['/webhooks/pagerduty', '/metrics', '/healthz']) {
      expect((await request(codec).get(path)).status).toBe(404);
    }
    expect((await request(codec).post('/webhooks/pagerduty').send({})).status).toBe(404);
  });

  it('CORS: the UI origin gets its headers and preflight; any other origin is refused', async () => {
    const bridge = await startBridge({ ...bridgeEnv, PAYLOAD_ENCRYPTION_KEYS: keys, CODEC_CORS_ORIGINS: 'http://localhost:8080, https://temporal.example.com/' }, logger);
    bridges.push(bridge);
    const codec = `http://127.0.0.1:${bridge.codec?.port}`;

    const preflight = await request(codec)
      .options('/codec/decode')
      .set('origin', 'https://temporal.example.com')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type, x-namespace, authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://temporal.example.com');
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/content-type.*x-namespace.*authorization/);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers.vary).toMatch(/origin/i);

    const allowed = await request(codec).post('/codec/encode').set('origin', 'http://localhost:8080').send({ payloads: [sample] });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:8080');

    // The default origin is not allowed once the list is set; nor is a page that rebinds its name to us.
    for (const origin of ['http://localhost:8233', `http://attacker.example:${bridge.codec?.port}`]) {
      const refused = await request(codec).post('/codec/decode').set('origin', origin).send(allowed.body);
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.body.payloads).toBeUndefined();
      expect((await request(codec).options('/codec/decode').set('origin', origin)).status).toBe(403);
    }
    // No Origin at all (the temporal CLI's --codec-endpoint): answered, without CORS headers.
    const cli = await request(codec).post('/codec/decode').send(allowed.body);
    expect(cli.status).toBe(200);
    expect(cli.headers['access-control-allow-origin']).toBeUndefined();
    expect(cli.body).toEqual({ payloads: [sample] });
  });

  it('binds CODEC_HOST', async () => {
    const bridge = await startBridge({ ...bridgeEnv, PAYLOAD_ENCRYPTION_KEYS: keys, CODEC_HOST: '0.0.0.0' }, logger);
    bridges.push(bridge);
    expect((bridge.codec?.server.address() as AddressInfo).address).toBe('0.0.0.0');
  });

  it('is not started without PAYLOAD_ENCRYPTION_KEYS', async () => {
    const bridge = await startBridge(bridgeEnv, logger);
    bridges.push(bridge);
    expect(bridge.codec).toBeUndefined();
    expect((await request(`http://127.0.0.1:${bridge.port}`).post('/codec/decode').send({ payloads: [sample] })).status).toBe(404);
  });

  it('close() drains and closes both listeners', async () => {
    const bridge = await startBridge({ ...bridgeEnv, PAYLOAD_ENCRYPTION_KEYS: keys }, logger);
    const codecPort = bridge.codec?.port;
    expect((await request(`http://127.0.0.1:${codecPort}`).post('/codec/encode').send({ payloads: [sample] })).status).toBe(200);
    await bridge.close();
    expect(bridge.server.listening).toBe(false);
    expect(bridge.codec?.server.listening).toBe(false);
    await expect(request(`http://127.0.0.1:${codecPort}`).post('/codec/encode').send({ payloads: [sample] })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses to start when CODEC_PORT is taken, naming the variables', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = String((blocker.address() as AddressInfo).port);
      await expect(startBridge({ ...bridgeEnv, PAYLOAD_ENCRYPTION_KEYS: keys, CODEC_PORT: taken }, logger)).rejects.toThrow(/CODEC_HOST 127\.0\.0\.1, CODEC_PORT \d+\): listen EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
