// The one way an IncidentEvent reaches its incident's workflow: signalWithStart on `incident-<id>`,
// starting the workflow when there is none. Shared by the webhook bridge and the operator CLI
// (`replay-webhook`, `backfill`), so a replayed or backfilled event takes exactly the bridge's path.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { type IncidentEvent, incidentSummaryLine, workflowIdForIncident } from '../domain/incident';
import { INCIDENT_WORKFLOW_TYPE, incidentEventSignal, type IncidentPostmortemWorkflow } from '../domain/messages';

export type DeliveryOutcome =
  /** Temporal durably accepted the event: the workflow was signalled (and started if it had to be). */
  | { status: 'accepted'; workflowId: string }
  /** The incident's workflow already finished (id kept until retention expires): nothing was started. */
  | { status: 'incident_closed'; workflowId: string };

export interface DeliveryOptions {
  /**
   * Bound the Temporal call (the bridge must answer PagerDuty within 5 s). gRPC deadlines do not cover
   * (re)connecting, so a timer bounds the wait as well. Unset: no bound.
   */
  timeoutMs?: number;
}

/** The UI's static details of the incident's workflow, written once when the first event starts it. */
export function staticDetails(event: IncidentEvent): string {
  const { incident } = event;
  const lines = [`**PagerDuty incident** ${incident.number ? `#${incident.number} ` : ''}\`${incident.id}\``];
  if (incident.htmlUrl) lines.push(`[Open in PagerDuty](${incident.htmlUrl})`);
  if (incident.service) {
    lines.push(`Service: ${incident.service.htmlUrl ? `[${incident.service.name}](${incident.service.htmlUrl})` : incident.service.name}`);
  }
  lines.push(`Started by \`${event.type}\` at ${event.occurredAt}`);
  return lines.join('\n\n');
}

/**
 * Signals the incident's workflow with the event, starting it when needed. Resolves `incident_closed`
 * when the workflow already finished (a late redelivery); any other failure (Temporal unreachable,
 * timeout) is thrown for the caller to report.
 */
export async function deliverIncidentEvent(
  client: Client,
  taskQueue: string,
  event: IncidentEvent,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const workflowId = workflowIdForIncident(event.incident.id);
  const signalWithStart = () =>
    client.workflow.signalWithStart<IncidentPostmortemWorkflow, [IncidentEvent]>(INCIDENT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ incidentId: event.incident.id }],
      signal: incidentEventSignal,
      signalArgs: [event],
      // A finished incident keeps its id until retention expires: late redeliveries never start a second run.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: incidentSummaryLine(event.incident),
      staticDetails: staticDetails(event),
    });
  try {
    const { timeoutMs } = options;
    if (timeoutMs === undefined) await signalWithStart();
    else await withinTime(timeoutMs, client.connection.withDeadline(Date.now() + timeoutMs, signalWithStart));
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { status: 'incident_closed', workflowId };
    throw error;
  }
  return { status: 'accepted', workflowId };
}

/** Bounds a Temporal call by a timer too: gRPC deadlines do not cover (re)connecting. */
export function withinTime<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Temporal within ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late failure after the timeout has nobody to tell
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
