// The Devin session: started (or found again after a lost response), polled until its pull request is
// open, and written to when it needs an answer.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerConfig } from '../src/config';
import type { IncidentContext } from '../src/domain/evidence';
import { FailureTypes } from '../src/domain/failures';
import { POSTMORTEM_OUTPUT_SCHEMA } from '../src/domain/postmortem-output';
import type { PullRequestWait, SessionMessageRequest, SessionObservation, SessionSituation, SessionStart } from '../src/domain/session';
import type { PostmortemDestination } from '../src/domain/write-back';
import { DevinClient, type DevinSession } from '../src/integrations/devin/client';
import { judgeSession } from '../src/integrations/devin/session';
import { buildPostmortemPrompt, sessionTags, sessionTitle } from '../src/postmortem/prompt';
import { activitySignal, currentAttempt } from './context';
import { writeDryRun } from './dry-run';
import { configurationMissing, inTemporalTerms, notReady } from './failures';
import { sessionMessageText } from './session-messages';

/**
 * One poll, in Temporal's terms. An open PR, or a situation the workflow must answer, is returned;
 * while Devin simply works, a retryable, benign failure is thrown (the activity's retry policy is the
 * polling loop, so polls add no history events); a session that cannot continue without a human is a
 * non-retryable failure.
 */
export function observeSession(session: DevinSession, ignore: SessionSituation[] = [], destination: PostmortemDestination = 'repo'): SessionObservation {
  const verdict = judgeSession(session, ignore, destination);
  switch (verdict.kind) {
    case 'working':
      throw notReady(verdict.message);
    case 'cannot_continue':
      throw ApplicationFailure.create({
        type: FailureTypes.sessionCannotContinue,
        message: verdict.message,
        nonRetryable: true,
        details: [{ status: verdict.status, statusDetail: verdict.detail ?? null }],
      });
    default:
      return verdict;
  }
}

export function sessionActivities(config: WorkerConfig) {
  const devin = () => (config.devin ? new DevinClient(config.devin, config.httpTimeoutMs, activitySignal()) : undefined);
  const requireDevin = (what: string) => {
    const client = devin();
    if (!client) throw configurationMissing(`DEVIN_API_KEY / DEVIN_ORG_ID are not set on this worker, but a Devin session needs it (${what}); set them and signal retry`);
    return client;
  };

  return {
    async startPostmortemSession(context: IncidentContext): Promise<SessionStart> {
      const template = config.postmortemTemplate ? await readFile(config.postmortemTemplate, 'utf8') : undefined;
      const prompt = buildPostmortemPrompt(context, { destination: config.postmortemDestination, template });
      const client = devin();
      if (!client) return writeDryRun(context, prompt, config.postmortemOutputDir);

      return inTemporalTerms(async () => {
        // Devin v3 has no idempotency key: a session tagged with this incident may already exist
        // (an earlier attempt whose response was lost). Adopt it instead of starting a second one.
        const [existing] = await client.sessionsTagged([`pd-incident:${context.incident.id}`]);
        if (existing) return { dryRun: false, sessionId: existing.session_id, sessionUrl: existing.url, adopted: true };

        const session = await client.createSession({
          prompt,
          title: sessionTitle(context),
          tags: sessionTags(context),
          structured_output_schema: POSTMORTEM_OUTPUT_SCHEMA,
          ...(config.devinPlaybookId ? { playbook_id: config.devinPlaybookId } : {}),
          ...(config.devinKnowledgeIds.length > 0 ? { knowledge_ids: config.devinKnowledgeIds } : {}),
          ...(config.devinRepos.length > 0 ? { repos: config.devinRepos } : {}),
          ...(config.devinMaxAcu ? { max_acu_limit: config.devinMaxAcu } : {}),
        });
        return { dryRun: false, sessionId: session.session_id, sessionUrl: session.url, adopted: false };
      }, currentAttempt());
    },

    /** Polled through the activity's retry policy; see observeSession. Failures keep the poll interval (no backoff of their own). */
    async waitForPullRequest(request: PullRequestWait): Promise<SessionObservation> {
      const client = requireDevin('poll');
      const session = await inTemporalTerms(() => client.getSession(request.sessionId));
      return observeSession(session, request.ignore, config.postmortemDestination);
    },

    async sendSessionMessage(request: SessionMessageRequest): Promise<void> {
      const client = requireDevin('message');
      await inTemporalTerms(() => client.sendMessage(request.sessionId, sessionMessageText(request, config.devinNudgeMessage)), currentAttempt());
    },
  };
}
