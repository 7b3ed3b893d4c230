// Collecting the incident's evidence: PagerDuty's view when it can be had; an outage only costs evidence
// (the pack is built from the webhooks alone and says so), a rejected token waits for an operator.
import { isCancellation } from '@temporalio/workflow';
import type { IncidentContext } from '../src/domain/evidence';
import { FailureTypes } from '../src/domain/failures';
import { evidence } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage, failureType, type Operator } from './operator';
import type { Visibility } from './visibility';

export async function collectEvidence(state: IncidentState, operator: Operator, visibility: Visibility, summary: string): Promise<IncidentContext> {
  const request = state.evidenceRequest();
  const context = await operator.attempt(summary, async () => {
    try {
      return await evidence.collectIncidentContext.executeWithOptions({ summary }, [request]);
    } catch (error) {
      if (failureType(error) === FailureTypes.rejected || isCancellation(error)) throw error;
      return state.webhookOnlyContext(`PagerDuty context unavailable (${failureMessage(error)}); built from webhook data alone`);
    }
  });
  const result = context ?? state.webhookOnlyContext('PagerDuty context skipped by an operator; built from webhook data alone');
  state.applyContext(result);
  visibility.publish();
  return result;
}
