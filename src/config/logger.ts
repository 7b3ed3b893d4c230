// pino JSON logs. Header and credential fields are censored wherever they turn up.
import pino, { type DestinationStream, type Logger } from 'pino';
import { loadLogLevel } from './index';

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

/** Without `level`, LOG_LEVEL decides (default info); an invalid LOG_LEVEL throws a ConfigError naming it. */
export function createLogger(name: string, level: string = loadLogLevel(), destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
