// After the pull request opens (GITHUB_TOKEN set): the draft is held to its evidence on every head
// commit (the `postmortem/evidence` check run), Devin fixes what fails (POSTMORTEM_FIX_ROUNDS), reviewers
// are asked, reminded (POSTMORTEM_REVIEW_REMINDER, at most 3 times), and the PR is followed until it is
// merged (completed) or closed (skipped). GitHub's webhook signals news at once; a slow poll
// (GITHUB_POLL_INTERVAL, no history event per poll) is the safety net, as GitHub does not redeliver.
import { ActivityFailure, CancellationScope, CancelledFailure, condition, isCancellation, metricMeter, TimeoutFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { formatDuration } from '../src/domain/duration';
import type { IncidentContext } from '../src/domain/evidence';
import type { PostmortemReport } from '../src/domain/postmortem-output';
import { type EvidenceCheckResult, fixRequestText, MAX_REVIEW_REMINDERS, type PullRequestState, type ReviewSettings, type ReviewStatus } from '../src/domain/review';
import type { SessionMessageKind } from '../src/domain/session';
import type { PostmortemSettings } from '../src/domain/settings';
import { evidence, pollEvery, untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage, type Operator } from './operator';
import { Skipped } from './outcomes';
import { MESSAGE_SUMMARIES } from './session-watch';
import type { Visibility } from './visibility';
import type { WriteBack } from './write-back';

/** Without reminders left, the poll still runs; each wait is bounded so the history grows slowly. */
const QUIET_WAIT_MS = 7 * 86_400_000;

export type ReviewOutcome = { kind: 'merged'; mergeCommitSha?: string; evidenceCheck?: EvidenceCheckResult['conclusion'] } | { kind: 'unfollowed'; reason: string };

type Woke = { kind: 'changed'; pullRequest: PullRequestState } | { kind: 'news' } | { kind: 'timeout' };

export class PullRequestReview {
  private readonly review: ReviewStatus;
  private checkedHead = '';
  private rerunRequestedAt: string | undefined;
  /** Set when a fix was asked for: Devin's new commit is awaited until then. */
  private fixDeadline: number | undefined;
  /** The incident reopened while in review: its evidence is refreshed once it is resolved again. */
  private refreshPending = false;

  constructor(
    private readonly state: IncidentState,
    private readonly operator: Operator,
    private readonly visibility: Visibility,
    private readonly writeBack: WriteBack,
    private readonly settings: PostmortemSettings,
    private readonly rules: ReviewSettings,
    private readonly url: string,
    private readonly sessionId: string,
    private pack: IncidentContext,
    private readonly report: PostmortemReport | undefined,
    private readonly refreshEvidence: () => Promise<IncidentContext>,
  ) {
    this.review = {
      checks: 0,
      fixRounds: 0,
      fixRoundsAllowed: rules.fixRounds,
      reviewState: 'none',
      remindersSent: 0,
      openedAt: new Date(Date.now()).toISOString(),
      deliveries: 0,
      duplicateDeliveries: 0,
      note: `followed by GitHub webhooks when they are set up, and a poll every ${formatDuration(rules.pollIntervalMs)} (GITHUB_POLL_INTERVAL)`,
    };
    state.status.review = this.review;
  }

  /** The evidence pack the check holds the draft to (refreshed after a reopening). */
  get evidencePack(): IncidentContext {
    return this.pack;
  }

  async follow(): Promise<ReviewOutcome> {
    const { review, rules, visibility } = this;
    visibility.enter('in_review');
    const resolvedAt = this.state.incident.resolvedAt;
    if (resolvedAt) record('postmortem_resolution_to_pr_seconds', 'Time from the incident\'s resolution to its postmortem PR', Date.now() - Date.parse(resolvedAt));
    await this.requestReviewers();

    let current = await this.readPullRequest();
    if (!current) return this.unfollowed();
    for (;;) {
      if (current.merged) return this.merged(current);
      if (current.state === 'closed') throw new Skipped(`the postmortem pull request ${this.url} was closed without merging`);
      if (this.checkedHead !== current.headSha || this.rerunRequestedAt) {
        const checked = await this.check();
        if (!checked) return this.unfollowed();
        current = checked;
        if (current.state === 'closed') continue;
        this.fixDeadline = undefined;
        if (review.lastCheck?.conclusion === 'failure') {
          if (review.fixRounds < rules.fixRounds && !review.fixGivenUp) await this.askForFix();
          else if (rules.fixRounds > 0 || review.fixGivenUp) review.note = `the evidence check fails after ${review.fixRounds} fix round(s) (POSTMORTEM_FIX_ROUNDS=${rules.fixRounds}${review.fixGivenUp ? '; Devin pushed no fix in time' : ''}): left in review with the check failing`;
        }
        visibility.enter(this.fixDeadline !== undefined ? 'revising' : 'in_review');
      }

      const reminderDue = Date.parse(review.openedAt ?? '') + rules.reminderMs * (review.remindersSent + 1);
      const until = this.fixDeadline ?? (review.remindersSent < MAX_REVIEW_REMINDERS ? reminderDue : Date.now() + QUIET_WAIT_MS);
      const woke = await this.nextChange(current, Math.max(0, until - Date.now()));
      if (woke === undefined) return this.unfollowed();
      if (woke.kind === 'changed') current = woke.pullRequest;
      else if (woke.kind === 'news') current = (await this.takeNews(current)) ?? current;
      else if (this.fixDeadline !== undefined) {
        review.fixGivenUp = true;
        review.note = `Devin pushed no new commit within DEVIN_MAX_WAIT (${formatDuration(rules.fixWaitMs)}) after fix round ${review.fixRounds}: left in review with the check failing`;
        this.fixDeadline = undefined;
        visibility.enter('in_review');
      } else if (review.remindersSent < MAX_REVIEW_REMINDERS) await this.remind();
    }
  }

  private async requestReviewers(): Promise<void> {
    const { review } = this;
    try {
      const asked = await evidence.requestPostmortemReviewers.executeWithOptions({ summary: 'Request reviews of the postmortem' }, [
        { pullRequestUrl: this.url, users: this.rules.reviewers.users, teams: this.rules.reviewers.teams, ...(this.report?.postmortemPath ? { postmortemPath: this.report.postmortemPath } : {}) },
      ]);
      review.reviewersRequested = asked.requested;
      if (asked.note) review.reviewRequestNote = asked.note;
    } catch (error) {
      if (isCancellation(error)) throw error;
      review.reviewRequestNote = `could not request reviewers: ${failureMessage(error)}`;
    }
    this.visibility.publish();
  }

  /** Runs the evidence check on the head commit; an operator decides when GitHub refuses (undefined: stop following). */
  private async check(): Promise<PullRequestState | undefined> {
    const { review } = this;
    const rerunRequestedAt = this.rerunRequestedAt;
    const result = await this.operator.attempt('Check the postmortem pull request', () =>
      untilItWorks.checkPullRequest.executeWithOptions({ summary: `Evidence check (${review.checks + 1})` }, [
        {
          pullRequestUrl: this.url,
          pack: this.pack,
          ...(this.report?.postmortemPath ? { postmortemPath: this.report.postmortemPath } : {}),
          ...(this.report?.rootCauseConfirmed !== undefined ? { rootCauseConfirmed: this.report.rootCauseConfirmed } : {}),
          ...(this.rules.requiredSections ? { requiredSections: this.rules.requiredSections } : {}),
          personalData: this.rules.personalData,
          ...(rerunRequestedAt ? { rerunRequestedAt } : {}),
        },
      ]),
    );
    if (!result) return undefined;
    this.rerunRequestedAt = undefined;
    this.checkedHead = result.pullRequest.headSha;
    review.reviewState = result.pullRequest.reviewState;
    if (result.check) {
      review.checks++;
      if (!review.firstCheck) {
        review.firstCheck = result.check.conclusion;
        metricMeter.withTags({ conclusion: result.check.conclusion }).createCounter('postmortem_evidence_first_checks', 'checks', 'The first evidence check of each postmortem PR, by conclusion').add(1);
      }
      review.lastCheck = result.check;
      countCheck(result.check);
    } else if (result.problem) review.note = result.problem;
    this.visibility.publish();
    return result.pullRequest;
  }

  private async askForFix(): Promise<void> {
    const { review } = this;
    const check = review.lastCheck;
    if (!check) return;
    review.fixRounds++;
    this.visibility.enter('revising');
    const sent = await this.message('fix', fixRequestText(check, review.fixRounds, this.rules.fixRounds));
    if (sent) this.fixDeadline = Date.now() + this.rules.fixWaitMs;
    else review.fixGivenUp = true;
  }

  private async message(kind: SessionMessageKind, text?: string, at?: string): Promise<boolean> {
    try {
      await untilItWorks.sendSessionMessage.executeWithOptions({ summary: MESSAGE_SUMMARIES[kind] }, [
        { sessionId: this.sessionId, kind, incidentId: this.state.incidentId, ...(text !== undefined ? { text } : {}), ...(at ? { at } : {}) },
      ]);
      return true;
    } catch (error) {
      if (isCancellation(error)) throw error;
      this.review.note = `could not message the Devin session (${kind}): ${failureMessage(error)}`;
      this.visibility.publish();
      return false;
    }
  }

  private async readPullRequest(): Promise<PullRequestState | undefined> {
    return this.operator.attempt('Read the postmortem pull request', () => untilItWorks.readPullRequest.executeWithOptions({ summary: 'Read the pull request' }, [{ pullRequestUrl: this.url }]));
  }

  /**
   * Waits for the PR to change (the poll), for news (a webhook, a reopening) or for `timeoutMs`; both
   * waits run in one scope that is cancelled when either ends. Undefined: an operator stopped following.
   */
  private async nextChange(known: PullRequestState, timeoutMs: number): Promise<Woke | undefined> {
    const { state } = this;
    const hasNews = () => state.pullRequestEvents.length > 0 || state.sessionMessages.length > 0 || (this.refreshPending && state.resolved);
    if (hasNews()) return { kind: 'news' };
    if (timeoutMs <= 0) return { kind: 'timeout' };
    const deadline = Date.now() + timeoutMs;
    const scope = new CancellationScope();
    const cancelled = (error: unknown) => {
      if (isCancellation(error)) return 'cancelled' as const;
      throw error;
    };
    let outcome: Woke | 'cancelled' | { kind: 'failed'; error: unknown };
    try {
      outcome = await scope.run(() =>
        Promise.race([
          condition(hasNews, timeoutMs).then((news): Woke => (news ? { kind: 'news' } : { kind: 'timeout' }), cancelled),
          pollEvery(this.rules.pollIntervalMs, timeoutMs)
            .waitForPullRequestChange.executeWithOptions({ summary: 'Wait for the pull request to change' }, [{ pullRequestUrl: this.url, known: { state: known.state, merged: known.merged, headSha: known.headSha, reviewState: known.reviewState } }])
            .then(
              (pullRequest): Woke => ({ kind: 'changed', pullRequest }),
              (error: unknown) => {
                if (isCancellation(error)) return 'cancelled' as const;
                if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT)) {
                  // The server ends the poll early when its next attempt would fall after the deadline (an
                  // interval longer than the wait): then the timer alone decides.
                  return Date.now() < deadline ? new Promise<never>(() => undefined) : ({ kind: 'timeout' } as const);
                }
                return { kind: 'failed', error } as const;
              },
            ),
        ]),
      );
    } finally {
      scope.cancel();
    }
    if (outcome === 'cancelled') throw new CancelledFailure('cancelled while following the pull request');
    if (outcome.kind === 'failed') {
      // GitHub refuses (a revoked token, a deleted PR): an operator fixes it or stops following.
      return (await this.operator.ask('Follow the postmortem pull request', outcome.error)) === 'skip' ? undefined : { kind: 'news' };
    }
    return outcome;
  }

  /** Webhook deliveries and the incident's reopenings: the PR as it is now when it may have changed. */
  private async takeNews(known: PullRequestState): Promise<PullRequestState | undefined> {
    const { state, review } = this;
    let reread = false;
    for (let event = state.pullRequestEvents.shift(); event; event = state.pullRequestEvents.shift()) {
      if (event.kind === 'check_rerequested') this.rerunRequestedAt = new Date(Date.now()).toISOString();
      else reread = true;
    }
    for (let message = state.sessionMessages.shift(); message; message = state.sessionMessages.shift()) {
      // Reopened while in review: Devin amends the same PR; the new evidence is read once it is resolved again.
      if (message.kind !== 'reopened') continue;
      this.refreshPending = true;
      review.note = `the incident reopened${message.at ? ` at ${message.at}` : ''}: Devin was asked to amend this PR; the check runs again on its next commit`;
      await this.message('amend', this.url, message.at);
      this.visibility.publish();
    }
    if (this.refreshPending && state.resolved) {
      this.refreshPending = false;
      this.pack = await this.refreshEvidence();
      this.rerunRequestedAt = new Date(Date.now()).toISOString();
    }
    if (!reread) return known;
    return this.readPullRequest();
  }

  private async remind(): Promise<void> {
    const { review } = this;
    review.remindersSent++;
    const waited = formatDuration(Date.now() - Date.parse(review.openedAt ?? ''));
    await this.writeBack.note('review_reminder', this.settings.destination, this.settings.writeBackOff, this.url, { reminder: review.remindersSent, waited });
    if (this.settings.slack) await this.writeBack.announce(this.url, this.settings.destination, 'reminder');
    this.visibility.publish();
  }

  private async merged(pullRequest: PullRequestState): Promise<ReviewOutcome> {
    const { review, state } = this;
    review.mergedAt = new Date(Date.now()).toISOString();
    if (pullRequest.mergeCommitSha) review.mergeCommitSha = pullRequest.mergeCommitSha;
    review.note = undefined;
    record('postmortem_pr_to_merge_seconds', 'Time from the postmortem PR opening to its merge', Date.now() - Date.parse(review.openedAt ?? ''));
    this.visibility.publish();
    // The figures `postmortem report` reads back from the note (closed workflows vanish after retention).
    const figures = { ...(review.firstCheck ? { firstCheck: review.firstCheck } : {}), ...(state.status.devinAcusConsumed !== undefined ? { acus: state.status.devinAcusConsumed } : {}), ...(review.openedAt ? { openedAt: review.openedAt } : {}) };
    await this.writeBack.note('merged', this.settings.destination, this.settings.writeBackOff, this.url, { ...(pullRequest.mergeCommitSha ? { mergeCommitSha: pullRequest.mergeCommitSha } : {}), figures });
    // Archived only now: an archived session no longer answers review comments.
    try {
      const archived = await evidence.archiveSession.executeWithOptions({ summary: 'Archive the Devin session (postmortem merged)' }, [{ sessionId: this.sessionId }]);
      state.status.devinSessionEnded = archived.alreadyArchived ? 'already archived' : 'archived (postmortem merged)';
    } catch (error) {
      if (isCancellation(error)) throw error;
      state.status.devinSessionEnded = `archive failed: ${failureMessage(error)} — archive it in Devin`;
    }
    this.visibility.publish();
    return { kind: 'merged', ...(pullRequest.mergeCommitSha ? { mergeCommitSha: pullRequest.mergeCommitSha } : {}), ...(review.lastCheck ? { evidenceCheck: review.lastCheck.conclusion } : {}) };
  }

  private unfollowed(): ReviewOutcome {
    const reason = `an operator stopped following the pull request${this.operator.because()}`;
    this.review.note = reason;
    return { kind: 'unfollowed', reason };
  }
}

/** Worker metrics (not emitted on replay). */
function record(name: string, description: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  metricMeter.createHistogram(name, 'float', 's', description).record(ms / 1000);
}

function countCheck(check: EvidenceCheckResult): void {
  metricMeter.withTags({ conclusion: check.conclusion }).createCounter('postmortem_evidence_checks', 'checks', 'Evidence checks run, by conclusion').add(1);
  for (const [kind, n] of Object.entries(check.byKind)) {
    metricMeter.withTags({ kind }).createCounter('postmortem_evidence_check_findings', 'findings', 'Evidence check findings, by kind').add(n);
  }
}
