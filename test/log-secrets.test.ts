// No key or secret in any log line at any level: the worker runs an incident at LOG_LEVEL=debug with
// payload encryption on and every credential set to a known value, then each line of its output is
// searched for those values in every spelling a logger could give them (text, base64, hex, byte lists).
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIdForIncident } from '../src/domain/incident';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { signGitHubBody } from '../src/integrations/github/webhook';
import { EncryptionCodec } from '../src/temporal/encryption';
import { incidentWebhook } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { startDevServer } from './support/temporal';
import { type NodeProcess, startNodeProcess, startWorkerProcess } from './support/worker-process';

/** Every way a logger might print `bytes`: the secret itself must appear in none of them. */
export function spellings(secret: string | Buffer): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret) : secret;
  const list = [...bytes.subarray(0, 12)];
  const forms = [
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    list.map((b) => b.toString(16).padStart(2, '0')).join(' '), // <Buffer 0a 1b …>
    list.join(','), // JSON: {"type":"Buffer","data":[10,27,…]}
    list.join(', '), // util.inspect of a Uint8Array
  ];
  if (typeof secret === 'string') forms.unshift(secret);
  return forms;
}

let env: TestWorkflowEnvironment;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
const processes: NodeProcess[] = [];

const encryptionKey = randomBytes(32);
const signingSecret = `whsec-${randomBytes(16).toString('hex')}`;
const sharedSecret = `shared-${randomBytes(16).toString('hex')}`;
const githubSecret = `github-${randomBytes(16).toString('hex')}`;
const codecToken = `codec-${randomBytes(16).toString('hex')}`;
const slackToken = `xoxb-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  [env, devin, pagerDuty] = await Promise.all([startDevServer(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
});

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.kill()));
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
});

it('the worker and the bridge at LOG_LEVEL=debug print no key, token or secret in any form', async () => {
  const common = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'log-secrets',
    LOG_LEVEL: 'debug',
    PAYLOAD_ENCRYPTION_KEYS: `k1:${encryptionKey.toString('base64')}`,
  };
  const worker = await startWorkerProcess({
    ...common,
    ...fakeApiVars(devin, pagerDuty),
    SLACK_BOT_TOKEN: slackToken,
    DEVIN_POLL_INTERVAL: '1s',
    RESOLVE_QUIET_PERIOD: '0s',
  });
  processes.push(worker);
  const bridge = await startNodeProcess(
    'src/bridge/main.ts',
    { ...common, PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', PAGERDUTY_WEBHOOK_SECRETS: signingSecret, WEBHOOK_SECRET: sharedSecret, GITHUB_WEBHOOK_SECRET: githubSecret, CODEC_AUTH_TOKEN: codecToken, CODEC_PORT: '0' },
    /"msg":"bridge listening"/,
  );
  processes.push(bridge);
  const port = Number(/"port":(\d+)/.exec(bridge.output())?.[1]);

  const incident = seedIncident(pagerDuty);
  const body = JSON.stringify(incidentWebhook('incident.resolved', incident));
  const res = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signBody(body, signingSecret) },
    body,
  });
  expect(res.status).toBe(202);
  // A refused delivery is logged too: with the shared secret wrong by one character.
  const refused = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': `${sharedSecret}x` },
    body,
  });
  expect(refused.status).toBe(401);
  // GitHub's webhook: a delivery taken (a PR no incident watches) and one refused (the secret off by one character).
  const githubBody = JSON.stringify({ action: 'synchronize', pull_request: { html_url: 'https://github.com/acme/postmortems/pull/1', head: { sha: 'a'.repeat(40) } } });
  for (const [secret, status] of [[githubSecret, 202], [`${githubSecret}x`, 401]] as const) {
    const github = await fetch(`http://127.0.0.1:${port}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-hub-signature-256': signGitHubBody(githubBody, secret) },
      body: githubBody,
    });
    expect(github.status).toBe(status);
  }
  const reader = new Client({ connection: env.connection, dataConverter: { payloadCodecs: [new EncryptionCodec([{ id: 'k1', key: encryptionKey }])] } });
  const result = await reader.workflow.getHandle(workflowIdForIncident(incident.id)).result();
  expect(result).toMatchObject({ outcome: 'pull_request_opened' });

  const output = `${worker.output()}\n${bridge.output()}`;
  // debug is on: the SDK's "Creating worker" record (which carried the codec) is there to be checked.
  expect(output).toMatch(/"level":20/);
  expect(output).toContain('Creating worker');
  const secrets: [string, string | Buffer][] = [
    ['PAYLOAD_ENCRYPTION_KEYS', encryptionKey],
    ['PAGERDUTY_WEBHOOK_SECRETS', signingSecret],
    ['WEBHOOK_SECRET', sharedSecret],
    ['GITHUB_WEBHOOK_SECRET', githubSecret],
    ['CODEC_AUTH_TOKEN', codecToken],
    ['SLACK_BOT_TOKEN', slackToken],
    ['DEVIN_API_KEY', devin.apiKey],
    ['PAGERDUTY_API_TOKEN', pagerDuty.token],
  ];
  const leaks = output
    .split('\n')
    .flatMap((line, index) => secrets.filter(([, value]) => spellings(value).some((form) => line.includes(form))).map(([name]) => `line ${index + 1}: ${name}`));
  expect(leaks).toEqual([]);
});
