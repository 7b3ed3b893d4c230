// PagerDuty's resources as the fake PagerDuty API (pagerduty-api.ts) serves them, and what a test
// seeds an incident with.

export interface FakeIncidentSeed {
  id: string;
  incident_number?: number;
  title?: string;
  status?: string;
  urgency?: 'high' | 'low';
  priority?: { id: string; summary: string } | null;
  service?: { id: string; summary: string };
  created_at?: string;
  resolved_at?: string | null;
  resolve_reason?: { type: string; incident?: { id: string } } | null;
}

export interface FakeReference {
  id: string;
  type: string;
  summary: string | null;
  self?: string | null;
  html_url?: string | null;
}

export interface FakeLogEntry {
  id: string;
  /** trigger_log_entry, notify_log_entry, acknowledge_log_entry, annotate_log_entry, resolve_log_entry, … */
  type: string;
  summary: string;
  self?: string;
  html_url: string;
  created_at: string;
  agent: FakeReference | null;
  channel: { type: string; summary?: string; [key: string]: unknown };
  service?: FakeReference;
  incident?: FakeReference;
  teams?: FakeReference[];
  contexts?: unknown[];
  event_details?: Record<string, unknown>;
  user?: FakeReference;
}

export interface FakeAlert {
  id: string;
  type: 'alert';
  summary: string;
  self?: string;
  html_url: string;
  created_at: string;
  status: 'triggered' | 'resolved';
  severity: 'critical' | 'error' | 'warning' | 'info';
  alert_key: string;
  suppressed?: boolean;
  service?: FakeReference;
  incident?: FakeReference;
  integration?: FakeReference;
  body: { type?: 'alert_body'; details: Record<string, unknown>; contexts: unknown[]; cef_details?: Record<string, unknown> };
}

export interface FakeNote {
  id: string;
  user: FakeReference;
  channel?: { summary: string };
  content: string;
  created_at: string;
  updated_at?: string;
}

export interface FakeChangeEvent {
  id: string;
  summary: string;
  timestamp: string;
  type: 'change_event';
  source: string | null;
  integration: FakeReference | null;
  services: FakeReference[];
  custom_details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  images?: { src: string; href?: string; alt?: string }[];
  /** Present on `/incidents/{id}/related_change_events` only. */
  correlation_reason?: { reason: 'most_recent' | 'related_service' | 'intelligent' };
}

export interface FakeIncidentExtras {
  /** A count of entries to generate, or the entries themselves. Default: 7 when resolved, 4 otherwise. */
  logEntries?: number | FakeLogEntry[];
  alerts?: FakeAlert[];
  notes?: FakeNote[];
  relatedChangeEvents?: FakeChangeEvent[];
  serviceChangeEvents?: FakeChangeEvent[];
}
