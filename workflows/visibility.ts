// Keeps what operators see in step with the incident: its search attributes (only when their values
// change, so history gets no upsert per event) and the UI's Current Details panel.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { DevinAcusConsumed, IncidentPriority, PagerDutyIncidentId, PagerDutyService, PostmortemPhase, PostmortemPullRequest } from '../src/domain/search-attributes';
import type { Phase } from '../src/domain/status';
import { renderDetails } from './current-details';
import type { IncidentState } from './incident-state';

export class Visibility {
  /** The values last upserted. */
  private upserted = '';

  constructor(private readonly state: IncidentState) {}

  publish(): void {
    const { state } = this;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: PagerDutyIncidentId, value: state.incidentId },
      { key: PostmortemPhase, value: state.phase },
    ];
    if (state.incident.service?.name) pairs.push({ key: PagerDutyService, value: state.incident.service.name });
    if (state.incident.priority) pairs.push({ key: IncidentPriority, value: state.incident.priority });
    if (state.status.devinAcusConsumed !== undefined) pairs.push({ key: DevinAcusConsumed, value: state.status.devinAcusConsumed });
    // Only once the PR is followed (GITHUB_TOKEN): earlier histories upserted without it.
    if (state.status.review && state.status.pullRequestUrl) pairs.push({ key: PostmortemPullRequest, value: state.status.pullRequestUrl });
    const values = JSON.stringify(pairs.map((p) => p.value));
    if (values !== this.upserted) {
      upsertSearchAttributes(pairs);
      this.upserted = values;
    }
    setCurrentDetails(renderDetails(state.current()));
  }

  enter(phase: Phase): void {
    this.state.phase = phase;
    this.publish();
  }
}
