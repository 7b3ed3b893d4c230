// What the operator CLI (`postmortem`) and the simulator (`npm run simulate`) read from the
// environment, besides Temporal's own settings (./temporal) and, for backfill, the worker's (./index).
// Each is read when the command that needs it runs, so a bad value fails only that command.
import { z } from 'zod';
import { type Env, flag, httpUrl, optionalText, port, secretList, taskQueue } from './values';

export { DEFAULT_TASK_QUEUE } from './values';


/** A problem with the CLI's or the simulator's environment, worded `NAME must be … (got "…")`. */
export class CliConfigError extends Error {
  override name = 'CliConfigError';

  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

function parse<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new CliConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`));
}

export interface CliConfig {
  /** Where replayed webhooks and backfilled incidents are started (the worker's task queue). */
  taskQueue: string;
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  return { taskQueue: parse(z.object({ TEMPORAL_TASK_QUEUE: taskQueue }), env).TEMPORAL_TASK_QUEUE };
}

/** REDACT_PERSONAL_DATA, read as the bridge reads it (default true): replay-webhook redacts like the bridge. */
export function loadRedactPersonalData(env: Env = process.env): boolean {
  return parse(z.object({ REDACT_PERSONAL_DATA: flag(true) }), env).REDACT_PERSONAL_DATA;
}

/** WORKFLOW_BUNDLE_PATH, read as the worker reads it: `histories replay` replays the bundle the worker would run. */
export function loadWorkflowBundlePath(env: Env = process.env): string | undefined {
  return parse(z.object({ WORKFLOW_BUNDLE_PATH: optionalText }), env).WORKFLOW_BUNDLE_PATH;
}

export interface SimulatorConfig {
  /** The bridge the deliveries are posted to (`/webhooks/pagerduty` is appended). */
  bridgeUrl: string;
  /** The first of PAGERDUTY_WEBHOOK_SECRETS: the deliveries are signed with it. */
  webhookSigningSecret?: string;
  /** WEBHOOK_SECRET, sent as X-Webhook-Secret when there is no signing secret. */
  sharedWebhookSecret?: string;
  /** How long the workflow is followed before giving up. */
  waitMs: number;
}

const DEFAULT_SIMULATE_WAIT_SECONDS = 120;

const simulatorSchema = z
  .object({
    BRIDGE_URL: optionalText,
    PORT: optionalText,
    PAGERDUTY_WEBHOOK_SECRETS: secretList,
    WEBHOOK_SECRET: optionalText,
    SIMULATE_WAIT_SECONDS: optionalText.transform((value, ctx) => {
      const seconds = value === undefined ? DEFAULT_SIMULATE_WAIT_SECONDS : Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of seconds (got "${value}")` });
        return z.NEVER;
      }
      return seconds;
    }),
  })
  .transform((env, ctx) => {
    // BRIDGE_URL wins; PORT (the bridge's own, default 3000) only matters without it.
    const parsed = env.BRIDGE_URL ? httpUrl('').safeParse(env.BRIDGE_URL) : port(3000).safeParse(env.PORT);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [env.BRIDGE_URL ? 'BRIDGE_URL' : 'PORT'], message: issue.message });
      return z.NEVER;
    }
    return { ...env, bridgeUrl: typeof parsed.data === 'number' ? `http://localhost:${parsed.data}` : parsed.data };
  });

export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const parsed = parse(simulatorSchema, env);
  return {
    bridgeUrl: parsed.bridgeUrl,
    webhookSigningSecret: parsed.PAGERDUTY_WEBHOOK_SECRETS[0],
    sharedWebhookSecret: parsed.WEBHOOK_SECRET,
    waitMs: parsed.SIMULATE_WAIT_SECONDS * 1000,
  };
}
