// What the commands that read the SaaS APIs themselves (backfill, report) share: the worker's
// configuration, refused in one line naming the variable, and the PagerDuty client with its retries done
// here (outside Temporal nothing else retries a request).
import { ConfigError, loadWorkerConfig, type WorkerConfig } from '../config';
import { withRetries } from '../integrations/http';
import { PagerDutyClient } from '../integrations/pagerduty/client';
import type { Context } from './context';
import { CliFailure } from './errors';

/** Tries of each PagerDuty request before the command gives up. */
const PAGERDUTY_ATTEMPTS = 5;

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The worker's configuration as `command` reads it; a bad variable is a CliFailure naming it. */
export function workerConfigFor(ctx: Context, command: string): WorkerConfig {
  try {
    return loadWorkerConfig(ctx.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(`${command} uses the worker's configuration. ${error.message}`);
    throw error;
  }
}

/** A PagerDuty client whose transient failures are retried after the server's delay. */
export function retryingPagerDuty(pagerDuty: NonNullable<WorkerConfig['pagerDuty']>, timeoutMs: number): PagerDutyClient {
  return new PagerDutyClient(pagerDuty, timeoutMs, undefined, (send) => withRetries(send, PAGERDUTY_ATTEMPTS, sleep));
}
