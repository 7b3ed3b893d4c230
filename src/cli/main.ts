// `postmortem`: the operator CLI. Looks at and steers incident workflows (status, list, retry, skip,
// cancel), feeds a saved PagerDuty webhook through the bridge's own path (replay-webhook), starts
// postmortems for incidents resolved before this service saw them (backfill), and runs the simulator.
// Exit codes: 0 ok, 1 operational failure, 2 usage error.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { ConfigError, loadWorkerConfig } from '../config';
import { deliverIncidentEvent } from '../temporal/deliver-event';
import { EncryptionConfigError, encryptionDataConverter } from '../temporal/encryption';
import { loadDotEnv } from '../config/env-file';
import { workflowIdForIncident } from '../domain/incident';
import { PHASES, type PostmortemStatus } from '../domain/status';
import { cancelSignal, retrySignal, skipSignal, statusQuery } from '../domain/messages';
import { parseWebhook } from '../integrations/pagerduty/webhook';
import type { ApiIncident } from '../integrations/pagerduty/api';
import { backfillEvent, snapshotFromListedIncident } from '../integrations/pagerduty/backfill';
import { PagerDutyClient, type ResolvedIncidents } from '../integrations/pagerduty/client';
import { withRetries } from '../integrations/http';
import { type RedactionOptions } from '../postmortem/redaction';
import { describeReport } from '../domain/redaction-report';
import { routePostmortem } from '../domain/routing';
import { IncidentPriority, PagerDutyIncidentId, PagerDutyService, PostmortemPhase } from '../domain/search-attributes';
import { parseDuration } from '../domain/duration';
import { describeTarget, loadTemporalSettings, type TemporalSettings } from '../temporal/connection';

type Env = Record<string, string | undefined>;

export interface CliIo {
  /** Default: process.env. Temporal settings, the task queue and (for backfill) the worker's configuration. */
  env?: Env;
  stdout?: { write(chunk: string): unknown };
  stderr?: { write(chunk: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const DEFAULT_TASK_QUEUE = 'incident-postmortems';
const WORKFLOW_TYPE = 'incidentPostmortem';
/** A query needs a worker to answer it; without one the server would wait for a long time. */
const QUERY_TIMEOUT_MS = 15_000;
const DEFAULT_LIST_LIMIT = 20;
const DEFAULT_BACKFILL_RATE = 10;
/** Tries of the incident listing before backfill gives up. */
const PAGERDUTY_ATTEMPTS = 5;

export const USAGE = `Usage: postmortem <command> [options]

Commands:
  status <incident> [--json]             the incident's postmortem status: phase, links, last error
  list [--phase P] [--service S] [--priority P1] [--limit N] [--json]
                                         incident workflows, newest first (default limit ${DEFAULT_LIST_LIMIT})
  retry <incident> [--reason text]       in needs_attention: try the failed step again
  skip <incident> [--reason text]        in needs_attention: give up the failed step
  cancel <incident> [--reason text]      end the incident's workflow now, in any phase (ends skipped)
  replay-webhook <file> [--webhook-id ID] [--json]
                                         deliver a saved PagerDuty v3 webhook body the way the bridge does
                                         (no signature check: the file is the operator's)
  backfill --since 7d [--until now] [--rate N] [--dry-run] [--json]
                                         start postmortems for PagerDuty incidents resolved in the window
                                         that have no workflow yet, at most N per minute (default ${DEFAULT_BACKFILL_RATE});
                                         times are durations before now (30m, 12h, 7d), ISO dates or "now"
  simulate                               the same as \`npm run simulate\`

<incident> is a PagerDuty incident id (Q1ABCDEF234567) or its workflow id (incident-Q1ABCDEF234567).
Phases: ${PHASES.join(', ')}.

Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_*, TEMPORAL_PROFILE; TEMPORAL_TASK_QUEUE (default ${DEFAULT_TASK_QUEUE}). backfill also reads
the worker's PAGERDUTY_API_TOKEN, PAGERDUTY_API_BASE_URL, POSTMORTEM_MIN_PRIORITY and POSTMORTEM_NO_PRIORITY.

Exit codes: 0 ok, 1 operational failure, 2 usage error.
`;

class UsageError extends Error {}
/** An operational failure, already worded for the operator. */
class CliFailure extends Error {}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  options: OptionSpec;
  /** Positional arguments: exactly these names, in order. */
  positionals: string[];
  run(ctx: Context, args: string[], values: Values): Promise<number>;
}

interface Context {
  env: Env;
  /** One line (a newline is added when missing). */
  out(text: string): void;
  err(text: string): void;
  /** Raw output, as is. */
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  taskQueue: string;
  temporal(): Promise<Client>;
}

// ---- entry points ------------------------------------------------------------------------------

/** Runs one command; resolves the exit code. Never throws, never calls process.exit. */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const out = (text: string) => void stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const err = (text: string) => void stderr.write(text.endsWith('\n') ? text : `${text}\n`);

  const [name, ...rest] = argv;
  if (name === undefined) {
    err(USAGE);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`postmortem: unknown command "${name}"\n`);
    err(USAGE);
    return EXIT_USAGE;
  }

  let settings: TemporalSettings | undefined;
  let connection: Connection | undefined;
  let client: Client | undefined;
  const ctx: Context = {
    env,
    out,
    err,
    stdout,
    stderr,
    taskQueue: env.TEMPORAL_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE,
    async temporal() {
      if (client) return client;
      settings = loadTemporalSettings(env);
      // The same payload encryption as the bridge and the worker, or nothing they write is readable.
      let dataConverter: ReturnType<typeof encryptionDataConverter>;
      try {
        dataConverter = encryptionDataConverter(env);
      } catch (error) {
        if (error instanceof EncryptionConfigError) throw new CliFailure(error.message);
        throw error;
      }
      const { address, tls, apiKey, metadata } = settings.connectionOptions;
      try {
        connection = await Connection.connect({ address, tls, apiKey, metadata, connectTimeout: '5s' });
      } catch (error) {
        throw new CliFailure(unreachable(settings, error));
      }
      client = new Client({ connection, namespace: settings.namespace, dataConverter });
      return client;
    },
  };

  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      }) as { values: Values; positionals: string[] };
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (parsed.values.help) {
      out(USAGE);
      return EXIT_OK;
    }
    if (parsed.positionals.length !== command.positionals.length) {
      throw new UsageError(
        command.positionals.length === 0
          ? `${name} takes no arguments (got ${parsed.positionals.map((p) => `"${p}"`).join(' ')})`
          : `${name} needs ${command.positionals.map((p) => `<${p}>`).join(' ')}${parsed.positionals.length > command.positionals.length ? ' and nothing more' : ''}`,
      );
    }
    return await command.run(ctx, parsed.positionals, parsed.values);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`postmortem ${name}: ${error.message}\n`);
      err(USAGE);
      return EXIT_USAGE;
    }
    if (error instanceof CliFailure) {
      err(`postmortem ${name}: ${error.message}`);
      return EXIT_FAILURE;
    }
    if (settings && isUnavailable(error)) {
      err(`postmortem ${name}: ${unreachable(settings, error)}`);
      return EXIT_FAILURE;
    }
    err(`postmortem ${name}: ${messageOf(error)}`);
    return EXIT_FAILURE;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** `bin/postmortem.js` and `tsx src/cli/main.ts`: reads `.env` like the other processes, then runs. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  loadDotEnv();
  process.exitCode = await runCli(argv);
}

// ---- commands ----------------------------------------------------------------------------------

const reasonOption: OptionSpec = { reason: { type: 'string' } };

const COMMANDS: Record<string, Command> = {
  status: {
    options: { json: { type: 'boolean' } },
    positionals: ['incident'],
    async run(ctx, [incident], values) {
      const id = incidentIdArg(incident);
      const status = await queryStatus(ctx, id);
      ctx.out(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return EXIT_OK;
    },
  },

  list: {
    options: {
      phase: { type: 'string' },
      service: { type: 'string' },
      priority: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: [],
    async run(ctx, _args, values) {
      const phase = stringValue(values, 'phase');
      if (phase !== undefined && !(PHASES as readonly string[]).includes(phase)) {
        throw new UsageError(`--phase must be one of ${PHASES.join(', ')} (got "${phase}")`);
      }
      const service = nonEmpty(values, 'service');
      const priority = nonEmpty(values, 'priority');
      const limit = positiveNumber(values, 'limit', DEFAULT_LIST_LIMIT, true);
      const query = listQuery({ phase, service, priority });

      const client = await ctx.temporal();
      const rows: ListRow[] = [];
      try {
        for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          rows.push(listRow(info));
          if (rows.length >= limit) break;
        }
      } catch (error) {
        if (grpcCode(error) === GRPC_INVALID_ARGUMENT) {
          throw new CliFailure(
            `Temporal rejected the query [${query}]: ${messageOf(error)}. The search attributes are registered by the worker at startup: has it run against this namespace?`,
          );
        }
        throw error;
      }
      if (values.json) ctx.out(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) ctx.out(`No incident workflows match: ${query}`);
      else ctx.out(formatTable(rows));
      return EXIT_OK;
    },
  },

  retry: operatorCommand('retry'),
  skip: operatorCommand('skip'),
  cancel: operatorCommand('cancel'),

  'replay-webhook': {
    options: { 'webhook-id': { type: 'string' }, json: { type: 'boolean' } },
    positionals: ['file'],
    async run(ctx, [file], values) {
      const webhookId = nonEmpty(values, 'webhook-id');
      let text: string;
      try {
        text = readFileSync(file as string, 'utf8');
      } catch (error) {
        throw new CliFailure(`cannot read ${file}: ${messageOf(error)}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new CliFailure(`${file} is not JSON: expected a PagerDuty v3 webhook body ({"event": {…}})`);
      }
      // Parsed (and redacted) exactly as the bridge does; the signature check is the one step left out.
      const parsed = parseWebhook(body, webhookId, new Date(), redactionOptions(ctx.env));
      if (parsed.kind === 'invalid') throw new CliFailure(`${file}: ${parsed.message}`);
      if (parsed.kind === 'ignored') {
        if (values.json) ctx.out(JSON.stringify({ status: 'ignored', eventType: parsed.eventType, eventId: parsed.eventId }, null, 2));
        else ctx.out(`ignored: event type ${parsed.eventType} is not used by the postmortem workflow (event ${parsed.eventId}); nothing was sent`);
        return EXIT_OK;
      }
      const { event } = parsed;
      const client = await ctx.temporal();
      const outcome = await deliverIncidentEvent(client, ctx.taskQueue, event);
      if (values.json) {
        ctx.out(JSON.stringify({ ...outcome, eventType: event.type, eventId: event.eventId, incidentId: event.incident.id }, null, 2));
      } else if (outcome.status === 'accepted') {
        ctx.out(`accepted: ${event.type} (event ${event.eventId}) delivered to workflow ${outcome.workflowId} on task queue ${ctx.taskQueue}`);
      } else {
        ctx.out(`incident already closed: workflow ${outcome.workflowId} has finished, so ${event.type} (event ${event.eventId}) started nothing`);
      }
      return EXIT_OK;
    },
  },

  backfill: {
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: [],
    run: backfill,
  },

  simulate: {
    options: {},
    positionals: [],
    run: simulate,
  },
};

function operatorCommand(kind: 'retry' | 'skip' | 'cancel'): Command {
  const signal = { retry: retrySignal, skip: skipSignal, cancel: cancelSignal }[kind];
  return {
    options: reasonOption,
    positionals: ['incident'],
    async run(ctx, [incident], values) {
      const id = incidentIdArg(incident);
      const reason = nonEmpty(values, 'reason');
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
        if (reason) await handle.signal(signal, { reason });
        else await handle.signal(signal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        // Signalling a closed workflow answers "not found" too: tell the two apart.
        const closed = await handle.describe().catch(() => undefined);
        if (closed) throw new CliFailure(`${workflowId} has already finished (${closed.status.name.toLowerCase()}): there is nothing to ${kind}`);
        throw new CliFailure(notFoundMessage(workflowId, ctx));
      }
      const what = { retry: 'retry the failed step', skip: 'skip the failed step', cancel: 'cancel the incident' }[kind];
      ctx.out(`${kind} sent to ${workflowId}: ${what}${reason ? ` (reason: ${reason})` : ''}`);
      if (lastError) ctx.out(`  the failed step was: ${lastError}`);
      return EXIT_OK;
    },
  };
}

// ---- status ------------------------------------------------------------------------------------

async function queryStatus(ctx: Context, id: string): Promise<PostmortemStatus> {
  const client = await ctx.temporal();
  const workflowId = workflowIdForIncident(id);
  try {
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).query(statusQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliFailure(notFoundMessage(workflowId, ctx));
    if (grpcCode(error) === GRPC_DEADLINE_EXCEEDED) {
      throw new CliFailure(
        `no answer to the status query of ${workflowId} within ${QUERY_TIMEOUT_MS / 1000} s: is a worker polling task queue ${ctx.taskQueue}? (\`npm run worker\`)`,
      );
    }
    throw error;
  }
}

function notFoundMessage(workflowId: string, ctx: Context): string {
  const namespace = loadTemporalSettings(ctx.env).namespace;
  return `no workflow ${workflowId} in namespace ${namespace} (wrong incident id, or a finished one whose retention expired)`;
}

export function formatStatus(status: PostmortemStatus): string {
  const dash = (value: string | null | undefined) => (value === undefined || value === null || value === '' ? '—' : value);
  const lines: [string, string][] = [
    ['phase', status.phase],
    ['title', dash(status.title)],
    ['service', dash(status.service)],
    ['priority', status.priority === null ? 'none' : dash(status.priority ?? status.urgency?.concat(' urgency'))],
    ['incident', dash(status.incidentUrl)],
    ['session', dash(status.devinSessionUrl ?? status.devinSessionId)],
    ['pull request', dash(status.pullRequestUrl)],
  ];
  if (status.pageUrl) lines.push(['page', status.pageUrl]);
  if (status.dryRun) lines.push(['dry run', status.promptPath ? `prompt written to ${status.promptPath}` : 'yes (DEVIN_API_KEY not set)']);
  if (status.lastError) lines.push(['last error', status.lastError]);
  if (status.skipReason) lines.push(['skip reason', status.skipReason]);
  if (status.mergedInto) lines.push(['merged into', status.mergedInto]);
  if (status.routing) lines.push(['routing', status.routing]);
  if (status.contextSource) lines.push(['evidence', status.contextSource + (status.contextLimitation ? ` (${status.contextLimitation})` : '')]);
  if (status.redactions && Object.keys(status.redactions).length > 0) lines.push(['redacted', describeReport(status.redactions)]);
  if (status.reopenedAfterDraft > 0) lines.push(['reopened', `${status.reopenedAfterDraft}× after the session started`]);
  lines.push(['events', `${status.eventsReceived} received, ${status.duplicatesIgnored} duplicates ignored`]);
  const width = Math.max(...lines.map(([label]) => label.length));
  const text = [`${workflowIdForIncident(status.incidentId)}`, ...lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (status.phase === 'needs_attention') {
    text.push('', `Fix the cause, then \`postmortem retry ${status.incidentId}\`, or \`postmortem skip ${status.incidentId} --reason …\`.`);
  }
  return text.join('\n');
}

// ---- list --------------------------------------------------------------------------------------

/** A visibility string literal: Temporal's query parser takes backslash escapes inside single quotes. */
export function quoteQueryValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function listQuery(filters: { phase?: string; service?: string; priority?: string }): string {
  const clauses = [`WorkflowType = ${quoteQueryValue(WORKFLOW_TYPE)}`];
  if (filters.phase) clauses.push(`${PostmortemPhase.name} = ${quoteQueryValue(filters.phase)}`);
  if (filters.service) clauses.push(`${PagerDutyService.name} = ${quoteQueryValue(filters.service)}`);
  if (filters.priority) clauses.push(`${IncidentPriority.name} = ${quoteQueryValue(filters.priority)}`);
  return clauses.join(' AND ');
}

interface ListRow {
  incidentId: string;
  workflowId: string;
  phase?: string;
  priority?: string;
  service?: string;
  startTime: string;
  closeTime?: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED… */
  status: string;
}

function listRow(info: WorkflowExecutionInfo): ListRow {
  const sa = info.typedSearchAttributes;
  return {
    incidentId: sa.get(PagerDutyIncidentId) ?? info.workflowId.replace(/^incident-/, ''),
    workflowId: info.workflowId,
    phase: sa.get(PostmortemPhase),
    priority: sa.get(IncidentPriority),
    service: sa.get(PagerDutyService),
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
    status: info.status.name,
  };
}

function formatTable(rows: ListRow[]): string {
  const header = ['INCIDENT', 'PHASE', 'PRIORITY', 'SERVICE', 'STARTED'];
  const cells = rows.map((r) => [r.incidentId, r.phase ?? '—', r.priority ?? '—', r.service ?? '—', r.startTime.replace(/\.\d{3}Z$/, 'Z')]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

// ---- backfill ----------------------------------------------------------------------------------

type BackfillOutcome = 'started' | 'would_start' | 'exists' | 'routing' | 'merged' | 'failed';

interface BackfillItem {
  incidentId: string;
  outcome: BackfillOutcome;
  detail: string;
}

async function backfill(ctx: Context, _args: string[], values: Values): Promise<number> {
  const now = new Date();
  const sinceText = nonEmpty(values, 'since');
  if (!sinceText) throw new UsageError('--since is required, e.g. --since 7d');
  const since = parseInstant(sinceText, now, 'since');
  const until = parseInstant(nonEmpty(values, 'until') ?? 'now', now, 'until');
  if (since >= until) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const rate = positiveNumber(values, 'rate', DEFAULT_BACKFILL_RATE, false);
  const dryRun = values['dry-run'] === true;
  const json = values.json === true;
  // With --json, stdout carries the JSON summary alone; progress goes to stderr.
  const progress = json ? ctx.err : ctx.out;

  let config;
  try {
    config = loadWorkerConfig(ctx.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(`backfill uses the worker's configuration. ${error.message}`);
    throw error;
  }
  if (!config.pagerDuty) {
    throw new CliFailure('backfill lists incidents through PagerDuty\'s REST API: set PAGERDUTY_API_TOKEN (and PAGERDUTY_API_BASE_URL for EU accounts)');
  }

  const client = await ctx.temporal();
  // Outside Temporal: each request's transient failures are retried here, after the server's delay.
  const pagerDuty = new PagerDutyClient(config.pagerDuty, config.httpTimeoutMs, undefined, (send) => withRetries(send, PAGERDUTY_ATTEMPTS, sleep));
  let listed: ResolvedIncidents;
  try {
    listed = await pagerDuty.resolvedIncidents(since, until);
  } catch (error) {
    throw new CliFailure(`could not list resolved incidents: ${messageOf(error)}`);
  }
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
    if (snapshot.mergedInto) {
      item = { incidentId: incident.id, outcome: 'merged', detail: `skipped: merged into ${snapshot.mergedInto}` };
    } else {
      const routing = routePostmortem(snapshot, config.routing);
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
    progress(`[${index + 1}/${total}] ${incident.id} ${item.detail}`);
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

/** `now`, a duration before now (`7d`, `12h`), or an ISO date / timestamp. */
function parseInstant(text: string, now: Date, option: string): Date {
  if (text === 'now') return now;
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw new UsageError(`--${option} must be "now", a duration before now like 30m, 12h or 7d, or an ISO date (got "${text}")`);
}

// ---- simulate ----------------------------------------------------------------------------------

/** Runs src/dev/simulate.ts in its own process (it reads process.env and exits by itself). */
function simulate(ctx: Context): Promise<number> {
  const source = path.join(__dirname, '..', 'dev', 'simulate.ts');
  const args = existsSync(source) ? [require.resolve('tsx/cli'), source] : [path.join(__dirname, '..', 'dev', 'simulate.js')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...ctx.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ctx.stdout.write(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ctx.stderr.write(chunk));
    child.on('error', (error) => {
      ctx.err(`postmortem simulate: could not start the simulator: ${error.message}`);
      resolve(EXIT_FAILURE);
    });
    child.on('close', (code) => resolve(code === 0 ? EXIT_OK : EXIT_FAILURE));
  });
}

// ---- helpers -----------------------------------------------------------------------------------

function incidentIdArg(value: string | undefined): string {
  const id = (value ?? '').trim().replace(/^incident-/, '');
  if (!/^[A-Za-z0-9]+$/.test(id)) {
    throw new UsageError(`"${value}" is not a PagerDuty incident id (like Q1ABCDEF234567) or its workflow id (incident-Q1ABCDEF234567)`);
  }
  return id;
}

/** REDACT_PERSONAL_DATA, read as the bridge reads it (default true). */
function redactionOptions(env: Env): RedactionOptions {
  const value = env.REDACT_PERSONAL_DATA?.trim() ?? '';
  if (value === '' || /^(true|1|yes|on)$/i.test(value)) return { personalData: true };
  if (/^(false|0|no|off)$/i.test(value)) return { personalData: false };
  throw new CliFailure(`REDACT_PERSONAL_DATA must be true or false (got "${value}")`);
}

function stringValue(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(values: Values, name: string): string | undefined {
  const value = stringValue(values, name);
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value.trim();
}

function positiveNumber(values: Values, name: string, fallback: number, integer: boolean): number {
  const text = stringValue(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'whole ' : ''}number (got "${text}")`);
  }
  return n;
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAVAILABLE = 14;

/** The gRPC status code of an error or of its causes. */
function grpcCode(error: unknown): number | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

function isUnavailable(error: unknown): boolean {
  return grpcCode(error) === GRPC_UNAVAILABLE;
}

function unreachable(settings: TemporalSettings, error: unknown): string {
  return (
    `cannot reach Temporal at ${describeTarget(settings)}: ${messageOf(error)}. ` +
    'Is the server running? Point the CLI at it with TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TEMPORAL_PROFILE).'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

if (require.main === module) {
  void main();
}
