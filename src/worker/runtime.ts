// The Temporal Runtime of the worker process: the SDK's own logs go to the same pino JSON stream as
// ours (with workflow id, activity type…), and its metrics to a Prometheus endpoint when asked.
import { setFlagsFromString } from 'node:v8';
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import { censorLogFields, type Logger } from '../config/logger';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

// webpack's stats report (a dozen lines of module sizes) ends "webpack 5.x.y compiled successfully in N ms".
const WEBPACK_REPORT = /\bwebpack \d+\.\d+\.\d+ compiled\b/;
// eslint-disable-next-line no-control-regex -- the report may carry colour codes
const ANSI = /\u001b\[[0-9;]*m/g;

// Expected by design, not news: the Devin-session queue's worker runs activities only, and no worker serves Nexus.
const EXPECTED_NOTICES = new Set(['No workflows registered, not polling for workflow tasks', 'No Nexus services registered, not polling for Nexus tasks']);

/**
 * The pino method for one SDK record: its own level, except the bundler's webpack report, which is
 * build output rather than news of the worker, and the SDK's notices about what this design leaves out
 * on purpose — shown at debug (the bundle's "created" line stays info).
 */
export function sdkLogMethod(level: LogLevel, message: string): 'trace' | 'debug' | 'info' | 'warn' | 'error' {
  if (level === 'INFO' && WEBPACK_REPORT.test(message.replace(ANSI, ''))) return 'debug';
  if ((level === 'INFO' || level === 'WARN') && EXPECTED_NOTICES.has(message)) return 'debug';
  return level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
}

/** Must run before any connection or worker is created, once per process. Returns false if too late. */
export function installWorkerRuntime(logger: Logger, options: { metricsAddress?: string } = {}): boolean {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  try {
    Runtime.install({
      logger: new DefaultLogger(LEVELS[logger.level] ?? 'INFO', ({ level, message, meta }) => {
        const method = sdkLogMethod(level, message);
        sdkLogger[method](censorLogFields(meta ?? {}) as Record<string, unknown>, message);
      }),
      ...(options.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } } : {}),
    });
    return true;
  } catch {
    return false; // already installed (tests, or dev.ts after the dev server started)
  }
}

/**
 * WORKER_OPTIMIZE_FOR_SIZE: V8 then grows its heaps by smaller steps and gives memory back sooner. Set before
 * the worker is created, so the workflow thread's isolate (created with the Worker) starts with it too.
 */
export function optimizeForSize(enabled: boolean): void {
  if (enabled) setFlagsFromString('--optimize-for-size');
}
