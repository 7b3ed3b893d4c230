// PagerDuty REST API v2 and webhook v3 resources, as far as this service reads them. Optional and
// nullable exactly where PagerDuty's OpenAPI spec (and its published examples) say a field may be
// missing or null.

export interface Reference {
  id?: string;
  /** `user_reference`, `service_reference`, `…_inbound_integration_reference`… */
  type?: string;
  summary?: string | null;
  html_url?: string | null;
}

/**
 * An incident: `GET /incidents/{id}`, an item of `GET /incidents`, or a v3 webhook's `event.data`
 * (which says `number` where the REST API says `incident_number`).
 */
export interface ApiIncident {
  id: string;
  incident_number?: number | null;
  number?: number | null;
  title?: string | null;
  status?: string | null;
  urgency?: string | null;
  created_at?: string | null;
  resolved_at?: string | null;
  /** Webhooks only (`incident.reopened`, and later events of a reopened incident). */
  reopened_at?: string | null;
  last_status_change_at?: string | null;
  html_url?: string | null;
  service?: Reference | null;
  priority?: Reference | null;
  resolve_reason?: { type?: string | null; incident?: Reference | null } | null;
  /**
   * A `trigger_log_entry_reference` (id, no time) unless `include[]=first_trigger_log_entries` asked for
   * the whole entry.
   */
  first_trigger_log_entry?: ApiLogEntry | ApiLogEntryReference | null;
}

export interface ApiLogEntryReference {
  id: string;
  /** `trigger_log_entry_reference` */
  type?: string;
  summary?: string;
  html_url?: string | null;
  created_at?: undefined;
}

export interface ApiLogEntry {
  id: string;
  type: string;
  summary?: string;
  created_at: string;
  html_url?: string | null;
  agent?: Reference | null;
  channel?: { type?: string; summary?: string } | null;
  /** notify_log_entry: the person notified. */
  user?: Reference | null;
  /** assign_log_entry: who it was assigned to. */
  assignees?: Reference[] | null;
}

/** `GET /priorities`: the account's own, listed "in order (most to least severe)". */
export interface ApiPriority {
  id: string;
  type?: string;
  name?: string | null;
  summary?: string | null;
  description?: string | null;
}

export interface ApiAlert {
  id: string;
  summary?: string;
  created_at: string;
  status?: string;
  severity?: string;
  html_url?: string;
  body?: { details?: unknown } | null;
}

export interface ApiNote {
  id: string;
  content: string;
  created_at: string;
  user?: Reference | null;
}

export interface ApiChangeEvent {
  id: string;
  summary?: string;
  timestamp?: string;
  source?: string | null;
  links?: { href?: string; text?: string }[];
  correlation_reason?: { reason?: string } | null;
}

/** Classic pagination (`limit`, `offset`, `more`, `total` when asked for). */
export interface ApiPage {
  more?: boolean;
  total?: number | null;
  [list: string]: unknown;
}
