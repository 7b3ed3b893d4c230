// The activities the incident workflow calls, bound to the worker's configuration. Credentials stay
// here, in the worker process: they never travel through workflow inputs, results or history.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerConfig } from '../src/config';
import type { IncidentContext } from '../src/incident';
import { buildPostmortemPrompt, postmortemPath, sessionTags, sessionTitle } from '../src/prompt';
import { DevinClient, judgeSession } from './devin';
import { type CollectContextInput, contextFromApi, contextFromWebhooks, PagerDutyClient } from './pagerduty';

export type { CollectContextInput } from './pagerduty';

/** Non-secret settings the workflow needs for its timers and retry policies. */
export interface PostmortemSettings {
  pollIntervalMs: number;
  maxWaitMs: number;
  dryRun: boolean;
}

export type SessionStart =
  | { dryRun: false; sessionId: string; sessionUrl?: string; adopted: boolean }
  | { dryRun: true; prompt: string; promptPath: string };

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
  const pagerDuty = () => (config.pagerDuty ? new PagerDutyClient(config.pagerDuty, config.httpTimeoutMs, activitySignal()) : undefined);
  const devin = () => (config.devin ? new DevinClient(config.devin, config.httpTimeoutMs, activitySignal()) : undefined);

  return {
    async getPostmortemSettings(): Promise<PostmortemSettings> {
      return { pollIntervalMs: config.devinPollIntervalMs, maxWaitMs: config.devinMaxWaitMs, dryRun: !config.devin };
    },

    async collectIncidentContext(input: CollectContextInput): Promise<IncidentContext> {
      const client = pagerDuty();
      if (!client) {
        return contextFromWebhooks(input, 'PAGERDUTY_API_TOKEN is not set: built from webhook data alone', clock.now());
      }
      return contextFromApi(client, input, clock.now(), currentAttempt());
    },

    async startPostmortemSession(context: IncidentContext): Promise<SessionStart> {
      const prompt = buildPostmortemPrompt(context);
      const client = devin();
      if (!client) {
        const file = path.join(config.postmortemOutputDir, `${context.incident.id}-dry-run-prompt.md`);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(
          file,
          [
            `<!-- DRY RUN: DEVIN_API_KEY is not set, so no Devin session was started. This is the prompt that would have been sent. -->`,
            `# DRY RUN — postmortem prompt for PagerDuty incident ${context.incident.id}`,
            '',
            `Would open: \`${postmortemPath(context)}\``,
            '',
            prompt,
            '',
          ].join('\n'),
        );
        return { dryRun: true, prompt, promptPath: file };
      }

      const tags = sessionTags(context);
      // Devin v3 has no idempotency key: a session tagged with this incident may already exist
      // (an earlier attempt whose response was lost). Adopt it instead of starting a second one.
      const [existing] = await client.sessionsTagged([`pd-incident:${context.incident.id}`]);
      if (existing) return { dryRun: false, sessionId: existing.session_id, sessionUrl: existing.url, adopted: true };

      const session = await client.createSession({
        prompt,
        title: sessionTitle(context),
        tags,
        ...(config.devinPlaybookId ? { playbook_id: config.devinPlaybookId } : {}),
      });
      return { dryRun: false, sessionId: session.session_id, sessionUrl: session.url, adopted: false };
    },

    /** Polled through the activity's retry policy; see judgeSession. */
    async waitForPullRequest(sessionId: string): Promise<{ pullRequestUrl: string }> {
      const client = devin();
      if (!client) {
        throw ApplicationFailure.create({
          type: 'ConfigurationMissing',
          message: 'DEVIN_API_KEY / DEVIN_ORG_ID are not set on this worker, but a Devin session is waiting for its pull request',
          nonRetryable: true,
        });
      }
      return { pullRequestUrl: judgeSession(await client.getSession(sessionId)) };
    },
  };
}

export type PostmortemActivities = ReturnType<typeof createActivities>;
