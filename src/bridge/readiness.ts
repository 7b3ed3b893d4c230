// GET /readyz on the public webhook port: whoever can reach the port can probe it, so a flood of probes
// must cost Temporal nothing. One check answers every probe for a few seconds (a failure for less, so
// that recovery shows soon), and probes that arrive while it runs wait for that same check.
import type { Client } from '@temporalio/client';
import type { Logger } from '../config/logger';
import { withinTime } from '../temporal/deliver-event';
import type { BridgeMetrics } from './metrics';

export interface ReadinessCache {
  /** How long a successful check answers probes (ms). */
  okForMs: number;
  /** How long a failed check answers probes (ms): shorter, so a recovered Temporal is seen soon. */
  failedForMs: number;
}

export const READINESS_CACHE: ReadinessCache = { okForMs: 3_000, failedForMs: 1_000 };
const CHECK_TIMEOUT_MS = 2_000;

export type Readiness = { ready: true } | { ready: false; error: string };

export interface ReadinessProbe {
  (): Promise<Readiness>;
  /**
   * Resolves once no Temporal call of a check is running. A check answers within 2 s, but the SDK's
   * retry of an unreachable Temporal may still be scheduled: closing the connection under it makes the
   * retry throw "Channel has been shut down" where nobody can catch it.
   */
  settled(): Promise<void>;
}

/** `check` resolves when Temporal answered and rejects otherwise; it runs at most once per cache period. */
export function cachedReadiness(check: () => Promise<void>, cache: ReadinessCache = READINESS_CACHE): () => Promise<Readiness> {
  let current: { answer: Promise<Readiness>; expiresAt: number } | undefined;
  return () => {
    if (current && Date.now() < current.expiresAt) return current.answer;
    const entry = {
      expiresAt: Number.POSITIVE_INFINITY, // until it settles: probes meanwhile share this check
      answer: check().then(
        (): Readiness => ({ ready: true }),
        (error: unknown): Readiness => ({ ready: false, error: error instanceof Error ? error.message : String(error) }),
      ),
    };
    void entry.answer.then((result) => {
      entry.expiresAt = Date.now() + (result.ready ? cache.okForMs : cache.failedForMs);
    });
    current = entry;
    return entry.answer;
  };
}

/** Temporal is ready when it answers GetSystemInfo within 2 s; counted and timed in the bridge's metrics. */
export function temporalReadiness(client: Client, { metrics, logger, cache = READINESS_CACHE }: { metrics: BridgeMetrics; logger: Logger; cache?: ReadinessCache }): ReadinessProbe {
  const running = new Set<Promise<unknown>>();
  const probe = cachedReadiness(async () => {
    const started = Date.now();
    const call = client.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => client.workflowService.getSystemInfo({}));
    const tracked = call.then(
      () => undefined,
      () => undefined,
    );
    running.add(tracked);
    void tracked.then(() => running.delete(tracked));
    try {
      await withinTime(CHECK_TIMEOUT_MS, call);
      metrics.temporalCall('readiness', (Date.now() - started) / 1000, true);
    } catch (error) {
      metrics.temporalCall('readiness', (Date.now() - started) / 1000, false);
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'readiness check: Temporal unreachable');
      throw error;
    }
  }, cache);
  return Object.assign(probe, { settled: async () => void (await Promise.all([...running])) });
}
