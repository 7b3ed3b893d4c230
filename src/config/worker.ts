// The worker's configuration (`npm run worker`): the SaaS credentials stay in this process.
import { z } from 'zod';
import type { PostmortemDestination } from '../domain/write-back';
import type { RoutingRules } from '../domain/routing';
import type { DatadogConfig } from '../integrations/datadog/client';
import type { DevinApiConfig } from '../integrations/devin/client';
import type { GitHubApiConfig } from '../integrations/github/client';
import type { PagerDutyApiConfig } from '../integrations/pagerduty/client';
import type { SentryConfig } from '../integrations/sentry/client';
import { githubSchema } from './github';
import { duration, email, type Env, flag, httpUrl, list, logLevel, oneOf, optionalText, parse, positiveInt, priorityThreshold, taskQueue } from './values';

/** WORKER_DEPLOYMENT_NAME's default: the package's name (test/config.test.ts keeps them equal). */
export const DEFAULT_DEPLOYMENT_NAME = 'pagerduty-devin-postmortems';

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
    DEVIN_TERMINATE_SESSIONS: flag(true),
    DEVIN_REPORT_WAIT: duration('30m', 0),
    DEVIN_ANSWER_WAIT: duration('15m', 1000),
    DEVIN_LIST_LAG: duration('10s', 0),
    RESOLVE_QUIET_PERIOD: duration('10m', 0),
    LATE_RESOLUTION_GRACE: duration('1h', 0),
    HTTP_TIMEOUT: duration('30s', 100),
    POSTMORTEM_OUTPUT_DIR: optionalText.transform((value) => value ?? 'postmortems'),
    POSTMORTEM_TEMPLATE: optionalText,
    POSTMORTEM_DESTINATION: oneOf(['repo', 'wiki'] as const, 'repo'),
    POSTMORTEM_MIN_PRIORITY: priorityThreshold,
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
    WORKER_OPTIMIZE_FOR_SIZE: flag(true),
    WORKFLOW_BUNDLE_PATH: optionalText,
    WORKER_BUILD_ID: optionalText.transform((value, ctx) => {
      if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be letters, digits and . _ + - (at most 255), e.g. 0.1.0-3f2a9c1 (got "${value}")` });
        return z.NEVER;
      }
      return value;
    }),
    WORKER_DEPLOYMENT_NAME: optionalText.transform((value, ctx) => {
      // Temporal joins the name and the build id with a dot, so the name cannot hold one.
      if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be letters, digits, _ and - (no dot; at most 255) (got "${value}")` });
        return z.NEVER;
      }
      return value ?? DEFAULT_DEPLOYMENT_NAME;
    }),
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
    ...githubSchema.shape,
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
    if (env.POSTMORTEM_MIN_PRIORITY.rank === undefined && !env.PAGERDUTY_API_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['POSTMORTEM_MIN_PRIORITY'],
        message: `"${env.POSTMORTEM_MIN_PRIORITY.name}" is not P1…P9 or SEV1…: naming one of the account's own priorities needs PAGERDUTY_API_TOKEN (their order is read from GET /priorities)`,
      });
    }
    if (env.POSTMORTEM_REPO && !env.GITHUB_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['POSTMORTEM_REPO'], message: 'needs GITHUB_TOKEN (earlier postmortems are read through the GitHub API)' });
    }
    if (env.ACTION_ITEMS_REPO && !env.GITHUB_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['ACTION_ITEMS_REPO'], message: 'needs GITHUB_TOKEN (the action items become GitHub issues)' });
    }
    if (env.DEVIN_MAX_WAIT < env.DEVIN_POLL_INTERVAL) {
      ctx.addIssue({ code: 'custom', path: ['DEVIN_MAX_WAIT'], message: 'must be longer than DEVIN_POLL_INTERVAL' });
    }
  });


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
  /** Terminate the session when the incident gives it up (cancelled, skipped, DEVIN_MAX_WAIT, failed): it stops costing ACUs. */
  devinTerminateSessions: boolean;
  /** After the PR appears, how long to wait for Devin's turn to end so that its report is final. */
  devinReportWaitMs: number;
  /** How long Devin may leave an answered question open before it is reported again (then an operator is asked). */
  devinAnswerWaitMs: number;
  /** How long a just-created session may take to show in the session list (a lost create is looked for that long). */
  devinListLagMs: number;
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
  /** Absent without GITHUB_TOKEN: the workflow completes when the PR is open, as without GitHub. */
  github?: GitHubApiConfig;
  /** After the PR opens (with GITHUB_TOKEN): the evidence check's fix rounds, reviewers, reminders, the poll. */
  review: { fixRounds: number; reviewers: { users: string[]; teams: string[] }; reminderMs: number; pollIntervalMs: number };
  /** Action items as issues (ACTION_ITEMS_*), and where earlier postmortems are read from (POSTMORTEM_REPO). */
  actionItems: { on: 'merge' | 'pr_open' | 'off'; repository?: string; checkIntervalMs: number; followUpMaxMs: number; checksPerRun: number };
  postmortemRepository?: string;
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
  /**
   * V8's `--optimize-for-size` for the worker process: its heaps grow far less in a burst of incidents
   * (evidence packs are mostly garbage once sent), for ~40 % more CPU in it (docs/benchmarks.md, scenario E).
   */
  workerOptimizeForSize: boolean;
  /** A prebuilt workflow bundle (the image builds one): the worker then starts without webpack. */
  workflowBundlePath?: string;
  /**
   * With WORKER_BUILD_ID, the Worker Deployment version this worker belongs to (docs/operations.md);
   * without it the worker runs unversioned (`npm run dev`, the tests).
   */
  workerDeployment?: { deploymentName: string; buildId: string };
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
    devinTerminateSessions: parsed.DEVIN_TERMINATE_SESSIONS,
    devinReportWaitMs: parsed.DEVIN_REPORT_WAIT,
    devinAnswerWaitMs: parsed.DEVIN_ANSWER_WAIT,
    devinListLagMs: parsed.DEVIN_LIST_LAG,
    resolveQuietPeriodMs: parsed.RESOLVE_QUIET_PERIOD,
    lateResolutionGraceMs: parsed.LATE_RESOLUTION_GRACE,
    httpTimeoutMs: parsed.HTTP_TIMEOUT,
    postmortemOutputDir: parsed.POSTMORTEM_OUTPUT_DIR,
    postmortemTemplate: parsed.POSTMORTEM_TEMPLATE,
    postmortemDestination: parsed.POSTMORTEM_DESTINATION,
    routing: {
      ...(parsed.POSTMORTEM_MIN_PRIORITY.rank === undefined ? {} : { minPriority: parsed.POSTMORTEM_MIN_PRIORITY.rank }),
      minPriorityName: parsed.POSTMORTEM_MIN_PRIORITY.name,
      noPriority: parsed.POSTMORTEM_NO_PRIORITY,
    },
    devinKnowledgeIds: parsed.DEVIN_KNOWLEDGE_IDS,
    devinRepos: parsed.DEVIN_REPOS,
    devinMaxAcu: parsed.DEVIN_MAX_ACU,
    pagerDutyFromEmail: parsed.PAGERDUTY_FROM_EMAIL,
    slackWebhookUrl: parsed.SLACK_WEBHOOK_URL,
    redactPersonalData: parsed.REDACT_PERSONAL_DATA,
    workerMetricsAddress: parsed.WORKER_METRICS_ADDRESS,
    workerMaxCachedWorkflows: parsed.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    workerOptimizeForSize: parsed.WORKER_OPTIMIZE_FOR_SIZE,
    workflowBundlePath: parsed.WORKFLOW_BUNDLE_PATH,
    workerDeployment: parsed.WORKER_BUILD_ID ? { deploymentName: parsed.WORKER_DEPLOYMENT_NAME, buildId: parsed.WORKER_BUILD_ID } : undefined,
    datadog:
      parsed.DATADOG_API_KEY && parsed.DATADOG_APP_KEY
        ? { apiKey: parsed.DATADOG_API_KEY, appKey: parsed.DATADOG_APP_KEY, site: parsed.DATADOG_SITE, baseUrl: parsed.DATADOG_API_BASE_URL, serviceTag: parsed.DATADOG_SERVICE_TAG }
        : undefined,
    sentry:
      parsed.SENTRY_AUTH_TOKEN && parsed.SENTRY_ORG && parsed.SENTRY_PROJECT
        ? { token: parsed.SENTRY_AUTH_TOKEN, org: parsed.SENTRY_ORG, project: parsed.SENTRY_PROJECT, baseUrl: parsed.SENTRY_BASE_URL }
        : undefined,
    github: parsed.GITHUB_TOKEN ? { token: parsed.GITHUB_TOKEN, baseUrl: parsed.GITHUB_API_BASE_URL } : undefined,
    actionItems: { on: parsed.ACTION_ITEMS_ON, ...(parsed.ACTION_ITEMS_REPO ? { repository: parsed.ACTION_ITEMS_REPO } : {}), checkIntervalMs: parsed.ACTION_ITEMS_CHECK_INTERVAL, followUpMaxMs: parsed.ACTION_ITEMS_FOLLOW_UP_MAX, checksPerRun: parsed.ACTION_ITEMS_CHECKS_PER_RUN },
    ...(parsed.POSTMORTEM_REPO ? { postmortemRepository: parsed.POSTMORTEM_REPO } : {}),
    review: { fixRounds: parsed.POSTMORTEM_FIX_ROUNDS, reviewers: parsed.POSTMORTEM_REVIEWERS, reminderMs: parsed.POSTMORTEM_REVIEW_REMINDER, pollIntervalMs: parsed.GITHUB_POLL_INTERVAL },
    devinMaxSessionsPerMinute: parsed.DEVIN_MAX_SESSIONS_PER_MINUTE,
    devinSessionTaskQueue: parsed.DEVIN_SESSION_TASK_QUEUE ?? `${parsed.TEMPORAL_TASK_QUEUE}-devin-sessions`,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    logLevel: parsed.LOG_LEVEL,
  };
}
