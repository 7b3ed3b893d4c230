// PagerDuty Generic Webhooks (v3): authenticate a delivery and reduce it to an IncidentEvent.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DELIVERY_ID, describeId, isDeliveryId, PAGERDUTY_ID } from '../../domain/identifiers';
import { type IncidentEvent, type IncidentSnapshot, isIncidentEventType } from '../../domain/incident';
import type { ApiIncident } from './api';
import { snapshotFromIncident } from './mapper';
import { type RedactionOptions, Redactor } from '../../postmortem/redaction';
import { agentIdOf, redactEvent } from './webhook-redaction';

export interface WebhookSecrets {
  signingSecrets: string[];
  sharedSecret?: string;
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // Hash first so inputs of different lengths still compare in constant time.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * At most this many entries in `X-PagerDuty-Signature`: PagerDuty sends one per active secret (two while
 * one is rotated). More is refused before any hashing, so a hostile header costs no more than a real one.
 */
export const MAX_SIGNATURE_ENTRIES = 8;
const SIGNATURE_ENTRY = /^v1=([0-9a-f]{64})$/i;
/** The longest header those entries make (`v1=` + 64 hex digits, comma and space between). */
const MAX_SIGNATURE_HEADER = MAX_SIGNATURE_ENTRIES * 69;

/**
 * The `v1=` signatures of a header, as 32-byte digests; undefined when the header is too long or has too
 * many entries to be PagerDuty's. Entries of another version or form are skipped (they cannot match).
 */
export function signaturesOf(header: string): Buffer[] | undefined {
  if (header.length > MAX_SIGNATURE_HEADER) return undefined;
  const entries = header.split(',', MAX_SIGNATURE_ENTRIES + 1);
  if (entries.length > MAX_SIGNATURE_ENTRIES) return undefined;
  return entries.flatMap((entry) => {
    const digest = SIGNATURE_ENTRY.exec(entry.trim())?.[1];
    return digest ? [Buffer.from(digest, 'hex')] : [];
  });
}

/**
 * `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` — HMAC-SHA256 of the raw body bytes. Several entries
 * appear while a secret is rotated; any entry matching any configured secret authenticates. Each
 * secret's HMAC is computed once; digests are compared as equal-length bytes, in constant time.
 */
export function hasValidSignature(rawBody: Buffer, header: string | undefined, secrets: string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const provided = signaturesOf(header);
  if (!provided || provided.length === 0) return false;
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    // No early exit: every pair is compared so timing says nothing about which one matched.
    for (const candidate of provided) matched = timingSafeEqual(candidate, expected) || matched;
  }
  return matched;
}

export function hasValidSharedSecret(header: string | undefined, sharedSecret: string | undefined): boolean {
  if (!header || !sharedSecret) return false;
  return constantTimeEqual(Buffer.from(header, 'utf8'), Buffer.from(sharedSecret, 'utf8'));
}

export function isAuthentic(
  rawBody: Buffer,
  headers: { signature?: string; sharedSecret?: string },
  secrets: WebhookSecrets,
): boolean {
  const bySignature = hasValidSignature(rawBody, headers.signature, secrets.signingSecrets);
  const bySharedSecret = hasValidSharedSecret(headers.sharedSecret, secrets.sharedSecret);
  return bySignature || bySharedSecret;
}

/** Signs a body the way PagerDuty does; used by the simulator and tests. */
export function signBody(rawBody: string | Buffer, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

const reference = z.looseObject({ id: z.string().optional(), type: z.string().nullish(), summary: z.string().nullish(), html_url: z.string().nullish() });
// Ids that become workflow ids, URL paths, tags and file names: strict, or the delivery is refused (400).
const pagerDutyId = z.string().regex(PAGERDUTY_ID, 'is not a PagerDuty id (1-64 uppercase letters and digits)');
const idReference = reference.extend({ id: pagerDutyId.optional() });

const envelopeSchema = z.looseObject({
  event: z.looseObject({
    id: z.string().regex(DELIVERY_ID, 'is not an event id (a ULID or UUID: letters, digits and hyphens, at most 64)'),
    event_type: z.string().min(1),
    resource_type: z.string().optional(),
    occurred_at: z.string().nullish(),
    agent: reference.nullish(),
    data: z.looseObject({}).nullish(),
  }),
});

const incidentDataSchema = z.looseObject({
  id: pagerDutyId,
  type: z.literal('incident'),
  html_url: z.string().nullish(),
  number: z.number().nullish(),
  status: z.string().nullish(),
  created_at: z.string().nullish(),
  reopened_at: z.string().nullish(),
  title: z.string().nullish(),
  urgency: z.string().nullish(),
  service: idReference.nullish(),
  priority: reference.nullish(),
  resolve_reason: z
    .looseObject({ type: z.string().nullish(), incident: idReference.nullish() })
    .nullish(),
});

const noteDataSchema = z.looseObject({
  type: z.literal('incident_note'),
  content: z.string().nullish(),
  trimmed: z.boolean().nullish(),
  incident: z.looseObject({ id: pagerDutyId, summary: z.string().nullish(), html_url: z.string().nullish() }),
});

export type ParsedWebhook =
  | { kind: 'incident_event'; event: IncidentEvent }
  | { kind: 'ignored'; eventType: string; eventId: string; reason: string }
  | { kind: 'invalid'; message: string };

const present = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** What a note cut by PagerDuty (`trimmed: true`) ends with, so that no reader takes half a note for all of it. */
export const TRIMMED_NOTE_MARK = '(trimmed by PagerDuty)';

/**
 * Who did it, when a person did: `user_reference` (or an agent without a type). A service or an
 * integration (a monitor resolving its own alert) is automation, which the event leaves without agent.
 */
function personAgent(agent: z.infer<typeof reference> | null | undefined): string | undefined {
  if (!agent) return undefined;
  return !agent.type || /^user(_reference)?$/.test(agent.type) ? present(agent.summary) : undefined;
}

/** The incident as the webhook shows it. Webhooks carry no resolution time: a resolution event's occurred_at is it. */
function snapshotFromIncidentData(data: z.infer<typeof incidentDataSchema>): IncidentSnapshot {
  // The webhook says `number`; an `incident_number` there is not the webhook's field.
  const { resolvedAt: _resolvedAt, ...snapshot } = snapshotFromIncident({ ...(data as ApiIncident), incident_number: undefined });
  return snapshot;
}

/**
 * Parses a verified body. Event types the project does not use are `ignored`, never `invalid`.
 * Free text (title, note, the agent's name: ./webhook-redaction.ts) is redacted here, before the event is handed to Temporal.
 */
export function parseWebhook(
  body: unknown,
  webhookId: string | undefined,
  receivedAt: Date,
  redaction: RedactionOptions = { personalData: true },
): ParsedWebhook {
  const parsed = parseEnvelope(body, webhookId, receivedAt);
  if (parsed.kind !== 'incident_event') return parsed;
  const redactor = new Redactor(redaction);
  const event: IncidentEvent = redactEvent(parsed.event, redactor, agentIdOf(body));
  if (event.trimmed) event.note = event.note ? `${event.note} … ${TRIMMED_NOTE_MARK}` : TRIMMED_NOTE_MARK;
  const report = redactor.report;
  return { kind: 'incident_event', event: Object.keys(report).length > 0 ? { ...event, redactions: report } : event };
}

function parseEnvelope(body: unknown, webhookId: string | undefined, receivedAt: Date): ParsedWebhook {
  if (webhookId !== undefined && !isDeliveryId(webhookId)) {
    return { kind: 'invalid', message: `X-Webhook-Id ${describeId(webhookId)} is not a delivery id (a UUID: letters, digits and hyphens, at most 64)` };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    return { kind: 'invalid', message: `not a PagerDuty v3 webhook: ${describeIssues(envelope.error)}` };
  }
  const { event } = envelope.data;
  if (!isIncidentEventType(event.event_type)) {
    return { kind: 'ignored', eventType: event.event_type, eventId: event.id, reason: 'event type not used' };
  }

  const base = {
    eventId: event.id,
    webhookId,
    type: event.event_type,
    occurredAt: validTimestamp(event.occurred_at) ?? receivedAt.toISOString(),
    agent: personAgent(event.agent),
  };

  const data = event.data ?? {};
  const asIncident = incidentDataSchema.safeParse(data);
  if (asIncident.success) {
    return { kind: 'incident_event', event: { ...base, incident: snapshotFromIncidentData(asIncident.data) } };
  }
  const asNote = noteDataSchema.safeParse(data);
  // An incident whose ids do not pass: said precisely (never a 503 for Temporal to refuse the workflow id).
  const looksLike = (data as { type?: unknown }).type === 'incident' ? asIncident : (data as { type?: unknown }).type === 'incident_note' ? asNote : undefined;
  if (looksLike && !looksLike.success && looksLike.error.issues.some((i) => /is not a PagerDuty id/.test(i.message))) {
    return { kind: 'invalid', message: `${event.event_type} event: ${describeIssues(looksLike.error)}` };
  }
  if (asNote.success) {
    const ref = asNote.data.incident;
    return {
      kind: 'incident_event',
      event: {
        ...base,
        incident: { id: ref.id, htmlUrl: present(ref.html_url) },
        note: present(asNote.data.content),
        ...(asNote.data.trimmed === true ? { trimmed: true } : {}),
      },
    };
  }
  return { kind: 'invalid', message: `${event.event_type} event has no incident id (event.data.id or event.data.incident.id)` };
}

function validTimestamp(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'} ${issue.message.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}`)
    .join('; ');
}
