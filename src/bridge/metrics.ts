// Prometheus metrics of the webhook bridge, served as GET /metrics on an internal listener of its own
// (BRIDGE_METRICS_ADDRESS, loopback by default), never on the public webhook port. One registry per
// app, so tests and several apps in one process never share counters.
import express from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type WebhookOutcome = 'accepted' | 'ignored' | 'closed' | 'unauthorized' | 'invalid' | 'too_large' | 'unavailable';

/**
 * A GitHub delivery's outcome: `unmatched` is a postmortem event for a PR no running incident watches,
 * `disabled` a delivery while GITHUB_WEBHOOK_SECRET is not set.
 */
export type GitHubWebhookOutcome = 'accepted' | 'ignored' | 'unmatched' | 'unauthorized' | 'invalid' | 'too_large' | 'unavailable' | 'disabled';

export interface BridgeMetrics {
  registry: Registry;
  webhook(eventType: string, outcome: WebhookOutcome): void;
  /** One GitHub delivery (POST /webhooks/github) by X-GitHub-Event and outcome. */
  githubWebhook(event: string, outcome: GitHubWebhookOutcome): void;
  signatureFailure(): void;
  temporalCall(operation: 'signal_with_start' | 'readiness' | 'list_and_signal' | 'signal', seconds: number, ok: boolean): void;
  /** A connection closed at once because the listener had BRIDGE_MAX_CONNECTIONS open. */
  droppedConnection(listener: BridgeListener): void;
}

export type BridgeListener = 'webhook' | 'codec' | 'metrics';

/** Event types are PagerDuty's, but a label set must stay bounded: anything else is `other`. */
const KNOWN_TYPE = /^(?:(?:incident|service|pagey)\.[a-z_.]{1,40}|unknown)$/;
/** GitHub's events the bridge reads, ping and `unknown`; any other is `other`. */
const KNOWN_GITHUB_EVENT = /^(?:pull_request|pull_request_review|check_run|ping|unknown)$/;

export function createBridgeMetrics(defaultMetrics = true): BridgeMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'postmortem_bridge_' });
  const webhooks = new Counter({
    name: 'postmortem_bridge_webhooks_total',
    help: 'PagerDuty webhook deliveries by event type and outcome',
    labelNames: ['event_type', 'outcome'] as const,
    registers: [registry],
  });
  const githubWebhooks = new Counter({
    name: 'postmortem_bridge_github_webhooks_total',
    help: 'GitHub webhook deliveries by event (X-GitHub-Event) and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });
  const signatureFailures = new Counter({
    name: 'postmortem_bridge_signature_failures_total',
    help: 'Deliveries refused for a missing or invalid signature / shared secret',
    registers: [registry],
  });
  const temporalLatency = new Histogram({
    name: 'postmortem_bridge_temporal_call_seconds',
    help: 'Latency of calls from the bridge to Temporal',
    labelNames: ['operation', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'postmortem_bridge_dropped_connections_total',
    help: 'Connections closed on arrival because the listener had BRIDGE_MAX_CONNECTIONS open',
    labelNames: ['listener'] as const,
    registers: [registry],
  });
  return {
    registry,
    webhook: (eventType, outcome) => webhooks.inc({ event_type: KNOWN_TYPE.test(eventType) ? eventType : 'other', outcome }),
    githubWebhook: (event, outcome) => githubWebhooks.inc({ event: KNOWN_GITHUB_EVENT.test(event) ? event : 'other', outcome }),
    signatureFailure: () => signatureFailures.inc(),
    temporalCall: (operation, seconds, ok) => temporalLatency.observe({ operation, result: ok ? 'ok' : 'error' }, seconds),
    droppedConnection: (listener) => dropped.inc({ listener }),
  };
}

/** The metrics listener's whole app: GET /metrics, a JSON 404 for anything else. */
export function createMetricsApp(metrics: BridgeMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  return app;
}
