// Telling the responders where they look — notes on the PagerDuty incident, the Slack line: useful,
// never worth blocking the postmortem for, so a failure is a line in the status.
import { isCancellation } from '@temporalio/workflow';
import type { IncidentNoteKind, PostmortemDestination } from '../src/domain/write-back';
import { evidence, untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage } from './operator';
import type { Visibility } from './visibility';

export class WriteBack {
  constructor(
    private readonly state: IncidentState,
    private readonly visibility: Visibility,
  ) {}

  async note(kind: IncidentNoteKind, destination: PostmortemDestination, writeBackOff: string | undefined, url?: string): Promise<void> {
    const { status } = this.state;
    const label = kind === 'drafting' ? 'drafting note' : 'review note';
    if (writeBackOff) {
      if (!status.writeBack.some((line) => line.startsWith('PagerDuty notes off'))) status.writeBack.push(`PagerDuty notes off: ${writeBackOff}`);
    } else {
      try {
        const { posted } = await evidence.writeBackToIncident.executeWithOptions(
          { summary: kind === 'drafting' ? 'Note on PagerDuty: drafting started' : 'Note on PagerDuty: postmortem ready' },
          [{ incidentId: this.state.incidentId, kind, sessionUrl: status.devinSessionUrl, url, destination, ...(kind === 'published' && status.devinAcusConsumed !== undefined ? { acus: status.devinAcusConsumed } : {}) }],
        );
        status.writeBack.push(`PagerDuty ${label} ${posted ? 'posted' : 'already there'}`);
      } catch (error) {
        if (isCancellation(error)) throw error;
        status.writeBack.push(`PagerDuty ${label} failed: ${failureMessage(error)}`);
      }
    }
    this.visibility.publish();
  }

  async announce(url: string, destination: PostmortemDestination): Promise<void> {
    const { status } = this.state;
    try {
      await untilItWorks.announceOnSlack.executeWithOptions({ summary: 'Announce on Slack' }, [
        { incidentId: this.state.incidentId, title: this.state.incident.title, url, destination },
      ]);
      status.writeBack.push('Slack message sent');
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.writeBack.push(`Slack message failed: ${failureMessage(error)}`);
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
