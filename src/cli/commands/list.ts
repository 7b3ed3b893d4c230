// `postmortem list [--phase P] [--service S] [--priority P1] [--limit N] [--json]`: incident
// workflows, newest first, through Temporal's visibility (the worker registers the search attributes).
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { PHASES } from '../../domain/status';
import { INCIDENT_WORKFLOW_TYPE } from '../../domain/messages';
import { DevinAcusConsumed, IncidentPriority, PagerDutyIncidentId, PagerDutyService, PostmortemPhase, quoteQueryValue } from '../../domain/search-attributes';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, messageOf, UsageError } from '../errors';
import { formatTable, type ListRow } from '../format';
import { isInvalidArgument } from '../grpc';
import { nonEmpty, positiveNumber } from '../validate';

export const DEFAULT_LIST_LIMIT = 20;

export { quoteQueryValue };

export function listQuery(filters: { phase?: string; service?: string; priority?: string }): string {
  const clauses = [`WorkflowType = ${quoteQueryValue(INCIDENT_WORKFLOW_TYPE)}`];
  if (filters.phase) clauses.push(`${PostmortemPhase.name} = ${quoteQueryValue(filters.phase)}`);
  if (filters.service) clauses.push(`${PagerDutyService.name} = ${quoteQueryValue(filters.service)}`);
  if (filters.priority) clauses.push(`${IncidentPriority.name} = ${quoteQueryValue(filters.priority)}`);
  return clauses.join(' AND ');
}

export function listRow(info: WorkflowExecutionInfo): ListRow {
  const sa = info.typedSearchAttributes;
  return {
    incidentId: sa.get(PagerDutyIncidentId) ?? info.workflowId.replace(/^incident-/, ''),
    workflowId: info.workflowId,
    phase: sa.get(PostmortemPhase),
    priority: sa.get(IncidentPriority),
    service: sa.get(PagerDutyService),
    acus: sa.get(DevinAcusConsumed),
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
    status: info.status.name,
  };
}

interface ListOptions {
  phase?: string;
  service?: string;
  priority?: string;
  limit?: string;
  json?: boolean;
}

async function list(ctx: Context, options: ListOptions): Promise<number> {
  const { phase } = options;
  if (phase !== undefined && !(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`--phase must be one of ${PHASES.join(', ')} (got "${phase}")`);
  }
  const service = nonEmpty(options.service, 'service');
  const priority = nonEmpty(options.priority, 'priority');
  const limit = positiveNumber(options.limit, 'limit', DEFAULT_LIST_LIMIT, true);
  const query = listQuery({ phase, service, priority });

  const client = await ctx.temporal();
  const rows: ListRow[] = [];
  try {
    for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      rows.push(listRow(info));
      if (rows.length >= limit) break;
    }
  } catch (error) {
    if (isInvalidArgument(error)) {
      throw new CliFailure(
        `Temporal rejected the query [${query}]: ${messageOf(error)}. The search attributes are registered by the worker at startup: has it run against this namespace?`,
      );
    }
    throw error;
  }
  if (options.json) ctx.out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) ctx.out(`No incident workflows match: ${query}`);
  else ctx.out(formatTable(rows));
  return EXIT_OK;
}

export function registerList(program: Command, ctx: Context): void {
  program
    .command('list')
    .option('--phase <value>')
    .option('--service <value>')
    .option('--priority <value>')
    .option('--limit <value>')
    .option('--json')
    .action(ctx.run((options: ListOptions) => list(ctx, options)));
}
