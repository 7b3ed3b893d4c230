// F: what a hostile `X-PagerDuty-Signature` costs the bridge before authentication (issue 12). The same
// bridge (five signing secrets, as during a long rotation) takes three kinds of request, each measured
// as the bridge process's CPU per request:
//   normal   a correctly signed delivery (accepted, one signalWithStart)
//   wrong    the same with one wrong signature (401)
//   maximal  the largest signature header Node accepts: about 3,000 short `v1=` entries, the right one last (401)
// Target: maximal ≤ 2 × normal. Before the parser was bounded, every entry was hashed per secret.
import { randomBytes } from 'node:crypto';
import { sampleIncident } from '../src/dev/simulation';
import { type Delivery, postAll, signedDelivery } from './load';
import { cpuMs } from './stack';

export interface SignatureCost {
  requests: number;
  secrets: number;
  header_bytes: number;
  cpu_ms_per_request: { normal: number | null; wrong: number | null; maximal: number | null };
  /** Statuses of the maximal-header requests: all 401 once the parser is bounded. */
  maximal_statuses: Record<string, number>;
}

/** Node's default limit is 16 KiB for all headers together; leave room for the others. */
const MAXIMAL_HEADER_BYTES = 15_800;

export function maximalSignatureHeader(valid: string): string {
  const entries: string[] = [];
  let length = valid.length;
  while (length + 5 < MAXIMAL_HEADER_BYTES) {
    entries.push('v1=0');
    length += 5;
  }
  return [...entries, valid].join(',');
}

export async function measureSignatureCost(
  startBridge: (secrets: string) => Promise<{ url: string; pid: number }>,
  stopBridge: () => Promise<void>,
  requests: number,
  concurrency: number,
): Promise<SignatureCost> {
  const secrets = Array.from({ length: 5 }, () => randomBytes(24).toString('base64url'));
  const signing = secrets[4] as string;
  const bridge = await startBridge(secrets.join(','));
  try {
    const normal = (n: number) => Array.from({ length: n }, () => signedDelivery('incident.acknowledged', sampleIncident(), signing));
    const wrong = (n: number): Delivery[] =>
      normal(n).map((d) => ({ ...d, headers: { ...d.headers, 'x-pagerduty-signature': `v1=${randomBytes(32).toString('hex')}` } }));
    const maximal = (n: number): Delivery[] =>
      normal(n).map((d) => ({ ...d, headers: { ...d.headers, 'x-pagerduty-signature': maximalSignatureHeader(d.headers['x-pagerduty-signature'] as string) } }));
    // Warm the process (JIT, connection to Temporal) before anything counts.
    for (const make of [normal, wrong, maximal]) await postAll(bridge.url, make(Math.min(100, requests)), concurrency);
    const perRequest = async (deliveries: Delivery[]) => {
      const before = cpuMs(bridge.pid);
      const result = await postAll(bridge.url, deliveries, concurrency);
      const after = cpuMs(bridge.pid);
      return { result, ms: before === undefined || after === undefined ? null : Math.round(((after - before) / deliveries.length) * 100) / 100 };
    };
    const n = await perRequest(normal(requests));
    const w = await perRequest(wrong(requests));
    const m = await perRequest(maximal(requests));
    return {
      requests,
      secrets: secrets.length,
      header_bytes: maximalSignatureHeader(`v1=${'0'.repeat(64)}`).length,
      cpu_ms_per_request: { normal: n.ms, wrong: w.ms, maximal: m.ms },
      maximal_statuses: m.result.statuses,
    };
  } finally {
    await stopBridge();
  }
}

export function signatureTarget(cost: SignatureCost) {
  const { normal, maximal, wrong } = cost.cpu_ms_per_request;
  const ratio = normal && maximal !== null ? maximal / normal : null;
  return {
    name: 'F hostile signature header: CPU ≤ 2 × a normal request',
    measured:
      ratio === null
        ? 'n/a (no /proc CPU figures)'
        : `${ratio.toFixed(2)} × (${maximal} vs ${normal} ms per request; a wrong signature ${wrong} ms; ${cost.header_bytes}-byte header, ${cost.secrets} secrets; statuses ${JSON.stringify(cost.maximal_statuses)})`,
    pass: ratio !== null && ratio <= 2,
    kind: 'performance' as const,
  };
}
