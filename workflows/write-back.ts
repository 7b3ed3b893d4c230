// Telling the responders where they look — notes on the PagerDuty incident, the Slack line: useful,
// never worth blocking the postmortem for, so a failure is a line in the status.
import { isCancellation } from '@temporalio/workflow';
import type { IncidentNoteKind, PostmortemDestination, SlackAnnouncement, WriteBackRequest } from '../src/domain/write-back';
import { evidence, untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage } from './operator';
import type { Visibility } from './visibility';

const NOTE_LABELS: Record<IncidentNoteKind, string> = { drafting: 'drafting note', published: 'review note', review_reminder: 'review reminder', merged: 'merged note', action_items: 'action items note' };
// Activity summaries in the Temporal UI (the first two as recorded in earlier histories).
const NOTE_SUMMARIES: Record<IncidentNoteKind, string> = {
  drafting: 'Note on PagerDuty: drafting started',
  published: 'Note on PagerDuty: postmortem ready',
  review_reminder: 'Note on PagerDuty: review reminder',
  merged: 'Note on PagerDuty: postmortem merged',
  action_items: 'Note on PagerDuty: action items tracked',
};

export class WriteBack {
  constructor(
    private readonly state: IncidentState,
    private readonly visibility: Visibility,
  ) {}

  async note(kind: IncidentNoteKind, destination: PostmortemDestination, writeBackOff: string | undefined, url?: string, extra: Pick<WriteBackRequest, 'reminder' | 'waited' | 'mergeCommitSha' | 'items' | 'repeatOf' | 'figures'> = {}): Promise<void> {
    const { status } = this.state;
    const label = NOTE_LABELS[kind] + (extra.reminder !== undefined ? ` ${extra.reminder}` : '');
    if (writeBackOff) {
      if (!status.writeBack.some((line) => line.startsWith('PagerDuty notes off'))) status.writeBack.push(`PagerDuty notes off: ${writeBackOff}`);
    } else {
      try {
        const { posted } = await evidence.writeBackToIncident.executeWithOptions(
          { summary: NOTE_SUMMARIES[kind] },
          [{ incidentId: this.state.incidentId, kind, sessionUrl: status.devinSessionUrl, url, destination, ...(kind === 'published' && status.devinAcusConsumed !== undefined ? { acus: status.devinAcusConsumed } : {}), ...extra }],
        );
        status.writeBack.push(`PagerDuty ${label} ${posted ? 'posted' : 'already there'}`);
      } catch (error) {
        if (isCancellation(error)) throw error;
        status.writeBack.push(`PagerDuty ${label} failed: ${failureMessage(error)}`);
      }
    }
    this.visibility.publish();
  }

  async announce(url: string, destination: PostmortemDestination, kind?: SlackAnnouncement['kind']): Promise<void> {
    const { status } = this.state;
    const what = kind === 'reminder' ? 'Slack reminder' : 'Slack message';
    try {
      await untilItWorks.announceOnSlack.executeWithOptions({ summary: kind === 'reminder' ? 'Remind on Slack: review waiting' : 'Announce on Slack' }, [
        { incidentId: this.state.incidentId, title: this.state.incident.title, url, destination, ...(kind ? { kind } : {}) },
      ]);
      status.writeBack.push(`${what} sent`);
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.writeBack.push(`${what} failed: ${failureMessage(error)}`);
    }
    this.visibility.publish();
  }

  /** Devin asked something and was told to go on: the responders see the question (and can answer in Devin). */
  async question(question: string, sessionUrl: string, destination: PostmortemDestination): Promise<void> {
    const { status } = this.state;
    try {
      // A few tries only: Devin is nudged on either way.
      await evidence.announceOnSlack.executeWithOptions({ summary: 'Tell Slack what Devin asks' }, [
        { incidentId: this.state.incidentId, title: this.state.incident.title, url: sessionUrl, destination, kind: 'question', question },
      ]);
      status.writeBack.push("Slack told of Devin's question");
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.writeBack.push(`Slack message (Devin's question) failed: ${failureMessage(error)}`);
    }
    this.visibility.publish();
  }
}
