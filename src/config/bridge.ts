// The webhook bridge's configuration (`npm run bridge`).
import { z } from 'zod';
import { type Env, flag, host, logLevel, origins, parse, port, secretList, taskQueue, optionalText } from './values';

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
