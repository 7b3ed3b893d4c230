// `postmortem histories export --out DIR [--since 7d | --query Q] [--limit N] [--force] [--json]`:
// saves the histories of incident workflows (running and closed, newest first) as one JSON file per
// execution, for `histories replay` to run against a new build before it is deployed. Payloads are
// written as Temporal stores them — encrypted when the worker encrypts them — and never decrypted.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type WorkflowExecutionInfo, WorkflowNotFoundError } from '@temporalio/client';
import { describeId } from '../../domain/identifiers';
import { INCIDENT_WORKFLOW_TYPE } from '../../domain/messages';
import { historyFileName, historyFileText } from '../../temporal/history-files';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, messageOf, UsageError } from '../errors';
import { isInvalidArgument } from '../grpc';
import { nonEmpty, parseInstant, positiveNumber } from '../validate';
import { quoteQueryValue } from './list';

export const DEFAULT_EXPORT_SINCE = '7d';
export const DEFAULT_EXPORT_LIMIT = 100;

export interface ExportOptions {
  out?: string;
  query?: string;
  since?: string;
  limit?: string;
  force?: boolean;
  json?: boolean;
}

/** Incident workflows only (nothing else can be replayed against this code), narrowed by --query or started since --since. */
export function exportQuery(filter: { query: string } | { since: Date }): string {
  const type = `WorkflowType = ${quoteQueryValue(INCIDENT_WORKFLOW_TYPE)}`;
  return 'query' in filter ? `${type} AND (${filter.query})` : `${type} AND StartTime > ${quoteQueryValue(filter.since.toISOString())}`;
}

type ExportOutcome = 'written' | 'kept' | 'skipped';

interface ExportedExecution {
  workflowId: string;
  runId: string;
  status: string;
  outcome: ExportOutcome;
  file?: string;
  events?: number;
  detail?: string;
}

/** --out may be missing (it is created) or a folder; anything else is refused before Temporal is asked. */
function checkOutFolder(out: string): void {
  let stats;
  try {
    stats = statSync(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new CliFailure(`cannot use --out ${out}: ${messageOf(error)}`);
  }
  if (!stats.isDirectory()) throw new CliFailure(`--out ${out} exists and is not a folder: give a folder (it is created when missing)`);
}

/**
 * Never replaces a file unless --force: `wx` fails on anything already there (a symlink too). With
 * --force the history goes to a new file first and is renamed over the old one, so a symlink planted in
 * the folder is replaced, never followed. Owner-only: the file holds incident data.
 */
function writeHistoryFile(target: string, text: string, force: boolean): 'written' | 'kept' {
  if (!force) {
    try {
      writeFileSync(target, text, { flag: 'wx', mode: 0o600 });
      return 'written';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'kept';
      throw error;
    }
  }
  const partial = `${target}.${process.pid}.partial`;
  try {
    writeFileSync(partial, text, { flag: 'wx', mode: 0o600 });
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return 'written';
}

async function listExecutions(ctx: Context, query: string, limit: number): Promise<WorkflowExecutionInfo[]> {
  const client = await ctx.temporal();
  const infos: WorkflowExecutionInfo[] = [];
  try {
    for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      infos.push(info);
      if (infos.length >= limit) break;
    }
  } catch (error) {
    if (isInvalidArgument(error)) throw new CliFailure(`Temporal rejected the query [${query}]: ${messageOf(error)}`);
    throw error;
  }
  return infos;
}

async function exportOne(ctx: Context, info: WorkflowExecutionInfo, out: string, force: boolean): Promise<ExportedExecution> {
  const { workflowId, runId } = info;
  const execution = { workflowId, runId, status: info.status.name.toLowerCase() };
  const file = historyFileName(workflowId, runId);
  if (!file) return { ...execution, outcome: 'skipped', detail: `workflow id ${describeId(workflowId)} cannot name a file safely` };
  let history;
  try {
    history = await (await ctx.temporal()).workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { ...execution, file, outcome: 'skipped', detail: 'gone from Temporal since it was listed (retention)' };
    throw error;
  }
  const events = history.events?.length ?? 0;
  let outcome: 'written' | 'kept';
  try {
    outcome = writeHistoryFile(path.join(out, file), historyFileText(history), force);
  } catch (error) {
    throw new CliFailure(`cannot write ${path.join(out, file)}: ${messageOf(error)}`);
  }
  return { ...execution, file, events, outcome, ...(outcome === 'kept' ? { detail: 'already there (--force replaces it)' } : {}) };
}

function describe(item: ExportedExecution): string {
  if (item.outcome === 'written') return `wrote ${item.file} (${item.status}, ${item.events} events)`;
  if (item.outcome === 'kept') return `kept ${item.file}: ${item.detail}`;
  return `skipped ${item.workflowId} (run ${item.runId}): ${item.detail}`;
}

export async function exportHistories(ctx: Context, options: ExportOptions): Promise<number> {
  const out = nonEmpty(options.out, 'out');
  if (!out) throw new UsageError('histories export needs --out <dir>: the folder the histories are written to');
  const query = nonEmpty(options.query, 'query');
  const since = nonEmpty(options.since, 'since');
  if (query && since) throw new UsageError('give --since or --query, not both: put the time in the query (StartTime > \'2025-01-01T00:00:00Z\')');
  const limit = positiveNumber(options.limit, 'limit', DEFAULT_EXPORT_LIMIT, true);
  const effectiveQuery = exportQuery(query ? { query } : { since: parseInstant(since ?? DEFAULT_EXPORT_SINCE, new Date(), 'since') });
  const force = options.force === true;
  const json = options.json === true;
  // With --json, stdout carries the JSON summary alone; progress goes to stderr.
  const progress = json ? ctx.err : ctx.out;
  checkOutFolder(out);

  const infos = await listExecutions(ctx, effectiveQuery, limit);
  try {
    mkdirSync(out, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CliFailure(`cannot create --out ${out}: ${messageOf(error)}`);
  }
  const items: ExportedExecution[] = [];
  for (const info of infos) {
    const item = await exportOne(ctx, info, out, force);
    items.push(item);
    progress(describe(item));
  }

  const count = (outcome: ExportOutcome) => items.filter((item) => item.outcome === outcome).length;
  const running = items.filter((item) => item.outcome === 'written' && item.status === 'running').length;
  const summary = { query: effectiveQuery, out, limit, limitReached: infos.length >= limit, written: count('written'), running, kept: count('kept'), skipped: count('skipped') };
  if (json) {
    ctx.out(JSON.stringify({ ...summary, executions: items }, null, 2));
    return EXIT_OK;
  }
  if (infos.length === 0) ctx.out(`No incident workflows match: ${effectiveQuery}`);
  ctx.out(
    `Exported ${summary.written} incident histories to ${out} (${running} running, ${summary.written - running} closed); ` +
      `${summary.kept} kept, ${summary.skipped} skipped.${summary.limitReached ? ` Stopped at --limit ${limit}: raise it to export more.` : ''}`,
  );
  ctx.out(`Query: ${effectiveQuery}`);
  ctx.out(
    'The files hold incident data as Temporal stores it: payloads are not decrypted (encrypted if the worker encrypts them with PAYLOAD_ENCRYPTION_KEYS). ' +
      'Keep them as you keep the incidents.',
  );
  ctx.out(`Replay them against a new build before deploying it: npm run histories:replay -- ${out}`);
  return EXIT_OK;
}
