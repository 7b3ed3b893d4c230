// The incidents behind the fake PagerDuty API (pagerduty-api.ts): seeded by tests, with generated,
// realistic log entries, alerts, notes and change events, PagerDuty's ids, references and timestamps.
import type { FakeAlert, FakeChangeEvent, FakeIncidentExtras, FakeIncidentSeed, FakeLogEntry, FakeNote, FakeReference } from './pagerduty-types';

const WEB = 'https://acme.pagerduty.com';

export interface StoredIncident {
  incident: Record<string, unknown>;
  logEntries: FakeLogEntry[];
  alerts: FakeAlert[];
  notes: FakeNote[];
  relatedChangeEvents: FakeChangeEvent[];
  serviceId: string;
}

/** PagerDuty timestamps: UTC, second precision (`2026-02-10T15:18:04Z`). */
const stamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const ID_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `alert_counts` as the incident carries it. */
export function alertCounts(alerts: FakeAlert[]) {
  const triggered = alerts.filter((a) => a.status === 'triggered').length;
  return { all: alerts.length, triggered, resolved: alerts.length - triggered };
}

export class PagerDutyIncidents {
  private readonly incidents = new Map<string, StoredIncident>();
  private readonly serviceChanges = new Map<string, FakeChangeEvent[]>();
  private nextId = 0;
  private nextNumber = 1200;

  /** `api.baseUrl` is read when a resource is made: its `self` links point at the fake. */
  constructor(private readonly api: { readonly baseUrl: string }) {}

  private get baseUrl(): string {
    return this.api.baseUrl;
  }

  get(id: string): StoredIncident | undefined {
    return this.incidents.get(id);
  }

  all(): StoredIncident[] {
    return [...this.incidents.values()];
  }

  /** The change events known for a service: [] for a service with incidents but none, undefined for an unknown service. */
  serviceChangeEvents(serviceId: string): FakeChangeEvent[] | undefined {
    return this.serviceChanges.get(serviceId) ?? ([...this.incidents.values()].some((i) => i.serviceId === serviceId) ? [] : undefined);
  }

  /** A note as posting one through the API makes it, by the user `name`. */
  newNote(name: string, content: string): FakeNote {
    const now = stamp(Date.now());
    return {
      id: this.id('P', 7),
      user: this.user('PUSR0F' + String(name.length % 10), name),
      channel: { summary: 'The PagerDuty website or APIs' },
      content,
      created_at: now,
      updated_at: now,
    };
  }

  /** Adds (or replaces) an incident with generated, realistic log entries, alerts, notes and change events unless given. */
  add(seed: FakeIncidentSeed, extras: FakeIncidentExtras = {}): void {
    const service = seed.service ?? { id: 'PSVC7Q1', summary: 'checkout-api' };
    const resolvedAt = seed.resolved_at === undefined ? undefined : seed.resolved_at;
    const status = seed.status ?? (resolvedAt ? 'resolved' : 'triggered');
    const createdMs = seed.created_at ? Date.parse(seed.created_at) : Date.now() - 2 * 3_600_000;
    const createdAt = seed.created_at ?? stamp(createdMs);
    const resolved = status === 'resolved';
    const resolvedAtValue = resolved ? (resolvedAt ?? stamp(createdMs + 47 * 60_000)) : null;
    const number = seed.incident_number ?? this.nextNumber++;
    const title = seed.title ?? `High error rate on ${service.summary}`;
    const serviceRef = this.serviceRef(service.id, service.summary);
    const incidentRef = this.ref(seed.id, 'incident_reference', `[#${number}] ${title}`, `/incidents/${seed.id}`, `${WEB}/incidents/${seed.id}`);

    const logEntries =
      Array.isArray(extras.logEntries)
        ? extras.logEntries.map((entry) => ({ ...entry }))
        : this.generateLogEntries(seed.id, incidentRef, serviceRef, status, createdMs, resolvedAtValue, seed.resolve_reason ?? null, extras.logEntries ?? (resolved ? 7 : 4));
    const alerts = extras.alerts ?? this.generateAlerts(incidentRef, serviceRef, resolved, createdMs, Math.max(1, Math.ceil(logEntries.length / 3)));
    const notes = extras.notes ?? this.generateNotes(createdMs, resolvedAtValue);
    const serviceChanges = extras.serviceChangeEvents ?? this.generateServiceChanges(serviceRef, createdMs);
    const related =
      extras.relatedChangeEvents ??
      (serviceChanges[0] ? [{ ...serviceChanges[0], correlation_reason: { reason: 'most_recent' as const } }] : []);

    const known = this.serviceChanges.get(service.id) ?? [];
    for (const change of serviceChanges) {
      const at = known.findIndex((c) => c.id === change.id);
      if (at >= 0) known[at] = change;
      else known.push(change);
    }
    this.serviceChanges.set(service.id, known);

    const byTime = [...logEntries].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    const lastChange = [...byTime].reverse().find((e) => /^(trigger|acknowledge|resolve|unacknowledge)_log_entry$/.test(e.type));
    const user = this.user('PUSR0A1', 'Jane Doe');

    const incident: Record<string, unknown> = {
      id: seed.id,
      type: 'incident',
      summary: `[#${number}] ${title}`,
      self: `${this.baseUrl}/incidents/${seed.id}`,
      html_url: `${WEB}/incidents/${seed.id}`,
      incident_number: number,
      title,
      description: title,
      created_at: createdAt,
      updated_at: resolvedAtValue ?? lastChange?.created_at ?? createdAt,
      status,
      incident_key: `${service.summary}-${seed.id.toLowerCase()}`,
      service: serviceRef,
      assignments: resolved ? [] : [{ at: createdAt, assignee: user }],
      assigned_via: 'escalation_policy',
      last_status_change_at: resolvedAtValue ?? lastChange?.created_at ?? createdAt,
      last_status_change_by: resolved || status === 'acknowledged' ? user : serviceRef,
      resolved_at: resolvedAtValue,
      resolve_reason: seed.resolve_reason
        ? {
            type: seed.resolve_reason.type,
            ...(seed.resolve_reason.incident
              ? { incident: this.ref(seed.resolve_reason.incident.id, 'incident_reference', null, `/incidents/${seed.resolve_reason.incident.id}`, `${WEB}/incidents/${seed.resolve_reason.incident.id}`) }
              : {}),
          }
        : null,
      acknowledgements: status === 'acknowledged' ? [{ at: lastChange?.created_at ?? createdAt, acknowledger: user }] : [],
      pending_actions: [],
      alert_grouping: null,
      incidents_responders: [],
      responder_requests: [],
      custom_fields: [],
      alert_counts: alertCounts(alerts),
      is_mergeable: !resolved,
      incident_type: { name: 'incident_default' },
      escalation_policy: this.ref('PESC0P1', 'escalation_policy_reference', `${service.summary} escalation`, '/escalation_policies/PESC0P1', `${WEB}/escalation_policies/PESC0P1`),
      teams: [this.ref('PTEAM01', 'team_reference', 'Payments', '/teams/PTEAM01', `${WEB}/teams/PTEAM01`)],
      // A reference, as the incident carries it unless include[]=priorities.
      priority: seed.priority === null ? null : this.ref(seed.priority?.id ?? 'PPRI0P2', 'priority_reference', seed.priority?.summary ?? 'P2', `/priorities/${seed.priority?.id ?? 'PPRI0P2'}`, null),
      urgency: seed.urgency ?? 'high',
      conference_bridge: null,
      body: { type: 'incident_body', details: '' },
    };

    this.incidents.set(seed.id, { incident, logEntries, alerts, notes, relatedChangeEvents: related, serviceId: service.id });
  }


  /** PagerDuty-style ids: a letter and upper-case alphanumerics (`R0000000000A1B`), unique per fake. */
  id(prefix: string, length = 14): string {
    let n = this.nextId++;
    let text = '';
    do {
      text = `${ID_ALPHABET[n % ID_ALPHABET.length] ?? '0'}${text}`;
      n = Math.floor(n / ID_ALPHABET.length);
    } while (n > 0);
    return `${prefix}${text.padStart(length - prefix.length, '0')}`;
  }

  ref(id: string, type: string, summary: string | null, path: string, htmlUrl: string | null): FakeReference {
    return { id, type, summary, self: `${this.baseUrl}${path}`, html_url: htmlUrl };
  }

  serviceRef(id: string, summary: string): FakeReference {
    return this.ref(id, 'service_reference', summary, `/services/${id}`, `${WEB}/service-directory/${id}`);
  }

  user(id: string, name: string): FakeReference {
    return this.ref(id, 'user_reference', name, `/users/${id}`, `${WEB}/users/${id}`);
  }

  private generateLogEntries(
    incidentId: string,
    incident: FakeReference,
    service: FakeReference,
    status: string,
    createdMs: number,
    resolvedAt: string | null,
    resolveReason: FakeIncidentSeed['resolve_reason'],
    count: number,
  ): FakeLogEntry[] {
    if (count <= 0) return [];
    const resolved = status === 'resolved';
    const types: string[] = ['trigger'];
    const middle = count - 1 - (resolved && count > 1 ? 1 : 0);
    const filler = ['annotate', 'notify', 'escalate', 'assign', 'annotate', 'notify'];
    for (let i = 0; i < middle; i++) {
      if (i === 0) types.push('notify');
      else if (i === 1 && status !== 'triggered') types.push('acknowledge');
      else types.push(filler[i % filler.length] ?? 'annotate');
    }
    if (resolved && count > 1) types.push('resolve');

    const endMs = resolvedAt ? Date.parse(resolvedAt) : createdMs + count * 60_000;
    const step = Math.max(1000, Math.floor((endMs - createdMs) / Math.max(1, count - 1) / 1000) * 1000);
    const integration = this.ref('PINT0D1', 'generic_events_api_inbound_integration_reference', 'Datadog', `/services/${service.id}/integrations/PINT0D1`, `${WEB}/services/${service.id}/integrations/PINT0D1`);
    const people = [this.user('PUSR0A1', 'Jane Doe'), this.user('PUSR0B2', 'Sam Okafor'), this.user('PUSR0C3', 'Priya Raman')];
    const notes = ['Rolling back the 14:02 deploy', 'Error rate dropping after rollback', 'Customer support informed', 'DB connection pool saturated'];

    return types.map((kind, index) => {
      const id = this.id('R');
      const person = people[index % people.length] ?? integration;
      const base = {
        id,
        type: `${kind}_log_entry`,
        self: `${this.baseUrl}/log_entries/${id}`,
        html_url: `${WEB}/incidents/${incidentId}/log_entries/${id}`,
        created_at: stamp(createdMs + step * index),
        service,
        incident,
        teams: [this.ref('PTEAM01', 'team_reference', 'Payments', '/teams/PTEAM01', `${WEB}/teams/PTEAM01`)],
        contexts: [],
      };
      switch (kind) {
        case 'trigger':
          return { ...base, summary: 'Triggered through the API.', agent: integration, channel: { type: 'api', summary: 'High error rate', details: { host: 'checkout-7f9c' } }, event_details: { description: 'High error rate' } };
        case 'notify':
          return { ...base, summary: `Notified ${person.summary} by SMS.`, agent: service, channel: { type: 'sms' }, user: person };
        case 'acknowledge':
          return { ...base, summary: `Acknowledged by ${person.summary}.`, agent: person, channel: { type: 'mobile' } };
        case 'annotate':
          return { ...base, summary: `Note added: ${notes[index % notes.length] ?? ''}`, agent: person, channel: { type: 'note', summary: notes[index % notes.length] ?? '' } };
        case 'escalate':
          return { ...base, summary: 'Escalated to level 2 by timeout.', agent: service, channel: { type: 'timeout' } };
        case 'assign':
          return { ...base, summary: `Assigned to ${person.summary}.`, agent: service, channel: { type: 'auto' } };
        default: {
          const merged = resolveReason?.type === 'merge_resolve_reason' && resolveReason.incident;
          return {
            ...base,
            summary: merged ? `Resolved by merging into incident ${resolveReason.incident?.id ?? ''}.` : `Resolved by ${person.summary}.`,
            agent: person,
            channel: { type: merged ? 'merge' : 'website' },
          };
        }
      }
    });
  }

  private generateAlerts(incident: FakeReference, service: FakeReference, resolved: boolean, createdMs: number, count: number): FakeAlert[] {
    const severities = ['critical', 'error', 'warning'] as const;
    return Array.from({ length: count }, (_, index) => {
      const id = this.id('Q');
      return {
        id,
        type: 'alert' as const,
        summary: `5xx rate ${(4.2 + index).toFixed(1)}% on ${service.summary ?? 'service'} (threshold 2%)`,
        self: `${this.baseUrl}/alerts/${id}`,
        html_url: `${WEB}/alerts/${id}`,
        created_at: stamp(createdMs + index * 60_000),
        status: resolved ? ('resolved' as const) : ('triggered' as const),
        severity: severities[index % severities.length] ?? 'critical',
        alert_key: `${service.summary ?? 'service'}:http_5xx:${index}`,
        suppressed: false,
        service,
        incident,
        integration: this.ref('PINT0D1', 'generic_events_api_inbound_integration_reference', 'Datadog', `/services/${service.id}/integrations/PINT0D1`, `${WEB}/services/${service.id}/integrations/PINT0D1`),
        body: {
          type: 'alert_body' as const,
          details: { metric: 'http.server.errors.rate', threshold: '2%', value: `${(4.2 + index).toFixed(1)}%`, host: `checkout-${index}` },
          contexts: [],
        },
      };
    });
  }

  private generateNotes(createdMs: number, resolvedAt: string | null): FakeNote[] {
    const endMs = resolvedAt ? Date.parse(resolvedAt) : createdMs + 30 * 60_000;
    const user = this.user('PUSR0A1', 'Jane Doe');
    const note = (content: string, at: string): FakeNote => ({ id: this.id('P', 7), user, channel: { summary: 'The PagerDuty website or APIs' }, content, created_at: at, updated_at: at });
    return [
      note('Rolled back the 14:02 deploy of checkout-api.', stamp(createdMs + (endMs - createdMs) / 3)),
      note('Error rate back under 1%; watching for 15 minutes.', stamp(createdMs + ((endMs - createdMs) * 2) / 3)),
    ];
  }

  private generateServiceChanges(service: FakeReference, createdMs: number): FakeChangeEvent[] {
    const integration = this.ref('PINT0G1', 'change_event_transform_inbound_integration_reference', 'GitHub Actions', `/services/${service.id}/integrations/PINT0G1`, null);
    const change = (summary: string, offsetMs: number, sha: string): FakeChangeEvent => ({
      id: this.id('Q'),
      summary,
      timestamp: stamp(createdMs - offsetMs),
      type: 'change_event',
      source: 'github-actions',
      integration,
      services: [service],
      custom_details: { commit: sha, environment: 'production', actor: 'deploy-bot' },
      links: [{ href: `https://github.com/acme/checkout/commit/${sha}`, text: `Commit ${sha.slice(0, 7)}` }],
      images: [],
    });
    return [change(`Deploy ${service.summary ?? 'service'} v2.14.0`, 10 * 60_000, '9f1c2ab7d34e'), change(`Deploy ${service.summary ?? 'service'} v2.13.2`, 3 * 3_600_000, '51e07a9c0b22')];
  }
}
