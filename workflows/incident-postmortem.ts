// One durable workflow per PagerDuty incident, read top to bottom as the incident's lifecycle:
// acknowledged → collect evidence → wait for resolution → quiet period → refresh evidence →
// start a Devin session → watch it until its pull request is open.
// Deterministic code only: all I/O lives in ../activities.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { RetryState, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { IncidentNoteKind, PostmortemActivities, PostmortemReport, SessionMessageKind, SessionSituation, SessionStart } from '../activities';
import { formatDuration } from '../src/domain/duration';
import type {
  IncidentContext,
  IncidentEvent,
  IncidentNote,
  IncidentSnapshot,
  Phase,
  PostmortemResult,
  PostmortemStatus,
  TimelineEntry,
} from '../src/domain/incident';
import { cancelSignal, incidentEventSignal, type OperatorNote, retrySignal, skipSignal, statusQuery } from '../src/domain/messages';
import { describeReport, mergeReports, type RedactionReport } from '../src/postmortem/redaction';
import { routePostmortem } from '../src/domain/routing';
import { IncidentPriority, PagerDutyIncidentId, PagerDutyService, PostmortemPhase } from '../src/domain/search-attributes';

export interface IncidentPostmortemInput {
  incidentId: string;
}

/** Redeliveries are recognised by id; this many ids are remembered (PagerDuty sends a few dozen per incident). */
const REMEMBERED_DELIVERIES = 500;
const OBSERVED_LIMIT = 300;
/** A suspended-for-inactivity session is woken at most this many times. */
const MAX_RESUMES = 3;
/** LATE_RESOLUTION_GRACE's default, for settings recorded before it existed. */
const DEFAULT_LATE_RESOLUTION_GRACE_MS = 3_600_000;

// Evidence: bounded retries, then the workflow goes on with what the webhooks said.
const pagerDuty = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 },
});

// Devin: an outage must not lose the postmortem, so retry (with the activity's jittered backoff) for a day.
const devin = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const local = proxyActivities<PostmortemActivities>({ startToCloseTimeout: '30 seconds' });

/** Ends the lifecycle early with phase `skipped`. */
class Skipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function incidentPostmortem(input: IncidentPostmortemInput): Promise<PostmortemResult> {
  // ---- What the workflow knows, kept current by signals ----
  let incident: IncidentSnapshot = { id: input.incidentId };
  let snapshotAt = '';
  let lifecycleAt = '';
  let resolved = false;
  let phase: Phase = 'collecting_context';
  const status: Omit<PostmortemStatus, 'phase' | 'incidentId'> = {
    dryRun: false,
    eventsReceived: 0,
    duplicatesIgnored: 0,
    reopenedAfterDraft: 0,
    writeBack: [],
    redactions: {},
  };
  // Counted per delivery at the bridge, and per pack in the activity (the latest pack replaces the earlier one).
  let eventRedactions: RedactionReport = {};
  let packRedactions: RedactionReport = {};
  const seenDeliveries: string[] = [];
  const observed: TimelineEntry[] = [];
  const observedNotes: IncidentNote[] = [];
  let operatorDecision: 'retry' | 'skip' | undefined;
  let operatorReason: string | undefined;
  let sessionId: string | undefined;
  let draftingStarted = false;
  const sessionMessages: { kind: SessionMessageKind; at?: string }[] = [];

  const currentStatus = (): PostmortemStatus => ({
    incidentId: input.incidentId,
    phase,
    title: incident.title,
    service: incident.service?.name,
    priority: incident.priority,
    urgency: incident.urgency,
    incidentUrl: incident.htmlUrl,
    resolvedAt: incident.resolvedAt,
    mergedInto: incident.mergedInto,
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

  function recordEvent(event: IncidentEvent) {
    const keys = [`event:${event.eventId}`, ...(event.webhookId ? [`webhook:${event.webhookId}`] : [])];
    if (keys.some((key) => seenDeliveries.includes(key))) {
      status.duplicatesIgnored++;
      return;
    }
    for (const key of keys) {
      seenDeliveries.push(key);
      if (seenDeliveries.length > REMEMBERED_DELIVERIES) seenDeliveries.shift();
    }
    status.eventsReceived++;
    if (event.redactions) {
      eventRedactions = mergeReports(eventRedactions, event.redactions);
      status.redactions = mergeReports(eventRedactions, packRedactions);
    }

    // Newer facts win; older deliveries only fill gaps. Order is judged by occurred_at, not arrival.
    const newer = event.occurredAt >= snapshotAt;
    incident = newer ? mergeSnapshot(incident, event.incident) : mergeSnapshot(event.incident, incident);
    if (newer) snapshotAt = event.occurredAt;

    if (isLifecycleEvent(event) && event.occurredAt >= lifecycleAt) {
      lifecycleAt = event.occurredAt;
      const wasResolved = resolved;
      resolved = event.type === 'incident.resolved';
      incident = { ...incident, resolvedAt: resolved ? event.occurredAt : undefined };
      if (!resolved) incident = { ...incident, mergedInto: undefined };
      if (event.type === 'incident.reopened' && wasResolved && draftingStarted) {
        // Drafting has begun (the session may still be starting): tell it, never start a second one.
        status.reopenedAfterDraft++;
        sessionMessages.push({ kind: 'reopened', at: event.occurredAt });
      }
    }
    if (event.type === 'incident.acknowledged' && (!status.acknowledgedAt || event.occurredAt < status.acknowledgedAt)) {
      status.acknowledgedAt = event.occurredAt;
    }
    if (event.type === 'incident.annotated' && event.note) {
      pushBounded(observedNotes, { at: event.occurredAt, author: event.agent, content: event.note });
    }
    pushBounded(observed, { at: event.occurredAt, kind: event.type.replace(/^incident\./, ''), summary: describeEvent(event), agent: event.agent });
    observed.sort((a, b) => a.at.localeCompare(b.at));
    publish();
  }

  // Buffered signals are delivered as soon as a handler is set, so everything above comes first.
  const lifecycle = new CancellationScope();
  setHandler(statusQuery, currentStatus);
  setHandler(incidentEventSignal, recordEvent);
  setHandler(retrySignal, (note?: OperatorNote) => {
    if (phase !== 'needs_attention') return;
    operatorDecision = 'retry';
    operatorReason = note?.reason;
  });
  setHandler(skipSignal, (note?: OperatorNote) => {
    if (phase !== 'needs_attention') return;
    operatorDecision = 'skip';
    operatorReason = note?.reason;
  });
  setHandler(cancelSignal, (note?: OperatorNote) => {
    operatorReason = note?.reason;
    lifecycle.cancel();
  });

  // A function, so the type checker does not assume the signal handlers never ran.
  const pendingDecision = (): 'retry' | 'skip' | undefined => operatorDecision;

  /** Parks the incident in `needs_attention` with the reason until an operator says retry or skip. */
  async function askOperator(step: string, error: unknown): Promise<'retry' | 'skip'> {
    const resumeIn = phase;
    status.lastError = `${step}: ${failureMessage(error)}`;
    operatorDecision = undefined;
    enter('needs_attention');
    await condition(() => operatorDecision !== undefined);
    const decision = pendingDecision() ?? 'retry';
    operatorDecision = undefined;
    if (decision === 'retry') status.lastError = undefined;
    enter(resumeIn);
    return decision;
  }

  /** Runs a step; a failure that retries could not fix waits for an operator instead of failing the incident. */
  async function attempt<T>(step: string, work: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (isCancellation(error)) throw error;
        if ((await askOperator(step, error)) === 'skip') return undefined;
      }
    }
  }

  async function collectContext(summary: string): Promise<IncidentContext> {
    const request = { incident, observed: [...observed], observedNotes: [...observedNotes] };
    const fromWebhooks = (limitation: string): IncidentContext => ({
      source: 'webhook_only',
      limitation,
      incident,
      timeline: [...observed],
      alerts: [],
      notes: [...observedNotes],
      changeEvents: [],
      omitted: {},
      collectedAt: lifecycleAt || snapshotAt,
    });
    const context = await attempt(summary, async () => {
      try {
        return await pagerDuty.collectIncidentContext.executeWithOptions({ summary }, [request]);
      } catch (error) {
        // A rejected token or a missing incident needs a human; an outage only costs some evidence.
        if (failureType(error) === 'ExternalServiceRejected' || isCancellation(error)) throw error;
        return fromWebhooks(`PagerDuty context unavailable (${failureMessage(error)}); built from webhook data alone`);
      }
    });
    const result = context ?? fromWebhooks('PagerDuty context skipped by an operator; built from webhook data alone');
    incident = mergeSnapshot(incident, { ...result.incident, resolvedAt: incident.resolvedAt ?? result.incident.resolvedAt, mergedInto: incident.mergedInto });
    status.contextSource = result.source;
    status.contextLimitation = result.limitation;
    packRedactions = result.redactions ?? {};
    status.redactions = mergeReports(eventRedactions, packRedactions);
    publish();
    return result;
  }

  async function sendToSession(kind: SessionMessageKind, at?: string) {
    if (!sessionId) return;
    const summary = { nudge: 'Nudge Devin to continue', follow_up: 'Ask Devin for the pull request', resume: 'Resume the suspended session', reopened: 'Tell Devin the incident reopened' }[kind];
    await devin.sendSessionMessage.executeWithOptions({ summary }, [{ sessionId, kind, incidentId: input.incidentId, at }]);
  }

  /** Watches the session until its PR is open, answering what Devin needs along the way. */
  async function watchSession(
    session: Extract<SessionStart, { dryRun: false }>,
    pollIntervalMs: number,
    maxWaitMs: number,
  ): Promise<{ url: string; report?: PostmortemReport }> {
    let deadline = Date.now() + maxWaitMs;
    // Time spent waiting for an operator does not count against DEVIN_MAX_WAIT.
    const askOperatorWhileWatching = async (step: string, error: unknown) => {
      const parkedAt = Date.now();
      const decision = await askOperator(step, error);
      deadline += Date.now() - parkedAt;
      return decision;
    };
    // A message Devin refuses (a rotated key, a session it no longer accepts messages for) waits for an
    // operator like any other rejected call; `skip` goes on without the message.
    const message = async (kind: SessionMessageKind) => {
      for (;;) {
        try {
          return await sendToSession(kind);
        } catch (error) {
          if (isCancellation(error)) throw error;
          if ((await askOperatorWhileWatching(`Message the Devin session (${kind.replace('_', '-')})`, error)) === 'skip') return;
        }
      }
    };
    const answered: SessionSituation[] = [];
    let followedUp = false;
    let resumes = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      const noPullRequest = `No pull request within DEVIN_MAX_WAIT (${formatDuration(maxWaitMs)}); Devin session ${session.sessionUrl ?? session.sessionId}`;
      if (remaining <= 0) throw new PostmortemFailed(noPullRequest);
      const poll = proxyActivities<PostmortemActivities>({
        startToCloseTimeout: '1 minute',
        scheduleToCloseTimeout: remaining,
        retry: { initialInterval: pollIntervalMs, backoffCoefficient: 1, maximumInterval: pollIntervalMs },
      });
      let observation;
      try {
        observation = await poll.waitForPullRequest.executeWithOptions({ summary: 'Wait for pull request' }, [{ sessionId: session.sessionId, ignore: [...answered] }]);
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT)) {
          throw new PostmortemFailed(noPullRequest);
        }
        if ((await askOperatorWhileWatching('Wait for pull request', error)) === 'skip') throw new Skipped(`skipped by an operator while waiting for the pull request${operatorReason ? `: ${operatorReason}` : ''}`);
        continue;
      }
      switch (observation.kind) {
        case 'published':
          return { url: observation.url, report: observation.report };
        case 'waiting_for_user':
          answered.push('waiting_for_user'); // one nudge, then keep polling
          await message('nudge');
          break;
        case 'finished_without_pr':
          if (followedUp) throw new PostmortemFailed(`Devin session ${session.sessionUrl ?? session.sessionId} ended (${observation.status}${observation.detail ? `/${observation.detail}` : ''}) without opening a pull request, even after being asked for it`);
          followedUp = true;
          await message('follow_up');
          await sleep(pollIntervalMs, { summary: 'Give Devin time to open the pull request' });
          break;
        case 'inactive':
          if (resumes >= MAX_RESUMES) {
            const error = new Error(`Devin session ${session.sessionUrl ?? session.sessionId} went idle ${resumes + 1} times without a pull request`);
            if ((await askOperatorWhileWatching('Wait for pull request', error)) === 'skip') throw new Skipped('skipped by an operator: the session kept going idle');
            resumes = 0;
          }
          resumes++;
          await message('resume');
          await sleep(pollIntervalMs, { summary: 'Give the session time to resume' });
          break;
      }
    }
  }

  /** Notes on the PagerDuty incident and the Slack line: useful, never worth blocking the postmortem for. */
  async function writeBack(kind: IncidentNoteKind, destination: 'repo' | 'wiki', writeBackOff: string | undefined, url?: string) {
    const label = kind === 'drafting' ? 'drafting note' : 'review note';
    if (writeBackOff) {
      if (!status.writeBack.some((line) => line.startsWith('PagerDuty notes off'))) status.writeBack.push(`PagerDuty notes off: ${writeBackOff}`);
    } else {
      try {
        const { posted } = await pagerDuty.writeBackToIncident.executeWithOptions(
          { summary: kind === 'drafting' ? 'Note on PagerDuty: drafting started' : 'Note on PagerDuty: postmortem ready' },
          [{ incidentId: input.incidentId, kind, sessionUrl: status.devinSessionUrl, url, destination }],
        );
        status.writeBack.push(`PagerDuty ${label} ${posted ? 'posted' : 'already there'}`);
      } catch (error) {
        if (isCancellation(error)) throw error;
        status.writeBack.push(`PagerDuty ${label} failed: ${failureMessage(error)}`);
      }
    }
    publish();
  }

  async function announce(url: string, destination: 'repo' | 'wiki') {
    try {
      await devin.announceOnSlack.executeWithOptions({ summary: 'Announce on Slack' }, [{ incidentId: input.incidentId, title: incident.title, url, destination }]);
      status.writeBack.push('Slack message sent');
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.writeBack.push(`Slack message failed: ${failureMessage(error)}`);
    }
    publish();
  }

  // Messages for the session (a reopening) go out alongside the polling, in order.
  let sessionFinished = false;
  async function deliverSessionMessages() {
    for (;;) {
      await condition(() => sessionMessages.length > 0 || sessionFinished);
      const next = sessionMessages.shift();
      if (!next) return;
      try {
        await sendToSession(next.kind, next.at);
      } catch (error) {
        if (isCancellation(error)) return;
        status.lastError = `Could not tell the Devin session about the reopening: ${failureMessage(error)}`;
        publish();
      }
    }
  }

  async function lifecycleSteps(): Promise<PostmortemResult> {
    // ---- 1. Acknowledged (or resolved straight away): the first event started us ----
    await condition(() => status.eventsReceived > 0);
    const settings = await local.getPostmortemSettings.executeWithOptions({ summary: 'Read postmortem settings' }, []);
    enter('collecting_context');
    await collectContext('Fetch PagerDuty incident, timeline, alerts, notes and changes');
    if (!lifecycleAt && incident.status === 'resolved') {
      // Started by a note or a priority change on an incident PagerDuty shows resolved. Its resolution event
      // may be behind (in a retry); if it never comes, the incident was resolved before this service watched
      // it, or its earlier workflow is past retention: not ours to draft.
      const graceMs = settings.lateResolutionGraceMs ?? DEFAULT_LATE_RESOLUTION_GRACE_MS;
      enter('awaiting_resolution');
      const arrived = await condition(() => lifecycleAt !== '', graceMs, {
        summary: `Wait ${formatDuration(graceMs)} for the resolution of an incident PagerDuty shows resolved`,
      });
      if (!arrived) {
        throw new Skipped(
          `started by a note or priority change on an incident PagerDuty shows resolved${incident.resolvedAt ? ` at ${incident.resolvedAt}` : ''}, ` +
            `and no acknowledgement or resolution was delivered within LATE_RESOLUTION_GRACE (${formatDuration(graceMs)}): it was resolved before this service watched it ` +
            '(or its earlier postmortem workflow is past retention). `postmortem backfill` drafts postmortems for such incidents.',
        );
      }
    }

    // ---- 2. Wait for resolution, however long it takes; a reopen in the quiet period waits again ----
    for (;;) {
      if (!resolved) {
        enter('awaiting_resolution');
        await condition(() => resolved);
      }
      if (incident.mergedInto || settings.quietPeriodMs <= 0) break;
      enter('quiet_period');
      const reopened = await condition(() => !resolved, settings.quietPeriodMs, {
        summary: `Quiet period (${formatDuration(settings.quietPeriodMs)}) in case the incident reopens`,
      });
      if (!reopened) break;
    }
    if (incident.mergedInto) throw new Skipped(`merged into incident ${incident.mergedInto}, whose postmortem covers it`);

    // ---- 3. Resolved: refresh the evidence and start drafting ----
    draftingStarted = true;
    enter('drafting');
    const context = await collectContext('Refresh PagerDuty timeline after resolution');
    // Severity routing, with the latest priority (webhooks and the refreshed incident).
    const route = routePostmortem(incident, settings.routing);
    status.routing = route.reason;
    if (!route.qualifies) throw new Skipped(route.reason);
    const session = await attempt(settings.dryRun ? 'Write dry-run prompt' : 'Start Devin session', () =>
      devin.startPostmortemSession.executeWithOptions(
        {
          summary: settings.dryRun ? 'Write dry-run prompt (no DEVIN_API_KEY)' : 'Start Devin session',
          // The rate-limited queue of session creation (DEVIN_MAX_SESSIONS_PER_MINUTE).
          taskQueue: settings.sessionTaskQueue,
          startToCloseTimeout: '1 minute',
          scheduleToCloseTimeout: '24 hours',
          retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
        },
        [{ ...context, incident }],
      ),
    );
    if (!session) throw new Skipped(`skipped by an operator before a Devin session started${operatorReason ? `: ${operatorReason}` : ''}`);
    if (session.dryRun) {
      status.dryRun = true;
      status.promptPath = session.promptPath;
      enter('completed');
      return {
        incidentId: input.incidentId,
        outcome: 'dry_run',
        prompt: session.prompt,
        promptPath: session.promptPath,
        skeletonPath: session.skeletonPath,
      };
    }
    sessionId = session.sessionId;
    status.devinSessionId = session.sessionId;
    status.devinSessionUrl = session.sessionUrl;
    publish();
    await writeBack('drafting', settings.destination, settings.writeBackOff);

    // ---- 4. Wait for the pull request ----
    enter('awaiting_pr');
    const messenger = deliverSessionMessages();
    let published: { url: string; report?: PostmortemReport };
    try {
      published = await watchSession(session, settings.pollIntervalMs, settings.maxWaitMs);
    } finally {
      sessionFinished = true;
      await messenger;
    }
    if (settings.destination === 'wiki') status.pageUrl = published.url;
    else status.pullRequestUrl = published.url;
    status.lastError = undefined;
    publish();

    // ---- 5. Tell the responders where it is, then done ----
    await writeBack('published', settings.destination, settings.writeBackOff, published.url);
    if (settings.slack) await announce(published.url, settings.destination);
    enter('completed');
    const report = published.report;
    return {
      incidentId: input.incidentId,
      outcome: settings.destination === 'wiki' ? 'page_published' : 'pull_request_opened',
      ...(settings.destination === 'wiki' ? { pageUrl: published.url } : { pullRequestUrl: published.url }),
      devinSessionId: session.sessionId,
      devinSessionUrl: session.sessionUrl,
      ...(report
        ? { postmortem: { path: report.postmortemPath, rootCause: report.rootCause, rootCauseConfirmed: report.rootCauseConfirmed, actionItems: report.actionItems } }
        : {}),
    };
  }

  try {
    return await lifecycle.run(lifecycleSteps);
  } catch (error) {
    const skipReason =
      error instanceof Skipped ? error.reason : isCancellation(error) ? `cancelled by an operator${operatorReason ? `: ${operatorReason}` : ''}` : undefined;
    if (skipReason) {
      status.skipReason = skipReason;
      enter('skipped');
      return { incidentId: input.incidentId, outcome: 'skipped', skipReason, devinSessionId: status.devinSessionId, devinSessionUrl: status.devinSessionUrl };
    }
    if (error instanceof PostmortemFailed) {
      status.lastError = error.message;
      enter('failed');
      throw ApplicationFailure.create({ type: 'PostmortemFailed', message: error.message, nonRetryable: true });
    }
    // Not expected: still leave the phase and the reason where operators look before failing.
    status.lastError = `Unexpected failure in phase ${phase}: ${failureMessage(error)}`;
    enter('failed');
    throw error;
  }
}

class PostmortemFailed extends Error {}

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
      return 'Note added';
    default:
      return `Incident ${event.type.replace(/^incident\./, '')}`;
  }
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
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
  if (status.pageUrl) lines.push(`**Postmortem page:** ${link(status.pageUrl, status.pageUrl)}`);
  if (status.routing) lines.push(`**Routing:** ${status.routing}`);
  if (status.writeBack.length > 0) lines.push(`**Write-back:** ${status.writeBack.join('; ')}`);
  if (status.dryRun) lines.push(`**Dry run:** prompt written to \`${status.promptPath ?? '?'}\` (no DEVIN_API_KEY)`);
  if (status.reopenedAfterDraft > 0) lines.push(`**Reopened after drafting started:** ${status.reopenedAfterDraft}× (the session was told)`);
  if (Object.keys(status.redactions).length > 0) lines.push(`**Redacted before storage:** ${describeReport(status.redactions)}`);
  if (status.skipReason) lines.push(`**Skipped:** ${status.skipReason}`);
  if (status.lastError) lines.push(`**Last error:** ${status.lastError}`);
  if (status.phase === 'needs_attention') {
    lines.push('Fix the cause, then signal `retry` (or `skip`, or `cancel`): `temporal workflow signal --workflow-id incident-' + status.incidentId + ' --name retry`');
  }
  lines.push(`Events received: ${status.eventsReceived}, duplicates ignored: ${status.duplicatesIgnored}`);
  return lines.join('\n\n');
}
