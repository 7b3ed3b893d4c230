// The webhook bridge's configuration (`npm run bridge`).
import { z } from 'zod';
import { type CodecAuthConfig, checkCodecAuth, codecAuthConfig, codecAuthFields } from './codec-auth';
import { duration, type Env, flag, host, listenAddress, logLevel, origins, parse, port, positiveInt, secretList, taskQueue, optionalText } from './values';

/** The codec endpoint's own port (only served when PAYLOAD_ENCRYPTION_KEYS is set). */
export const DEFAULT_CODEC_PORT = 3001;

/**
 * The shortest webhook secret accepted. PagerDuty's signing secrets are 64 characters, `npm run dev`
 * generates 32; a shared X-Webhook-Secret chosen by hand must not be guessable either.
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** The bridge's Prometheus endpoint: an internal listener of its own, never the public webhook port. */
export const DEFAULT_BRIDGE_METRICS_ADDRESS = '127.0.0.1:9465';

/**
 * Every listener's (webhook, codec, metrics) limits on slow or idle clients. PagerDuty posts bodies of at
 * most 256 KB and waits 5 s for the answer, so a delivery's request arrives within a second or two: what
 * takes longer is a stalled or hostile client holding a connection.
 */
export const LISTENER_DEFAULTS = {
  /** The whole request, headers and body: 256 KB in 10 s is 25 KB/s, far below any real sender. */
  requestTimeout: '10s',
  /** The request line and headers (a few hundred bytes). */
  headersTimeout: '5s',
  /** An idle keep-alive connection between deliveries (Node's default; senders reuse within it). */
  keepAliveTimeout: '5s',
  /**
   * Connections open at once, per listener: deliveries take milliseconds once they arrive (the Temporal
   * call is capped at 4 s), so even an incident storm keeps a few dozen open; beyond the cap new
   * connections are closed at once instead of exhausting file descriptors and memory.
   */
  maxConnections: 256,
} as const;

const tooShort = (length: number, min: number) => `must be at least ${min} characters (it has ${length}); generate one with: openssl rand -base64 32`;

/** PAGERDUTY_WEBHOOK_SECRETS: each entry long enough; the message counts, never quotes. */
const signingSecrets = secretList.superRefine((secrets, ctx) => {
  secrets.forEach((secret, i) => {
    if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} of ${secrets.length} ${tooShort(secret.length, MIN_WEBHOOK_SECRET_LENGTH)}` });
    }
  });
});

/** A single secret of at least `min` characters; the message never quotes it. */
const secretText = (min: number) =>
  optionalText.superRefine((secret, ctx) => {
    if (secret !== undefined && secret.length < min) ctx.addIssue({ code: 'custom', message: tooShort(secret.length, min) });
  });

const bridgeSchema = z
  .object({
    PORT: port(3000),
    CODEC_PORT: port(DEFAULT_CODEC_PORT),
    CODEC_HOST: host('127.0.0.1'),
    CODEC_CORS_ORIGINS: origins('http://localhost:8233'),
    ...codecAuthFields,
    PAGERDUTY_WEBHOOK_SECRETS: signingSecrets,
    WEBHOOK_SECRET: secretText(MIN_WEBHOOK_SECRET_LENGTH),
    GITHUB_WEBHOOK_SECRET: secretText(MIN_WEBHOOK_SECRET_LENGTH),
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: logLevel,
    REDACT_PERSONAL_DATA: flag(true),
    BRIDGE_METRICS_ADDRESS: listenAddress(DEFAULT_BRIDGE_METRICS_ADDRESS),
    BRIDGE_REQUEST_TIMEOUT: duration(LISTENER_DEFAULTS.requestTimeout, 100),
    BRIDGE_HEADERS_TIMEOUT: duration(LISTENER_DEFAULTS.headersTimeout, 100),
    BRIDGE_KEEP_ALIVE_TIMEOUT: duration(LISTENER_DEFAULTS.keepAliveTimeout, 100),
    BRIDGE_MAX_CONNECTIONS: positiveInt,
  })
  .superRefine((env, ctx) => {
    checkCodecAuth(env, ctx);
    if (env.BRIDGE_HEADERS_TIMEOUT > env.BRIDGE_REQUEST_TIMEOUT) {
      ctx.addIssue({ code: 'custom', path: ['BRIDGE_HEADERS_TIMEOUT'], message: `must not be longer than BRIDGE_REQUEST_TIMEOUT (${env.BRIDGE_REQUEST_TIMEOUT}ms), which covers the headers too` });
    }
    const metricsPort = env.BRIDGE_METRICS_ADDRESS?.port ?? 0;
    if (metricsPort !== 0 && (metricsPort === env.PORT || metricsPort === env.CODEC_PORT)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BRIDGE_METRICS_ADDRESS'],
        message: `port ${metricsPort} must differ from PORT and CODEC_PORT: the metrics get a listener of their own, off the public webhook port`,
      });
    }
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


/** Node's http.Server limits, the same on every listener of the bridge. */
export interface ListenerLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export interface BridgeConfig {
  port: number;
  /** GET /metrics (Prometheus) on its own listener; undefined with BRIDGE_METRICS_ADDRESS=off. */
  metrics?: { host: string; port: number };
  listener: ListenerLimits;
  /**
   * The Temporal UI's codec endpoint (/codec/encode, /codec/decode) listens here, never on `port`:
   * it decodes incident data for whoever reaches it.
   */
  codec: { port: number; host: string; allowedOrigins: string[] };
  /** Who may use the codec endpoint (CODEC_AUTH_TOKEN, CODEC_JWKS_URL); neither: whoever reaches it. */
  codecAuth: CodecAuthConfig;
  /** v3 signing secrets; several while a subscription secret is being rotated. */
  webhookSigningSecrets: string[];
  /** The guide's shared-secret scheme (`X-Webhook-Secret` header). */
  sharedWebhookSecret?: string;
  /** GITHUB_WEBHOOK_SECRET: the GitHub webhook's secret (`X-Hub-Signature-256`); unset, POST /webhooks/github answers 404. */
  githubWebhookSecret?: string;
  taskQueue: string;
  logLevel: string;
  /** Redact emails and phone numbers from event text too (secrets always are). */
  redactPersonalData: boolean;
}

export function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const parsed = parse(bridgeSchema, env);
  return {
    port: parsed.PORT,
    metrics: parsed.BRIDGE_METRICS_ADDRESS,
    listener: {
      requestTimeoutMs: parsed.BRIDGE_REQUEST_TIMEOUT,
      headersTimeoutMs: parsed.BRIDGE_HEADERS_TIMEOUT,
      keepAliveTimeoutMs: parsed.BRIDGE_KEEP_ALIVE_TIMEOUT,
      maxConnections: parsed.BRIDGE_MAX_CONNECTIONS ?? LISTENER_DEFAULTS.maxConnections,
    },
    codec: { port: parsed.CODEC_PORT, host: parsed.CODEC_HOST, allowedOrigins: parsed.CODEC_CORS_ORIGINS },
    codecAuth: codecAuthConfig(parsed),
    webhookSigningSecrets: parsed.PAGERDUTY_WEBHOOK_SECRETS,
    sharedWebhookSecret: parsed.WEBHOOK_SECRET,
    githubWebhookSecret: parsed.GITHUB_WEBHOOK_SECRET,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    logLevel: parsed.LOG_LEVEL,
    redactPersonalData: parsed.REDACT_PERSONAL_DATA,
  };
}
