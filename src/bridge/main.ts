// `npm run bridge`: the HTTP endpoint PagerDuty delivers webhooks to.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { loadBridgeConfig, ConfigError } from '../config';
import { loadDotEnv } from '../config/env-file';
import { createLogger, type Logger } from '../config/logger';
import { describeTarget, loadTemporalSettings } from '../config/temporal';
import { createLazyClient } from '../temporal/connection';
import type { PayloadCodec } from '@temporalio/common';
import { createBridgeMetrics } from './metrics';
import { createCodecApp } from './codec-server';
import { EncryptionConfigError, encryptionDataConverter } from '../temporal/encryption';
import { createWebhookApp } from './webhook-app';

const DRAIN_GRACE_MS = 10_000;

export interface RunningBridge {
  server: Server;
  port: number;
  /** The codec endpoint's own listener, only when PAYLOAD_ENCRYPTION_KEYS is set. */
  codec?: { server: Server; port: number; host: string };
  /** Stops accepting connections, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

interface DrainingListener {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens and tracks in-flight requests. On close, answers still in flight tell their clients to hang
 * up, so keep-alive connections do not hold a SIGTERM open; a stuck client is cut off after the grace time.
 */
async function listenDraining(app: RequestListener, port: number, host?: string): Promise<DrainingListener> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (host === undefined) server.listen(port, listening);
    else server.listen(port, host, listening);
  });
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
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
    },
  };
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
  });
  const main = await listenDraining(app, config.port);
  // The codec endpoint decodes incident data for whoever reaches it: never on the public webhook port.
  let codec: DrainingListener | undefined;
  if (dataConverter) {
    try {
      codec = await listenDraining(createCodecApp(dataConverter.payloadCodecs[0] as PayloadCodec, config.codec.allowedOrigins, logger), config.codec.port, config.codec.host);
    } catch (error) {
      await main.close();
      await client.connection.close();
      throw new Error(`codec endpoint (CODEC_HOST ${config.codec.host}, CODEC_PORT ${config.codec.port}): ${messageOf(error)}`, { cause: error });
    }
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
      codec: codec ? `http://${urlHost(config.codec.host)}:${codec.port}/codec (origins: ${config.codec.allowedOrigins.join(', ')})` : 'off (PAYLOAD_ENCRYPTION_KEYS not set)',
    },
    'bridge listening',
  );
  return {
    server: main.server,
    port: main.port,
    codec: codec ? { server: codec.server, port: codec.port, host: config.codec.host } : undefined,
    close: async () => {
      await Promise.all([main.close(), codec?.close()]);
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
