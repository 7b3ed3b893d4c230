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

/** What an attempt leaves for the next one (heartbeat details): the SDK flushes it when the attempt fails. */
export function recordForNextAttempt(details: Record<string, unknown>): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity
  }
}

/** The previous attempt's record (its last heartbeat's details), if any. */
export function previousAttemptRecord(): Record<string, unknown> | undefined {
  try {
    const details: unknown = Context.current().info.heartbeatDetails;
    return typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Heartbeats every `everyMs` while `work` runs, so that the server notices a dead worker by its heartbeat timeout. */
export async function heartbeatingWhile<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    context.heartbeat();
    return await work();
  } finally {
    clearInterval(timer);
  }
}
