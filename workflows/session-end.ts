// When the incident gives its Devin session up — cancelled, skipped, DEVIN_MAX_WAIT, failed — the
// session is terminated (best effort), so it stops consuming ACUs; and the postmortem's cost is counted.
import { CancellationScope, isCancellation, metricMeter, patched } from '@temporalio/workflow';
import type { PostmortemSettings } from '../src/domain/settings';
import { evidence } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage } from './operator';
import type { Visibility } from './visibility';

export async function endSession(state: IncidentState, visibility: Visibility, settings: PostmortemSettings | undefined, reason: string): Promise<void> {
  const { status } = state;
  const sessionId = status.devinSessionId;
  if (!sessionId || !settings || settings.dryRun || !patched('devin-terminate-sessions')) return;
  if (settings.terminateSessions === false) {
    status.devinSessionEnded = 'left running (DEVIN_TERMINATE_SESSIONS=false)';
  } else {
    try {
      const ended = await CancellationScope.nonCancellable(() =>
        evidence.terminateSession.executeWithOptions({ summary: 'Terminate the Devin session' }, [{ sessionId, reason }]),
      );
      if (ended.acus !== undefined) status.devinAcusConsumed = ended.acus;
      status.devinSessionEnded = ended.terminated ? `terminated (${reason})` : `already ended (${ended.status ?? 'unknown'})`;
    } catch (error) {
      if (isCancellation(error)) throw error;
      status.devinSessionEnded = `terminate failed: ${failureMessage(error)} — end it in Devin`;
    }
  }
  visibility.publish();
}

/** ACUs per postmortem, on the worker's metrics endpoint (not emitted on replay). */
export function countCost(state: IncidentState, outcome: string): void {
  const acus = state.status.devinAcusConsumed;
  if (acus === undefined) return;
  metricMeter
    .withTags({ outcome })
    .createHistogram('postmortem_devin_acus', 'float', 'ACU', 'Devin ACUs consumed per incident, by outcome')
    .record(acus);
}
