// After the merge (or the PR opening, ACTION_ITEMS_ON=pr_open): the postmortem's action items become
// issues, and the incident stays in `following_up` until every one is closed — checked on a durable
// schedule (ACTION_ITEMS_CHECK_INTERVAL), sooner when GitHub's `issues` webhook says one changed —
// reminding owners of overdue items (once a week at most), for at most ACTION_ITEMS_FOLLOW_UP_MAX.
// Each run checks ACTION_ITEMS_CHECKS_PER_RUN times at most, then continues as new with its state.
import { allHandlersFinished, condition, continueAsNew, isCancellation, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import { formatDuration } from '../src/domain/duration';
import { DEFAULT_CHECKS_PER_RUN, type FollowUpSettings, type FollowUpState, type FollowUpStatus, reminderDue, type TrackedItem } from '../src/domain/follow-up';
import type { IncidentPostmortemWorkflow } from '../src/domain/messages';
import type { PostmortemReport } from '../src/domain/postmortem-output';
import type { PostmortemResult } from '../src/domain/status';
import type { PostmortemSettings } from '../src/domain/settings';
import { evidence, untilItWorks, untilItWorksWatched } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage, type Operator } from './operator';
import type { Visibility } from './visibility';
import type { WriteBack } from './write-back';

export type FollowUpOutcome = NonNullable<PostmortemResult['actionItems']>;

export class ActionItemFollowUp {
  /** A webhook said an item changed, or an operator asked for a re-sync: check now. */
  checkNow = false;
  stopReason: string | undefined;
  private resynced = 0;
  private checksThisRun = 0;

  constructor(
    private readonly state: IncidentState,
    private readonly operator: Operator,
    private readonly visibility: Visibility,
    private readonly writeBack: WriteBack,
    private readonly settings: PostmortemSettings,
    private readonly rules: FollowUpSettings,
  ) {}

  get status(): FollowUpStatus | undefined {
    return this.state.status.followUp;
  }

  /**
   * Reads the merged postmortem's action items and makes each an issue (once). Undefined when there is
   * nothing to follow: no items, or an operator skipped the step.
   */
  async start(pullRequestUrl: string, ref: string | undefined, report: PostmortemReport | undefined): Promise<boolean> {
    const { state, visibility } = this;
    const read = await this.operator.attempt('Read the action items of the merged postmortem', () =>
      untilItWorks.readActionItems.executeWithOptions({ summary: 'Read the action items (front matter)' }, [
        { pullRequestUrl, ...(ref ? { ref } : {}), ...(report?.postmortemPath ? { path: report.postmortemPath } : {}), ...(report?.actionItems ? { reported: report.actionItems } : {}) },
      ]),
    );
    if (!read || read.items.length === 0) {
      if (read?.problem) state.status.writeBack.push(`No action items to follow: ${read.problem}`);
      return false;
    }
    const repository = this.rules.repository ?? repositoryOf(pullRequestUrl);
    const made = await this.operator.attempt('Create the action items\' issues', () =>
      untilItWorksWatched.createActionItemIssues.executeWithOptions({ summary: `Create ${read.items.length} action item issue(s)` }, [
        { incidentId: state.incidentId, repository, postmortemUrl: read.postmortemUrl, ...(state.incident.htmlUrl ? { incidentUrl: state.incident.htmlUrl } : {}), items: read.items },
      ]),
    );
    if (!made) return false;
    state.status.followUp = {
      startedAt: new Date(Date.now()).toISOString(),
      postmortemUrl: read.postmortemUrl,
      pullRequestUrl,
      repository,
      items: made.items,
      checks: 0,
      runs: 1,
      ...(read.problem ? { note: read.problem } : {}),
    };
    visibility.enter('following_up');
    count('postmortem_action_items_created', 'Action items made issues', made.items.length);
    await this.announce(pullRequestUrl, made.items);
    return true;
  }

  /** Continues a follow-up carried over by continue-as-new. */
  resume(followUp: FollowUpState, runs: number, checkNow: boolean): void {
    this.state.status.followUp = { ...followUp, runs };
    this.checkNow = checkNow;
    this.visibility.enter('following_up');
  }

  /** Until every item is closed, the deadline passes or an operator stops it; may continue as new. */
  async follow(resume: () => { settings: PostmortemSettings; result: PostmortemResult }): Promise<FollowUpOutcome> {
    const { rules, state } = this;
    const followUp = this.status!;
    const deadline = Date.parse(followUp.startedAt) + rules.maxMs;
    for (;;) {
      if (this.stopReason) return this.end('stopped', `stopped by an operator: ${this.stopReason}`);
      if (followUp.items.every((i) => i.state === 'closed')) return this.end('all_closed', 'every action item is closed');
      if (Date.now() >= deadline) return this.end('deadline', `ACTION_ITEMS_FOLLOW_UP_MAX (${formatDuration(rules.maxMs)}) passed with ${open(followUp.items).length} item(s) open`);
      await this.remindOverdue();
      if (this.checksThisRun >= (rules.checksPerRun ?? DEFAULT_CHECKS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
        if (patched('follow-up-rollover-handlers')) {
          // An operator's Update (stop, re-sync) is answered in this run, never lost to the next: a
          // pending re-sync (or webhook) gets its check here, then every handler is let finish.
          if (this.checkNow) await this.check();
          await condition(allHandlersFinished);
          if (this.stopReason) continue;
        }
        const carried = resume();
        // Everything the next run needs; the signals already taken are in `followUp` (and `checkNow`).
        await continueAsNew<IncidentPostmortemWorkflow>({
          incidentId: state.incidentId,
          resume: { status: state.current(), settings: carried.settings, followUp: stripStatus(followUp), result: carried.result, runs: followUp.runs + 1, ...(this.checkNow ? { checkNow: true } : {}) },
        });
      }
      const wait = Math.max(0, Math.min(rules.checkIntervalMs, deadline - Date.now()));
      await condition(() => this.checkNow || this.stopReason !== undefined, wait);
      if (this.stopReason) continue;
      await this.check();
    }
  }

  /** Re-sync (an operator's Update): check now, answer the items as they are then. */
  async resync(): Promise<TrackedItem[]> {
    const before = this.resynced;
    this.checkNow = true;
    await condition(() => this.resynced > before);
    return this.status?.items ?? [];
  }

  private async check(): Promise<void> {
    const followUp = this.status!;
    this.checkNow = false;
    try {
      const states = await evidence.checkActionItems.executeWithOptions({ summary: 'Check the action items\' issues' }, [
        // Every item, closed ones too: an issue reopened on GitHub is open again here.
        { repository: followUp.repository, items: followUp.items.map((i) => ({ issueId: i.issueId })) },
      ]);
      for (const now of states) {
        const item = followUp.items.find((i) => i.issueId === now.issueId);
        if (!item) continue;
        if (item.state === 'open' && now.state === 'closed') count('postmortem_action_items_closed', 'Action items whose issue was closed', 1);
        item.state = now.state;
        if (now.closedAt) item.closedAt = now.closedAt;
        if (now.assignee) item.assignee = now.assignee;
      }
      followUp.note = undefined;
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Checked again at the next interval: an outage only delays the follow-up.
      followUp.note = `checking the issues failed (tried again in ${formatDuration(this.rules.checkIntervalMs)}): ${failureMessage(error)}`;
    }
    followUp.checks++;
    followUp.lastCheckAt = new Date(Date.now()).toISOString();
    this.checksThisRun++;
    this.resynced++;
    this.visibility.publish();
  }

  private async remindOverdue(): Promise<void> {
    const followUp = this.status!;
    const now = new Date(Date.now()).toISOString();
    for (const item of followUp.items.filter((i) => reminderDue(i, now))) {
      try {
        await evidence.remindActionItemOwner.executeWithOptions({ summary: `Remind the owner: "${item.title.slice(0, 60)}" is overdue` }, [{ repository: followUp.repository, item, incidentId: this.state.incidentId }]);
        // The first reminder is the moment an item is found overdue.
        if (item.reminders === 0) count('postmortem_action_items_overdue', 'Action items found open past their due date', 1);
        count('postmortem_action_item_reminders', 'Overdue reminders posted on action items', 1);
        item.reminders++;
        item.remindedAt = now;
      } catch (error) {
        if (isCancellation(error)) throw error;
        followUp.note = `reminding the owner of "${item.title.slice(0, 60)}" failed: ${failureMessage(error)}`;
      }
    }
    this.visibility.publish();
  }

  private async announce(pullRequestUrl: string, items: TrackedItem[]): Promise<void> {
    const { status } = this.state;
    try {
      await evidence.listActionItemsOnPullRequest.executeWithOptions({ summary: 'List the action items on the PR' }, [{ pullRequestUrl, items }]);
      status.writeBack.push(`Action items listed on the PR (${items.length})`);
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.writeBack.push(`Listing the action items on the PR failed: ${failureMessage(error)}`);
    }
    await this.writeBack.note('action_items', this.settings.destination, this.settings.writeBackOff, pullRequestUrl, { items: items.map((i) => ({ title: i.title, url: i.issueUrl })) });
  }

  private end(how: 'all_closed' | 'stopped' | 'deadline', reason: string): FollowUpOutcome {
    const followUp = this.status!;
    followUp.endedReason = reason;
    metricMeter.withTags({ how }).createCounter('postmortem_follow_ups_ended', 'follow-ups', 'Action item follow-ups ended, by how (all_closed, deadline, stopped)').add(1);
    count('postmortem_action_items_left_open', 'Action items still open when their follow-up ended', open(followUp.items).length);
    this.visibility.publish();
    const closed = followUp.items.filter((i) => i.state === 'closed').length;
    return { created: followUp.items.length, closed, open: open(followUp.items).map((i) => ({ title: i.title, url: i.issueUrl })), endedReason: reason };
  }
}

const open = (items: TrackedItem[]) => items.filter((i) => i.state === 'open');

/** A worker metric (not emitted on replay). */
function count(name: string, description: string, n: number): void {
  if (n > 0) metricMeter.createCounter(name, 'items', description).add(n);
}

function repositoryOf(pullRequestUrl: string): string {
  const m = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/pull\//.exec(pullRequestUrl);
  return m ? `${m[1]}/${m[2]}` : '';
}

function stripStatus(status: FollowUpStatus): FollowUpState {
  const { startedAt, postmortemUrl, pullRequestUrl, repository, items, checks, lastCheckAt, stoppedReason } = status;
  return { startedAt, postmortemUrl, ...(pullRequestUrl ? { pullRequestUrl } : {}), repository, items, checks, ...(lastCheckAt ? { lastCheckAt } : {}), ...(stoppedReason ? { stoppedReason } : {}) };
}
