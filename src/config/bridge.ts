// The webhook bridge's configuration (`npm run bridge`).
import { z } from 'zod';
import { type Env, flag, host, logLevel, origins, parse, port, secretList, taskQueue, optionalText } from './values';

/** The codec endpoint's own port (only served when PAYLOAD_ENCRYPTION_KEYS is set). */
export const DEFAULT_CODEC_PORT = 3001;

/**
 * The shortest webhook secret accepted. PagerDuty's signing secrets are 64 characters, `npm run dev`
 * generates 32; a shared X-Webhook-Secret chosen by hand must not be guessable either.
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

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
    PAGERDUTY_WEBHOOK_SECRETS: signingSecrets,
    WEBHOOK_SECRET: secretText(MIN_WEBHOOK_SECRET_LENGTH),
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
