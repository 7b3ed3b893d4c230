// The workflow's settings, read from the worker's configuration once per incident (recorded in history),
// with the account's priorities for severity routing (read through PagerDuty, cached by the worker).
import type { WorkerConfig } from '../src/config';
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
      };
    },
  };
}
