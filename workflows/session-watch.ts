// Watching the Devin session until its pull request (or wiki page) is open, answering what Devin needs
// along the way: a nudge when it waits for a user, a follow-up when it ends without a PR, a resume when
// it goes idle. Time an operator takes does not count against DEVIN_MAX_WAIT.
import { ActivityFailure, condition, isCancellation, sleep, TimeoutFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { formatDuration } from '../src/domain/duration';
import type { PostmortemReport } from '../src/domain/postmortem-output';
import type { SessionMessageKind, SessionSituation, SessionStart } from '../src/domain/session';
import { pollEvery, untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage, type Operator } from './operator';
import type { Visibility } from './visibility';

/** A suspended-for-inactivity session is woken at most this many times. */
const MAX_RESUMES = 3;

const MESSAGE_SUMMARIES: Record<SessionMessageKind, string> = {
  nudge: 'Nudge Devin to continue',
  follow_up: 'Ask Devin for the pull request',
  resume: 'Resume the suspended session',
  reopened: 'Tell Devin the incident reopened',
};

/** Ends the lifecycle early with phase `skipped`. */
export class Skipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Ends the incident with phase `failed`: its postmortem cannot be produced. */
export class PostmortemFailed extends Error {}

export type Published = { url: string; report?: PostmortemReport };
type RunningSession = Extract<SessionStart, { dryRun: false }>;

export class SessionWatch {
  private finished = false;

  constructor(
    private readonly state: IncidentState,
    private readonly operator: Operator,
    private readonly visibility: Visibility,
    private readonly session: RunningSession,
  ) {}

  private async send(kind: SessionMessageKind, at?: string): Promise<void> {
    await untilItWorks.sendSessionMessage.executeWithOptions({ summary: MESSAGE_SUMMARIES[kind] }, [
      { sessionId: this.session.sessionId, kind, incidentId: this.state.incidentId, at },
    ]);
  }

  /** Watches the session until its PR is open; messages for it (a reopening) go out alongside, in order. */
  async untilPublished(pollIntervalMs: number, maxWaitMs: number): Promise<Published> {
    const messenger = this.deliverMessages();
    try {
      return await this.watch(pollIntervalMs, maxWaitMs);
    } finally {
      this.finished = true;
      await messenger;
    }
  }

  private async deliverMessages(): Promise<void> {
    const { state } = this;
    for (;;) {
      await condition(() => state.sessionMessages.length > 0 || this.finished);
      const next = state.sessionMessages.shift();
      if (!next) return;
      try {
        await this.send(next.kind, next.at);
      } catch (error) {
        if (isCancellation(error)) return;
        state.status.lastError = `Could not tell the Devin session about the reopening: ${failureMessage(error)}`;
        this.visibility.publish();
      }
    }
  }

  private async watch(pollIntervalMs: number, maxWaitMs: number): Promise<Published> {
    const { session, operator } = this;
    let deadline = Date.now() + maxWaitMs;
    const askOperator = async (step: string, error: unknown) => {
      const parkedAt = Date.now();
      const decision = await operator.ask(step, error);
      deadline += Date.now() - parkedAt;
      return decision;
    };
    // A message Devin refuses (a rotated key, a session it no longer accepts messages for) waits for an
    // operator like any other rejected call; `skip` goes on without the message.
    const message = async (kind: SessionMessageKind) => {
      for (;;) {
        try {
          return await this.send(kind);
        } catch (error) {
          if (isCancellation(error)) throw error;
          if ((await askOperator(`Message the Devin session (${kind.replace('_', '-')})`, error)) === 'skip') return;
        }
      }
    };
    const where = session.sessionUrl ?? session.sessionId;
    const answered: SessionSituation[] = [];
    let followedUp = false;
    let resumes = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      const noPullRequest = `No pull request within DEVIN_MAX_WAIT (${formatDuration(maxWaitMs)}); Devin session ${where}`;
      if (remaining <= 0) throw new PostmortemFailed(noPullRequest);
      let observation;
      try {
        observation = await pollEvery(pollIntervalMs, remaining).waitForPullRequest.executeWithOptions({ summary: 'Wait for pull request' }, [
          { sessionId: session.sessionId, ignore: [...answered] },
        ]);
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT)) {
          throw new PostmortemFailed(noPullRequest);
        }
        if ((await askOperator('Wait for pull request', error)) === 'skip') {
          throw new Skipped(`skipped by an operator while waiting for the pull request${operator.because()}`);
        }
        continue;
      }
      switch (observation.kind) {
        case 'published':
          return { url: observation.url, report: observation.report };
        case 'waiting_for_user':
          answered.push('waiting_for_user'); // one nudge, then keep polling
          await message('nudge');
          break;
        case 'finished_without_pr':
          if (followedUp) {
            throw new PostmortemFailed(
              `Devin session ${where} ended (${observation.status}${observation.detail ? `/${observation.detail}` : ''}) without opening a pull request, even after being asked for it`,
            );
          }
          followedUp = true;
          await message('follow_up');
          await sleep(pollIntervalMs, { summary: 'Give Devin time to open the pull request' });
          break;
        case 'inactive':
          if (resumes >= MAX_RESUMES) {
            const error = new Error(`Devin session ${where} went idle ${resumes + 1} times without a pull request`);
            if ((await askOperator('Wait for pull request', error)) === 'skip') throw new Skipped('skipped by an operator: the session kept going idle');
            resumes = 0;
          }
          resumes++;
          await message('resume');
          await sleep(pollIntervalMs, { summary: 'Give the session time to resume' });
          break;
      }
    }
  }
}
