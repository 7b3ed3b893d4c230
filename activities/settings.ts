// The workflow's settings, read from the worker's configuration once per incident (recorded in history),
// with the account's priorities for severity routing (read through PagerDuty, cached by the worker).
import { readFile } from 'node:fs/promises';
import type { WorkerConfig } from '../src/config';
import { templateSections } from '../src/postmortem/sections';
import type { PostmortemSettings } from '../src/domain/settings';
import { type PriorityCache, withAccountPriorities } from './priorities';

export function settingsActivities(config: WorkerConfig, priorities: PriorityCache) {
  return {
    async getPostmortemSettings(): Promise<PostmortemSettings> {
      return {
        pollIntervalMs: config.devinPollIntervalMs,
        maxWaitMs: config.devinMaxWaitMs,
        quietPeriodMs: config.resolveQuietPeriodMs,
        lateResolutionGraceMs: config.lateResolutionGraceMs,
        dryRun: !config.devin,
        routing: withAccountPriorities(config.routing, await priorities.get()),
        destination: config.postmortemDestination,
        writeBackOff: !config.pagerDuty ? 'PAGERDUTY_API_TOKEN is not set' : !config.pagerDutyFromEmail ? 'PAGERDUTY_FROM_EMAIL is not set' : undefined,
        slack: Boolean(config.slackWebhookUrl),
        sessionTaskQueue: config.devinSessionTaskQueue,
        terminateSessions: config.devinTerminateSessions,
        reportWaitMs: config.devinReportWaitMs,
        ...(config.devinMaxAcu ? { maxAcu: config.devinMaxAcu } : {}),
        ...(await reviewSettings(config)),
      };
    },
  };
}

/** With GITHUB_TOKEN, a Devin session and a pull request to follow: the review's settings; else nothing (as before). */
async function reviewSettings(config: WorkerConfig): Promise<Pick<PostmortemSettings, 'review' | 'followUp' | 'postmortemRepository' | 'earlierPostmortemsSkipped'>> {
  if (config.postmortemRepository && config.postmortemDestination === 'wiki') {
    return { earlierPostmortemsSkipped: 'POSTMORTEM_REPO is set, but the postmortems go to the wiki (POSTMORTEM_DESTINATION=wiki): earlier postmortems are not looked up' };
  }
  if (!config.github || !config.devin || config.postmortemDestination !== 'repo') return {};
  const { actionItems } = config;
  const template = config.postmortemTemplate ? await readFile(config.postmortemTemplate, 'utf8') : undefined;
  return {
    review: {
      fixRounds: config.review.fixRounds,
      reviewers: config.review.reviewers,
      reminderMs: config.review.reminderMs,
      pollIntervalMs: config.review.pollIntervalMs,
      fixWaitMs: config.devinMaxWaitMs,
      ...(template ? { requiredSections: templateSections(template) } : {}),
      personalData: config.redactPersonalData,
    },
    ...(actionItems.on !== 'off'
      ? { followUp: { on: actionItems.on, ...(actionItems.repository ? { repository: actionItems.repository } : {}), checkIntervalMs: actionItems.checkIntervalMs, maxMs: actionItems.followUpMaxMs, checksPerRun: actionItems.checksPerRun } }
      : {}),
    ...(config.postmortemRepository ? { postmortemRepository: config.postmortemRepository } : {}),
  };
}
