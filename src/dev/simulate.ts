// `npm run simulate`: sends a correctly signed incident lifecycle (acknowledged, a note, resolved) to
// the local bridge, then follows the incident's workflow until it finishes.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { readDevWebhookSecret } from './secret';
import { encryptionDataConverter } from '../temporal/encryption';
import { loadDotEnv } from '../config/env-file';
import { workflowIdForIncident } from '../domain/incident';
import { type PostmortemStatus } from '../domain/status';
import { statusQuery } from '../domain/messages';
import { signBody } from '../integrations/pagerduty/webhook';
import { incidentWebhook, sampleIncident } from './simulation';
import { loadTemporalSettings } from '../temporal/connection';

const TERMINAL = new Set(['completed', 'skipped', 'failed', 'needs_attention']);

function authHeaders(body: string): Record<string, string> {
  const signing = process.env.PAGERDUTY_WEBHOOK_SECRETS?.split(',')[0]?.trim();
  const secret = signing || readDevWebhookSecret();
  if (secret) return { 'x-pagerduty-signature': signBody(body, secret) };
  if (process.env.WEBHOOK_SECRET) return { 'x-webhook-secret': process.env.WEBHOOK_SECRET };
  throw new Error('no webhook secret: start `npm run dev` first, or set PAGERDUTY_WEBHOOK_SECRETS / WEBHOOK_SECRET');
}

async function main() {
  loadDotEnv();
  const bridgeUrl = process.env.BRIDGE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const incident = sampleIncident();
  const t = (minutesAfterCreation: number) => new Date(Date.parse(incident.createdAt) + minutesAfterCreation * 60_000).toISOString();
  const deliveries = [
    incidentWebhook('incident.acknowledged', incident, { occurredAt: t(2) }),
    incidentWebhook('incident.annotated', incident, {
      occurredAt: t(9),
      note: 'Rolled back checkout-api v2.14.0; latency recovering.',
    }),
    incidentWebhook('incident.resolved', incident, { occurredAt: t(25) }),
  ];

  console.log(`Simulating PagerDuty incident ${incident.id} (#${incident.number}, ${incident.priority}, ${incident.serviceName}) → ${bridgeUrl}`);
  for (const delivery of deliveries) {
    const body = JSON.stringify(delivery);
    const response = await fetch(`${bridgeUrl}/webhooks/pagerduty`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'PagerDuty-Webhook/V3.0',
        'x-webhook-id': randomUUID(),
        'x-webhook-subscription': 'PSUBSIM',
        ...authHeaders(body),
      },
      body,
    });
    console.log(`  ${delivery.event.event_type.padEnd(24)} → ${response.status} ${await response.text()}`);
    if (response.status >= 300) process.exitCode = 1;
  }
  if (process.exitCode) return;

  const settings = loadTemporalSettings();
  const connection = await Connection.connect(settings.connectionOptions);
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: encryptionDataConverter() });
  const handle = client.workflow.getHandle(workflowIdForIncident(incident.id));
  const deadline = Date.now() + Number(process.env.SIMULATE_WAIT_SECONDS ?? 120) * 1000;
  let last = '';
  let status: PostmortemStatus | undefined;
  while (Date.now() < deadline) {
    try {
      status = await handle.query(statusQuery);
      if (status.phase !== last) console.log(`  phase: ${(last = status.phase)}`);
      if (TERMINAL.has(status.phase)) break;
    } catch {
      // the worker has not picked the workflow up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await connection.close();
  console.log(JSON.stringify(status ?? { phase: 'unknown' }, null, 2));
  console.log(`Temporal UI: http://localhost:8233/namespaces/${settings.namespace}/workflows/${workflowIdForIncident(incident.id)}`);
  if (!status || !TERMINAL.has(status.phase)) {
    console.error('The incident did not finish in time: is `npm run dev` (or the worker) running?');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`simulate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
