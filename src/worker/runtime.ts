// The Temporal Runtime of the worker process: the SDK's own logs go to the same pino JSON stream as
// ours (with workflow id, activity type…), and its metrics to a Prometheus endpoint when asked.
import { setFlagsFromString } from 'node:v8';
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import { censorLogFields, type Logger } from '../config/logger';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

/** Must run before any connection or worker is created, once per process. Returns false if too late. */
export function installWorkerRuntime(logger: Logger, options: { metricsAddress?: string } = {}): boolean {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  try {
    Runtime.install({
      logger: new DefaultLogger(LEVELS[logger.level] ?? 'INFO', ({ level, message, meta }) => {
        const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
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
