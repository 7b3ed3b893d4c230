// `postmortem retry|skip|cancel <incident> [--reason text]`: the operator's signals. retry and skip
// only apply in needs_attention (the workflow ignores them elsewhere, so the CLI refuses instead);
// cancel ends the incident in any phase.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { workflowIdForIncident } from '../../domain/incident';
import { cancelSignal, retrySignal, skipSignal } from '../../domain/messages';
import type { Context } from '../context';
import { CliFailure, EXIT_OK } from '../errors';
import { notFoundMessage, queryStatus } from '../status-query';
import { incidentIdArg, nonEmpty } from '../validate';

type OperatorCommand = 'retry' | 'skip' | 'cancel';

const SIGNALS = { retry: retrySignal, skip: skipSignal, cancel: cancelSignal };
const WHAT = { retry: 'retry the failed step', skip: 'skip the failed step', cancel: 'cancel the incident' };

async function operate(ctx: Context, kind: OperatorCommand, incident: string, options: { reason?: string }): Promise<number> {
  const id = incidentIdArg(incident);
  const reason = nonEmpty(options.reason, 'reason');
  const workflowId = workflowIdForIncident(id);
  let lastError: string | undefined;
  if (kind !== 'cancel') {
    // The workflow ignores retry and skip outside needs_attention: say so instead of sending it.
    const status = await queryStatus(ctx, id);
    if (status.phase !== 'needs_attention') {
      throw new CliFailure(
        `refusing to ${kind} ${workflowId}: its phase is ${status.phase}, and ${kind} only applies to an incident in needs_attention (see \`postmortem status ${id}\`)`,
      );
    }
    lastError = status.lastError;
  }
  const client = await ctx.temporal();
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (reason) await handle.signal(SIGNALS[kind], { reason });
    else await handle.signal(SIGNALS[kind]);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // Signalling a closed workflow answers "not found" too: tell the two apart.
    const closed = await handle.describe().catch(() => undefined);
    if (closed) throw new CliFailure(`${workflowId} has already finished (${closed.status.name.toLowerCase()}): there is nothing to ${kind}`);
    throw new CliFailure(notFoundMessage(workflowId, ctx));
  }
  ctx.out(`${kind} sent to ${workflowId}: ${WHAT[kind]}${reason ? ` (reason: ${reason})` : ''}`);
  if (lastError) ctx.out(`  the failed step was: ${lastError}`);
  return EXIT_OK;
}

export function registerOperatorCommands(program: Command, ctx: Context): void {
  for (const kind of ['retry', 'skip', 'cancel'] as const) {
    program
      .command(kind)
      .argument('<incident>')
      .option('--reason <value>')
      .action(ctx.run((incident: string, options: { reason?: string }) => operate(ctx, kind, incident, options)));
  }
}
