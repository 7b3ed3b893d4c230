// `npm run simulate` (and `postmortem simulate`): sends a correctly signed incident lifecycle
// (acknowledged, a note, resolved) to the local bridge, then follows the incident's workflow until it
// finishes.
import { randomUUID } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import { loadSimulatorConfig, type SimulatorConfig } from '../config/cli';
import { loadDotEnv } from '../config/env-file';
import { loadTemporalSettings, type TemporalSettings } from '../config/temporal';
import { workflowIdForIncident } from '../domain/incident';
import { type PostmortemStatus } from '../domain/status';
import { statusQuery } from '../domain/messages';
import { signBody } from '../integrations/pagerduty/webhook';
import { connectClient, type ConnectedClient } from '../temporal/connection';
import { encryptionDataConverter } from '../temporal/encryption';
import { readDevWebhookSecret } from './secret';
import { incidentWebhook, sampleIncident } from './simulation';

const TERMINAL = new Set(['completed', 'skipped', 'failed', 'needs_attention']);

export interface SimulationSettings extends SimulatorConfig {
  temporal: TemporalSettings;
  /** The bridge's and the worker's payload encryption, to read the workflow's status. */
  dataConverter?: DataConverter;
}

export interface OutputSink {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** Everything the simulator reads from the environment (`.env` included when the caller loaded it). */
export function loadSimulationSettings(env: Record<string, string | undefined> = process.env): SimulationSettings {
  return { ...loadSimulatorConfig(env), temporal: loadTemporalSettings(env), dataConverter: encryptionDataConverter(env) };
}

/** The signing secret (or `npm run dev`'s), else the shared secret. */
function authHeaders(settings: SimulationSettings): (body: string) => Record<string, string> {
  const secret = settings.webhookSigningSecret || readDevWebhookSecret();
  if (secret) return (body) => ({ 'x-pagerduty-signature': signBody(body, secret) });
  const shared = settings.sharedWebhookSecret;
  if (shared) return () => ({ 'x-webhook-secret': shared });
  throw new Error('no webhook secret: start `npm run dev` first, or set PAGERDUTY_WEBHOOK_SECRETS / WEBHOOK_SECRET');
}

/** Runs one simulated incident; resolves the exit code (0 when it reached a final phase). Never throws. */
export async function runSimulation(settings: SimulationSettings, sink: OutputSink): Promise<number> {
  const log = (line: string) => void sink.stdout.write(`${line}\n`);
  const logError = (line: string) => void sink.stderr.write(`${line}\n`);
  let connected: ConnectedClient | undefined;
  try {
    const { bridgeUrl } = settings;
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

    log(`Simulating PagerDuty incident ${incident.id} (#${incident.number}, ${incident.priority}, ${incident.serviceName}) → ${bridgeUrl}`);
    const auth = authHeaders(settings);
    let rejected = false;
    for (const delivery of deliveries) {
      const body = JSON.stringify(delivery);
      const response = await fetch(`${bridgeUrl}/webhooks/pagerduty`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'PagerDuty-Webhook/V3.0',
          'x-webhook-id': randomUUID(),
          'x-webhook-subscription': 'PSUBSIM',
          ...auth(body),
        },
        body,
      });
      log(`  ${delivery.event.event_type.padEnd(24)} → ${response.status} ${await response.text()}`);
      if (response.status >= 300) rejected = true;
    }
    if (rejected) return 1;

    connected = await connectClient(settings.temporal, { dataConverter: settings.dataConverter });
    const workflowId = workflowIdForIncident(incident.id);
    const handle = connected.client.workflow.getHandle(workflowId);
    const deadline = Date.now() + settings.waitMs;
    let last = '';
    let status: PostmortemStatus | undefined;
    while (Date.now() < deadline) {
      try {
        status = await handle.query(statusQuery);
        if (status.phase !== last) log(`  phase: ${(last = status.phase)}`);
        if (TERMINAL.has(status.phase)) break;
      } catch {
        // the worker has not picked the workflow up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await connected.close();
    connected = undefined;
    log(JSON.stringify(status ?? { phase: 'unknown' }, null, 2));
    log(`Temporal UI: http://localhost:8233/namespaces/${settings.temporal.namespace}/workflows/${workflowId}`);
    if (!status || !TERMINAL.has(status.phase)) {
      logError('The incident did not finish in time: is `npm run dev` (or the worker) running?');
      return 1;
    }
    return 0;
  } catch (error) {
    logError(`simulate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connected?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  loadDotEnv();
  const sink: OutputSink = { stdout: process.stdout, stderr: process.stderr };
  let settings: SimulationSettings | undefined;
  try {
    settings = loadSimulationSettings();
  } catch (error) {
    sink.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  if (settings) {
    void runSimulation(settings, sink).then((code) => {
      process.exitCode = code;
    });
  }
}
