// The Devin session: started (or found again after a lost response — its own, never another's), polled
// until its pull request is open, written to when it needs an answer, terminated when the incident
// gives it up, and archived once its pull request is merged.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkerConfig } from '../src/config';
import type { IncidentContext } from '../src/domain/evidence';
import { POSTMORTEM_OUTPUT_SCHEMA } from '../src/domain/postmortem-output';
import type { OtherSession, PullRequestWait, SessionArchival, SessionArchived, SessionIdentity, SessionMessageRequest, SessionObservation, SessionStart, SessionTerminated, SessionTermination } from '../src/domain/session';
import { DevinClient, type DevinSession } from '../src/integrations/devin/client';
import { judgeSession, type JudgeOptions, needsMessages } from '../src/integrations/devin/session';
import { ExternalServiceError } from '../src/integrations/http';
import { buildPostmortemPrompt, incidentTag, sessionRunTag, sessionTags, sessionTitle } from '../src/postmortem/prompt';
import { Redactor } from '../src/postmortem/redaction';
import { activitySignal, currentAttempt, previousAttemptRecord, recordForNextAttempt } from './context';
import { writeDryRun } from './dry-run';
import { configurationMissing, inTemporalTerms, notReady } from './failures';
import { sessionMessageText } from './session-messages';

/** Statuses of a session that can still do work (a suspended one resumes on a message). */
const ACTIVE = new Set(['new', 'claimed', 'creating', 'running', 'resuming', 'suspended']);
const ENDED = new Set(['exit', 'error']);

const other = (s: DevinSession): OtherSession => ({ sessionId: s.session_id, sessionUrl: s.url, status: `${s.status}${s.status_detail ? `/${s.status_detail}` : ''}` });

/**
 * One poll, in Temporal's terms: a PR, or a situation the workflow must answer, is returned; while Devin
 * simply works, a retryable, benign failure is thrown (the activity's retry policy is the polling loop, so
 * polls add no history events).
 */
export function observeSession(session: DevinSession, wait: Omit<PullRequestWait, 'sessionId'> = { ignore: [] }, options: JudgeOptions = {}): SessionObservation {
  const verdict = judgeSession(session, wait, options);
  if (verdict.kind === 'working') throw notReady(verdict.message);
  return verdict;
}

export function sessionActivities(config: WorkerConfig) {
  const devin = () => (config.devin ? new DevinClient(config.devin, config.httpTimeoutMs, activitySignal()) : undefined);
  const requireDevin = (what: string) => {
    const client = devin();
    if (!client) throw configurationMissing(`DEVIN_API_KEY / DEVIN_ORG_ID are not set on this worker, but a Devin session needs it (${what}); set them and signal retry`);
    return client;
  };

  /** The incident's sessions, and among them the one this workflow run started for `identity` (a lost create). */
  async function findOwn(client: DevinClient, incidentId: string, identity: SessionIdentity, attempt: number) {
    const runTag = sessionRunTag(identity);
    let tagged = await client.sessionsTagged([incidentTag(incidentId)]);
    let own = tagged.find((s) => s.tags?.includes(runTag));
    // An earlier attempt may have created the session and lost the answer; a session is not always
    // listed at once after its create, so look again after the list's lag before concluding there is none.
    // Not when the previous attempt's create was refused with a 429: Devin created nothing (a storm's
    // rate-limited creates would each wait the lag for nothing).
    if (!own && attempt > 1 && config.devinListLagMs > 0 && previousAttemptRecord()?.createRateLimitedInAttempt !== attempt - 1) {
      await sleep(config.devinListLagMs, undefined, { signal: activitySignal() });
      tagged = await client.sessionsTagged([incidentTag(incidentId)]);
      own = tagged.find((s) => s.tags?.includes(runTag));
    }
    return { own, others: tagged.filter((s) => s !== own && !s.tags?.includes(runTag)) };
  }

  return {
    async startPostmortemSession(context: IncidentContext, identity?: SessionIdentity): Promise<SessionStart> {
      const template = config.postmortemTemplate ? await readFile(config.postmortemTemplate, 'utf8') : undefined;
      const prompt = buildPostmortemPrompt(context, { destination: config.postmortemDestination, template });
      const client = devin();
      const attempt = currentAttempt();
      if (!client) return inTemporalTerms(() => writeDryRun(context, prompt, config.postmortemOutputDir), attempt);

      return inTemporalTerms(async (): Promise<SessionStart> => {
        if (!identity) {
          // Scheduled by a workflow from before session identities: adopt the incident's session as it did.
          const [existing] = await client.sessionsTagged([incidentTag(context.incident.id)]);
          if (existing) return { dryRun: false, sessionId: existing.session_id, sessionUrl: existing.url, adopted: true };
        } else {
          const { own, others } = await findOwn(client, context.incident.id, identity, attempt);
          if (own) return { dryRun: false, sessionId: own.session_id, sessionUrl: own.url, adopted: true, ...(others.length ? { others: others.map(other) } : {}) };
          // Another session of this incident that can still work (started by a person, or by an earlier run):
          // not adopted silently, and not duplicated without an operator's say.
          const active = others.filter((s) => ACTIVE.has(s.status));
          if (active.length > 0 && !identity.despiteOthers) return { dryRun: false, conflict: active.map(other) };
          const session = await createSession(client, context, prompt, identity);
          return { dryRun: false, sessionId: session.session_id, sessionUrl: session.url, adopted: false, ...(others.length ? { others: others.map(other) } : {}) };
        }
        const session = await createSession(client, context, prompt, undefined);
        return { dryRun: false, sessionId: session.session_id, sessionUrl: session.url, adopted: false };
      }, attempt);
    },

    /** Polled through the activity's retry policy; see observeSession. Failures keep the poll interval (no backoff of their own). */
    async waitForPullRequest(request: PullRequestWait): Promise<SessionObservation> {
      const client = requireDevin('poll');
      const session = await inTemporalTerms(() => client.getSession(request.sessionId));
      // Devin asks something: read its question (redacted like any text that reaches history).
      const messages = needsMessages(session) ? await inTemporalTerms(() => client.messages(request.sessionId)) : undefined;
      const redactor = new Redactor({ personalData: config.redactPersonalData });
      const observation = observeSession(session, request, { destination: config.postmortemDestination, messages, answerWaitMs: config.devinAnswerWaitMs });
      return observation.kind === 'waiting_for_user' && observation.question ? { ...observation, question: redactor.text(observation.question) } : observation;
    },

    async sendSessionMessage(request: SessionMessageRequest): Promise<void> {
      const client = requireDevin('message');
      await inTemporalTerms(() => client.sendMessage(request.sessionId, sessionMessageText(request, config.devinNudgeMessage)), currentAttempt());
    },

    /** Ends a session the incident no longer needs, so it stops consuming ACUs; one that already ended is left as it is. */
    async terminateSession(request: SessionTermination): Promise<SessionTerminated> {
      const client = requireDevin('terminate');
      return inTemporalTerms(async () => {
        const session = await client.getSession(request.sessionId);
        const acus = session.acus_consumed ?? undefined;
        if (ENDED.has(session.status)) return { terminated: false, status: session.status, acus };
        try {
          const ended = await client.terminate(request.sessionId);
          return { terminated: true, status: ended.status, acus: ended.acus_consumed ?? acus };
        } catch (error) {
          // It ended between the two calls (Devin refuses to terminate an ended session): nothing to do.
          if (error instanceof ExternalServiceError && !error.retryable && error.status !== 401 && error.status !== 403) {
            const now = await client.getSession(request.sessionId);
            if (ENDED.has(now.status)) return { terminated: false, status: now.status, acus: now.acus_consumed ?? acus };
          }
          throw error;
        }
      }, currentAttempt());
    },

    /**
     * Archives the session (after its PR is merged: an archived session no longer answers review comments).
     * Read first: one already archived is not asked again.
     */
    async archiveSession(request: SessionArchival): Promise<SessionArchived> {
      const client = requireDevin('archive');
      return inTemporalTerms(async () => {
        const session = await client.getSession(request.sessionId);
        if (session.is_archived === true) return { archived: true, alreadyArchived: true };
        const archived = await client.archive(request.sessionId);
        return { archived: archived.is_archived !== false, alreadyArchived: false };
      }, currentAttempt());
    },
  };

  async function createSession(client: DevinClient, context: IncidentContext, prompt: string, identity: SessionIdentity | undefined): Promise<DevinSession> {
    try {
      return await requestSession(client, context, prompt, identity);
    } catch (error) {
      if (error instanceof ExternalServiceError && error.status === 429) recordForNextAttempt({ createRateLimitedInAttempt: currentAttempt() });
      throw error;
    }
  }

  function requestSession(client: DevinClient, context: IncidentContext, prompt: string, identity: SessionIdentity | undefined): Promise<DevinSession> {
    return client.createSession({
      prompt,
      title: sessionTitle(context),
      tags: sessionTags(context, identity),
      structured_output_schema: POSTMORTEM_OUTPUT_SCHEMA,
      // The report (root cause, action items, the PR) is what the workflow writes back and follows: Devin
      // must file it before its turn ends, rather than maybe.
      structured_output_required: true,
      ...(config.devinPlaybookId ? { playbook_id: config.devinPlaybookId } : {}),
      ...(config.devinKnowledgeIds.length > 0 ? { knowledge_ids: config.devinKnowledgeIds } : {}),
      ...(config.devinRepos.length > 0 ? { repos: config.devinRepos } : {}),
      ...(config.devinMaxAcu ? { max_acu_limit: config.devinMaxAcu } : {}),
    });
  }
}
