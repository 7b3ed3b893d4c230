// `postmortem replay-webhook <file> [--webhook-id ID] [--json]`: delivers a saved PagerDuty v3
// webhook body the way the bridge does. No signature check: the file is the operator's.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CliConfigError, loadRedactPersonalData } from '../../config/cli';
import { parseWebhook } from '../../integrations/pagerduty/webhook';
import type { RedactionOptions } from '../../postmortem/redaction';
import { deliverIncidentEvent } from '../../temporal/deliver-event';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, messageOf } from '../errors';
import { nonEmpty } from '../validate';

/** The bridge's body limit (MAX_BODY_BYTES); PagerDuty's deliveries are far smaller (≤ 256 KB). */
const MAX_FILE_BYTES = 1024 * 1024;

interface ReplayOptions {
  webhookId?: string;
  json?: boolean;
}

/** REDACT_PERSONAL_DATA, read as the bridge reads it (default true). */
function redactionOptions(ctx: Context): RedactionOptions {
  try {
    return { personalData: loadRedactPersonalData(ctx.env) };
  } catch (error) {
    if (error instanceof CliConfigError) throw new CliFailure(error.message);
    throw error;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** Refuses what is not a regular file of at most 1 MiB, from its metadata alone. */
function checkSavedBody(file: string, stats: Stats): void {
  if (!stats.isFile()) throw new CliFailure(`${file} is not a regular file (it is ${kindOf(stats)}): replay-webhook reads a webhook body saved to a file`);
  if (stats.size > MAX_FILE_BYTES) throw new CliFailure(`${file} is ${stats.size} bytes: a saved webhook body is at most 1 MiB (the bridge refuses larger deliveries too)`);
}

/**
 * A FIFO would block the CLI until a writer came and a device (/dev/zero) would grow it without end, so
 * the path is checked before it is opened; it is opened non-blocking and checked again through the
 * descriptor (the path may have changed in between), and never more than the limit is read.
 */
function readSavedBody(file: string): string {
  let fd: number | undefined;
  try {
    checkSavedBody(file, statSync(file));
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    checkSavedBody(file, fstatSync(fd));
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_FILE_BYTES) throw new CliFailure(`${file} grew past 1 MiB while it was read: a saved webhook body is at most 1 MiB`);
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`cannot read ${file}: ${messageOf(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function replayWebhook(ctx: Context, file: string, options: ReplayOptions): Promise<number> {
  const webhookId = nonEmpty(options.webhookId, 'webhook-id');
  const text = readSavedBody(file);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliFailure(`${file} is not JSON: expected a PagerDuty v3 webhook body ({"event": {…}})`);
  }
  // Parsed (and redacted) exactly as the bridge does; the signature check is the one step left out.
  const parsed = parseWebhook(body, webhookId, new Date(), redactionOptions(ctx));
  if (parsed.kind === 'invalid') throw new CliFailure(`${file}: ${parsed.message}`);
  if (parsed.kind === 'ignored') {
    if (options.json) ctx.out(JSON.stringify({ status: 'ignored', eventType: parsed.eventType, eventId: parsed.eventId }, null, 2));
    else ctx.out(`ignored: event type ${parsed.eventType} is not used by the postmortem workflow (event ${parsed.eventId}); nothing was sent`);
    return EXIT_OK;
  }
  const { event } = parsed;
  const client = await ctx.temporal();
  const outcome = await deliverIncidentEvent(client, ctx.taskQueue, event);
  if (options.json) {
    ctx.out(JSON.stringify({ ...outcome, eventType: event.type, eventId: event.eventId, incidentId: event.incident.id }, null, 2));
  } else if (outcome.status === 'accepted') {
    ctx.out(`accepted: ${event.type} (event ${event.eventId}) delivered to workflow ${outcome.workflowId} on task queue ${ctx.taskQueue}`);
  } else {
    ctx.out(`incident already closed: workflow ${outcome.workflowId} has finished, so ${event.type} (event ${event.eventId}) started nothing`);
  }
  return EXIT_OK;
}

export function registerReplayWebhook(program: Command, ctx: Context): void {
  program
    .command('replay-webhook')
    .argument('<file>')
    .option('--webhook-id <value>')
    .option('--json')
    .action(ctx.run((file: string, options: ReplayOptions) => replayWebhook(ctx, file, options)));
}
