// Exit codes and the two kinds of failure a command reports: a usage error (exit 2, printed with the
// usage) and an operational failure already worded for the operator (exit 1).
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operational failure, already worded for the operator. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
