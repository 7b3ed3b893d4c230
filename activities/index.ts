// The activities the incident workflow calls, bound to the worker's configuration. Credentials stay
// here, in the worker process: they never travel through workflow inputs, results or history.
import type { WorkerConfig } from '../src/config';
import type { Clock } from './context';
import { evidenceActivities } from './evidence';
import { PriorityCache } from './priorities';
import { reviewActivities } from './review';
import { earlierPostmortemActivities } from './earlier-postmortems';
import { followUpActivities } from './follow-up';
import { sessionActivities } from './session';
import { settingsActivities } from './settings';
import { writeBackActivities } from './write-back';

export type { Clock } from './context';
export { checkPriorityThreshold, PriorityCache } from './priorities';

/** `priorities`: the worker's cache of the account's priorities (one per worker; a new one by default). */
export function createActivities(config: WorkerConfig, clock: Clock = { now: () => new Date() }, priorities: PriorityCache = new PriorityCache(config, clock)) {
  return {
    ...settingsActivities(config, priorities),
    ...evidenceActivities(config, clock),
    ...sessionActivities(config),
    ...writeBackActivities(config),
    ...reviewActivities(config),
    ...followUpActivities(config),
    ...earlierPostmortemActivities(config),
  };
}

export type PostmortemActivities = ReturnType<typeof createActivities>;
