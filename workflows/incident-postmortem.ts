// One durable workflow per PagerDuty incident, read top to bottom as the incident's lifecycle:
// acknowledged → collect evidence → wait for resolution → quiet period → refresh evidence →
// start a Devin session → watch it until its pull request is open → tell the responders → (with GitHub)
// hold the draft to its evidence, have Devin fix it, follow the PR through review to merge.
// Deterministic code only: all I/O lives in ../activities.
import { ApplicationFailure, CancellationScope, condition, ContinueAsNew, isCancellation, patched, setHandler } from '@temporalio/workflow';
import { formatDuration } from '../src/domain/duration';
import { FailureTypes } from '../src/domain/failures';
import type { IncidentContext } from '../src/domain/evidence';
import type { OperatorNote } from '../src/domain/messages';
import {
  actionItemEventSignal,
  cancelSignal,
  evidencePackQuery,
  incidentEventSignal,
  type IncidentPostmortemInput,
  pullRequestEventSignal,
  resyncActionItemsUpdate,
  retrySignal,
  skipSignal,
  statusQuery,
  stopFollowUpUpdate,
} from '../src/domain/messages';
import type { PostmortemReport } from '../src/domain/postmortem-output';
import { routePostmortem } from '../src/domain/routing';
import { DEFAULT_LATE_RESOLUTION_GRACE_MS, type PostmortemSettings } from '../src/domain/settings';
import type { PostmortemResult } from '../src/domain/status';
import { settings as settingsActivity } from './activity-proxies';
import { withEarlierPostmortems } from './earlier-postmortems';
import { collectEvidence } from './evidence';
import { IncidentState } from './incident-state';
import { failureMessage, Operator } from './operator';
import { countCost, endSession } from './session-end';
import { SessionStarter } from './session-start';
import { PostmortemFailed, Skipped } from './outcomes';
import { ActionItemFollowUp } from './follow-up';
import { PullRequestReview } from './review';
import { SessionWatch } from './session-watch';
import { Visibility } from './visibility';
import { WriteBack } from './write-back';

export type { IncidentPostmortemInput } from '../src/domain/messages';

export async function incidentPostmortem(input: IncidentPostmortemInput): Promise<PostmortemResult> {
  const state = new IncidentState(input.incidentId);
  const visibility = new Visibility(state);
  const operator = new Operator(state, visibility);
  const writeBack = new WriteBack(state, visibility);
  const { status } = state;

  let settings: PostmortemSettings | undefined;
  let latestContext: IncidentContext | undefined;
  let report: PostmortemReport | undefined;
  let review: PullRequestReview | undefined;
  let followUp: ActionItemFollowUp | undefined;

  // Buffered signals are delivered as soon as a handler is set, so everything above comes first.
  const lifecycle = new CancellationScope();
  setHandler(statusQuery, () => state.current());
  setHandler(evidencePackQuery, () => ({
    pack: review?.evidencePack ?? latestContext,
    ...(report?.rootCauseConfirmed !== undefined ? { rootCauseConfirmed: report.rootCauseConfirmed } : {}),
    ...(settings?.review?.requiredSections ? { requiredSections: settings.review.requiredSections } : {}),
  }));
  setHandler(pullRequestEventSignal, (event) => {
    if (state.recordPullRequestEvent(event) && state.status.review) visibility.publish();
  });
  setHandler(incidentEventSignal, (event) => {
    if (state.record(event)) visibility.publish();
  });
  // GitHub's `issues` webhook: one of the items changed, so check now rather than at the next interval.
  setHandler(actionItemEventSignal, (event) => {
    const tracked = followUp?.status;
    if (tracked && tracked.repository.toLowerCase() === event.repository.toLowerCase() && tracked.items.some((i) => i.issueId === event.issueId)) followUp!.checkNow = true;
  });
  const following = (_note?: OperatorNote) => {
    if (state.phase !== 'following_up' || !followUp?.status) throw new Error(`the incident is not following up action items (phase ${state.phase})`);
  };
  setHandler(stopFollowUpUpdate, (note) => {
    followUp!.stopReason = note?.reason?.trim() || 'no reason given';
    return followUp!.status!;
  }, { validator: following });
  setHandler(resyncActionItemsUpdate, () => followUp!.resync(), { validator: () => following() });
  setHandler(retrySignal, (note) => operator.decide('retry', note));
  setHandler(skipSignal, (note) => operator.decide('skip', note));
  setHandler(cancelSignal, (note) => {
    operator.cancelled(note);
    lifecycle.cancel();
  });

  const collectContext = async (summary: string) => (latestContext = await collectEvidence(state, operator, visibility, summary));

  function publishedResult(outcome: PostmortemResult['outcome'], url: string): PostmortemResult {
    return {
      incidentId: input.incidentId,
      outcome,
      ...(outcome === 'page_published' ? { pageUrl: url } : { pullRequestUrl: url }),
      devinSessionId: status.devinSessionId,
      devinSessionUrl: status.devinSessionUrl,
      ...(status.devinAcusConsumed !== undefined ? { devinAcusConsumed: status.devinAcusConsumed } : {}),
      ...(report ? { postmortem: { path: report.postmortemPath, rootCause: report.rootCause, rootCauseConfirmed: report.rootCauseConfirmed, actionItems: report.actionItems } } : {}),
    };
  }

  /** The action items as issues, followed until closed (ACTION_ITEMS_ON); the result gains their outcome. */
  async function followActionItems(result: PostmortemResult, ref: string | undefined): Promise<PostmortemResult> {
    if (!settings?.followUp || !result.pullRequestUrl || !patched('action-items')) return result;
    followUp = new ActionItemFollowUp(state, operator, visibility, writeBack, settings, settings.followUp);
    if (!(await followUp.start(result.pullRequestUrl, ref, report))) return result;
    const current = settings;
    const actionItems = await followUp.follow(() => ({ settings: current, result }));
    return { ...result, actionItems };
  }

  async function lifecycleSteps(): Promise<PostmortemResult> {
    // ---- 0. A run continued as new while following the action items up: only that is left ----
    if (input.resume) {
      const { resume } = input;
      state.restore(resume.status);
      settings = resume.settings;
      followUp = new ActionItemFollowUp(state, operator, visibility, writeBack, resume.settings, resume.settings.followUp!);
      followUp.resume(resume.followUp, resume.runs, resume.checkNow === true);
      const actionItems = await followUp.follow(() => ({ settings: resume.settings, result: resume.result }));
      visibility.enter('completed');
      return { ...resume.result, actionItems };
    }

    // ---- 1. Acknowledged (or resolved straight away): the first event started us ----
    await condition(() => status.eventsReceived > 0);
    settings = await settingsActivity.getPostmortemSettings.executeWithOptions({ summary: 'Read postmortem settings' }, []);
    visibility.enter('collecting_context');
    await collectContext('Fetch PagerDuty incident, timeline, alerts, notes and changes');
    if (!state.lifecycleAt && state.incident.status === 'resolved') {
      // Started by a note or a priority change on an incident PagerDuty shows resolved. Its resolution event
      // may be behind (in a retry); if it never comes, the incident was resolved before this service watched
      // it, or its earlier workflow is past retention: not ours to draft.
      const graceMs = settings.lateResolutionGraceMs ?? DEFAULT_LATE_RESOLUTION_GRACE_MS;
      visibility.enter('awaiting_resolution');
      const arrived = await condition(() => state.lifecycleAt !== '', graceMs, {
        summary: `Wait ${formatDuration(graceMs)} for the resolution of an incident PagerDuty shows resolved`,
      });
      if (!arrived) {
        throw new Skipped(
          `started by a note or priority change on an incident PagerDuty shows resolved${state.incident.resolvedAt ? ` at ${state.incident.resolvedAt}` : ''}, ` +
            `and no acknowledgement or resolution was delivered within LATE_RESOLUTION_GRACE (${formatDuration(graceMs)}): it was resolved before this service watched it ` +
            '(or its earlier postmortem workflow is past retention). `postmortem backfill` drafts postmortems for such incidents.',
        );
      }
    }

    // ---- 2. Wait for resolution, however long it takes; a reopen in the quiet period waits again ----
    for (;;) {
      if (!state.resolved) {
        visibility.enter('awaiting_resolution');
        await condition(() => state.resolved);
      }
      if (state.incident.mergedInto || settings.quietPeriodMs <= 0) break;
      visibility.enter('quiet_period');
      const reopened = await condition(() => !state.resolved, settings.quietPeriodMs, {
        summary: `Quiet period (${formatDuration(settings.quietPeriodMs)}) in case the incident reopens`,
      });
      if (!reopened) break;
    }
    if (state.incident.mergedInto) throw new Skipped(`merged into incident ${state.incident.mergedInto}, whose postmortem covers it`);

    // ---- 3. Resolved: refresh the evidence and start drafting, if the incident qualifies ----
    state.draftingStarted = true;
    visibility.enter('drafting');
    const context = await collectContext('Refresh PagerDuty timeline after resolution');
    const route = routePostmortem(state.incident, settings.routing);
    status.routing = route.reason;
    if (!route.qualifies) throw new Skipped(route.reason);
    // ---- 3b. A repeat? The service's earlier postmortems and their open items go into the prompt ----
    const drafted = await withEarlierPostmortems(state, visibility, settings, context);
    const starter = new SessionStarter(state, operator, visibility, settings, drafted);
    const session = await starter.start();
    if (!session) throw new Skipped(`skipped by an operator before a Devin session started${operator.because()}`);
    if (session.dryRun) {
      status.dryRun = true;
      status.promptPath = session.promptPath;
      visibility.enter('completed');
      return { incidentId: input.incidentId, outcome: 'dry_run', prompt: session.prompt, promptPath: session.promptPath, skeletonPath: session.skeletonPath };
    }
    await writeBack.note('drafting', settings.destination, settings.writeBackOff, undefined, status.repeatOf ? { repeatOf: status.repeatOf } : {});

    // ---- 4. Wait for the pull request ----
    visibility.enter('awaiting_pr');
    const watch: SessionWatch = new SessionWatch(state, operator, visibility, writeBack, session, () => starter.next(watch.current));
    const published = await watch.untilPublished(settings);
    const wiki = settings.destination === 'wiki';
    if (wiki) status.pageUrl = published.url;
    else status.pullRequestUrl = published.url;
    status.lastError = undefined;
    visibility.publish();

    // ---- 5. Tell the responders where it is, then done ----
    await writeBack.note('published', settings.destination, settings.writeBackOff, published.url);
    if (settings.slack) await writeBack.announce(published.url, settings.destination);
    report = published.report;

    // ---- 6. With GitHub: hold the draft to its evidence, have Devin fix it, follow the PR to merge ----
    // (Teams that do not review through the PR: ACTION_ITEMS_ON=pr_open follows the items from here.)
    if (settings.followUp?.on === 'pr_open' && !wiki) {
      const finished = await followActionItems(publishedResult('pull_request_opened', published.url), undefined);
      visibility.enter('completed');
      countCost(state, 'published');
      return finished;
    }
    if (settings.review && !wiki && patched('postmortem-review')) {
      review = new PullRequestReview(state, operator, visibility, writeBack, settings, settings.review, published.url, watch.current.sessionId, drafted, report, () =>
        collectContext('Refresh PagerDuty timeline after the incident was resolved again'),
      );
      const outcome = await review.follow();
      if (outcome.kind === 'merged') {
        countCost(state, 'merged');
        const merged: PostmortemResult = {
          ...publishedResult('pull_request_merged', published.url),
          ...(outcome.mergeCommitSha ? { mergeCommitSha: outcome.mergeCommitSha } : {}),
          ...(outcome.evidenceCheck ? { evidenceCheck: outcome.evidenceCheck } : {}),
        };
        // ---- 7. Merged: its action items followed to done ----
        const finished = settings.followUp?.on === 'merge' ? await followActionItems(merged, outcome.mergeCommitSha) : merged;
        visibility.enter('completed');
        return finished;
      }
    }
    visibility.enter('completed');
    countCost(state, 'published');
    return publishedResult(wiki ? 'page_published' : 'pull_request_opened', published.url);
  }

  try {
    return await lifecycle.run(lifecycleSteps);
  } catch (error) {
    // A follow-up continuing as new closes this run, not the incident: no failure, no session ended.
    // (Runs of earlier builds went through the failure path below there, and replay as they were.)
    if (error instanceof ContinueAsNew && patched('continue-as-new-not-a-failure')) throw error;
    const skipReason = error instanceof Skipped ? error.reason : isCancellation(error) ? `cancelled by an operator${operator.because()}` : undefined;
    if (skipReason) {
      status.skipReason = skipReason;
      visibility.enter('skipped');
      await endSession(state, visibility, settings, isCancellation(error) ? 'the incident was cancelled' : 'the incident was skipped');
      countCost(state, 'skipped');
      const { devinSessionId, devinSessionUrl, devinAcusConsumed } = status;
      return { incidentId: input.incidentId, outcome: 'skipped', skipReason, devinSessionId, devinSessionUrl, ...(devinAcusConsumed !== undefined ? { devinAcusConsumed } : {}) };
    }
    if (error instanceof PostmortemFailed) {
      status.lastError = error.message;
      visibility.enter('failed');
      await endSession(state, visibility, settings, 'the postmortem failed');
      countCost(state, 'failed');
      throw ApplicationFailure.create({ type: FailureTypes.postmortemFailed, message: error.message, nonRetryable: true });
    }
    // Not expected: still leave the phase and the reason where operators look before failing.
    status.lastError = `Unexpected failure in phase ${state.phase}: ${failureMessage(error)}`;
    visibility.enter('failed');
    await endSession(state, visibility, settings, 'the postmortem failed');
    throw error;
  }
}

