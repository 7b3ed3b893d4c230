// Load generation. Webhooks go through autocannon (one request in flight per connection, so
// `concurrency` connections = `concurrency` requests in flight), each request carrying its own
// prebuilt, signed body; the bare-client anchor runs the same number of signalWithStart calls with
// the same number in flight. Latency is taken per request, the same way for every scenario.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Client } from '@temporalio/client';
import { deliverIncidentEvent } from '../src/temporal/deliver-event';
import type { IncidentEvent } from '../src/domain/incident';
import { parseWebhook, signBody } from '../src/integrations/pagerduty/webhook';
import { incidentWebhook, type SimulatedIncident } from '../src/dev/simulation';

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  /** Per-request latency in ms, in completion order. */
  latencies: number[];
  statuses: Record<string, number>;
  /** Requests that got no 2xx (errors, timeouts, other statuses). */
  failed: number;
}

/** A PagerDuty v3 delivery for `incident`, signed with the subscription's secret. */
export function signedDelivery(type: string, incident: SimulatedIncident, secret: string): Delivery {
  const body = JSON.stringify(incidentWebhook(type, incident));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-pagerduty-signature': signBody(body, secret),
      'x-webhook-id': randomUUID(),
    },
  };
}

/** The guide's scheme: the shared secret in `X-Webhook-Secret`. */
export function sharedSecretDelivery(type: string, incident: SimulatedIncident, secret: string): Delivery {
  return { body: JSON.stringify(incidentWebhook(type, incident)), headers: { 'content-type': 'application/json', 'x-webhook-secret': secret } };
}

/** POSTs every delivery once (no retries: a failed one stays failed) with `concurrency` in flight. */
export function postAll(url: string, deliveries: Delivery[], concurrency: number, timeoutSeconds = 30): Promise<LoadResult> {
  if (deliveries.length === 0) return Promise.resolve({ requests: 0, elapsedMs: 0, latencies: [], statuses: {}, failed: 0 });
  let next = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url,
        connections: Math.min(concurrency, deliveries.length),
        pipelining: 1,
        amount: deliveries.length,
        timeout: timeoutSeconds,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              // autocannon builds each request just before sending it, so every delivery goes out once.
              const delivery = deliveries[next++ % deliveries.length] as Delivery;
              return { ...request, method: 'POST', body: delivery.body, headers: delivery.headers };
            },
          },
        ],
      },
      (error) => {
        if (error) {
          reject(error);
          return;
        }
        const elapsedMs = performance.now() - started;
        const ok = Object.entries(statuses).reduce((n, [status, count]) => (status.startsWith('2') ? n + count : n), 0);
        resolve({ requests: deliveries.length, elapsedMs, latencies, statuses, failed: deliveries.length - ok });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
    });
  });
}

/** What the bridge hands to signalWithStart for a delivery, computed ahead so the anchor times only the call. */
export function eventFor(type: string, incident: SimulatedIncident): IncidentEvent {
  const parsed = parseWebhook(incidentWebhook(type, incident), randomUUID(), new Date());
  if (parsed.kind !== 'incident_event') throw new Error(`not an incident event: ${parsed.kind}`);
  return parsed.event;
}

/** The call the bridge makes (src/temporal/deliver-event.ts), with the same options, straight from this process. */
export async function bareSignalWithStart(client: Client, taskQueue: string, events: IncidentEvent[], concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      const event = events[next++];
      if (!event) return;
      const t0 = performance.now();
      let outcome = 'ok';
      try {
        // The bridge's own call (same options), without the HTTP edge in front of it.
        const delivered = await deliverIncidentEvent(client, taskQueue, event);
        if (delivered.status === 'incident_closed') outcome = 'closed';
      } catch {
        outcome = 'error';
      }
      latencies.push(performance.now() - t0);
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, lane));
  return { requests: events.length, elapsedMs: performance.now() - started, latencies, statuses, failed: events.length - (statuses.ok ?? 0) };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface LatencySummary {
  requests: number;
  throughput_rps: number;
  p50_ms: number;
  p99_ms: number;
  failed: number;
}

/** Pools rounds: throughput over the summed time, percentiles over every request. */
export function summarize(rounds: LoadResult[]): LatencySummary {
  const latencies = rounds.flatMap((r) => r.latencies);
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const elapsed = rounds.reduce((n, r) => n + r.elapsedMs, 0);
  return {
    requests,
    throughput_rps: round1(requests / (elapsed / 1000)),
    p50_ms: round1(percentile(latencies, 50)),
    p99_ms: round1(percentile(latencies, 99)),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
  };
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
