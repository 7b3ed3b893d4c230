// The incident domain shared by the bridge, the workflow and the activities.
// Pure types and functions: workflow code imports this module, so no Node imports here.
import type { RedactionReport } from './redaction-report';

/** The PagerDuty webhook events that change an incident's story and so reach its workflow. */
export const INCIDENT_EVENT_TYPES = [
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.priority_updated',
  'incident.annotated',
] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export function isIncidentEventType(type: string): type is IncidentEventType {
  return (INCIDENT_EVENT_TYPES as readonly string[]).includes(type);
}

export interface ServiceRef {
  id: string;
  name: string;
  htmlUrl?: string;
}

/** What is known of an incident at one moment; fields stay absent when PagerDuty did not send them. */
export interface IncidentSnapshot {
  id: string;
  number?: number;
  title?: string;
  status?: string;
  urgency?: string;
  /** `P1`… or null when the incident has no priority. */
  priority?: string | null;
  service?: ServiceRef;
  htmlUrl?: string;
  createdAt?: string;
  resolvedAt?: string;
  /** When PagerDuty last reopened it (webhooks' `reopened_at`); UTC. */
  reopenedAt?: string;
  /** Set when the incident was resolved by being merged into another one. */
  mergedInto?: string;
}

/** One webhook delivery, reduced to what the workflow needs. Carries no credentials. */
export interface IncidentEvent {
  /** PagerDuty's event id: the same on every redelivery of the event. */
  eventId: string;
  /** `X-Webhook-Id`: the same on every retry of one webhook delivery. */
  webhookId?: string;
  type: IncidentEventType;
  occurredAt: string;
  /** Who did it (`agent.summary`); absent when automation did. */
  agent?: string;
  incident: IncidentSnapshot;
  /** The note text of an `incident.annotated` event. */
  note?: string;
  /**
   * PagerDuty cut the note to fit the webhook (`trimmed: true`): `note` then ends with "(trimmed by
   * PagerDuty)"; the whole note is read through the REST API when a token is set.
   */
  trimmed?: boolean;
  /** What the bridge redacted from this event's text before it reached Temporal (counts by kind). */
  redactions?: RedactionReport;
}

/** Fields present in `update` replace those in `base`; absent ones keep what was known. */
export function mergeSnapshot(base: IncidentSnapshot, update: IncidentSnapshot): IncidentSnapshot {
  const merged: IncidentSnapshot = { ...base };
  for (const [key, value] of Object.entries(update) as [keyof IncidentSnapshot, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export function workflowIdForIncident(incidentId: string): string {
  return `incident-${incidentId}`;
}

export function incidentDuration(incident: IncidentSnapshot): number | undefined {
  if (!incident.createdAt || !incident.resolvedAt) return undefined;
  const ms = Date.parse(incident.resolvedAt) - Date.parse(incident.createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** The UI's one-line static summary: priority, service, title. */
export function incidentSummaryLine(incident: IncidentSnapshot): string {
  const parts = [incident.priority ?? incident.urgency?.toUpperCase(), incident.service?.name, incident.title ?? incident.id];
  return parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .join(' · ')
    .replace(/\s+/g, ' ')
    .slice(0, 200);
}
