// Watching the Devin session until its pull request (or wiki page) is open and its report final,
// answering what Devin needs along the way: an answer when it asks, a follow-up when it ends without a
// PR, a resume when it goes idle, an operator when a human must act in Devin — and a new session when
// the old one failed and an operator says so. Time an operator takes does not count against DEVIN_MAX_WAIT.
import { ActivityFailure, condition, isCancellation, patched, sleep, TimeoutFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { formatDuration } from '../src/domain/duration';
import type { PostmortemReport } from '../src/domain/postmortem-output';
import type { PullRequestWait, SessionMessageKind, SessionObservation, SessionSituation, StartedSession } from '../src/domain/session';
import type { PostmortemSettings } from '../src/domain/settings';
import { pollEvery, untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { PostmortemFailed, Skipped } from './outcomes';
import { failureMessage, type Operator } from './operator';
import type { Visibility } from './visibility';
import type { WriteBack } from './write-back';

/** A suspended-for-inactivity session is woken at most this many times. */
const MAX_RESUMES = 3;
/** Devin's questions answered by a nudge at most this many times; then an operator answers. */
const MAX_NUDGES = 3;

export const MESSAGE_SUMMARIES: Record<SessionMessageKind, string> = {
  nudge: 'Nudge Devin to continue',
  follow_up: 'Ask Devin for the pull request',
  resume: 'Resume the suspended session',
  reopened: 'Tell Devin the incident reopened',
  answer: "Send the operator's answer to Devin",
  fix: 'Ask Devin to fix the evidence check findings',
  amend: 'Tell Devin to amend the PR (incident reopened)',
};

export type Published = { url: string; report?: PostmortemReport };

/** Starts the incident's next session, when the current one failed and an operator chose a new one. */
export type NextSession = () => Promise<StartedSession>;

export class SessionWatch {
  private finished = false;

  constructor(
    private readonly state: IncidentState,
    private readonly operator: Operator,
    private readonly visibility: Visibility,
    private readonly writeBack: WriteBack,
    private session: StartedSession,
    private readonly nextSession: NextSession,
  ) {}

  /** The session being watched (a new one replaces a failed one). */
  get current(): StartedSession {
    return this.session;
  }

  private async send(kind: SessionMessageKind, at?: string, text?: string): Promise<void> {
    await untilItWorks.sendSessionMessage.executeWithOptions({ summary: MESSAGE_SUMMARIES[kind] }, [
      { sessionId: this.session.sessionId, kind, incidentId: this.state.incidentId, at, ...(text !== undefined ? { text } : {}) },
    ]);
  }

  /** Watches the session until its PR is open; messages for it (a reopening) go out alongside, in order. */
  async untilPublished(settings: PostmortemSettings): Promise<Published> {
    const messenger = this.deliverMessages();
    try {
      return await this.watch(settings);
    } finally {
      this.finished = true;
      await messenger;
    }
  }

  private async deliverMessages(): Promise<void> {
    const { state } = this;
    for (;;) {
      try {
        await condition(() => state.sessionMessages.length > 0 || this.finished);
      } catch (error) {
        // Cancelled while idle: nothing is in flight, and the watch reports the cancellation.
        if (isCancellation(error)) return;
        throw error;
      }
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

  private async watch(settings: PostmortemSettings): Promise<Published> {
    const { operator, state, visibility } = this;
    const { status } = state;
    const { pollIntervalMs, maxWaitMs } = settings;
    let deadline = Date.now() + maxWaitMs;
    const askOperator = async (step: string, error: unknown) => {
      const parkedAt = Date.now();
      const decision = await operator.ask(step, error);
      deadline += Date.now() - parkedAt;
      return decision;
    };
    // A message Devin refuses (a rotated key, a session it no longer accepts messages for) waits for an
    // operator like any other rejected call; `skip` goes on without the message.
    const message = async (kind: SessionMessageKind, text?: string) => {
      for (;;) {
        try {
          return await this.send(kind, undefined, text);
        } catch (error) {
          if (isCancellation(error)) throw error;
          if ((await askOperator(`Message the Devin session (${kind.replace('_', '-')})`, error)) === 'skip') return;
        }
      }
    };
    const where = () => this.session.sessionUrl ?? this.session.sessionId;
    let answered: SessionSituation[] = [];
    let lastAnswer: PullRequestWait['answered'];
    let followedUp = false;
    let resumes = 0;
    let nudges = 0;
    /** Set once the PR is open while Devin's turn goes on: its report is awaited until then. */
    let pending: { url: string; report?: PostmortemReport; until: number } | undefined;
    for (;;) {
      const remaining = Math.min(deadline, pending?.until ?? deadline) - Date.now();
      const noPullRequest = `No pull request within DEVIN_MAX_WAIT (${formatDuration(maxWaitMs)}); Devin session ${where()}`;
      if (remaining <= 0) {
        if (pending) return this.unfinishedReport(pending, settings);
        throw new PostmortemFailed(noPullRequest);
      }
      let observation: SessionObservation;
      try {
        observation = await pollEvery(pollIntervalMs, remaining).waitForPullRequest.executeWithOptions({ summary: pending ? "Wait for Devin's final report" : 'Wait for pull request' }, [
          {
            sessionId: this.session.sessionId,
            ignore: [...answered],
            ...(lastAnswer ? { answered: lastAnswer } : {}),
            ...(pending ? { finalOnly: true } : {}),
            ...(settings.maxAcu ? { maxAcu: settings.maxAcu } : {}),
          },
        ]);
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT)) {
          if (pending) return this.unfinishedReport(pending, settings);
          throw new PostmortemFailed(noPullRequest);
        }
        if ((await askOperator('Wait for pull request', error)) === 'skip') {
          throw new Skipped(`skipped by an operator while waiting for the pull request${operator.because()}`);
        }
        continue;
      }
      if (observation.acus !== undefined) status.devinAcusConsumed = observation.acus;
      switch (observation.kind) {
        case 'published':
          if (observation.note) status.pullRequestNote = observation.note;
          if (observation.final === false && !pending && patched('devin-final-report')) {
            // The PR is open, but Devin still works: its report (root cause, action items) may change.
            this.showPullRequest(observation.url, settings);
            pending = { url: observation.url, report: observation.report, until: Date.now() + (settings.reportWaitMs ?? 0) };
            break;
          }
          return { url: observation.url, report: observation.report ?? pending?.report };
        case 'waiting_for_user':
          if (observation.question !== undefined) status.devinQuestion = observation.question;
          if (!patched('devin-questions')) {
            answered.push('waiting_for_user'); // one nudge, then keep polling
            await message('nudge');
            break;
          }
          answered = [...new Set([...answered, 'waiting_for_user' as const])];
          if (nudges < MAX_NUDGES && !(lastAnswer && observation.questionId !== undefined && observation.questionId === lastAnswer.questionId)) {
            // Devin is told to go on with its best assumption; the responders see the question, and can answer it in Devin.
            nudges++;
            if (settings.slack && observation.question) await this.writeBack.question(observation.question, this.session.sessionUrl ?? where(), settings.destination);
            await message('nudge');
          } else {
            // Asked again (or the answer was not taken up): a person answers.
            const question = observation.question ? `Devin asks: "${observation.question}"` : 'Devin waits for an answer';
            const decision = await askOperator(
              'Devin session',
              new Error(`${question} (${where()}). Answer it in the Devin session and signal retry, or signal retry with the answer as the reason (\`postmortem retry ${state.incidentId} --reason "…"\`) to send it; skip ends the incident`),
            );
            if (decision === 'skip') throw new Skipped(`skipped by an operator while Devin waited for an answer${operator.because()}`);
            if (operator.reason) await message('answer', operator.reason);
            else await message('nudge');
          }
          lastAnswer = { questionId: observation.questionId, at: new Date(Date.now()).toISOString() };
          visibility.publish();
          break;
        case 'finished_without_pr':
          if (followedUp) {
            throw new PostmortemFailed(
              `Devin session ${where()} ended (${observation.status}${observation.detail ? `/${observation.detail}` : ''}) without opening a pull request, even after being asked for it`,
            );
          }
          followedUp = true;
          await message('follow_up');
          await sleep(pollIntervalMs, { summary: 'Give Devin time to open the pull request' });
          break;
        case 'inactive':
          if (resumes >= MAX_RESUMES) {
            const error = new Error(`Devin session ${where()} went idle ${resumes + 1} times without a pull request`);
            if ((await askOperator('Wait for pull request', error)) === 'skip') throw new Skipped('skipped by an operator: the session kept going idle');
            resumes = 0;
          }
          resumes++;
          await message('resume');
          await sleep(pollIntervalMs, { summary: 'Give the session time to resume' });
          break;
        case 'acu_limit_near':
          status.devinAcuWarning = `the session has used ${observation.acus} of DEVIN_MAX_ACU=${observation.limit} ACUs (80 % or more); Devin stops it at the limit`;
          answered.push('acu_limit_near');
          visibility.publish();
          break;
        case 'needs_human': {
          const decision = await askOperator('Devin session', new Error(observation.reason));
          if (decision === 'skip') throw new Skipped(`skipped by an operator: ${observation.reason.split(':')[0]}${operator.because()}`);
          if (observation.recovery === 'message') await message(operator.reason ? 'answer' : 'resume', operator.reason);
          if (observation.recovery === 'new_session') {
            this.session = await this.nextSession();
            answered = [];
            lastAnswer = undefined;
            followedUp = false;
            resumes = 0;
            nudges = 0;
          }
          break;
        }
      }
    }
  }

  /** Shows the open PR at once, before its report is final. */
  private showPullRequest(url: string, settings: PostmortemSettings): void {
    if (settings.destination === 'wiki') this.state.status.pageUrl = url;
    else this.state.status.pullRequestUrl = url;
    this.visibility.publish();
  }

  /** DEVIN_REPORT_WAIT passed and Devin still works: the report as it stands, said to be so. */
  private unfinishedReport(pending: { url: string; report?: PostmortemReport }, settings: PostmortemSettings): Published {
    this.state.status.pullRequestNote = `Devin's turn had not ended within DEVIN_REPORT_WAIT (${formatDuration(settings.reportWaitMs ?? 0)}): the report may be incomplete`;
    return { url: pending.url, report: pending.report };
  }
}
