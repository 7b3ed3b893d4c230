// Anchor C: the one-file synchronous bridge, written after the design in Devin's PagerDuty guide.
// It checks the shared secret, and for `incident.resolved` creates the Devin session inside the
// webhook request, answering PagerDuty only once Devin answered — 500 when Devin failed, after which
// the event is gone unless the sender retries. Benchmark-only; never part of the service.
import express from 'express';
import { hasValidSharedSecret } from '../src/integrations/pagerduty/webhook';

export interface SyncBridgeOptions {
  sharedSecret: string;
  devinBaseUrl: string;
  devinApiKey: string;
  devinOrgId: string;
}

interface ResolvedIncident {
  id?: string;
  title?: string;
  html_url?: string;
  service?: { summary?: string };
}

export function createSyncBridgeApp(options: SyncBridgeOptions): express.Express {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.post('/webhooks/pagerduty', async (req, res) => {
    if (!hasValidSharedSecret(req.get('x-webhook-secret'), options.sharedSecret)) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    const event = (req.body as { event?: { event_type?: string; data?: ResolvedIncident } } | undefined)?.event;
    if (event?.event_type !== 'incident.resolved' || !event.data?.id) {
      res.status(200).json({ status: 'ignored' });
      return;
    }
    const incident = event.data;
    try {
      const response = await fetch(`${options.devinBaseUrl}/organizations/${encodeURIComponent(options.devinOrgId)}/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.devinApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          prompt: `Write a postmortem for PagerDuty incident ${incident.id} (${incident.title ?? 'untitled'}) on ${
            incident.service?.summary ?? 'an unknown service'
          }: ${incident.html_url ?? ''}. Use the sections Summary, Timeline, Root cause, Impact, Action items, and open a pull request.`,
          title: `Postmortem: ${incident.title ?? incident.id}`,
          tags: ['pagerduty-postmortem', `pd-incident:${incident.id}`],
        }),
      });
      if (!response.ok) throw new Error(`Devin answered ${response.status}`);
      const session = (await response.json()) as { session_id?: string };
      console.log(`Devin session ${session.session_id ?? '?'} started for incident ${incident.id}`);
      res.status(200).json({ status: 'ok', session_id: session.session_id });
    } catch (error) {
      console.error(`Devin session failed for incident ${incident.id}: ${error instanceof Error ? error.message : String(error)}`);
      res.status(500).json({ error: 'could not start a Devin session' });
    }
  });
  return app;
}

if (require.main === module) {
  const required = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const app = createSyncBridgeApp({
    sharedSecret: required('WEBHOOK_SECRET'),
    devinBaseUrl: required('DEVIN_API_BASE_URL'),
    devinApiKey: required('DEVIN_API_KEY'),
    devinOrgId: required('DEVIN_ORG_ID'),
  });
  const server = app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => console.log('sync bridge listening'));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
