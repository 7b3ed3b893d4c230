// Signal and query definitions shared by the workflow, the bridge and tests (no Node imports).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { IncidentEvent, PostmortemStatus } from './incident';

/** Every PagerDuty event about the incident arrives through this one signal. */
export const incidentEventSignal = defineSignal<[IncidentEvent]>('incidentEvent');

export const statusQuery = defineQuery<PostmortemStatus>('status');
