// `npm run dev`: the local defaults it adds to the environment before the bridge and the worker read it,
// and what it needs to know to start the embedded Temporal dev server.
import { z } from 'zod';
import { type Env, optionalText, parse } from './values';

export interface DevSettings {
  /** The environment the bridge and the worker get: the caller's, with the local defaults filled in. */
  env: Env;
  /** TEMPORAL_ADDRESS; unset: start an embedded dev server. */
  temporalAddress?: string;
  /** The webhook signing secret generated for local use, when none was configured. */
  generatedSecret?: string;
  payloadEncryption: boolean;
  devinLive: boolean;
  quietPeriod: string;
  workerMetricsAddress?: string;
  /** DEV_LOG_FORMAT: coloured lines for a person at a terminal (default), or the production JSON. */
  logFormat: DevLogFormat;
}

export type DevLogFormat = 'pretty' | 'json';

const devOnly = z.object({
  DEV_LOG_FORMAT: optionalText.pipe(z.enum(['pretty', 'json'], { message: 'must be pretty or json' }).optional()),
});

const text = (env: Env, name: string) => optionalText.parse(env[name]);

/** `generateSecret`: reads or makes the local signing secret (kept across restarts). */
export function loadDevSettings(caller: Env, generateSecret: () => string): DevSettings {
  const env: Env = { ...caller };
  const generatedSecret = !text(env, 'PAGERDUTY_WEBHOOK_SECRETS') && !text(env, 'WEBHOOK_SECRET') ? generateSecret() : undefined;
  if (generatedSecret) env.PAGERDUTY_WEBHOOK_SECRETS = generatedSecret;
  // Locally a simulated incident should not sit in its 10-minute production quiet period. Blank counts
  // as unset, as it does for the worker's configuration (`.env` files often carry `KEY=`).
  const quietPeriod = text(env, 'RESOLVE_QUIET_PERIOD') ?? '10s';
  env.RESOLVE_QUIET_PERIOD = quietPeriod;
  return {
    env,
    temporalAddress: text(env, 'TEMPORAL_ADDRESS'),
    generatedSecret,
    payloadEncryption: Boolean(text(env, 'PAYLOAD_ENCRYPTION_KEYS')),
    devinLive: Boolean(text(env, 'DEVIN_API_KEY')),
    quietPeriod,
    workerMetricsAddress: text(env, 'WORKER_METRICS_ADDRESS'),
    logFormat: parse(devOnly, env).DEV_LOG_FORMAT ?? 'pretty',
  };
}
