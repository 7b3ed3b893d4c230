// One place that reads the environment. Each process validates what it needs at startup and
// refuses to start with a message naming the variable and what is wrong with it.
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import type { DatadogConfig } from '../integrations/datadog/client';
import type { DevinApiConfig } from '../integrations/devin/client';
import type { PagerDutyApiConfig } from '../integrations/pagerduty/client';
import type { SentryConfig } from '../integrations/sentry/client';
import type { PostmortemDestination } from '../domain/write-back';
import type { RoutingRules } from '../domain/routing';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Unset and blank both mean "not configured" — `.env` files often carry `KEY=`. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const duration = (fallback: string, min = 0) =>
  optionalText.transform((value, ctx) => {
    const ms = parseDuration(value ?? fallback);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 10m or 6h (got "${value}")` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${min}ms (got "${value}")` });
      return z.NEVER;
    }
    return ms;
  });

export const httpUrl = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const text = value ?? fallback;
    try {
      const url = new URL(text);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      return text.replace(/\/+$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL (got "${text}")` });
      return z.NEVER;
    }
  });

export const secretList = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const port = (fallback: number) =>
  optionalText.transform((value, ctx) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `must be a port number 0-65535 (got "${value}")` });
      return z.NEVER;
    }
    return n;
  });

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const logLevel = optionalText.transform((value, ctx) => {
  const level = value ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")` });
    return z.NEVER;
  }
  return level;
});

/** A listener's bind address: an IP address or a host name, e.g. 127.0.0.1, 0.0.0.0, ::1, localhost. */
const host = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const text = value ?? fallback;
    if (!/^[A-Za-z0-9.-]+$/.test(text) && !/^\[?[0-9A-Fa-f:.]+\]?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `must be an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got "${value}")` });
      return z.NEVER;
    }
    return text.replace(/^\[(.*)\]$/, '$1');
  });

/** Browser origins (scheme://host[:port]), compared with the Origin header exactly as browsers send it. */
const origins = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const result: string[] = [];
    for (const entry of (value ?? fallback).split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated origins like http://localhost:8233, without a path (got "${entry}")` });
        return z.NEVER;
      }
      result.push(url.origin);
    }
    return result;
  });

/**
 * LOG_LEVEL alone, for the loggers every process creates before (or without) its full configuration:
 * an unknown level is a ConfigError naming the variable, not pino's bare "unknown level".
 */
export function loadLogLevel(env: Env = process.env): string {
  return parse(z.object({ LOG_LEVEL: logLevel }), env).LOG_LEVEL;
}

export const DEFAULT_TASK_QUEUE = 'incident-postmortems';

export const taskQueue = optionalText.transform((value) => value ?? DEFAULT_TASK_QUEUE);

const list = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

const oneOf = <T extends string>(values: readonly T[], fallback: T) =>
  optionalText.transform((value, ctx) => {
    const v = (value ?? fallback).toLowerCase();
    if (!(values as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')} (got "${value}")` });
      return z.NEVER;
    }
    return v as T;
  });

export const flag = (fallback: boolean) =>
  optionalText.transform((value, ctx) => {
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false (got "${value}")` });
    return z.NEVER;
  });

const priorityLevel = optionalText.transform((value, ctx) => {
  const text = (value ?? 'P2').toUpperCase();
  if (!/^P[1-9]$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `must be a priority like P1, P2 … P9 (got "${value}")` });
    return z.NEVER;
  }
  return Number(text.slice(1));
});

const email = optionalText.transform((value, ctx) => {
  if (value !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `must be the email address of a PagerDuty user (got "${value}")` });
    return z.NEVER;
  }
  return value;
});

const positiveInt = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `must be a positive whole number (got "${value}")` });
    return z.NEVER;
  }
  return n;
});

/** The codec endpoint's own port (only served when PAYLOAD_ENCRYPTION_KEYS is set). */
export const DEFAULT_CODEC_PORT = 3001;

const bridgeSchema = z
  .object({
    PORT: port(3000),
    CODEC_PORT: port(DEFAULT_CODEC_PORT),
    CODEC_HOST: host('127.0.0.1'),
    CODEC_CORS_ORIGINS: origins('http://localhost:8233'),
    PAGERDUTY_WEBHOOK_SECRETS: secretList,
    WEBHOOK_SECRET: optionalText,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: logLevel,
    REDACT_PERSONAL_DATA: flag(true),
  })
  .superRefine((env, ctx) => {
    if (env.CODEC_PORT !== 0 && env.CODEC_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['CODEC_PORT'],
        message: `must differ from PORT (both ${env.PORT}): the codec endpoint decodes incident data and is never served on the public webhook port`,
      });
    }
    if (env.PAGERDUTY_WEBHOOK_SECRETS.length === 0 && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAGERDUTY_WEBHOOK_SECRETS'],
        message:
          'no way to authenticate webhooks: set PAGERDUTY_WEBHOOK_SECRETS (the v3 subscription signing secret, comma-separated during rotation) and/or WEBHOOK_SECRET (shared X-Webhook-Secret header)',
      });
    }
  });

const workerSchema = z
  .object({
    PAGERDUTY_API_TOKEN: optionalText,
    PAGERDUTY_API_BASE_URL: httpUrl('https://api.pagerduty.com'),
    DEVIN_API_KEY: optionalText,
    DEVIN_ORG_ID: optionalText,
    DEVIN_API_BASE_URL: httpUrl('https://api.devin.ai/v3'),
    DEVIN_PLAYBOOK_ID: optionalText,
    DEVIN_POLL_INTERVAL: duration('30s', 1000),
    DEVIN_MAX_WAIT: duration('6h', 1000),
    DEVIN_NUDGE_MESSAGE: optionalText,
    RESOLVE_QUIET_PERIOD: duration('10m', 0),
    LATE_RESOLUTION_GRACE: duration('1h', 0),
    HTTP_TIMEOUT: duration('30s', 100),
    POSTMORTEM_OUTPUT_DIR: optionalText.transform((value) => value ?? 'postmortems'),
    POSTMORTEM_TEMPLATE: optionalText,
    POSTMORTEM_DESTINATION: oneOf(['repo', 'wiki'] as const, 'repo'),
    POSTMORTEM_MIN_PRIORITY: priorityLevel,
    POSTMORTEM_NO_PRIORITY: oneOf(['urgency', 'always', 'never'] as const, 'urgency'),
    DEVIN_KNOWLEDGE_IDS: list,
    DEVIN_REPOS: list,
    DEVIN_MAX_ACU: positiveInt,
    PAGERDUTY_FROM_EMAIL: email,
    SLACK_WEBHOOK_URL: optionalText.transform((value, ctx) => {
      if (value !== undefined && !/^https?:\/\//.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a Slack incoming-webhook URL' });
        return z.NEVER;
      }
      return value;
    }),
    REDACT_PERSONAL_DATA: flag(true),
    DEVIN_MAX_SESSIONS_PER_MINUTE: optionalText.transform((value, ctx) => {
      const n = value === undefined ? 10 : Number(value);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number (got "${value}")` });
        return z.NEVER;
      }
      return n;
    }),
    DEVIN_SESSION_TASK_QUEUE: optionalText,
    WORKER_MAX_CACHED_WORKFLOWS: positiveInt,
    DATADOG_API_KEY: optionalText,
    DATADOG_APP_KEY: optionalText,
    DATADOG_SITE: optionalText.transform((value) => value ?? 'datadoghq.com'),
    DATADOG_API_BASE_URL: optionalText,
    DATADOG_SERVICE_TAG: optionalText,
    SENTRY_AUTH_TOKEN: optionalText,
    SENTRY_ORG: optionalText,
    SENTRY_PROJECT: optionalText,
    SENTRY_BASE_URL: httpUrl('https://sentry.io'),
    WORKER_METRICS_ADDRESS: optionalText.transform((value, ctx) => {
      if (value !== undefined && !/^[\w.-]*:\d{1,5}$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be host:port, e.g. 0.0.0.0:9464 (got "${value}")` });
        return z.NEVER;
      }
      return value;
    }),
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: logLevel,
  })
  .superRefine((env, ctx) => {
    if (env.DEVIN_API_KEY && !env.DEVIN_ORG_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEVIN_ORG_ID'],
        message: 'is required when DEVIN_API_KEY is set (the org-… id shown under Settings > Service users)',
      });
    }
    if (Boolean(env.DATADOG_API_KEY) !== Boolean(env.DATADOG_APP_KEY)) {
      ctx.addIssue({ code: 'custom', path: [env.DATADOG_API_KEY ? 'DATADOG_APP_KEY' : 'DATADOG_API_KEY'], message: 'Datadog needs both DATADOG_API_KEY and DATADOG_APP_KEY' });
    }
    if (env.SENTRY_AUTH_TOKEN && (!env.SENTRY_ORG || !env.SENTRY_PROJECT)) {
      ctx.addIssue({ code: 'custom', path: [!env.SENTRY_ORG ? 'SENTRY_ORG' : 'SENTRY_PROJECT'], message: 'is required with SENTRY_AUTH_TOKEN' });
    }
    if (env.DEVIN_MAX_WAIT < env.DEVIN_POLL_INTERVAL) {
      ctx.addIssue({ code: 'custom', path: ['DEVIN_MAX_WAIT'], message: 'must be longer than DEVIN_POLL_INTERVAL' });
    }
  });

function parse<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
}

export interface BridgeConfig {
  port: number;
  /**
   * The Temporal UI's codec endpoint (/codec/encode, /codec/decode) listens here, never on `port`:
   * it decodes incident data for whoever reaches it.
   */
  codec: { port: number; host: string; allowedOrigins: string[] };
  /** v3 signing secrets; several while a subscription secret is being rotated. */
  webhookSigningSecrets: string[];
  /** The guide's shared-secret scheme (`X-Webhook-Secret` header). */
  sharedWebhookSecret?: string;
  taskQueue: string;
  logLevel: string;
  /** Redact emails and phone numbers from event text too (secrets always are). */
  redactPersonalData: boolean;
}

export function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const parsed = parse(bridgeSchema, env);
  return {
    port: parsed.PORT,
    codec: { port: parsed.CODEC_PORT, host: parsed.CODEC_HOST, allowedOrigins: parsed.CODEC_CORS_ORIGINS },
    webhookSigningSecrets: parsed.PAGERDUTY_WEBHOOK_SECRETS,
    sharedWebhookSecret: parsed.WEBHOOK_SECRET,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    logLevel: parsed.LOG_LEVEL,
    redactPersonalData: parsed.REDACT_PERSONAL_DATA,
  };
}

export const DEFAULT_NUDGE_MESSAGE =
  'Please continue without waiting for an answer: make the most reasonable assumption, state it in the postmortem, and open the pull request.';

/**
 * The SDK sizes its workflow cache by heap size (thousands on a large machine), keeping every open
 * incident in memory for as long as it waits, ~0.2 MB each (JS heap and the Rust core's state). 250
 * keeps the worker under 400 MB with 1,000 incidents open (docs/benchmarks.md).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

export interface WorkerConfig {
  /** Absent: the workflow works from webhook data alone and says so. */
  pagerDuty?: PagerDutyApiConfig;
  pagerDutyBaseUrl: string;
  /** Absent: dry run — the prompt is written under `postmortemOutputDir` instead of sent. */
  devin?: DevinApiConfig;
  devinBaseUrl: string;
  devinPlaybookId?: string;
  devinPollIntervalMs: number;
  devinMaxWaitMs: number;
  /** Sent once when the session waits for a user's answer. */
  devinNudgeMessage: string;
  /** After resolution, how long to wait for a reopen before drafting. */
  resolveQuietPeriodMs: number;
  /** How long a workflow started by a note or priority change on an already-resolved incident waits for its resolution event. */
  lateResolutionGraceMs: number;
  httpTimeoutMs: number;
  postmortemOutputDir: string;
  /** A markdown template file the postmortem must follow. */
  postmortemTemplate?: string;
  /** `repo`: a PR under docs/postmortems/; `wiki`: a Confluence/Notion page whose URL is the result. */
  postmortemDestination: PostmortemDestination;
  routing: RoutingRules;
  devinKnowledgeIds: string[];
  devinRepos: string[];
  devinMaxAcu?: number;
  /** Write-back to the PagerDuty incident needs a token and the email of a PagerDuty user. */
  pagerDutyFromEmail?: string;
  slackWebhookUrl?: string;
  redactPersonalData: boolean;
  /** Optional collectors: off unless configured. */
  datadog?: DatadogConfig & { serviceTag?: string };
  sentry?: SentryConfig;
  /** Session creations across all workers, enforced by Temporal on a dedicated task queue. */
  devinMaxSessionsPerMinute: number;
  devinSessionTaskQueue: string;
  /** Prometheus endpoint of the worker's Temporal Runtime (host:port). */
  workerMetricsAddress?: string;
  /**
   * Incident workflows kept in the worker's memory between tasks. Open incidents mostly wait (hours,
   * days) for resolution; one evicted from the cache is replayed from its history on its next event.
   */
  workerMaxCachedWorkflows: number;
  taskQueue: string;
  logLevel: string;
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const parsed = parse(workerSchema, env);
  return {
    pagerDuty: parsed.PAGERDUTY_API_TOKEN
      ? { token: parsed.PAGERDUTY_API_TOKEN, baseUrl: parsed.PAGERDUTY_API_BASE_URL }
      : undefined,
    pagerDutyBaseUrl: parsed.PAGERDUTY_API_BASE_URL,
    devin:
      parsed.DEVIN_API_KEY && parsed.DEVIN_ORG_ID
        ? { apiKey: parsed.DEVIN_API_KEY, orgId: parsed.DEVIN_ORG_ID, baseUrl: parsed.DEVIN_API_BASE_URL }
        : undefined,
    devinBaseUrl: parsed.DEVIN_API_BASE_URL,
    devinPlaybookId: parsed.DEVIN_PLAYBOOK_ID,
    devinPollIntervalMs: parsed.DEVIN_POLL_INTERVAL,
    devinMaxWaitMs: parsed.DEVIN_MAX_WAIT,
    devinNudgeMessage: parsed.DEVIN_NUDGE_MESSAGE ?? DEFAULT_NUDGE_MESSAGE,
    resolveQuietPeriodMs: parsed.RESOLVE_QUIET_PERIOD,
    lateResolutionGraceMs: parsed.LATE_RESOLUTION_GRACE,
    httpTimeoutMs: parsed.HTTP_TIMEOUT,
    postmortemOutputDir: parsed.POSTMORTEM_OUTPUT_DIR,
    postmortemTemplate: parsed.POSTMORTEM_TEMPLATE,
    postmortemDestination: parsed.POSTMORTEM_DESTINATION,
    routing: { minPriority: parsed.POSTMORTEM_MIN_PRIORITY, noPriority: parsed.POSTMORTEM_NO_PRIORITY },
    devinKnowledgeIds: parsed.DEVIN_KNOWLEDGE_IDS,
    devinRepos: parsed.DEVIN_REPOS,
    devinMaxAcu: parsed.DEVIN_MAX_ACU,
    pagerDutyFromEmail: parsed.PAGERDUTY_FROM_EMAIL,
    slackWebhookUrl: parsed.SLACK_WEBHOOK_URL,
    redactPersonalData: parsed.REDACT_PERSONAL_DATA,
    workerMetricsAddress: parsed.WORKER_METRICS_ADDRESS,
    workerMaxCachedWorkflows: parsed.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    datadog:
      parsed.DATADOG_API_KEY && parsed.DATADOG_APP_KEY
        ? { apiKey: parsed.DATADOG_API_KEY, appKey: parsed.DATADOG_APP_KEY, site: parsed.DATADOG_SITE, baseUrl: parsed.DATADOG_API_BASE_URL, serviceTag: parsed.DATADOG_SERVICE_TAG }
        : undefined,
    sentry:
      parsed.SENTRY_AUTH_TOKEN && parsed.SENTRY_ORG && parsed.SENTRY_PROJECT
        ? { token: parsed.SENTRY_AUTH_TOKEN, org: parsed.SENTRY_ORG, project: parsed.SENTRY_PROJECT, baseUrl: parsed.SENTRY_BASE_URL }
        : undefined,
    devinMaxSessionsPerMinute: parsed.DEVIN_MAX_SESSIONS_PER_MINUTE,
    devinSessionTaskQueue: parsed.DEVIN_SESSION_TASK_QUEUE ?? `${parsed.TEMPORAL_TASK_QUEUE}-devin-sessions`,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    logLevel: parsed.LOG_LEVEL,
  };
}
