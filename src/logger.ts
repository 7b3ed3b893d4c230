// pino JSON logs. Header and credential fields are censored wherever they turn up.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACTED_PATHS = [
  'headers.authorization',
  'headers["x-webhook-secret"]',
  'headers["x-pagerduty-signature"]',
  'req.headers.authorization',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-pagerduty-signature"]',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.password',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
