// `postmortem backfill --since 7d [--until now] [--rate N] [--dry-run] [--json]`: starts postmortems
// for PagerDuty incidents resolved in the window that have no workflow yet, at most N per minute.
// The one place the CLI uses the PagerDuty REST integration.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { describeId, isPagerDutyId } from '../../domain/identifiers';
import { workflowIdForIncident } from '../../domain/incident';
import { priorityPosition, routePostmortem, type RoutingRules } from '../../domain/routing';
import type { ApiIncident } from '../../integrations/pagerduty/api';
import { backfillEvent, snapshotFromListedIncident } from '../../integrations/pagerduty/backfill';
import type { PagerDutyClient, ResolvedIncidents } from '../../integrations/pagerduty/client';
import { priorityNames } from '../../integrations/pagerduty/mapper';
import type { RedactionOptions } from '../../postmortem/redaction';
import { deliverIncidentEvent } from '../../temporal/deliver-event';
import type { Context } from '../context';
import { CliFailure, EXIT_FAILURE, EXIT_OK, messageOf, UsageError } from '../errors';
import { isUnavailable } from '../grpc';
import { nonEmpty, parseInstant, positiveNumber } from '../validate';
import { retryingPagerDuty, sleep, workerConfigFor } from '../worker-config';

export const DEFAULT_BACKFILL_RATE = 10;

type BackfillOutcome = 'started' | 'would_start' | 'exists' | 'routing' | 'merged' | 'failed';

interface BackfillItem {
  incidentId: string;
  outcome: BackfillOutcome;
  detail: string;
}

interface BackfillOptions {
  since?: string;
  until?: string;
  rate?: string;
  dryRun?: boolean;
  json?: boolean;
}

async function backfill(ctx: Context, options: BackfillOptions): Promise<number> {
  const now = new Date();
  const sinceText = nonEmpty(options.since, 'since');
  if (!sinceText) throw new UsageError('--since is required, e.g. --since 7d');
  const since = parseInstant(sinceText, now, 'since');
  const until = parseInstant(nonEmpty(options.until, 'until') ?? 'now', now, 'until');
  if (since >= until) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const rate = positiveNumber(options.rate, 'rate', DEFAULT_BACKFILL_RATE, false);
  const dryRun = options.dryRun === true;
  const json = options.json === true;
  // With --json, stdout carries the JSON summary alone; progress goes to stderr.
  const progress = json ? ctx.err : ctx.out;

  const config = workerConfigFor(ctx, 'backfill');
  if (!config.pagerDuty) {
    throw new CliFailure('backfill lists incidents through PagerDuty\'s REST API: set PAGERDUTY_API_TOKEN (and PAGERDUTY_API_BASE_URL for EU accounts)');
  }

  const client = await ctx.temporal();
  const pagerDuty = retryingPagerDuty(config.pagerDuty, config.httpTimeoutMs);
  let listed: ResolvedIncidents;
  try {
    listed = await pagerDuty.resolvedIncidents(since, until);
  } catch (error) {
    throw new CliFailure(`could not list resolved incidents: ${messageOf(error)}`);
  }
  const routingRules = await accountRouting(pagerDuty, config.routing, progress);
  const total = listed.incidents.length;
  progress(
    `${total} resolved PagerDuty incident${total === 1 ? '' : 's'} created between ${since.toISOString()} and ${until.toISOString()}` +
      (dryRun ? ' (dry run: nothing is started)' : `; starting at most ${rate} per minute on task queue ${ctx.taskQueue}`),
  );
  if (listed.truncated) progress('PagerDuty has more than its pagination returns (10,000): narrow the window and run again for the rest.');

  const intervalMs = 60_000 / rate;
  let lastStart: number | undefined;
  const items: BackfillItem[] = [];
  for (const [index, incident] of listed.incidents.entries()) {
    const snapshot = snapshotFromListedIncident(incident);
    const workflowId = workflowIdForIncident(incident.id);
    let item: BackfillItem;
    if (!isPagerDutyId(incident.id)) {
      // Never a workflow id built from what an answer put in `id`.
      item = { incidentId: describeId(incident.id), outcome: 'failed', detail: 'failed: not a PagerDuty incident id' };
    } else if (snapshot.mergedInto) {
      item = { incidentId: incident.id, outcome: 'merged', detail: `skipped: merged into ${snapshot.mergedInto}` };
    } else {
      const routing = routePostmortem(snapshot, routingRules);
      if (!routing.qualifies) {
        item = { incidentId: incident.id, outcome: 'routing', detail: `skipped: ${routing.reason}` };
      } else {
        item = await backfillOne(client, ctx.taskQueue, { personalData: config.redactPersonalData }, incident, workflowId, dryRun, async () => {
          if (lastStart !== undefined) await sleep(lastStart + intervalMs - Date.now());
          lastStart = Date.now();
        });
      }
    }
    items.push(item);
    progress(`[${index + 1}/${total}] ${item.incidentId} ${item.detail}`);
  }

  const counts = Object.fromEntries(
    (['started', 'would_start', 'exists', 'routing', 'merged', 'failed'] as const).map((o) => [o, items.filter((i) => i.outcome === o).length]),
  ) as Record<BackfillOutcome, number>;
  const summary = [
    dryRun ? `${counts.would_start} would start` : `${counts.started} started`,
    `${counts.exists} already had a workflow`,
    `${counts.routing} skipped by severity routing`,
    `${counts.merged} merged`,
    ...(counts.failed > 0 ? [`${counts.failed} failed`] : []),
  ].join(', ');
  if (json) {
    ctx.out(JSON.stringify({ since: since.toISOString(), until: until.toISOString(), dryRun, rate, total, truncated: listed.truncated, counts, incidents: items }, null, 2));
  } else {
    ctx.out(`Backfill ${dryRun ? 'dry run ' : ''}done: ${total} incident${total === 1 ? '' : 's'}: ${summary}.`);
  }
  return counts.failed > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * The routing rules with the account's priorities (`GET /priorities`), as the worker's settings carry
 * them. A POSTMORTEM_MIN_PRIORITY that names none of them stops the backfill, as it stops the worker;
 * a list that cannot be read leaves routing on the P/SEV numbers, said in each reason.
 */
async function accountRouting(pagerDuty: PagerDutyClient, rules: RoutingRules, progress: (line: string) => void): Promise<RoutingRules> {
  let names: string[];
  try {
    names = priorityNames(await pagerDuty.priorities());
  } catch (error) {
    const unknown = `account priorities could not be read (${messageOf(error)})`;
    progress(`Severity routing by the P/SEV number: ${unknown}.`);
    return { ...rules, prioritiesUnknown: unknown };
  }
  if (rules.minPriority === undefined && rules.minPriorityName !== undefined && priorityPosition(rules.minPriorityName, names) === undefined) {
    throw new CliFailure(`POSTMORTEM_MIN_PRIORITY: "${rules.minPriorityName}" is not one of the account's priorities (${names.join(', ') || 'none'}); name one of them, or P1…P9`);
  }
  return { ...rules, priorities: names };
}

async function backfillOne(
  client: Client,
  taskQueue: string,
  redaction: RedactionOptions,
  incident: ApiIncident,
  workflowId: string,
  dryRun: boolean,
  pace: () => Promise<void>,
): Promise<BackfillItem> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return { incidentId: incident.id, outcome: 'exists', detail: `skipped: ${workflowId} already exists (${description.status.name.toLowerCase()})` };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      if (isUnavailable(error)) throw error;
      return { incidentId: incident.id, outcome: 'failed', detail: `failed: could not describe ${workflowId}: ${messageOf(error)}` };
    }
  }
  if (dryRun) return { incidentId: incident.id, outcome: 'would_start', detail: `would start ${workflowId}` };
  await pace();
  try {
    const outcome = await deliverIncidentEvent(client, taskQueue, backfillEvent(incident, new Date(), redaction));
    return outcome.status === 'accepted'
      ? { incidentId: incident.id, outcome: 'started', detail: `started ${workflowId}` }
      : { incidentId: incident.id, outcome: 'exists', detail: `skipped: ${workflowId} already exists (closed)` };
  } catch (error) {
    if (isUnavailable(error)) throw error;
    return { incidentId: incident.id, outcome: 'failed', detail: `failed: ${messageOf(error)}` };
  }
}

export function registerBackfill(program: Command, ctx: Context): void {
  program
    .command('backfill')
    .option('--since <value>')
    .option('--until <value>')
    .option('--rate <value>')
    .option('--dry-run')
    .option('--json')
    .action(ctx.run((options: BackfillOptions) => backfill(ctx, options)));
}
