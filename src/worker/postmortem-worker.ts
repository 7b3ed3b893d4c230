// Builds the worker that runs incident workflows and their activities, after making sure the
// namespace can hold them (search attributes registered, retention long enough for late deliveries).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { checkPriorityThreshold, createActivities, type Clock, PriorityCache } from '../../activities';
import type { WorkerConfig } from '../config';
import type { Logger } from '../config/logger';
import { BUILT_WORKFLOW_BUNDLE, RUNNING_COMPILED } from '../config/project-root';
import { checkDevinCredentials } from './devin-check';
import { INCIDENT_VERSIONING_BEHAVIOR } from '../domain/messages';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { CLI_TYPES, INDEXED_VALUE_TYPES } from '../temporal/search-attribute-types';

/** workflows/index.ts through tsx; dist/workflows/index.js in the compiled build (webpack bundles either). */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../../workflows/index' + path.extname(__filename));
/**
 * A bundle handed in (tests), else the prebuilt one: WORKFLOW_BUNDLE_PATH (set by the Dockerfile), or, in
 * the compiled build, the dist/workflow-bundle.js that `npm run build` wrote beside it; else bundle now. With encrypted failures, the prebuilt bundle's variant built with the same failure
 * converter (scripts/build-workflow-bundle.ts writes both), so failures raised by workflow code are
 * encoded too; bundling now picks the converter up from the data converter by itself.
 */
export function workflowSource(
  bundle: WorkerOptions['workflowBundle'],
  bundlePath: string | undefined,
  encodedFailures = false,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (bundle) return { workflowBundle: bundle };
  bundlePath ??= builtBundle();
  if (!bundlePath) return { workflowsPath: WORKFLOWS_PATH };
  return { workflowBundle: { codePath: encodedFailures ? encodedFailuresBundle(bundlePath) : bundlePath } };
}

/** The compiled build's own bundle, when `npm run build` wrote one (a build from sources has none). */
function builtBundle(): string | undefined {
  return RUNNING_COMPILED && existsSync(BUILT_WORKFLOW_BUNDLE) ? BUILT_WORKFLOW_BUNDLE : undefined;
}

/** `dist/workflow-bundle.js` → `dist/workflow-bundle.encoded-failures.js`. */
export function encodedFailuresBundle(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.encoded-failures.js');
}

/** PagerDuty retries a delivery for 48 h; closed workflows must outlive that to reject late duplicates. */
export const MIN_RETENTION_MS = 3 * 86_400_000;

export class NamespaceSetupError extends Error {
  override name = 'NamespaceSetupError';
}

/** Registers any missing search attribute. Temporal Cloud refuses this call: then say exactly what to run. */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string, logger: Logger): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((key) => !(customAttributes && key.name in customAttributes));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, INDEXED_VALUE_TYPES[key.type]]),
      ),
    });
    logger.info({ searchAttributes: missing.map((k) => k.name), namespace }, 'registered search attributes');
  } catch (error) {
    const commands = missing
      .map((key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_TYPES[key.type]}`)
      .join('\n  ');
    throw new NamespaceSetupError(
      `search attributes ${missing.map((k) => k.name).join(', ')} are not registered in namespace ${namespace} and could not be added (${
        error instanceof Error ? error.message : String(error)
      }). Register them, then restart the worker:\n  ${commands}`,
    );
  }
}

/** Returns the namespace's retention in ms, warning when it is too short to reject late redeliveries. */
export async function checkRetention(connection: NativeConnection, namespace: string, logger: Logger): Promise<number | undefined> {
  try {
    const description = await connection.workflowService.describeNamespace({ namespace });
    const ttl = description.config?.workflowExecutionRetentionTtl;
    if (!ttl) return undefined;
    const ms = Number(ttl.seconds ?? 0) * 1000 + Math.floor((ttl.nanos ?? 0) / 1e6);
    if (ms < MIN_RETENTION_MS) {
      logger.warn(
        { namespace, retentionHours: ms / 3_600_000 },
        'namespace retention is shorter than 3 days: an incident redelivered by PagerDuty (retries last 48 h) after its workflow was removed could start a second postmortem. Raise it: temporal operator namespace update --retention 72h',
      );
    }
    return ms;
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not read namespace retention');
    return undefined;
  }
}

export interface PostmortemWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  config: WorkerConfig;
  logger: Logger;
  /** Prebuilt bundle (tests build one per file; images build one at build time). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  clock?: Clock;
  /** Payload encryption (PAYLOAD_ENCRYPTION_KEYS). */
  dataConverter?: WorkerOptions['dataConverter'];
}

/** The task-queue workers of one process: incidents (workflows and most activities) and Devin session creation. */
export class PostmortemWorker {
  constructor(
    readonly incidents: Worker,
    readonly sessions: Worker,
  ) {}

  /** Runs until shutdown; if one stops, the other is stopped too. */
  async run(): Promise<void> {
    const stopOther = (other: Worker) => () => {
      if (other.getState() === 'RUNNING') other.shutdown();
    };
    await Promise.all([
      this.incidents.run().finally(stopOther(this.sessions)),
      this.sessions.run().finally(stopOther(this.incidents)),
    ]);
  }

  shutdown(): void {
    for (const worker of [this.incidents, this.sessions]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

/**
 * With WORKER_BUILD_ID, both workers join the Worker Deployment as one version, with the incident
 * workflow's versioning behaviour (INCIDENT_VERSIONING_BEHAVIOR: Auto-Upgrade) as their default.
 */
export function deploymentOptions(config: Pick<WorkerConfig, 'workerDeployment'>): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!config.workerDeployment) return {};
  return { workerDeploymentOptions: { version: config.workerDeployment, useWorkerVersioning: true, defaultVersioningBehavior: INCIDENT_VERSIONING_BEHAVIOR } };
}

export async function createPostmortemWorker(options: PostmortemWorkerOptions): Promise<PostmortemWorker> {
  const { connection, namespace, config, logger } = options;
  await ensureSearchAttributes(connection, namespace, logger);
  await checkRetention(connection, namespace, logger);
  await checkDevinCredentials(config, logger);
  const clock = options.clock ?? { now: () => new Date() };
  const priorities = new PriorityCache(config, clock);
  // A custom POSTMORTEM_MIN_PRIORITY that is not one of the account's priorities stops the worker here (ConfigError).
  const unchecked = await checkPriorityThreshold(config.routing, priorities);
  if (unchecked) logger.warn({ routing: unchecked }, 'severity routing drafts incidents to be safe until the account\'s priorities can be read');
  const activities = createActivities(config, clock, priorities);
  const versioning = deploymentOptions(config);
  const incidents = await Worker.create({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    activities,
    dataConverter: options.dataConverter,
    ...workflowSource(options.workflowBundle, config.workflowBundlePath, options.dataConverter?.failureConverterPath !== undefined),
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    ...versioning,
    // Let in-flight activities finish on SIGTERM before the process exits.
    shutdownGraceTime: '30 seconds',
  });
  // Devin session creation has its own queue so Temporal's server-side rate limit caps it across
  // every worker: an incident storm queues up instead of hammering Devin into 429s.
  const sessions = await Worker.create({
    connection,
    namespace,
    taskQueue: config.devinSessionTaskQueue,
    activities: { startPostmortemSession: activities.startPostmortemSession },
    dataConverter: options.dataConverter,
    maxTaskQueueActivitiesPerSecond: config.devinMaxSessionsPerMinute / 60,
    ...versioning,
    shutdownGraceTime: '30 seconds',
  });
  return new PostmortemWorker(incidents, sessions);
}
