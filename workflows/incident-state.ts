// What the incident's workflow knows, and the rules that keep it current: recording webhook events
// (redeliveries recognised, out-of-order deliveries judged by occurred_at), merging what PagerDuty's
// REST API says, and the status the query, the UI and the CLI show. Temporal-free: unit tests exercise
// it without a server.
import type { CollectContextInput, IncidentContext, IncidentNote, TimelineEntry } from '../src/domain/evidence';
import { type IncidentEvent, type IncidentSnapshot, mergeSnapshot } from '../src/domain/incident';
import { mergeReports, type RedactionReport } from '../src/domain/redaction-report';
import type { SessionMessageKind } from '../src/domain/session';
import type { PullRequestEvent } from '../src/domain/review';
import type { Phase, PostmortemStatus } from '../src/domain/status';

/** Redeliveries are recognised by id; this many ids are remembered (PagerDuty sends a few dozen per incident). */
const REMEMBERED_DELIVERIES = 500;
const OBSERVED_LIMIT = 300;

type StatusFields = Omit<PostmortemStatus, 'phase' | 'incidentId'>;

export interface SessionMessage {
  kind: SessionMessageKind;
  at?: string;
}

export class IncidentState {
  incident: IncidentSnapshot;
  phase: Phase = 'collecting_context';
  /** The latest lifecycle event (acknowledged, unacknowledged, resolved, reopened) says resolved. */
  resolved = false;
  /** occurred_at of the latest lifecycle event; empty until one arrives. */
  lifecycleAt = '';
  /** Set once the Devin session is being started: a reopen from then on is told to the session. */
  draftingStarted = false;
  readonly status: StatusFields = {
    dryRun: false,
    eventsReceived: 0,
    duplicatesIgnored: 0,
    reopenedAfterDraft: 0,
    writeBack: [],
    redactions: {},
  };
  /** Messages for the running session (reopenings), in order. */
  readonly sessionMessages: SessionMessage[] = [];
  /** GitHub's news about the postmortem's PR, not yet acted on, in order of arrival. */
  readonly pullRequestEvents: PullRequestEvent[] = [];
  private readonly seenPullRequestDeliveries: string[] = [];

  private snapshotAt = '';
  // Counted per delivery at the bridge, and per pack in the activity (the latest pack replaces the earlier one).
  private eventRedactions: RedactionReport = {};
  private packRedactions: RedactionReport = {};
  private readonly seenDeliveries: string[] = [];
  private readonly observed: TimelineEntry[] = [];
  private readonly observedNotes: IncidentNote[] = [];

  constructor(readonly incidentId: string) {
    this.incident = { id: incidentId };
  }

  /** Records one delivery; a redelivery (same event or webhook id) is only counted: then false. */
  record(event: IncidentEvent): boolean {
    const keys = [`event:${event.eventId}`, ...(event.webhookId ? [`webhook:${event.webhookId}`] : [])];
    if (keys.some((key) => this.seenDeliveries.includes(key))) {
      this.status.duplicatesIgnored++;
      return false;
    }
    for (const key of keys) {
      this.seenDeliveries.push(key);
      if (this.seenDeliveries.length > REMEMBERED_DELIVERIES) this.seenDeliveries.shift();
    }
    this.status.eventsReceived++;
    if (event.redactions) {
      this.eventRedactions = mergeReports(this.eventRedactions, event.redactions);
      this.status.redactions = mergeReports(this.eventRedactions, this.packRedactions);
    }

    // Newer facts win; older deliveries only fill gaps. Order is judged by occurred_at, not arrival.
    const newer = event.occurredAt >= this.snapshotAt;
    this.incident = newer ? mergeSnapshot(this.incident, event.incident) : mergeSnapshot(event.incident, this.incident);
    if (newer) this.snapshotAt = event.occurredAt;

    if (isLifecycleEvent(event) && event.occurredAt >= this.lifecycleAt) {
      this.lifecycleAt = event.occurredAt;
      const wasResolved = this.resolved;
      this.resolved = event.type === 'incident.resolved';
      this.incident = { ...this.incident, resolvedAt: this.resolved ? event.occurredAt : undefined };
      if (!this.resolved) this.incident = { ...this.incident, mergedInto: undefined };
      if (event.type === 'incident.reopened' && wasResolved && this.draftingStarted) {
        // Drafting has begun (the session may still be starting): tell it, never start a second one.
        this.status.reopenedAfterDraft++;
        this.sessionMessages.push({ kind: 'reopened', at: event.occurredAt });
      }
    }
    const reopenedAt = event.incident.reopenedAt ?? (event.type === 'incident.reopened' ? event.occurredAt : undefined);
    if (reopenedAt && (!this.status.reopenedAt || Date.parse(reopenedAt) > Date.parse(this.status.reopenedAt))) this.status.reopenedAt = reopenedAt;
    if (event.type === 'incident.acknowledged' && (!this.status.acknowledgedAt || event.occurredAt < this.status.acknowledgedAt)) {
      this.status.acknowledgedAt = event.occurredAt;
    }
    if (event.type === 'incident.annotated' && event.note) {
      pushBounded(this.observedNotes, { at: event.occurredAt, author: event.agent, content: event.note });
    }
    pushBounded(this.observed, { at: event.occurredAt, kind: event.type.replace(/^incident\./, ''), summary: describeEvent(event), agent: event.agent });
    this.observed.sort((a, b) => a.at.localeCompare(b.at));
    return true;
  }

  /**
   * One GitHub webhook delivery about the postmortem's PR: a redelivery (same X-GitHub-Delivery) or news
   * about another PR is only counted; then false. Before the review starts, events are kept for it.
   */
  recordPullRequestEvent(event: PullRequestEvent): boolean {
    const review = this.status.review;
    const url = this.status.pullRequestUrl;
    if (this.seenPullRequestDeliveries.includes(event.deliveryId) || (url && normaliseUrl(event.pullRequestUrl) !== normaliseUrl(url))) {
      if (review) review.duplicateDeliveries++;
      return false;
    }
    this.seenPullRequestDeliveries.push(event.deliveryId);
    if (this.seenPullRequestDeliveries.length > REMEMBERED_DELIVERIES) this.seenPullRequestDeliveries.shift();
    if (review) review.deliveries++;
    this.pullRequestEvents.push(event);
    if (this.pullRequestEvents.length > REMEMBERED_DELIVERIES) this.pullRequestEvents.shift();
    return true;
  }

  /** What the evidence activity is asked with: the incident as known, and what the webhooks said. */
  evidenceRequest(): CollectContextInput {
    return { incident: this.incident, observed: [...this.observed], observedNotes: [...this.observedNotes] };
  }

  /** The pack built from the webhooks alone, when PagerDuty's REST API cannot be asked. */
  webhookOnlyContext(limitation: string): IncidentContext {
    return {
      source: 'webhook_only',
      limitation,
      incident: this.incident,
      timeline: [...this.observed],
      alerts: [],
      notes: [...this.observedNotes],
      changeEvents: [],
      omitted: {},
      collectedAt: this.lifecycleAt || this.snapshotAt,
    };
  }

  /** Takes in a collected pack: the API's view of the incident, without undoing what the webhooks decided. */
  applyContext(context: IncidentContext): void {
    this.incident = mergeSnapshot(this.incident, { ...context.incident, resolvedAt: this.incident.resolvedAt ?? context.incident.resolvedAt, mergedInto: this.incident.mergedInto });
    this.status.contextSource = context.source;
    this.status.contextLimitation = context.limitation;
    this.packRedactions = context.redactions ?? {};
    this.status.redactions = mergeReports(this.eventRedactions, this.packRedactions);
  }

  /** A run continued as new takes over the status its predecessor showed. */
  restore(status: PostmortemStatus): void {
    const { incidentId: _id, phase, title, service, priority, urgency, incidentUrl, resolvedAt, mergedInto, ...fields } = status;
    this.phase = phase;
    this.incident = {
      ...this.incident,
      ...(title ? { title } : {}),
      ...(service ? { service: { id: '', name: service } } : {}),
      ...(priority ? { priority } : {}),
      ...(urgency ? { urgency } : {}),
      ...(incidentUrl ? { htmlUrl: incidentUrl } : {}),
      ...(resolvedAt ? { resolvedAt } : {}),
      ...(mergedInto ? { mergedInto } : {}),
    };
    this.resolved = resolvedAt !== undefined;
    this.draftingStarted = true;
    Object.assign(this.status, fields);
  }

  current(): PostmortemStatus {
    const { incident } = this;
    return {
      incidentId: this.incidentId,
      phase: this.phase,
      title: incident.title,
      service: incident.service?.name,
      priority: incident.priority,
      urgency: incident.urgency,
      incidentUrl: incident.htmlUrl,
      resolvedAt: incident.resolvedAt,
      mergedInto: incident.mergedInto,
      ...this.status,
    };
  }
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/[?#].*$/, '').replace(/\/+$/, '').toLowerCase();
}

function isLifecycleEvent(event: IncidentEvent): boolean {
  return ['incident.acknowledged', 'incident.unacknowledged', 'incident.resolved', 'incident.reopened'].includes(event.type);
}

function pushBounded<T>(list: T[], item: T) {
  list.push(item);
  if (list.length > OBSERVED_LIMIT) list.shift();
}

function describeEvent(event: IncidentEvent): string {
  switch (event.type) {
    case 'incident.priority_updated':
      return `Priority set to ${event.incident.priority ?? 'none'}`;
    case 'incident.annotated':
      return 'Note added';
    default:
      return `Incident ${event.type.replace(/^incident\./, '')}`;
  }
}
