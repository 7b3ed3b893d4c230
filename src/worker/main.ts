// `npm run worker`: the process that runs incident workflows and talks to PagerDuty and Devin.
import { ConfigError, loadWorkerConfig } from '../config';
import { EncryptionConfigError, encryptionDataConverter } from '../temporal/encryption';
import { loadDotEnv } from '../config/env-file';
import { createLogger, type Logger } from '../config/logger';
import { DevinCredentialsError } from './devin-check';
import { makeFirstVersionCurrent } from './first-version';
import { createPostmortemWorker, NamespaceSetupError } from './postmortem-worker';
import { installWorkerRuntime, optimizeForSize } from './runtime';
import { describeTarget, loadTemporalSettings } from '../config/temporal';
import { connectWorker } from '../temporal/connection';

/** Runs until SIGINT/SIGTERM (the SDK drains in-flight activities first). */
export async function runWorker(env: Record<string, string | undefined> = process.env, logger: Logger = createLogger('worker')) {
  const config = loadWorkerConfig(env);
  optimizeForSize(config.workerOptimizeForSize);
  installWorkerRuntime(logger, { metricsAddress: config.workerMetricsAddress });
  const temporal = loadTemporalSettings(env);
  const connection = await connectWorker(temporal);
  try {
    const dataConverter = encryptionDataConverter(env);
    const worker = await createPostmortemWorker({ connection, namespace: temporal.namespace, config, logger, dataConverter });
    logger.info(
      {
        temporal: describeTarget(temporal),
        taskQueue: config.taskQueue,
        pagerDutyApi: config.pagerDuty ? config.pagerDuty.baseUrl : 'off (PAGERDUTY_API_TOKEN not set: webhook data only)',
        devin: config.devin ? config.devin.baseUrl : 'dry run (DEVIN_API_KEY not set: prompts written to files)',
        payloadEncryption: dataConverter ? 'on (PAYLOAD_ENCRYPTION_KEYS)' : 'off',
        metrics: config.workerMetricsAddress ? `http://${config.workerMetricsAddress}/metrics` : 'off (WORKER_METRICS_ADDRESS not set)',
        deployment: config.workerDeployment
          ? `${config.workerDeployment.deploymentName} build ${config.workerDeployment.buildId} (Auto-Upgrade)`
          : 'unversioned (WORKER_BUILD_ID not set)',
      },
      'worker started',
    );
    const stopped = new AbortController();
    const firstVersion = config.workerDeployment
      ? makeFirstVersionCurrent(connection, temporal.namespace, config.workerDeployment, logger, { signal: stopped.signal })
      : undefined;
    try {
      await worker.run();
    } finally {
      stopped.abort();
      await firstVersion;
    }
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  loadDotEnv();
  runWorker().catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof NamespaceSetupError || error instanceof EncryptionConfigError || error instanceof DevinCredentialsError) {
      console.error(`worker: ${error.message}`);
    } else {
      console.error('worker: failed to start:', error instanceof Error ? error.message : error);
    }
    process.exit(1);
  });
}
