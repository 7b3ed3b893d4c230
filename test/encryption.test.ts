// Encryption at rest: with PAYLOAD_ENCRYPTION_KEYS the history holds ciphertext only, the workflow
// still runs, and the codec endpoint the Temporal UI calls decodes it.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { loadWorkerConfig } from '../src/config';
import { EncryptionCodec, EncryptionConfigError, encryptionDataConverter, ENCRYPTED_ENCODING, parseEncryptionKeys } from '../src/encryption';
import { workflowIdForIncident, type PostmortemStatus } from '../src/incident';
import { statusQuery } from '../src/messages';
import { signBody } from '../src/pagerduty-webhook';
import { createPostmortemWorker, type PostmortemWorker } from '../src/postmortem-worker';
import { incidentWebhook } from '../src/simulation';
import { createWebhookApp } from '../src/webhook-app';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { bundleWorkflows, capturingLogger, startDevServer } from './support/temporal';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

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

  it('history holds ciphertext; the UI codec endpoint decodes it', async () => {
    const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const codec = dataConverter?.payloadCodecs[0];
    const app = createWebhookApp({
      client,
      taskQueue: 'encrypted',
      secrets: { signingSecrets: ['sig'] },
      logger,
      codec: codec ? { codec, allowedOrigins: ['http://localhost:8233'] } : undefined,
    });
    const incident = seedIncident(pagerDuty, { title: 'Ledger service returns 500 for acct 4471' });
    const body = JSON.stringify(incidentWebhook('incident.resolved', incident));
    expect((await request(app).post('/webhooks/pagerduty').set('x-pagerduty-signature', signBody(body, 'sig')).send(body)).status).toBe(202);
    const handle = client.workflow.getHandle(workflowIdForIncident(incident.id));
    expect(await handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
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
    const decoded = await request(app).post('/codec/decode').set('origin', 'http://localhost:8233').set('x-namespace', 'default').send({ payloads: [asJson] });
    expect(decoded.status).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const plain = Buffer.from(decoded.body.payloads[0].data, 'base64').toString();
    expect(plain).toContain('Ledger service returns 500');
    expect(Buffer.from(decoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

    const preflight = await request(app).options('/codec/decode').set('origin', 'http://localhost:8233');
    expect(preflight.status).toBe(204);
    expect((await request(app).post('/codec/decode').send({ nope: true })).status).toBe(400);
  });
});
