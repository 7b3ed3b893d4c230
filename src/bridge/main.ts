// `npm run bridge`: the HTTP endpoint PagerDuty delivers webhooks to.
import type { Server } from 'node:http';
import { loadBridgeConfig, ConfigError } from '../config';
import { isLoopbackHost } from '../config/values';
import { loadDotEnv } from '../config/env-file';
import { createLogger, type Logger } from '../config/logger';
import { describeTarget, loadTemporalSettings } from '../config/temporal';
import { createLazyClient } from '../temporal/connection';
import type { PayloadCodec } from '@temporalio/common';
import { createBridgeMetrics, createMetricsApp } from './metrics';
import { createCodecAuthenticator } from './codec-auth';
import { createCodecApp } from './codec-server';
import { type DrainingListener, listenDraining } from './listener';
import { EncryptionConfigError, encryptionDataConverter } from '../temporal/encryption';
import { temporalReadiness } from './readiness';
import { createWebhookApp } from './webhook-app';

export interface RunningBridge {
  server: Server;
  port: number;
  /** The codec endpoint's own listener, only when PAYLOAD_ENCRYPTION_KEYS is set. */
  codec?: { server: Server; port: number; host: string };
  /** GET /metrics on its own listener, unless BRIDGE_METRICS_ADDRESS=off. */
  metrics?: { server: Server; port: number; host: string };
  /** Stops accepting connections, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

export async function startBridge(env: Record<string, string | undefined> = process.env, logger: Logger = createLogger('bridge')): Promise<RunningBridge> {
  const config = loadBridgeConfig(env);
  const temporal = loadTemporalSettings(env);
  const dataConverter = encryptionDataConverter(env);
  const client = createLazyClient(temporal, dataConverter);
  const metrics = createBridgeMetrics();
  const readiness = temporalReadiness(client, { metrics, logger });
  const app = createWebhookApp({
    client,
    taskQueue: config.taskQueue,
    secrets: { signingSecrets: config.webhookSigningSecrets, sharedSecret: config.sharedWebhookSecret },
    logger,
    metrics,
    redactPersonalData: config.redactPersonalData,
    readiness,
    githubSecret: config.githubWebhookSecret,
  });
  const limits = config.listener;
  const main = await listenDraining(app, { port: config.port, limits, onDrop: () => metrics.droppedConnection('webhook') });
  const started: DrainingListener[] = [main];
  /** A listener after the first: if it cannot listen, the ones started are closed and the error names its variables. */
  const also = async (what: string, listen: () => Promise<DrainingListener>) => {
    try {
      const listener = await listen();
      started.push(listener);
      return listener;
    } catch (error) {
      await Promise.all(started.map((l) => l.close()));
      await readiness.settled();
      await client.connection.close();
      throw new Error(`${what}: ${messageOf(error)}`, { cause: error });
    }
  };
  // The codec endpoint decodes incident data for whoever it lets in: never on the public webhook port.
  const authenticate = createCodecAuthenticator(config.codecAuth);
  const codec = dataConverter
    ? await also(`codec endpoint (CODEC_HOST ${config.codec.host}, CODEC_PORT ${config.codec.port})`, () =>
        listenDraining(createCodecApp(dataConverter.payloadCodecs[0] as PayloadCodec, { allowedOrigins: config.codec.allowedOrigins, authenticate, logger }), {
          port: config.codec.port,
          host: config.codec.host,
          limits,
          onDrop: () => metrics.droppedConnection('codec'),
        }),
      )
    : undefined;
  // Operational data (request counts, latencies, process metrics) stays off the public port too.
  const metricsAddress = config.metrics;
  const metricsListener = metricsAddress
    ? await also(`metrics endpoint (BRIDGE_METRICS_ADDRESS ${urlHost(metricsAddress.host)}:${metricsAddress.port})`, () =>
        listenDraining(createMetricsApp(metrics), { ...metricsAddress, limits, onDrop: () => metrics.droppedConnection('metrics') }),
      )
    : undefined;
  if (codec && !authenticate && !isLoopbackHost(config.codec.host)) {
    logger.warn(
      { codecHost: config.codec.host, codecPort: codec.port },
      `the codec endpoint listens on ${config.codec.host} without authentication: whoever reaches it can decrypt incident data and encrypt with the live key; set CODEC_AUTH_TOKEN and/or CODEC_JWKS_URL (README, "Encryption at rest")`,
    );
  }
  logger.info(
    {
      port: main.port,
      temporal: describeTarget(temporal),
      taskQueue: config.taskQueue,
      auth: [
        config.webhookSigningSecrets.length > 0 ? `${config.webhookSigningSecrets.length} signing secret(s)` : undefined,
        config.sharedWebhookSecret ? 'shared X-Webhook-Secret' : undefined,
      ].filter(Boolean),
      github: config.githubWebhookSecret ? 'POST /webhooks/github (X-Hub-Signature-256)' : 'off (GITHUB_WEBHOOK_SECRET not set)',
      codec: codec ? `http://${urlHost(config.codec.host)}:${codec.port}/codec (origins: ${config.codec.allowedOrigins.join(', ')})` : 'off (PAYLOAD_ENCRYPTION_KEYS not set)',
      codecAuth: codec ? (authenticate?.accepts ?? ['none (CODEC_AUTH_TOKEN, CODEC_JWKS_URL not set)']) : undefined,
      metrics: metricsListener && metricsAddress ? `http://${urlHost(metricsAddress.host)}:${metricsListener.port}/metrics` : 'off (BRIDGE_METRICS_ADDRESS=off)',
      limits: { requestTimeoutMs: limits.requestTimeoutMs, headersTimeoutMs: limits.headersTimeoutMs, keepAliveTimeoutMs: limits.keepAliveTimeoutMs, maxConnections: limits.maxConnections },
    },
    'bridge listening',
  );
  return {
    server: main.server,
    port: main.port,
    codec: codec ? { server: codec.server, port: codec.port, host: config.codec.host } : undefined,
    metrics: metricsListener && metricsAddress ? { server: metricsListener.server, port: metricsListener.port, host: metricsAddress.host } : undefined,
    close: async () => {
      await Promise.all(started.map((listener) => listener.close()));
      await readiness.settled(); // a probe's Temporal call still retrying must not outlive the connection
      await client.connection.close();
    },
  };
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);
/** Node's system errors (EADDRINUSE…) are not always `instanceof Error` of this realm. */
const messageOf = (error: unknown) => (typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error));

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
      console.error(`bridge: ${error instanceof ConfigError || error instanceof EncryptionConfigError ? error.message : `failed to start: ${error instanceof Error ? error.message : String(error)}`}`);
      process.exit(1);
    });
}
