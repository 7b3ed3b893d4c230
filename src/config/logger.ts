// pino JSON logs. Header and credential fields are censored wherever they turn up.
import pino, { type DestinationStream, type Logger } from 'pino';
import { loadLogLevel } from './index';

export type { Logger };

const REDACTED_PATHS = [
  'headers.authorization',
  'headers["x-webhook-secret"]',
  'headers["x-pagerduty-signature"]',
  'headers["x-hub-signature-256"]',
  'req.headers.authorization',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-pagerduty-signature"]',
  'req.headers["x-hub-signature-256"]',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.password',
];

/** Without `level`, LOG_LEVEL decides (default info); an invalid LOG_LEVEL throws a ConfigError naming it. */
export function createLogger(name: string, level: string = loadLogLevel(), destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Fields of the SDK's records (worker and connection options) that hold keys, credentials or codecs. */
const CENSORED_KEYS = new Set([
  'dataconverter',
  'payloadcodecs',
  'payloadconverter',
  'failureconverter',
  'tls',
  'apikey',
  'metadata',
  'clientcertpair',
  'serverrootcacertificate',
  'crt',
  'key',
  'keys',
  'password',
  'secret',
  'token',
  'authorization',
]);

/**
 * The SDK's log metadata made safe to print: the fields above censored, bytes shown as their length,
 * whatever the depth (its "Creating worker" record at debug carries the worker's whole options, codec
 * and key bytes included). Cycles and depth are bounded.
 */
export function censorLogFields(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? '[function]' : value;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (seen.has(value) || depth >= 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => censorLogFields(item, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = CENSORED_KEYS.has(key.toLowerCase()) ? '[censored]' : censorLogFields(field, depth + 1, seen);
  }
  return out;
}
