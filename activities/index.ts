// The activities the incident workflow calls, bound to the worker's configuration. Credentials stay
// here, in the worker process: they never travel through workflow inputs, results or history.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerConfig } from '../src/config';
import type { ExternalEvidence, IncidentContext } from '../src/domain/incident';
import { buildPostmortemPrompt, POSTMORTEM_OUTPUT_SCHEMA, postmortemPath, sessionTags, sessionTitle } from '../src/postmortem/prompt';
import { Redactor } from '../src/postmortem/redaction';
import type { RoutingRules } from '../src/domain/routing';
import { renderPostmortemSkeleton } from '../src/postmortem/skeleton';
import { postToSlack } from '../src/integrations/slack/client';
import { DevinClient, judgeSession, type SessionObservation, type SessionSituation } from '../src/integrations/devin/client';
import { collectDatadogEvidence } from '../src/integrations/datadog/evidence';
import { type CollectContextInput, contextFromApi, contextFromWebhooks, PagerDutyClient, SECONDARY_LIST_ATTEMPTS } from '../src/integrations/pagerduty/evidence';
import { collectSentryEvidence } from '../src/integrations/sentry/evidence';

export type { CollectContextInput } from '../src/integrations/pagerduty/evidence';
export type { PostmortemReport, SessionObservation, SessionSituation } from '../src/integrations/devin/client';

/** Non-secret settings the workflow needs for its timers and retry policies. */
export interface PostmortemSettings {
  pollIntervalMs: number;
  maxWaitMs: number;
  quietPeriodMs: number;
  /** Absent in histories recorded before it existed. */
  lateResolutionGraceMs?: number;
  dryRun: boolean;
  routing: RoutingRules;
  destination: 'repo' | 'wiki';
  /** Why PagerDuty notes are not written, when they are not. */
  writeBackOff?: string;
  slack: boolean;
  /** Where session creation runs, rate-limited (DEVIN_MAX_SESSIONS_PER_MINUTE). */
  sessionTaskQueue: string;
}

/** Notes the workflow leaves on the PagerDuty incident, each exactly once. */
export type IncidentNoteKind = 'drafting' | 'published';

export interface WriteBackRequest {
  incidentId: string;
  kind: IncidentNoteKind;
  sessionUrl?: string;
  url?: string;
  destination: 'repo' | 'wiki';
}

/** Why the workflow writes to a running session. */
export type SessionMessageKind = 'nudge' | 'follow_up' | 'resume' | 'reopened';

export interface SessionMessageRequest {
  sessionId: string;
  kind: SessionMessageKind;
  incidentId: string;
  /** For `reopened`: when PagerDuty says it happened. */
  at?: string;
}

export type SessionStart =
  | { dryRun: false; sessionId: string; sessionUrl?: string; adopted: boolean }
  | { dryRun: true; prompt: string; promptPath: string; skeletonPath: string };

/** The marker that makes a note recognisable on a later attempt, so it is posted once. */
export function noteMarker(kind: IncidentNoteKind): string {
  return `[postmortem-pipeline:${kind}]`;
}

export interface Clock {
  now(): Date;
}

function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity (unit tests)
  }
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function createActivities(config: WorkerConfig, clock: Clock = { now: () => new Date() }) {
  const pagerDuty = () => (config.pagerDuty ? new PagerDutyClient(config.pagerDuty, config.httpTimeoutMs, activitySignal(), currentAttempt()) : undefined);
  /** `polling`: transient failures wait for the next poll instead of backing off on their own. */
  const devin = (polling = false) =>
    config.devin ? new DevinClient(config.devin, config.httpTimeoutMs, activitySignal(), polling ? undefined : currentAttempt()) : undefined;
  const requireDevin = (what: string) => {
    const client = devin(what === 'poll');
    if (!client) {
      throw ApplicationFailure.create({
        type: 'ConfigurationMissing',
        message: `DEVIN_API_KEY / DEVIN_ORG_ID are not set on this worker, but a Devin session needs it (${what}); set them and signal retry`,
        nonRetryable: true,
      });
    }
    return client;
  };

  /** Datadog and Sentry, when configured, for the incident's window; a failure is a line, not a block. */
  async function collectExternalEvidence(pack: IncidentContext): Promise<ExternalEvidence[]> {
    const { incident } = pack;
    const from = incident.createdAt ?? pack.timeline[0]?.at;
    if (!from || (!config.datadog && !config.sentry)) return [];
    const window = { from: new Date(Date.parse(from) - 30 * 60_000).toISOString(), to: incident.resolvedAt ?? clock.now().toISOString() };
    const options = { timeoutMs: config.httpTimeoutMs, signal: activitySignal(), attempt: currentAttempt() };
    const guarded = async (source: ExternalEvidence['source'], work: () => Promise<ExternalEvidence>): Promise<ExternalEvidence> => {
      try {
        return await work();
      } catch (error) {
        // Retry an outage a few times with the activity; then say what is missing and go on.
        if (error instanceof ApplicationFailure && !error.nonRetryable && currentAttempt() < SECONDARY_LIST_ATTEMPTS) throw error;
        return { source, items: [], omitted: 0, problem: error instanceof Error ? error.message : String(error) };
      }
    };
    const evidence: ExternalEvidence[] = [];
    const datadog = config.datadog;
    const service = datadog?.serviceTag ?? incident.service?.name;
    if (datadog && service) evidence.push(await guarded('datadog', () => collectDatadogEvidence(datadog, { service, ...window }, undefined, options)));
    const sentry = config.sentry;
    if (sentry) evidence.push(await guarded('sentry', () => collectSentryEvidence(sentry, window, undefined, options)));
    return evidence;
  }

  const messageText = (request: SessionMessageRequest): string => {
    switch (request.kind) {
      case 'nudge':
        return config.devinNudgeMessage;
      case 'follow_up':
        return 'The session ended without a pull request. Please open the pull request with the postmortem file now, and reply with its URL.';
      case 'resume':
        return 'Please resume and finish the postmortem: open the pull request with the postmortem file.';
      case 'reopened':
        return `Heads-up: PagerDuty incident ${request.incidentId} was reopened${request.at ? ` at ${request.at}` : ''}. Keep working in the same pull request and record the reopening in the timeline; do not open a second one.`;
    }
  };

  return {
    async getPostmortemSettings(): Promise<PostmortemSettings> {
      return {
        pollIntervalMs: config.devinPollIntervalMs,
        maxWaitMs: config.devinMaxWaitMs,
        quietPeriodMs: config.resolveQuietPeriodMs,
        lateResolutionGraceMs: config.lateResolutionGraceMs,
        dryRun: !config.devin,
        routing: config.routing,
        destination: config.postmortemDestination,
        writeBackOff: !config.pagerDuty
          ? 'PAGERDUTY_API_TOKEN is not set'
          : !config.pagerDutyFromEmail
            ? 'PAGERDUTY_FROM_EMAIL is not set'
            : undefined,
        slack: Boolean(config.slackWebhookUrl),
        sessionTaskQueue: config.devinSessionTaskQueue,
      };
    },

    /** The evidence pack, redacted here: secrets and personal data never reach history or Devin. */
    async collectIncidentContext(input: CollectContextInput): Promise<IncidentContext> {
      const client = pagerDuty();
      const pack = client
        ? await contextFromApi(client, input, clock.now(), currentAttempt())
        : contextFromWebhooks(input, 'PAGERDUTY_API_TOKEN is not set: built from webhook data alone', clock.now());
      const external = await collectExternalEvidence(pack);
      if (external.length > 0) pack.external = external;
      const redactor = new Redactor({ personalData: config.redactPersonalData });
      const redacted = redactor.deep(pack);
      return { ...redacted, redactions: redactor.report };
    },

    async startPostmortemSession(context: IncidentContext): Promise<SessionStart> {
      const template = config.postmortemTemplate ? await readFile(config.postmortemTemplate, 'utf8') : undefined;
      const prompt = buildPostmortemPrompt(context, { destination: config.postmortemDestination, template });
      const client = devin();
      if (!client) {
        await mkdir(config.postmortemOutputDir, { recursive: true });
        const promptPath = path.join(config.postmortemOutputDir, `${context.incident.id}-dry-run-prompt.md`);
        const skeletonPath = path.join(config.postmortemOutputDir, path.basename(postmortemPath(context)));
        await writeFile(
          promptPath,
          [
            `<!-- DRY RUN: DEVIN_API_KEY is not set, so no Devin session was started. This is the prompt that would have been sent. -->`,
            `# DRY RUN — postmortem prompt for PagerDuty incident ${context.incident.id}`,
            '',
            `Would open: \`${postmortemPath(context)}\` · skeleton rendered to \`${skeletonPath}\``,
            '',
            prompt,
            '',
          ].join('\n'),
        );
        await writeFile(skeletonPath, renderPostmortemSkeleton(context));
        return { dryRun: true, prompt, promptPath, skeletonPath };
      }

      // Devin v3 has no idempotency key: a session tagged with this incident may already exist
      // (an earlier attempt whose response was lost). Adopt it instead of starting a second one.
      const [existing] = await client.sessionsTagged([`pd-incident:${context.incident.id}`]);
      if (existing) return { dryRun: false, sessionId: existing.session_id, sessionUrl: existing.url, adopted: true };

      const session = await client.createSession({
        prompt,
        title: sessionTitle(context),
        tags: sessionTags(context),
        structured_output_schema: POSTMORTEM_OUTPUT_SCHEMA as unknown as Record<string, unknown>,
        ...(config.devinPlaybookId ? { playbook_id: config.devinPlaybookId } : {}),
        ...(config.devinKnowledgeIds.length > 0 ? { knowledge_ids: config.devinKnowledgeIds } : {}),
        ...(config.devinRepos.length > 0 ? { repos: config.devinRepos } : {}),
        ...(config.devinMaxAcu ? { max_acu_limit: config.devinMaxAcu } : {}),
      });
      return { dryRun: false, sessionId: session.session_id, sessionUrl: session.url, adopted: false };
    },

    /** Posts a note on the PagerDuty incident unless an earlier attempt already did (notes are checked first). */
    async writeBackToIncident(request: WriteBackRequest): Promise<{ posted: boolean }> {
      const client = pagerDuty();
      if (!client || !config.pagerDutyFromEmail) return { posted: false };
      const marker = noteMarker(request.kind);
      const notes = await client.notes(request.incidentId);
      if (notes.some((note) => note.content.includes(marker))) return { posted: false };
      const what = request.destination === 'wiki' ? 'page' : 'pull request';
      const content =
        request.kind === 'drafting'
          ? `Postmortem drafting started: Devin session ${request.sessionUrl ?? '(no link)'} ${marker}`
          : `Postmortem ${what} opened for review: ${request.url ?? '(no link)'}${request.sessionUrl ? ` (Devin session ${request.sessionUrl})` : ''} ${marker}`;
      await client.addNote(request.incidentId, content, config.pagerDutyFromEmail);
      return { posted: true };
    },

    async announceOnSlack(request: { incidentId: string; title?: string; url: string; destination: 'repo' | 'wiki' }): Promise<void> {
      if (!config.slackWebhookUrl) return;
      const what = request.destination === 'wiki' ? 'page' : 'pull request';
      await postToSlack(
        config.slackWebhookUrl,
        `Postmortem ${what} for PagerDuty incident ${request.incidentId}${request.title ? ` (${request.title})` : ''} is ready for review: ${request.url}`,
        config.httpTimeoutMs,
        activitySignal(),
        currentAttempt(),
      );
    },

    /** Polled through the activity's retry policy; see judgeSession. */
    async waitForPullRequest(request: { sessionId: string; ignore: SessionSituation[] }): Promise<SessionObservation> {
      const client = requireDevin('poll');
      return judgeSession(await client.getSession(request.sessionId), request.ignore, config.postmortemDestination);
    },

    async sendSessionMessage(request: SessionMessageRequest): Promise<void> {
      await requireDevin('message').sendMessage(request.sessionId, messageText(request));
    },
  };
}

export type PostmortemActivities = ReturnType<typeof createActivities>;
