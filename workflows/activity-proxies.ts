// The workflow's activity proxies, named for their retry profile rather than for a system.
import { proxyActivities } from '@temporalio/workflow';
import type { PostmortemActivities } from '../activities';

/** Evidence (and notes on the incident): bounded retries, then the workflow goes on without. */
export const evidence = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 },
});

/** An outage must not lose the postmortem, so retry (with the activity's jittered backoff) for a day. */
export const untilItWorks = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * As `untilItWorks`, for a longer step that heartbeats while it runs (it creates things one by one, each
 * looked for before it is made): a worker that dies mid-attempt is noticed in 20 s, not after the timeout.
 */
export const untilItWorksWatched = proxyActivities<PostmortemActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** The worker's settings: one quick read. */
export const settings = proxyActivities<PostmortemActivities>({ startToCloseTimeout: '30 seconds' });

/** The session poll: the retry policy is the polling loop (an attempt every interval, until the deadline). */
export function pollEvery(intervalMs: number, remainingMs: number) {
  return proxyActivities<PostmortemActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: remainingMs,
    retry: { initialInterval: intervalMs, backoffCoefficient: 1, maximumInterval: intervalMs },
  });
}
