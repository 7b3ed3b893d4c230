// `postmortem backfill`: incidents resolved before this service saw them, turned into the event their
// workflow starts with, as if PagerDuty had delivered its resolution.
import type { IncidentEvent, IncidentSnapshot } from '../../domain/incident';
import { type RedactionOptions, redactText } from '../../postmortem/redaction';
import type { ApiIncident } from './api';
import { snapshotFromIncident } from './mapper';
import { utcTime } from './time';

/** What the workflow would have learnt from the incident's webhooks. A listing may lack resolved_at: its last status change is then the resolution. */
export function snapshotFromListedIncident(incident: ApiIncident): IncidentSnapshot {
  const snapshot = snapshotFromIncident(incident);
  return { ...snapshot, resolvedAt: snapshot.resolvedAt ?? utcTime(incident.last_status_change_at) };
}

/**
 * The synthetic `incident.resolved` event a backfill starts the incident's workflow with. Its title is
 * redacted as the bridge redacts a webhook's, before it reaches Temporal.
 */
export function backfillEvent(incident: ApiIncident, now: Date, redaction: RedactionOptions = { personalData: true }): IncidentEvent {
  const snapshot = snapshotFromListedIncident(incident);
  const title = snapshot.title === undefined ? undefined : redactText(snapshot.title, redaction);
  const event: IncidentEvent = {
    eventId: `backfill-${incident.id}`,
    type: 'incident.resolved',
    occurredAt: snapshot.resolvedAt && Number.isFinite(Date.parse(snapshot.resolvedAt)) ? new Date(snapshot.resolvedAt).toISOString() : now.toISOString(),
    incident: { ...snapshot, title: title?.text, status: 'resolved' },
  };
  return title && Object.keys(title.report).length > 0 ? { ...event, redactions: title.report } : event;
}
