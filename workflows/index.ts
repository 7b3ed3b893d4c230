// The worker bundles this module: it lists every workflow type the task queue serves.
export { incidentPostmortem, type IncidentPostmortemInput } from './incident-postmortem';
