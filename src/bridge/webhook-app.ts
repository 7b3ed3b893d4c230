// The HTTP edge. It only verifies, parses and signals: all the work happens in the incident's workflow.
// PagerDuty disables a subscription after 3 dropped deliveries, so 4xx is kept for requests that
// are unauthenticated or malformed, and 503 for "Temporal did not take it" (PagerDuty retries that).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { type BridgeMetrics, createBridgeMetrics } from './metrics';
import { type ReadinessProbe, temporalReadiness } from './readiness';
import type { Logger } from '../config/logger';
import { type DeliveryOutcome, deliverIncidentEvent } from '../temporal/deliver-event';
import { workflowIdForIncident } from '../domain/incident';
import { describeId, isDeliveryId } from '../domain/identifiers';
import { isAuthentic, parseWebhook, type WebhookSecrets } from '../integrations/pagerduty/webhook';
import { hasValidGitHubSignature, isGitHubDeliveryId, isGitHubEventName, parseGitHubWebhook } from '../integrations/github/webhook';
import { deliverActionItemEvent, deliverPullRequestEvent, type PullRequestDeliveryOutcome } from '../temporal/deliver-pull-request-event';

export const MAX_BODY_BYTES = 1024 * 1024;
/** PagerDuty waits 5 s for an answer; leave room for the network. */
const TEMPORAL_CALL_TIMEOUT_MS = 4_000;

export interface WebhookAppOptions {
  client: Client;
  taskQueue: string;
  secrets: WebhookSecrets;
  logger: Logger;
  metrics?: BridgeMetrics;
  /** Personal data in the event (the agent's name as a pseudonym, emails, phone numbers, national ids, IBANs) is redacted unless this is false. */
  redactPersonalData?: boolean;
  /** GET /readyz's cached check of Temporal (default: temporalReadiness with its default cache). */
  readiness?: ReadinessProbe;
  /** GITHUB_WEBHOOK_SECRET: POST /webhooks/github answers 404 without it. */
  githubSecret?: string;
}

export function createWebhookApp({
  client,
  taskQueue,
  secrets,
  logger,
  metrics = createBridgeMetrics(false),
  redactPersonalData = true,
  readiness,
  githubSecret,
}: WebhookAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Nothing here is cached: an ETag would cost a hash per answer and split it into two socket writes.
  app.set('etag', false);

  // GET /metrics is not here: it has its own internal listener (BRIDGE_METRICS_ADDRESS, metrics.ts).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // One Temporal call answers the probes of a few seconds (readiness.ts): probing costs Temporal nothing.
  const ready = readiness ?? temporalReadiness(client, { metrics, logger });
  app.get('/readyz', async (_req, res) => {
    const answer = await ready();
    if (answer.ready) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable', error: 'Temporal is unreachable' });
  });

  app.post(
    '/webhooks/pagerduty',
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req: Request, res: Response) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // X-Webhook-Id only deduplicates retries (the event id does too) and its format is not published:
      // one that is not a plain id is left out, said in the log, and the delivery still counts.
      const rawWebhookId = req.get('x-webhook-id') ?? undefined;
      const webhookId = rawWebhookId === undefined || isDeliveryId(rawWebhookId) ? rawWebhookId : undefined;
      // The delivery's fields go on its one log line as they are: no child loggers built per request.
      const delivery = webhookId === rawWebhookId ? { webhookId } : { webhookIdIgnored: describeId(rawWebhookId) };

      if (!isAuthentic(rawBody, { signature: req.get('x-pagerduty-signature'), sharedSecret: req.get('x-webhook-secret') }, secrets)) {
        logger.warn({ ...delivery, outcome: 'unauthorized' }, 'webhook rejected: missing or invalid signature');
        metrics.signatureFailure();
        metrics.webhook('unknown', 'unauthorized');
        res.status(401).json({ error: 'invalid or missing signature (X-PagerDuty-Signature or X-Webhook-Secret)' });
        return;
      }

      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        logger.warn({ ...delivery, outcome: 'invalid' }, 'webhook rejected: body is not JSON');
        metrics.webhook('unknown', 'invalid');
        res.status(400).json({ error: 'body is not valid JSON' });
        return;
      }

      const parsed = parseWebhook(body, webhookId, new Date(), { personalData: redactPersonalData });
      if (parsed.kind === 'invalid') {
        logger.warn({ ...delivery, outcome: 'invalid', reason: parsed.message }, 'webhook rejected');
        metrics.webhook(eventTypeOf(body), 'invalid');
        res.status(400).json({ error: parsed.message });
        return;
      }
      if (parsed.kind === 'ignored') {
        logger.info({ ...delivery, outcome: 'ignored', eventType: parsed.eventType, eventId: parsed.eventId }, 'webhook ignored: event type not used');
        metrics.webhook(parsed.eventType, 'ignored');
        res.status(200).json({ status: 'ignored', eventType: parsed.eventType });
        return;
      }

      const { event } = parsed;
      const workflowId = workflowIdForIncident(event.incident.id);
      const eventFields = { ...delivery, incidentId: event.incident.id, workflowId, eventId: event.eventId, eventType: event.type };
      const started = Date.now();
      let outcome: DeliveryOutcome;
      try {
        outcome = await deliverIncidentEvent(client, taskQueue, event, { timeoutMs: TEMPORAL_CALL_TIMEOUT_MS });
      } catch (error) {
        metrics.temporalCall('signal_with_start', (Date.now() - started) / 1000, false);
        metrics.webhook(event.type, 'unavailable');
        logger.error({ ...eventFields, outcome: 'unavailable', err: errorMessage(error), ms: Date.now() - started }, 'Temporal did not accept the event');
        res.status(503).set('Retry-After', '5').json({ error: 'Temporal is unavailable; retry later' });
        return;
      }
      metrics.temporalCall('signal_with_start', (Date.now() - started) / 1000, true);
      if (outcome.status === 'incident_closed') {
        metrics.webhook(event.type, 'closed');
        logger.info({ ...eventFields, outcome: 'closed' }, 'event for an incident whose postmortem workflow already finished');
        res.status(200).json({ status: 'incident_closed', workflowId });
        return;
      }
      metrics.webhook(event.type, 'accepted');
      logger.info({ ...eventFields, outcome: 'accepted', ms: Date.now() - started }, 'event delivered to incident workflow');
      res.status(202).json({ status: 'accepted', workflowId });
    },
  );

  // GitHub waits 10 s and never redelivers by itself (the workflow's slow poll is the safety net), so the
  // same answers as PagerDuty's: 4xx for unauthenticated or malformed, 503 when Temporal did not take it.
  app.post(
    '/webhooks/github',
    (_req: Request, res: Response, next: NextFunction) => {
      if (githubSecret) {
        next();
        return;
      }
      metrics.githubWebhook('unknown', 'disabled');
      res.status(404).json({ error: 'GitHub webhooks are off: GITHUB_WEBHOOK_SECRET is not set' });
    },
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req: Request, res: Response) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const rawEvent = req.get('x-github-event') ?? undefined;
      const rawDeliveryId = req.get('x-github-delivery') ?? undefined;
      const eventLabel = isGitHubEventName(rawEvent) ? rawEvent : 'unknown';
      // Header values on the log line only once checked (parseGitHubWebhook says what was wrong with them).
      const delivery = { source: 'github', githubEvent: eventLabel, deliveryId: isGitHubDeliveryId(rawDeliveryId) ? rawDeliveryId : undefined };

      if (!hasValidGitHubSignature(rawBody, req.get('x-hub-signature-256'), githubSecret)) {
        logger.warn({ ...delivery, outcome: 'unauthorized' }, 'GitHub webhook rejected: missing or invalid signature');
        metrics.githubWebhook(eventLabel, 'unauthorized');
        res.status(401).json({ error: 'invalid or missing signature (X-Hub-Signature-256)' });
        return;
      }

      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        logger.warn({ ...delivery, outcome: 'invalid' }, 'GitHub webhook rejected: body is not JSON');
        metrics.githubWebhook(eventLabel, 'invalid');
        res.status(400).json({ error: 'body is not valid JSON (set the webhook\'s content type to application/json)' });
        return;
      }

      const parsed = parseGitHubWebhook(rawEvent, rawDeliveryId, body);
      if (parsed.kind === 'invalid') {
        logger.warn({ ...delivery, outcome: 'invalid', reason: parsed.message }, 'GitHub webhook rejected');
        metrics.githubWebhook(eventLabel, 'invalid');
        res.status(400).json({ error: parsed.message });
        return;
      }
      if (parsed.kind === 'ignored') {
        logger.info({ ...delivery, outcome: 'ignored', reason: parsed.reason }, 'GitHub webhook ignored');
        metrics.githubWebhook(eventLabel, 'ignored');
        res.status(200).json({ status: 'ignored', reason: parsed.reason });
        return;
      }

      const started = Date.now();
      if (parsed.kind === 'action_item') {
        const fields = { ...delivery, action: parsed.action, incidentId: parsed.incidentId, issue: parsed.item.issueId };
        let outcome: PullRequestDeliveryOutcome;
        try {
          outcome = await deliverActionItemEvent(client, parsed.incidentId, parsed.item, { timeoutMs: TEMPORAL_CALL_TIMEOUT_MS });
        } catch (error) {
          metrics.temporalCall('signal', (Date.now() - started) / 1000, false);
          metrics.githubWebhook(eventLabel, 'unavailable');
          logger.error({ ...fields, outcome: 'unavailable', err: errorMessage(error) }, 'Temporal did not accept the GitHub event');
          res.status(503).set('Retry-After', '5').json({ error: 'Temporal is unavailable; retry later' });
          return;
        }
        metrics.temporalCall('signal', (Date.now() - started) / 1000, true);
        metrics.githubWebhook(eventLabel, outcome.status === 'accepted' ? 'accepted' : 'unmatched');
        logger.info({ ...fields, outcome: outcome.status }, 'GitHub action-item event');
        res.status(202).json(outcome.status === 'accepted' ? { status: 'accepted', workflowIds: outcome.workflowIds } : { status: 'ignored', reason: 'no running incident workflow for this action item' });
        return;
      }
      const pullRequestUrls = parsed.events.map((e) => e.pullRequestUrl);
      const eventFields = { ...delivery, action: parsed.action, kinds: [...new Set(parsed.events.map((e) => e.kind))], pullRequestUrls };
      let outcomes: PullRequestDeliveryOutcome[];
      try {
        const deadline = started + TEMPORAL_CALL_TIMEOUT_MS;
        outcomes = [];
        for (const event of parsed.events) outcomes.push(await deliverPullRequestEvent(client, event, { timeoutMs: Math.max(1, deadline - Date.now()) }));
      } catch (error) {
        metrics.temporalCall('list_and_signal', (Date.now() - started) / 1000, false);
        metrics.githubWebhook(eventLabel, 'unavailable');
        logger.error({ ...eventFields, outcome: 'unavailable', err: errorMessage(error), ms: Date.now() - started }, 'Temporal did not accept the GitHub event');
        res.status(503).set('Retry-After', '5').json({ error: 'Temporal is unavailable; retry later' });
        return;
      }
      metrics.temporalCall('list_and_signal', (Date.now() - started) / 1000, true);
      const workflowIds = outcomes.flatMap((o) => (o.status === 'accepted' ? o.workflowIds : []));
      if (workflowIds.length === 0) {
        const reason = 'not a postmortem pull request of a running incident';
        metrics.githubWebhook(eventLabel, 'unmatched');
        logger.info({ ...eventFields, outcome: 'unmatched' }, `GitHub webhook ignored: ${reason}`);
        res.status(202).json({ status: 'ignored', reason });
        return;
      }
      metrics.githubWebhook(eventLabel, 'accepted');
      logger.info({ ...eventFields, outcome: 'accepted', workflowIds, ms: Date.now() - started }, 'GitHub event delivered to incident workflow');
      res.status(202).json({ status: 'accepted', workflowIds });
    },
  );

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  // Body-parser errors (too large, aborted) arrive here; anything else is our bug, answered 500 but logged.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status === 413) {
      if (req.path === '/webhooks/github') metrics.githubWebhook(isGitHubEventName(req.get('x-github-event')) ? String(req.get('x-github-event')) : 'unknown', 'too_large');
      else metrics.webhook('unknown', 'too_large');
      logger.warn({ outcome: 'too_large' }, 'webhook rejected: body over 1 MiB');
      res.status(413).json({ error: `body exceeds ${MAX_BODY_BYTES} bytes` });
      return;
    }
    if (status >= 400 && status < 500) {
      logger.warn({ outcome: 'invalid', err: errorMessage(error) }, 'webhook rejected: unreadable body');
      res.status(400).json({ error: 'unreadable request body' });
      return;
    }
    logger.error({ err: errorMessage(error) }, 'unexpected error');
    res.status(500).json({ error: 'internal error' });
  });

  return app;
}

function eventTypeOf(body: unknown): string {
  const type = (body as { event?: { event_type?: unknown } } | null)?.event?.event_type;
  return typeof type === 'string' ? type : 'unknown';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
