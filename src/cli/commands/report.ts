// `postmortem report [--since 30d] [--until now] [--service S] [--json | --markdown]`: the team's figures
// for a window — from the merged postmortems in POSTMORTEM_REPO, the notes on their PagerDuty incidents,
// the tracker's issues, and the incident workflows Temporal still lists (in flight, or closed within the
// namespace's retention: skipped ones and their reasons).
import { type Client, type WorkflowExecutionInfo, WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { INCIDENT_WORKFLOW_TYPE } from '../../domain/messages';
import { PostmortemPullRequest, quoteQueryValue } from '../../domain/search-attributes';
import type { PostmortemResult } from '../../domain/status';
import { GitHubClient } from '../../integrations/github/client';
import { GitHubIssueTracker } from '../../integrations/github/issue-tracker';
import { computeReport, type IncidentWorkflow } from '../../report/figures';
import { formatReportMarkdown, formatReportText } from '../../report/format';
import { gatherReport } from '../../report/sources';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, messageOf, UsageError } from '../errors';
import { isInvalidArgument } from '../grpc';
import { listRow } from './list';
import { nonEmpty, parseInstant } from '../validate';
import { retryingPagerDuty, workerConfigFor } from '../worker-config';

export const DEFAULT_REPORT_SINCE = '30d';
/** Workflows read from visibility at most (newest first). */
const WORKFLOWS_READ = 2_000;

interface ReportOptions {
  since?: string;
  until?: string;
  service?: string;
  json?: boolean;
  markdown?: boolean;
}

/** The window's incident workflows; the service is filtered by the figures, case-insensitively like the files. */
async function incidentWorkflows(client: Client, since: string, problems: string[]): Promise<IncidentWorkflow[]> {
  const query = [`WorkflowType = ${quoteQueryValue(INCIDENT_WORKFLOW_TYPE)}`, `StartTime >= ${quoteQueryValue(since)}`].join(' AND ');
  const rows: IncidentWorkflow[] = [];
  const skipped: { row: IncidentWorkflow; info: WorkflowExecutionInfo }[] = [];
  try {
    for await (const info of client.workflow.list({ query, pageSize: 100 })) {
      const { incidentId, status, startTime, phase, service, acus } = listRow(info);
      const pullRequestUrl = info.typedSearchAttributes.get(PostmortemPullRequest);
      const continued = Boolean(info.raw.firstRunId && info.raw.firstRunId !== info.runId);
      const row = { incidentId, status, startTime, ...(phase ? { phase } : {}), ...(service ? { service } : {}), ...(acus !== undefined ? { acus } : {}), ...(pullRequestUrl ? { pullRequestUrl } : {}), ...(continued ? { continued } : {}) };
      rows.push(row);
      if (phase === 'skipped' && status === 'COMPLETED') skipped.push({ row, info });
      if (rows.length >= WORKFLOWS_READ) {
        problems.push(`more than ${WORKFLOWS_READ} incident workflows in the window: only the newest ${WORKFLOWS_READ} are counted`);
        break;
      }
    }
  } catch (error) {
    if (isInvalidArgument(error)) throw new CliFailure(`Temporal rejected the query [${query}]: ${messageOf(error)}. The search attributes are registered by the worker at startup: has it run against this namespace?`);
    throw error;
  }
  // Why each was skipped: the workflow's result (kept as long as the namespace's retention).
  for (const { row, info } of skipped) {
    try {
      const result = (await client.workflow.getHandle(info.workflowId, info.runId).result()) as PostmortemResult;
      if (result.skipReason) row.skipReason = result.skipReason;
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) problems.push(`${info.workflowId}: its result could not be read (${messageOf(error)})`);
    }
  }
  return rows;
}

async function report(ctx: Context, options: ReportOptions): Promise<number> {
  if (options.json && options.markdown) throw new UsageError('--json and --markdown do not go together');
  const now = new Date();
  const since = parseInstant(nonEmpty(options.since, 'since') ?? DEFAULT_REPORT_SINCE, now, 'since');
  const until = parseInstant(nonEmpty(options.until, 'until') ?? 'now', now, 'until');
  if (since >= until) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const service = nonEmpty(options.service, 'service');

  const config = workerConfigFor(ctx, 'report');
  if (!config.github) throw new CliFailure('report reads the merged postmortems through the GitHub API: set GITHUB_TOKEN (and GITHUB_API_BASE_URL for GitHub Enterprise Server)');
  if (!config.postmortemRepository) throw new CliFailure('report reads the merged postmortems from POSTMORTEM_REPO (owner/name): set it to the repository they are merged into');

  const github = new GitHubClient(config.github, config.httpTimeoutMs);
  const pagerDuty = config.pagerDuty ? retryingPagerDuty(config.pagerDuty, config.httpTimeoutMs) : undefined;
  const client = await ctx.temporal();
  const problems: string[] = [];
  const input = await gatherReport(
    {
      files: github,
      tracker: new GitHubIssueTracker(github),
      trackerRepository: config.actionItems.repository ?? config.postmortemRepository,
      ...(pagerDuty ? { notes: pagerDuty } : {}),
      workflows: () => incidentWorkflows(client, since.toISOString(), problems),
    },
    { since: since.toISOString(), until: until.toISOString(), ...(service ? { service } : {}), repository: config.postmortemRepository },
  );
  const figures = computeReport({ ...input, problems: [...input.problems, ...problems] });
  ctx.out(options.json ? JSON.stringify(figures, null, 2) : options.markdown ? formatReportMarkdown(figures) : formatReportText(figures));
  return EXIT_OK;
}

export function registerReport(program: Command, ctx: Context): void {
  program
    .command('report')
    .option('--since <value>')
    .option('--until <value>')
    .option('--service <value>')
    .option('--json')
    .option('--markdown')
    .action(ctx.run((options: ReportOptions) => report(ctx, options)));
}
