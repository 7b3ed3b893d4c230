// One durable workflow per PagerDuty incident, read top to bottom as the incident's lifecycle:
// acknowledged → collect evidence → wait for resolution → refresh evidence → start a Devin session →
// wait for its pull request. Deterministic code only: all I/O lives in ../activities.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { RetryState, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { PostmortemActivities } from '../activities';
import { formatDuration } from '../src/duration';
import type {
  IncidentContext,
  IncidentEvent,
  IncidentNote,
  IncidentSnapshot,
  Phase,
  PostmortemResult,
  PostmortemStatus,
  TimelineEntry,
} from '../src/incident';
import { incidentEventSignal, statusQuery } from '../src/messages';
import { IncidentPriority, PagerDutyIncidentId, PagerDutyService, PostmortemPhase } from '../src/search-attributes';

export interface IncidentPostmortemInput {
  incidentId: string;
}

/** Redeliveries are recognised by id; this many ids are remembered (PagerDuty sends a few dozen per incident). */
const REMEMBERED_DELIVERIES = 500;
const OBSERVED_LIMIT = 300;

const pagerDuty = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 8 },
});

const devin = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

const settingsActivity = proxyActivities<PostmortemActivities>({ startToCloseTimeout: '30 seconds' });

export async function incidentPostmortem(input: IncidentPostmortemInput): Promise<PostmortemResult> {
  // ---- What the workflow knows, kept current by signals ----
  let incident: IncidentSnapshot = { id: input.incidentId };
  let snapshotAt = '';
  let lifecycleAt = '';
  let resolved = false;
  let phase: Phase = 'collecting_context';
  const status: Omit<PostmortemStatus, 'phase' | 'incidentId'> = { dryRun: false, eventsReceived: 0, duplicatesIgnored: 0 };
  const seenDeliveries: string[] = [];
  const observed: TimelineEntry[] = [];
  const observedNotes: IncidentNote[] = [];

  const remember = (key: string) => {
    seenDeliveries.push(key);
    if (seenDeliveries.length > REMEMBERED_DELIVERIES) seenDeliveries.shift();
  };

  const currentStatus = (): PostmortemStatus => ({
    incidentId: input.incidentId,
    phase,
    title: incident.title,
    service: incident.service?.name,
    priority: incident.priority,
    urgency: incident.urgency,
    incidentUrl: incident.htmlUrl,
    resolvedAt: incident.resolvedAt,
    ...status,
  });
  // Search attributes and the UI's status panel follow every change.
  let published = '';
  function publish() {
    const pairs: SearchAttributeUpdatePair[] = [
      { key: PagerDutyIncidentId, value: input.incidentId },
      { key: PostmortemPhase, value: phase },
    ];
    if (incident.service?.name) pairs.push({ key: PagerDutyService, value: incident.service.name });
    if (incident.priority) pairs.push({ key: IncidentPriority, value: incident.priority });
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint !== published) {
      upsertSearchAttributes(pairs);
      published = fingerprint;
    }
    setCurrentDetails(renderDetails(currentStatus()));
  }

  function enter(next: Phase) {
    phase = next;
    publish();
  }

  // Buffered signals are delivered as soon as the handler is set, so everything above comes first.
  setHandler(statusQuery, currentStatus);
  setHandler(incidentEventSignal, (event: IncidentEvent) => {
    const keys = [`event:${event.eventId}`, ...(event.webhookId ? [`webhook:${event.webhookId}`] : [])];
    if (keys.some((key) => seenDeliveries.includes(key))) {
      status.duplicatesIgnored++;
      return;
    }
    keys.forEach(remember);
    status.eventsReceived++;

    // Newer facts win; older deliveries only fill gaps. Order is judged by occurred_at, not arrival.
    const newer = event.occurredAt >= snapshotAt;
    incident = newer ? mergeSnapshot(incident, event.incident) : mergeSnapshot(event.incident, incident);
    if (newer) snapshotAt = event.occurredAt;

    if (isLifecycleEvent(event) && event.occurredAt >= lifecycleAt) {
      lifecycleAt = event.occurredAt;
      resolved = event.type === 'incident.resolved';
      incident = { ...incident, resolvedAt: resolved ? event.occurredAt : undefined };
    }
    if (event.type === 'incident.acknowledged' && (!status.acknowledgedAt || event.occurredAt < status.acknowledgedAt)) {
      status.acknowledgedAt = event.occurredAt;
    }
    if (event.type === 'incident.annotated' && event.note) {
      pushBounded(observedNotes, { at: event.occurredAt, author: event.agent, content: event.note });
    }
    pushBounded(observed, {
      at: event.occurredAt,
      kind: event.type.replace(/^incident\./, ''),
      summary: describeEvent(event),
      agent: event.agent,
    });
    observed.sort((a, b) => a.at.localeCompare(b.at));
    publish();
  });

  async function collectContext(summary: string): Promise<IncidentContext> {
    const request = { incident, observed: [...observed], observedNotes: [...observedNotes] };
    try {
      return await pagerDuty.collectIncidentContext.executeWithOptions({ summary }, [request]);
    } catch (error) {
      // Missing evidence never blocks the postmortem: fall back to what the webhooks said, and say so.
      const reason = `PagerDuty context unavailable (${failureMessage(error)}); built from webhook data alone`;
      return {
        source: 'webhook_only',
        limitation: reason,
        incident,
        timeline: [...observed],
        alerts: [],
        notes: [...observedNotes],
        changeEvents: [],
        omitted: {},
        collectedAt: lifecycleAt || snapshotAt,
      };
    }
  }

  function noteContext(context: IncidentContext) {
    incident = mergeSnapshot(incident, { ...context.incident, resolvedAt: incident.resolvedAt ?? context.incident.resolvedAt });
    status.contextSource = context.source;
    status.contextLimitation = context.limitation;
    publish();
  }

  async function fail(message: string): Promise<never> {
    status.lastError = message;
    enter('failed');
    throw ApplicationFailure.create({ type: 'PostmortemFailed', message, nonRetryable: true });
  }

  // ---- 1. Acknowledged (or resolved straight away): the first event started us ----
  await condition(() => status.eventsReceived > 0);
  enter('collecting_context');
  noteContext(await collectContext('Fetch PagerDuty incident, timeline, alerts, notes and changes'));

  // ---- 2. Wait for resolution, however long the incident lasts ----
  if (!resolved) {
    enter('awaiting_resolution');
    await condition(() => resolved);
  }

  // ---- 3. Resolved: refresh the evidence and start drafting ----
  enter('drafting');
  const context = await collectContext('Refresh PagerDuty timeline after resolution');
  noteContext(context);
  const settings = await settingsActivity.getPostmortemSettings.executeWithOptions({ summary: 'Read postmortem settings' }, []);

  let session;
  try {
    session = await devin.startPostmortemSession.executeWithOptions(
      { summary: settings.dryRun ? 'Write dry-run prompt (no DEVIN_API_KEY)' : 'Start Devin session' },
      [{ ...context, incident }],
    );
  } catch (error) {
    return fail(`Could not start the Devin session: ${failureMessage(error)}`);
  }

  if (session.dryRun) {
    status.dryRun = true;
    status.promptPath = session.promptPath;
    enter('completed');
    return { incidentId: input.incidentId, outcome: 'dry_run', prompt: session.prompt, promptPath: session.promptPath };
  }

  status.devinSessionId = session.sessionId;
  status.devinSessionUrl = session.sessionUrl;

  // ---- 4. Wait for the pull request: each poll is a retry of one activity, so history stays small ----
  enter('awaiting_pr');
  const poll = proxyActivities<PostmortemActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: settings.maxWaitMs,
    retry: {
      initialInterval: settings.pollIntervalMs,
      backoffCoefficient: 1,
      maximumInterval: settings.pollIntervalMs,
      nonRetryableErrorTypes: ['SessionEndedWithoutPullRequest', 'ConfigurationMissing'],
    },
  });
  try {
    const { pullRequestUrl } = await poll.waitForPullRequest.executeWithOptions({ summary: 'Wait for pull request' }, [
      session.sessionId,
    ]);
    status.pullRequestUrl = pullRequestUrl;
  } catch (error) {
    if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT)) {
      return fail(`No pull request within DEVIN_MAX_WAIT (${formatDuration(settings.maxWaitMs)}); Devin session ${session.sessionUrl ?? session.sessionId}`);
    }
    return fail(failureMessage(error));
  }

  // ---- 5. Done ----
  enter('completed');
  return {
    incidentId: input.incidentId,
    outcome: 'pull_request_opened',
    pullRequestUrl: status.pullRequestUrl,
    devinSessionId: session.sessionId,
    devinSessionUrl: session.sessionUrl,
  };
}

function isLifecycleEvent(event: IncidentEvent): boolean {
  return ['incident.acknowledged', 'incident.unacknowledged', 'incident.resolved', 'incident.reopened'].includes(event.type);
}

/** Fields present in `update` replace those in `base`; absent ones keep what was known. */
function mergeSnapshot(base: IncidentSnapshot, update: IncidentSnapshot): IncidentSnapshot {
  const merged: IncidentSnapshot = { ...base };
  for (const [key, value] of Object.entries(update) as [keyof IncidentSnapshot, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
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
      return `Note added`;
    default:
      return `Incident ${event.type.replace(/^incident\./, '')}`;
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function link(label: string, url: string | undefined): string {
  return url ? `[${label}](${url})` : label;
}

/** The "Current Details" panel in the Temporal UI. */
function renderDetails(status: PostmortemStatus): string {
  const lines = [`### ${status.phase.replace(/_/g, ' ')}`];
  const facts = [status.priority, status.urgency && `${status.urgency} urgency`, status.service].filter(Boolean).join(' · ');
  lines.push(`**Incident:** ${link(status.title ?? status.incidentId, status.incidentUrl)}${facts ? ` — ${facts}` : ''}`);
  if (status.acknowledgedAt) lines.push(`**Acknowledged:** ${status.acknowledgedAt}`);
  if (status.resolvedAt) lines.push(`**Resolved:** ${status.resolvedAt}`);
  if (status.contextSource) {
    const source = status.contextSource === 'pagerduty_api' ? 'PagerDuty REST API' : 'webhook data only';
    lines.push(`**Evidence:** ${source}${status.contextLimitation ? ` — ${status.contextLimitation}` : ''}`);
  }
  if (status.devinSessionId) lines.push(`**Devin session:** ${link(status.devinSessionId, status.devinSessionUrl)}`);
  if (status.pullRequestUrl) lines.push(`**Pull request:** ${link(status.pullRequestUrl, status.pullRequestUrl)}`);
  if (status.dryRun) lines.push(`**Dry run:** prompt written to \`${status.promptPath ?? '?'}\` (no DEVIN_API_KEY)`);
  if (status.lastError) lines.push(`**Last error:** ${status.lastError}`);
  lines.push(`Events received: ${status.eventsReceived}, duplicates ignored: ${status.duplicatesIgnored}`);
  return lines.join('\n\n');
}
