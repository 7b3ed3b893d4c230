// What an activity knows of its own run: its cancellation and its attempt. Outside an activity (unit
// tests call activities directly) there is no cancellation and the attempt is the first.
import { Context } from '@temporalio/activity';

export interface Clock {
  now(): Date;
}

/** The running activity's cancellation, when called inside one (unit tests call activities directly). */
export function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}
