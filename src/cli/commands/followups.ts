// `postmortem followups <incident> [--resync | --stop --reason text] [--json]`: the action items the
// incident's workflow follows, with their state; --resync has it read every issue now, --stop ends the
// follow-up (both Updates: the workflow refuses them outside following_up, and the CLI says why).
import { type WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { workflowIdForIncident } from '../../domain/incident';
import { resyncActionItemsUpdate, stopFollowUpUpdate } from '../../domain/messages';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, UsageError } from '../errors';
import { formatFollowUps, formatItems } from '../format-follow-up';
import { notFoundMessage, queryStatus } from '../status-query';
import { incidentIdArg, nonEmpty } from '../validate';

interface Options {
  json?: boolean;
  resync?: boolean;
  stop?: boolean;
  reason?: string;
}

/** Why there is nothing to list, by phase. */
function nothingFollowed(id: string, phase: string): string {
  if (phase === 'completed') return `incident-${id} completed without following action items (none in the postmortem, the tracker off, or no GitHub token): see \`postmortem status ${id}\``;
  return `incident-${id} is not following action items yet (phase ${phase}): they become issues when the postmortem PR merges (ACTION_ITEMS_ON=merge) or opens (pr_open)`;
}

async function update<T>(ctx: Context, id: string, run: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
  const workflowId = workflowIdForIncident(id);
  const handle = (await ctx.temporal()).workflow.getHandle(workflowId);
  try {
    return await run(handle);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new CliFailure(`${workflowId} refused: ${error.cause?.message ?? error.message}`);
    if (error instanceof WorkflowNotFoundError) {
      const closed = await handle.describe().catch(() => undefined);
      if (closed) throw new CliFailure(`${workflowId} has already finished (${closed.status.name.toLowerCase()}): its follow-up is over`);
      throw new CliFailure(notFoundMessage(workflowId, ctx));
    }
    throw error;
  }
}

async function followups(ctx: Context, incident: string, options: Options): Promise<number> {
  const id = incidentIdArg(incident);
  const reason = nonEmpty(options.reason, 'reason');
  if (options.resync && options.stop) throw new UsageError('--resync and --stop do not go together');
  if (reason && !options.stop) throw new UsageError('--reason goes with --stop');
  const now = new Date().toISOString();
  if (options.stop) {
    const followUp = await update(ctx, id, (h) => h.executeUpdate(stopFollowUpUpdate, { args: [reason ? { reason } : {}] }));
    const open = followUp.items.filter((i) => i.state === 'open').length;
    ctx.out(options.json ? JSON.stringify(followUp, null, 2) : `stopped following incident-${id}: ${open} item(s) left open${reason ? ` (reason: ${reason})` : ''}`);
    return EXIT_OK;
  }
  if (options.resync) {
    const items = await update(ctx, id, (h) => h.executeUpdate(resyncActionItemsUpdate));
    ctx.out(options.json ? JSON.stringify(items, null, 2) : `re-synced incident-${id}: every issue read now\n\n${formatItems(items, now)}`);
    return EXIT_OK;
  }
  const status = await queryStatus(ctx, id);
  if (options.json) {
    ctx.out(JSON.stringify({ incidentId: id, phase: status.phase, followUp: status.followUp ?? null }, null, 2));
    return EXIT_OK;
  }
  ctx.out(status.followUp ? formatFollowUps(status, now) : nothingFollowed(id, status.phase));
  return EXIT_OK;
}

export function registerFollowUps(program: Command, ctx: Context): void {
  program
    .command('followups')
    .argument('<incident>')
    .option('--resync')
    .option('--stop')
    .option('--reason <value>')
    .option('--json')
    .action(ctx.run((incident: string, options: Options) => followups(ctx, incident, options)));
}
