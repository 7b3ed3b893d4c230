// PagerDuty's side of the webhooks for the real-cluster tests: signed v3 deliveries over HTTP to the
// bridge processes, alternating between them like a load balancer in front of two bridges would, a
// redelivery (same body, signature and X-Webhook-Id) sent to the other bridge, and PagerDuty's retry of a
// delivery the bridge answered 503 (or did not answer) until it is taken.
import { randomUUID } from 'node:crypto';
import { signBody } from '../../../src/integrations/pagerduty/webhook';

export interface BridgeEndpoint {
  name: string;
  url: string;
}

export interface SignedDelivery {
  body: string;
  signature: string;
  webhookId: string;
  /** The event's type and incident, for messages. */
  label: string;
}

export interface DeliveryOutcome {
  delivery: SignedDelivery;
  /** The bridge that gave the final answer. */
  bridge: string;
  status: number;
  body: unknown;
  /** Answers before it: 503s (or no answer) that PagerDuty retried. */
  refused: { bridge: string; status: number; retryAfter?: string }[];
}

export class PagerDutySender {
  private next = 0;
  readonly outcomes: DeliveryOutcome[] = [];

  constructor(
    private readonly bridges: BridgeEndpoint[],
    private readonly secret: string,
    /** How PagerDuty retries: every retryMs (Retry-After is 5 s; shorter here), for up to maxAttempts. */
    private readonly retry = { retryMs: 500, maxAttempts: 240 },
  ) {}

  sign(payload: { event?: { event_type?: string; data?: { id?: string } } }, webhookId = `wh-${randomUUID()}`): SignedDelivery {
    const body = JSON.stringify(payload);
    return { body, signature: signBody(body, this.secret), webhookId, label: `${payload.event?.event_type ?? '?'} ${payload.event?.data?.id ?? '?'}` };
  }

  /** One POST, no retry. */
  async post(delivery: SignedDelivery, bridge: BridgeEndpoint): Promise<{ status: number; body: unknown; retryAfter?: string }> {
    try {
      const res = await fetch(bridge.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': delivery.signature, 'x-webhook-id': delivery.webhookId },
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body, retryAfter: res.headers.get('retry-after') ?? undefined };
    } catch (error) {
      return { status: 0, body: String(error) };
    }
  }

  /** The next bridge in turn (or `to`), retried on 503 / no answer as PagerDuty does, on the same bridge. */
  async deliver(delivery: SignedDelivery, to?: BridgeEndpoint): Promise<DeliveryOutcome> {
    const bridge = to ?? this.bridges[this.next++ % this.bridges.length];
    if (!bridge) throw new Error('no bridge to deliver to');
    const refused: DeliveryOutcome['refused'] = [];
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(delivery, bridge);
      if ((answer.status === 503 || answer.status === 0) && attempt < this.retry.maxAttempts) {
        refused.push({ bridge: bridge.name, status: answer.status, retryAfter: answer.retryAfter });
        await new Promise((r) => setTimeout(r, this.retry.retryMs));
        continue;
      }
      const outcome = { delivery, bridge: bridge.name, status: answer.status, body: answer.body, refused };
      this.outcomes.push(outcome);
      return outcome;
    }
  }

  /** The same delivery again (a PagerDuty redelivery), to the bridge that did not take it the first time. */
  redeliver(first: DeliveryOutcome): Promise<DeliveryOutcome> {
    const other = this.bridges.find((b) => b.name !== first.bridge);
    return this.deliver(first.delivery, other);
  }

  /** Final answers that are neither 202 (accepted) nor 200 incident_closed (a late duplicate). */
  unexpected(): string[] {
    return this.outcomes
      .filter((o) => o.status !== 202 && !(o.status === 200 && (o.body as { status?: string } | undefined)?.status === 'incident_closed'))
      .map((o) => `${o.delivery.label} via ${o.bridge} → ${o.status} ${JSON.stringify(o.body)}`);
  }
}
