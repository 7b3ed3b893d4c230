// The evidence a postmortem is written from: what PagerDuty and the optional collectors say happened.
// Pure types (workflow code imports them).
import type { EarlierPostmortem } from './follow-up';
import type { IncidentSnapshot } from './incident';
import type { RedactionReport } from './redaction-report';

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
  /** The service's earlier postmortems (POSTMORTEM_REPO), most recent first, with their open action items. */
  earlierPostmortems?: EarlierPostmortem[];
  collectedAt: string;
}

export interface IncidentMetrics {
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
  /** Who acknowledged, resolved, reassigned or wrote notes. */
  responders: string[];
}

/** What the workflow hands the evidence activity. */
export interface CollectContextInput {
  /** What the webhooks said; the API refines it. */
  incident: IncidentSnapshot;
  /** Events the workflow itself received, used when the API cannot be asked. */
  observed: TimelineEntry[];
  observedNotes: IncidentNote[];
}
