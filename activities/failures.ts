// Integrations throw failures named by the domain's vocabulary (TypedFailure, ExternalServiceError);
// here they become ApplicationFailures Temporal can act on: retryable ones with the server's delay or
// a jittered backoff, the rest non-retryable so the workflow can say what is wrong.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { FailureTypes, TypedFailure } from '../src/domain/failures';
import { backoffWithJitter, ExternalServiceError } from '../src/integrations/http';

/**
 * `attempt`: the activity attempt, for a jittered backoff when the server gives no delay. Unset: the
 * activity's retry policy alone decides (polling keeps its interval).
 */
export function toActivityFailure(error: unknown, attempt?: number): unknown {
  if (!(error instanceof TypedFailure)) return error;
  const external = error instanceof ExternalServiceError ? error : undefined;
  return ApplicationFailure.create({
    type: error.type,
    message: error.message,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryable ? (external?.retryAfterMs ?? (attempt === undefined || external?.backoff === false ? undefined : backoffWithJitter(attempt))) : undefined,
    details: external?.status === undefined ? undefined : [{ system: external.system, status: external.status }],
  });
}

/** Runs an activity's work with its failures in Temporal's terms. */
export async function inTemporalTerms<T>(work: () => Promise<T>, attempt?: number): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toActivityFailure(error, attempt);
  }
}

export function configurationMissing(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.configurationMissing, message, nonRetryable: true });
}

/** "Still working": retried by the activity's retry policy, which is the polling loop; benign, so not logged as an error. */
export function notReady(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.pullRequestNotReady, message, category: ApplicationFailureCategory.BENIGN });
}
