// The one way a GitHub webhook's PullRequestEvent reaches its incident's workflow: the running workflow
// whose PostmortemPullRequest search attribute is the PR's URL (a visibility list), signalled with
// pullRequestEvent. Nothing is started: a PR no running incident watches is not ours (or no longer).
// Redeliveries are signalled again; the workflow ignores repeats by deliveryId.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { ActionItemEvent } from '../domain/follow-up';
import { workflowIdForIncident } from '../domain/incident';
import { actionItemEventSignal, pullRequestEventSignal } from '../domain/messages';
import type { PullRequestEvent } from '../domain/review';
import { PostmortemPullRequest, quoteQueryValue } from '../domain/search-attributes';
import { type DeliveryOptions, withinTime } from './deliver-event';

/** At most this many running workflows are signalled for one PR (one is what an incident makes). */
const MAX_MATCHES = 5;

export type PullRequestDeliveryOutcome =
  /** Temporal accepted the signal of every running workflow watching the PR. */
  | { status: 'accepted'; workflowIds: string[] }
  /** No running workflow watches this PR: not a postmortem's, or its incident already finished. */
  | { status: 'no_workflow' };

/** The visibility query of the running workflows watching a PR (the URL quoted as a string literal). */
export function pullRequestWorkflowQuery(pullRequestUrl: string): string {
  return `${PostmortemPullRequest.name} = ${quoteQueryValue(pullRequestUrl)} AND ExecutionStatus = 'Running'`;
}

/**
 * Finds the running workflow(s) of the event's PR and signals them. Resolves `no_workflow` when there is
 * none (or it finished between the list and the signal); any other failure (Temporal unreachable,
 * timeout) is thrown for the caller to report. `timeoutMs` bounds the list and the signals together.
 */
export async function deliverPullRequestEvent(client: Client, event: PullRequestEvent, options: DeliveryOptions = {}): Promise<PullRequestDeliveryOutcome> {
  const work = async (): Promise<PullRequestDeliveryOutcome> => {
    const matches: { workflowId: string; runId: string }[] = [];
    for await (const execution of client.workflow.list({ query: pullRequestWorkflowQuery(event.pullRequestUrl), pageSize: MAX_MATCHES })) {
      matches.push({ workflowId: execution.workflowId, runId: execution.runId });
      if (matches.length >= MAX_MATCHES) break;
    }
    const signalled: string[] = [];
    for (const { workflowId, runId } of matches) {
      try {
        await client.workflow.getHandle(workflowId, runId).signal(pullRequestEventSignal, event);
        signalled.push(workflowId);
      } catch (error) {
        // Finished since the list said it was running: nothing to tell it any more.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return signalled.length > 0 ? { status: 'accepted', workflowIds: signalled } : { status: 'no_workflow' };
  };
  const { timeoutMs } = options;
  if (timeoutMs === undefined) return work();
  return withinTime(timeoutMs, client.connection.withDeadline(Date.now() + timeoutMs, work));
}

/** An action item's issue changed: its incident's workflow (named by the issue's `incident:<id>` label) is told. */
export async function deliverActionItemEvent(client: Client, incidentId: string, event: ActionItemEvent, options: DeliveryOptions = {}): Promise<PullRequestDeliveryOutcome> {
  const workflowId = workflowIdForIncident(incidentId);
  const work = async (): Promise<PullRequestDeliveryOutcome> => {
    try {
      await client.workflow.getHandle(workflowId).signal(actionItemEventSignal, event);
      return { status: 'accepted', workflowIds: [workflowId] };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { status: 'no_workflow' };
      throw error;
    }
  };
  const { timeoutMs } = options;
  if (timeoutMs === undefined) return work();
  return withinTime(timeoutMs, client.connection.withDeadline(Date.now() + timeoutMs, work));
}
