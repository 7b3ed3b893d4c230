// Realistic PagerDuty v3 webhook bodies for one incident's lifecycle. Used by `npm run simulate`
// and the tests, so both speak exactly what PagerDuty sends.
import { randomBytes, randomUUID } from 'node:crypto';

export interface SimulatedIncident {
  id: string;
  number: number;
  title: string;
  serviceId: string;
  serviceName: string;
  urgency: 'high' | 'low';
  priority: string | null;
  createdAt: string;
}

const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

export function newIncidentId(): string {
  const bytes = randomBytes(13);
  return `Q${Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

export function sampleIncident(overrides: Partial<SimulatedIncident> = {}): SimulatedIncident {
  return {
    id: newIncidentId(),
    number: 1000 + (randomBytes(2).readUInt16BE(0) % 9000),
    title: 'Checkout API p99 latency above 2s',
    serviceId: 'PSVC123',
    serviceName: 'checkout-api',
    urgency: 'high',
    priority: 'P1',
    createdAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    ...overrides,
  };
}

const user = (name: string) => ({
  id: 'PUSER01',
  type: 'user_reference',
  summary: name,
  self: 'https://api.pagerduty.com/users/PUSER01',
  html_url: 'https://acme.pagerduty.com/users/PUSER01',
});

export interface WebhookOptions {
  status?: string;
  occurredAt?: string;
  eventId?: string;
  agent?: string | null;
  priority?: string | null;
  /** For `incident.resolved`: the incident this one was merged into. */
  mergedInto?: string;
  /** For `incident.annotated`. */
  note?: string;
}

export function incidentWebhook(type: string, incident: SimulatedIncident, options: WebhookOptions = {}) {
  const occurredAt = options.occurredAt ?? new Date().toISOString();
  const agent = options.agent === undefined ? 'Ada Lovelace' : options.agent;
  const incidentRef = {
    id: incident.id,
    type: 'incident_reference',
    summary: incident.title,
    self: `https://api.pagerduty.com/incidents/${incident.id}`,
    html_url: `https://acme.pagerduty.com/incidents/${incident.id}`,
  };
  const priority = options.priority === undefined ? incident.priority : options.priority;
  const data =
    type === 'incident.annotated'
      ? { incident: incidentRef, id: `PNOTE${incident.number}`, content: options.note ?? '', trimmed: false, type: 'incident_note' }
      : {
          id: incident.id,
          type: 'incident',
          self: incidentRef.self,
          html_url: incidentRef.html_url,
          number: incident.number,
          status: options.status ?? (type === 'incident.resolved' ? 'resolved' : type === 'incident.acknowledged' ? 'acknowledged' : 'triggered'),
          incident_key: null,
          created_at: incident.createdAt,
          title: incident.title,
          service: {
            id: incident.serviceId,
            type: 'service_reference',
            summary: incident.serviceName,
            self: `https://api.pagerduty.com/services/${incident.serviceId}`,
            html_url: `https://acme.pagerduty.com/services/${incident.serviceId}`,
          },
          assignees: type === 'incident.resolved' ? [] : [user('Ada Lovelace')],
          escalation_policy: { id: 'PEP0001', type: 'escalation_policy_reference', summary: 'Checkout on-call' },
          teams: [],
          priority: priority === null ? null : { id: 'PPRIO01', type: 'priority_reference', summary: priority },
          urgency: incident.urgency,
          conference_bridge: null,
          resolve_reason: options.mergedInto
            ? { type: 'merge_resolve_reason', incident: { id: options.mergedInto, type: 'incident_reference' } }
            : null,
        };
  return {
    event: {
      id: options.eventId ?? randomUUID(),
      event_type: type,
      resource_type: 'incident',
      occurred_at: occurredAt,
      agent: agent === null ? null : user(agent),
      client: null,
      data,
    },
  };
}

export function pingWebhook() {
  return {
    event: {
      id: randomUUID(),
      event_type: 'pagey.ping',
      resource_type: 'pagey',
      occurred_at: new Date().toISOString(),
      agent: null,
      client: null,
      data: { message: 'Hello from your friend Pagey!', type: 'ping' },
    },
  };
}
