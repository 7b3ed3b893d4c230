// The incident domain shared by the bridge, the workflow and the activities.
// Pure types and functions: workflow code imports this module, so no Node imports here.
import type { RedactionReport } from '../postmortem/redaction';

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
  /** What the bridge redacted from this event's text before it reached Temporal (counts by kind). */
  redactions?: RedactionReport;
}

export const PHASES = [
  'collecting_context',
  'awaiting_resolution',
  'quiet_period',
  'drafting',
  'awaiting_pr',
  'completed',
  'skipped',
  'needs_attention',
  'failed',
] as const;
export type Phase = (typeof PHASES)[number];

export interface TimelineEntry {
  at: string;
  kind: string;
  summary: string;
  agent?: string;
  /** How it happened: web, api, email, auto, slack… */
  channel?: string;
  url?: string;
}

export interface AlertSummary {
  at: string;
  summary: string;
  severity?: string;
  status?: string;
  /** The monitoring tool's body details, as compact JSON, clipped. */
  details?: string;
  url?: string;
}

export interface IncidentNote {
  at: string;
  author?: string;
  content: string;
}

export interface ChangeEvent {
  at: string;
  summary: string;
  source?: string;
  correlation?: string;
  url?: string;
}

/** One line of evidence from an optional collector (Datadog, Sentry), with its source link. */
export interface EvidenceItem {
  at: string;
  kind: string;
  summary: string;
  url?: string;
}

/** What one optional collector found; a collector that failed says so in `problem` instead of blocking. */
export interface ExternalEvidence {
  source: 'datadog' | 'sentry';
  items: EvidenceItem[];
  /** Items left out to keep the pack bounded. */
  omitted: number;
  problem?: string;
}

/** The evidence a postmortem is written from. Bounded so it stays far below Temporal's payload limit. */
export interface IncidentContext {
  source: 'pagerduty_api' | 'webhook_only';
  /** Why the context is partial, in words for the status panel. */
  limitation?: string;
  incident: IncidentSnapshot;
  timeline: TimelineEntry[];
  alerts: AlertSummary[];
  notes: IncidentNote[];
  changeEvents: ChangeEvent[];
  /** Items left out to keep the pack bounded, by list. */
  omitted: Record<string, number>;
  /** Changes on the incident's service from two hours before it started until it was resolved. */
  serviceChanges?: ChangeEvent[];
  /** Datadog, Sentry… when configured. */
  external?: ExternalEvidence[];
  /** Derived from the timeline. */
  metrics?: IncidentMetrics;
  /** What was redacted from this pack before it left the activity (counts by kind, never values). */
  redactions?: RedactionReport;
  collectedAt: string;
}

export interface IncidentMetrics {
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
  /** Who acknowledged, resolved, reassigned or wrote notes. */
  responders: string[];
}

export interface PostmortemStatus {
  incidentId: string;
  phase: Phase;
  title?: string;
  service?: string;
  priority?: string | null;
  urgency?: string;
  incidentUrl?: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  contextSource?: IncidentContext['source'];
  contextLimitation?: string;
  devinSessionId?: string;
  devinSessionUrl?: string;
  pullRequestUrl?: string;
  dryRun: boolean;
  promptPath?: string;
  lastError?: string;
  /** Why the incident ended `skipped` (merged, cancelled or skipped by an operator). */
  skipReason?: string;
  /** The surviving incident when this one was resolved by a merge. */
  mergedInto?: string;
  /** Why the incident does or does not get a postmortem (severity routing). */
  routing?: string;
  /** Wiki destination: the published page. */
  pageUrl?: string;
  /** What was written back to PagerDuty and Slack, or why not. */
  writeBack: string[];
  /** Reopenings after the Devin session started (each was told to the session). */
  reopenedAfterDraft: number;
  /** Secrets and personal data removed before anything reached Temporal or Devin (counts by kind). */
  redactions: RedactionReport;
  eventsReceived: number;
  duplicatesIgnored: number;
}

export interface PostmortemResult {
  incidentId: string;
  outcome: 'pull_request_opened' | 'page_published' | 'dry_run' | 'skipped';
  skipReason?: string;
  pageUrl?: string;
  /** What the session reported (structured output): root cause and action items. */
  postmortem?: {
    path?: string;
    rootCause?: string;
    rootCauseConfirmed?: boolean;
    actionItems?: string[];
  };
  skeletonPath?: string;
  pullRequestUrl?: string;
  devinSessionId?: string;
  devinSessionUrl?: string;
  /** Dry run only: the prompt that would have been sent, and where it was written. */
  prompt?: string;
  promptPath?: string;
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
