// The incident workflow's queries: status (shared by `status` and the operator commands) and the evidence
// pack (`check --incident`), on the one client of the CLI's context.
import { QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { loadTemporalSettings } from '../config/temporal';
import { workflowIdForIncident } from '../domain/incident';
import { type PostmortemStatus } from '../domain/status';
import { type EvidencePackAnswer, evidencePackQuery, statusQuery } from '../domain/messages';
import type { Context } from './context';
import { CliFailure } from './errors';
import { isGrpcDeadlineError } from './grpc';

/** A query needs a worker to answer it; without one the server would wait for a long time. */
const QUERY_TIMEOUT_MS = 15_000;

/** `query` of the incident's workflow, its failures worded for the operator (`what` names the query). */
async function queryIncident<T>(ctx: Context, id: string, query: QueryDefinition<T, []>, what: string, notAnswered?: (workflowId: string, detail: string) => string): Promise<T> {
  const client = await ctx.temporal();
  const workflowId = workflowIdForIncident(id);
  try {
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).query(query));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliFailure(notFoundMessage(workflowId, ctx));
    if (isGrpcDeadlineError(error)) {
      throw new CliFailure(`no answer to the ${what} query of ${workflowId} within ${QUERY_TIMEOUT_MS / 1000} s: is a worker polling task queue ${ctx.taskQueue}? (\`npm run worker\`)`);
    }
    // The workflow's code has no handler for the query (or it failed): an older build, most likely.
    if (notAnswered && error instanceof QueryNotRegisteredError) throw new CliFailure(notAnswered(workflowId, error.message));
    throw error;
  }
}

export function queryStatus(ctx: Context, id: string): Promise<PostmortemStatus> {
  return queryIncident(ctx, id, statusQuery, 'status');
}

/** The evidence pack the incident's workflow holds, for `check --incident`. */
export function queryEvidencePack(ctx: Context, id: string): Promise<EvidencePackAnswer> {
  return queryIncident(
    ctx,
    id,
    evidencePackQuery,
    'evidence pack',
    (workflowId, detail) =>
      `${workflowId} does not answer the evidence pack query (${evidencePackQuery.name}): its workflow runs a build from before it, or the query failed (${detail}); check against a pack saved as JSON with --pack instead`,
  );
}

export function notFoundMessage(workflowId: string, ctx: Context): string {
  const namespace = (ctx.settings ?? loadTemporalSettings(ctx.env)).namespace;
  return `no workflow ${workflowId} in namespace ${namespace} (wrong incident id, or a finished one whose retention expired)`;
}
