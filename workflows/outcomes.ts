// How a lifecycle step ends the incident early.

/** Ends the lifecycle early with phase `skipped`. */
export class Skipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Ends the incident with phase `failed`: its postmortem cannot be produced. */
export class PostmortemFailed extends Error {}
