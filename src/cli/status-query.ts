// The incident workflow's status query, shared by `status` and the operator commands.
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadTemporalSettings } from '../config/temporal';
import { workflowIdForIncident } from '../domain/incident';
import { type PostmortemStatus } from '../domain/status';
import { statusQuery } from '../domain/messages';
import type { Context } from './context';
import { CliFailure } from './errors';
import { isGrpcDeadlineError } from './grpc';

/** A query needs a worker to answer it; without one the server would wait for a long time. */
const QUERY_TIMEOUT_MS = 15_000;

export async function queryStatus(ctx: Context, id: string): Promise<PostmortemStatus> {
  const client = await ctx.temporal();
  const workflowId = workflowIdForIncident(id);
  try {
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).query(statusQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliFailure(notFoundMessage(workflowId, ctx));
    if (isGrpcDeadlineError(error)) {
      throw new CliFailure(
        `no answer to the status query of ${workflowId} within ${QUERY_TIMEOUT_MS / 1000} s: is a worker polling task queue ${ctx.taskQueue}? (\`npm run worker\`)`,
      );
    }
    throw error;
  }
}

export function notFoundMessage(workflowId: string, ctx: Context): string {
  const namespace = (ctx.settings ?? loadTemporalSettings(ctx.env)).namespace;
  return `no workflow ${workflowId} in namespace ${namespace} (wrong incident id, or a finished one whose retention expired)`;
}
