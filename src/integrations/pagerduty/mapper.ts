// PagerDuty's resources → the domain's types. The one mapper of an incident, whether it came from the
// REST API, an incident list or a webhook. Every time is normalised to UTC (./time.ts): PagerDuty renders
// the account's zone (`-05:00`) where it is not asked for UTC, or cannot be.
import type { AlertSummary, ChangeEvent, IncidentNote, TimelineEntry } from '../../domain/evidence';
import type { IncidentSnapshot } from '../../domain/incident';
import { rawText, withoutCutMarker } from '../evidence-text';
import type { ApiAlert, ApiChangeEvent, ApiIncident, ApiLogEntry, ApiNote, ApiPriority } from './api';
import { utcTime } from './time';

/** Bounds that keep an evidence pack far below Temporal's 2 MB payload limit. */
export const CONTEXT_LIMITS = { timeline: 300, alerts: 50, notes: 50, changeEvents: 50, textChars: 1_000 } as const;

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * A text clipped to CONTEXT_LIMITS.textChars. Only after redaction (clipContext, in the evidence activity): the
 * mappers below keep texts whole (rawText, ../evidence-text.ts), so that no clip can cut a secret in two.
 */
export const clipText = (text: string | null | undefined): string => {
  const value = (text ?? '').trim();
  return value.length > CONTEXT_LIMITS.textChars ? withoutCutMarker(`${value.slice(0, CONTEXT_LIMITS.textChars)}…`) : value;
};

/** What PagerDuty says of an incident; fields it did not send stay absent. */
export function snapshotFromIncident(incident: ApiIncident): IncidentSnapshot {
  const serviceId = orUndefined(incident.service?.id);
  return {
    id: incident.id,
    number: orUndefined(incident.incident_number ?? incident.number),
    title: orUndefined(incident.title),
    status: orUndefined(incident.status),
    urgency: orUndefined(incident.urgency),
    // An explicit null means "this incident has no priority", which routing treats differently from unknown.
    priority: incident.priority === null ? null : orUndefined(incident.priority?.summary),
    service: serviceId ? { id: serviceId, name: orUndefined(incident.service?.summary) ?? serviceId, htmlUrl: orUndefined(incident.service?.html_url) } : undefined,
    htmlUrl: orUndefined(incident.html_url),
    createdAt: utcTime(incident.created_at),
    resolvedAt: utcTime(incident.resolved_at),
    reopenedAt: utcTime(incident.reopened_at),
    mergedInto: incident.resolve_reason?.type === 'merge_resolve_reason' ? orUndefined(incident.resolve_reason.incident?.id) : undefined,
  };
}

export interface MappedLogEntry {
  entry: TimelineEntry;
  /** A service escalating by timeout or a monitor resolving its own alert is an agent, not a responder. */
  byPerson: boolean;
}

/** `resolve_log_entry` (and its `_reference`) → `resolve`. */
export const logEntryKind = (type: string | undefined): string => (type ?? 'unknown').replace(/_log_entry(_reference)?$/, '');

/** The entry's time in UTC; undefined when PagerDuty sent none that can be read. */
export const logEntryTime = (entry: Pick<ApiLogEntry, 'created_at'> | { created_at?: unknown }): string | undefined =>
  typeof entry.created_at === 'string' ? utcTime(entry.created_at) : undefined;

export function timelineEntry(entry: ApiLogEntry): MappedLogEntry {
  return {
    entry: {
      at: logEntryTime(entry) ?? entry.created_at,
      kind: logEntryKind(entry.type),
      summary: rawText(entry.summary),
      agent: orUndefined(entry.agent?.summary),
      channel: orUndefined(entry.channel?.type),
      url: orUndefined(entry.html_url),
    },
    byPerson: !entry.agent?.type || /^user(_reference)?$/.test(entry.agent.type),
  };
}

export function alertSummary(alert: ApiAlert): AlertSummary {
  return {
    at: utcTime(alert.created_at) ?? alert.created_at,
    summary: rawText(alert.summary),
    severity: alert.severity,
    status: alert.status,
    details: alert.body?.details === undefined || alert.body?.details === null ? undefined : rawText(JSON.stringify(alert.body.details)),
    url: alert.html_url,
  };
}

export function incidentNote(note: ApiNote): IncidentNote {
  return { at: utcTime(note.created_at) ?? note.created_at, author: orUndefined(note.user?.summary), content: rawText(note.content) };
}

export function changeEvent(change: ApiChangeEvent): ChangeEvent {
  return {
    at: utcTime(change.timestamp) ?? change.timestamp ?? '',
    summary: rawText(change.summary),
    source: orUndefined(change.source),
    correlation: orUndefined(change.correlation_reason?.reason),
    url: change.links?.find((link) => link.href)?.href,
  };
}

/** The account's priority names, most severe first, as `GET /priorities` lists them (blank names left out). */
export function priorityNames(priorities: ApiPriority[]): string[] {
  return priorities.map((p) => (p.name ?? p.summary ?? '').trim()).filter((name) => name.length > 0);
}
