// `postmortem replay-webhook <file> [--webhook-id ID] [--json]`: delivers a saved PagerDuty v3
// webhook body the way the bridge does. No signature check: the file is the operator's.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliConfigError, loadRedactPersonalData } from '../../config/cli';
import { parseWebhook } from '../../integrations/pagerduty/webhook';
import type { RedactionOptions } from '../../postmortem/redaction';
import { deliverIncidentEvent } from '../../temporal/deliver-event';
import type { Context } from '../context';
import { CliFailure, EXIT_OK, messageOf } from '../errors';
import { nonEmpty } from '../validate';

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

async function replayWebhook(ctx: Context, file: string, options: ReplayOptions): Promise<number> {
  const webhookId = nonEmpty(options.webhookId, 'webhook-id');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
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
