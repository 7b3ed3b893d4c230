// `npm run bridge`: the HTTP endpoint PagerDuty delivers webhooks to.
import type { Server, ServerResponse } from 'node:http';
import { loadBridgeConfig, ConfigError } from './config';
import { loadDotEnv } from './env-file';
import { createLogger, type Logger } from './logger';
import { createLazyClient, describeTarget, loadTemporalSettings } from './temporal-connection';
import type { PayloadCodec } from '@temporalio/common';
import { createBridgeMetrics } from './bridge-metrics';
import { encryptionDataConverter } from './encryption';
import { createWebhookApp } from './webhook-app';

const DRAIN_GRACE_MS = 10_000;

export interface RunningBridge {
  server: Server;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

export async function startBridge(env: Record<string, string | undefined> = process.env, logger: Logger = createLogger('bridge')): Promise<RunningBridge> {
  const config = loadBridgeConfig(env);
  const temporal = loadTemporalSettings(env);
  const dataConverter = encryptionDataConverter(env);
  const client = createLazyClient(temporal, dataConverter);
  const app = createWebhookApp({
    client,
    taskQueue: config.taskQueue,
    secrets: { signingSecrets: config.webhookSigningSecrets, sharedSecret: config.sharedWebhookSecret },
    logger,
    metrics: createBridgeMetrics(),
    redactPersonalData: config.redactPersonalData,
    codec: dataConverter
      ? { codec: dataConverter.payloadCodecs[0] as PayloadCodec, allowedOrigins: (env.CODEC_CORS_ORIGINS ?? 'http://localhost:8233').split(',').map((o) => o.trim()) }
      : undefined,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  // Draining: answers still in flight tell their clients to hang up, so keep-alive connections do
  // not hold a SIGTERM open; a stuck client is cut off after the grace time.
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    {
      port,
      temporal: describeTarget(temporal),
      taskQueue: config.taskQueue,
      auth: [
        config.webhookSigningSecrets.length > 0 ? `${config.webhookSigningSecrets.length} signing secret(s)` : undefined,
        config.sharedWebhookSecret ? 'shared X-Webhook-Secret' : undefined,
      ].filter(Boolean),
    },
    'bridge listening',
  );
  return {
    server,
    port,
    close: async () => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_GRACE_MS);
      cutOff.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(cutOff);
      await client.connection.close();
    },
  };
}

if (require.main === module) {
  loadDotEnv();
  startBridge()
    .then((bridge) => {
      const stop = (signal: string) => {
        createLogger('bridge').info({ signal }, 'draining in-flight requests');
        bridge.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((error: unknown) => {
      console.error(`bridge: ${error instanceof ConfigError ? error.message : `failed to start: ${error instanceof Error ? error.message : String(error)}`}`);
      process.exit(1);
    });
}
