// What the bridge redacts of a webhook's event before it is handed to Temporal (parseWebhook, also the CLI's
// replay-webhook): every free-text field. What routing, search attributes and evidence links depend on stays
// as PagerDuty sent it: ids, the event type and times, statuses, urgency, the priority's name, the service
// (id, name, URL) and PagerDuty URLs.
//
// The agent's name is personal data: with personal data redacted (REDACT_PERSONAL_DATA, the default) it becomes
// the pseudonym `[REDACTED:person] <PagerDuty user id>` (Redactor.person): the same person reads the same in
// every event, so the workflow still tells responders apart and counts them, and an operator can look the id up
// in PagerDuty; the events in history carry no name. Without personal-data redaction the name stays, with secrets
// in it redacted. (The evidence pack read from PagerDuty's REST API gets the same pseudonyms for the people its
// answers name by reference: Redactor.people, in the evidence activity.)
import type { IncidentEvent, IncidentSnapshot } from '../../domain/incident';
import type { Redactor } from '../../postmortem/redaction';

/** The PagerDuty id of the event's agent, read from the raw body (only to build the agent's pseudonym). */
export function agentIdOf(body: unknown): string | undefined {
  const agent = (body as { event?: { agent?: { id?: unknown } | null } } | null)?.event?.agent;
  return typeof agent?.id === 'string' ? agent.id : undefined;
}

/** What stays as PagerDuty sent it; every other field is free text. */
const EVENT_KEPT = ['eventId', 'webhookId', 'type', 'occurredAt', 'agent', 'incident', 'trimmed', 'redactions'] as const satisfies readonly (keyof IncidentEvent)[];
const SNAPSHOT_KEPT = ['id', 'number', 'status', 'urgency', 'priority', 'service', 'htmlUrl', 'createdAt', 'resolvedAt', 'reopenedAt', 'mergedInto'] as const satisfies readonly (keyof IncidentSnapshot)[];

/**
 * The event with its free text redacted. Fields are kept by name and everything else is redacted: a free-text
 * field added to the event or the snapshot later is redacted without anyone having to remember it here. The
 * event keeps exactly the keys it had.
 */
export function redactEvent(event: IncidentEvent, redactor: Redactor, agentId: string | undefined): IncidentEvent {
  const redacted = redactFields(event, EVENT_KEPT, redactor);
  redacted.incident = redactFields(event.incident, SNAPSHOT_KEPT, redactor);
  if (event.agent !== undefined) redacted.agent = redactor.person(event.agent, agentId);
  return redacted;
}

function redactFields<T extends object>(value: T, kept: readonly string[], redactor: Redactor): T {
  const out = { ...value } as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    if (kept.includes(key) || item === undefined) continue;
    // A string (the title, a note) is all deep() would visit; text() skips its bookkeeping.
    out[key] = typeof item === 'string' ? redactor.text(item) : redactor.deep(item);
  }
  return out as T;
}
