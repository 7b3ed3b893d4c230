// The one vocabulary of failure types: integrations name their failures with it, activities throw
// ApplicationFailures of these types, and the workflow reads them. They show in the Temporal UI.
// Pure module (workflow code imports it).

export const FailureTypes = {
  /** An outage, a rate limit, a network error: retried, with the server's delay when it gives one. */
  unavailable: 'ExternalServiceUnavailable',
  /** A rejected key, a missing resource, a malformed request: retrying cannot help; a human must act. */
  rejected: 'ExternalServiceRejected',
  /** The Devin session is still working (the poll is the activity's retry policy). */
  pullRequestNotReady: 'PullRequestNotReady',
  /** Quota, billing, an error, or approval needed: a human must act in Devin. */
  sessionCannotContinue: 'SessionCannotContinue',
  /** A credential the step needs is not configured on this worker. */
  configurationMissing: 'ConfigurationMissing',
  /** An evidence window whose bounds are not a valid range. */
  invalidEvidenceWindow: 'InvalidEvidenceWindow',
  /** The incident's postmortem cannot be produced (DEVIN_MAX_WAIT, a session that ended without a PR). */
  postmortemFailed: 'PostmortemFailed',
} as const;

export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];


/** A failure named by the vocabulary, thrown by integrations and turned into Temporal's terms by activities. */
export class TypedFailure extends Error {
  override name = 'TypedFailure';

  constructor(
    readonly type: FailureType,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}
