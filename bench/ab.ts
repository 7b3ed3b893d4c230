// A and B, the pair every server is measured with: this bridge (A) against bare signalWithStart calls
// from one process (B), the same count and the same number in flight, rounds interleaved B/A, A/B, …
// Their workflows go to a task queue no worker polls: both measure taking the event, nothing else.
import type { Client } from '@temporalio/client';
import { sampleIncident } from '../src/dev/simulation';
import { bareSignalWithStart, eventFor, type LoadResult, postAll, round1, signedDelivery, summarize } from './load';
import type { LatencySummary } from './load';
import type { Extras } from './report';
import { cpuMs } from './stack';

export interface AbPair {
  bridge: LatencySummary & Extras;
  bare_client: LatencySummary & Extras;
}

export interface AbSetup {
  client: Client;
  /** The bridge's webhook URL and process id (for its CPU time). */
  bridgeUrl: string;
  bridgePid: number | undefined;
  /** The Temporal server's process id, whose CPU both pay for. */
  serverPid: number | undefined;
  /** How the server's CPU is named in the results: dev_server, or temporal_server on the cluster. */
  serverLabel: string;
  taskQueue: string;
  signingSecret: string;
  count: number;
  rounds: number;
  concurrency: number;
  warm: number;
  say(message: string): void;
}

export async function measureAbPair(s: AbSetup): Promise<AbPair> {
  const c = s.concurrency;
  const deliveries = (n: number) => Array.from({ length: n }, () => signedDelivery('incident.acknowledged', sampleIncident(), s.signingSecret));
  const events = (n: number) => Array.from({ length: n }, () => eventFor('incident.acknowledged', sampleIncident()));
  s.say(`A/B: warming up (${s.warm} each), then ${s.rounds} round(s) of ${s.count} at ${c} in flight`);
  await bareSignalWithStart(s.client, s.taskQueue, events(s.warm), c);
  await postAll(s.bridgeUrl, deliveries(s.warm), c);
  const aRounds: LoadResult[] = [];
  const bRounds: LoadResult[] = [];
  const cpu = { a: { bridge: 0, server: 0, load_generator: 0 }, b: { client: 0, server: 0 } };
  let cpuKnown = s.serverPid !== undefined;
  const measure = async <T>(work: () => Promise<T>, pid?: number) => {
    const [p0, s0, self0] = [cpuMs(pid), cpuMs(s.serverPid), process.cpuUsage()];
    const result = await work();
    const [p1, s1, self1] = [cpuMs(pid), cpuMs(s.serverPid), process.cpuUsage(self0)];
    if ((pid !== undefined && (p0 === undefined || p1 === undefined)) || s0 === undefined || s1 === undefined) cpuKnown = false;
    return { result, proc: (p1 ?? 0) - (p0 ?? 0), server: (s1 ?? 0) - (s0 ?? 0), self: (self1.user + self1.system) / 1000 };
  };
  for (let round = 0; round < s.rounds; round++) {
    const a = deliveries(s.count);
    const b = events(s.count);
    const runA = async () => {
      const m = await measure(() => postAll(s.bridgeUrl, a, c), s.bridgePid);
      aRounds.push(m.result);
      cpu.a.bridge += m.proc;
      cpu.a.server += m.server;
      cpu.a.load_generator += m.self;
    };
    const runB = async () => {
      const m = await measure(() => bareSignalWithStart(s.client, s.taskQueue, b, c));
      bRounds.push(m.result);
      cpu.b.client += m.self;
      cpu.b.server += m.server;
    };
    if (round % 2 === 0) {
      await runB();
      await runA();
    } else {
      await runA();
      await runB();
    }
  }
  // Unsaturated: one request in flight, so latency is the path's own cost, not queueing for the server.
  const single = Math.min(100, s.count);
  const bSingle = summarize([await bareSignalWithStart(s.client, s.taskQueue, events(single), 1)]);
  const aSingle = summarize([await postAll(s.bridgeUrl, deliveries(single), 1)]);
  const perRequest = (ms: number, requests: number) => (cpuKnown ? Math.round((ms / requests) * 100) / 100 : null);
  const bridgeSummary = summarize(aRounds);
  const bareSummary = summarize(bRounds);
  s.say(`A: ${bridgeSummary.throughput_rps} req/s, p50 ${bridgeSummary.p50_ms} ms, p99 ${bridgeSummary.p99_ms} ms; B: ${bareSummary.throughput_rps} req/s, p50 ${bareSummary.p50_ms} ms, p99 ${bareSummary.p99_ms} ms`);
  return {
    bridge: {
      ...bridgeSummary,
      rounds: s.rounds,
      round_rps: aRounds.map((r) => round1(r.requests / (r.elapsedMs / 1000))),
      p50_ms_one_in_flight: aSingle.p50_ms,
      p99_ms_one_in_flight: aSingle.p99_ms,
      cpu_ms_per_request: {
        bridge: perRequest(cpu.a.bridge, bridgeSummary.requests),
        [s.serverLabel]: perRequest(cpu.a.server, bridgeSummary.requests),
        load_generator: perRequest(cpu.a.load_generator, bridgeSummary.requests),
      },
    },
    bare_client: {
      ...bareSummary,
      rounds: s.rounds,
      round_rps: bRounds.map((r) => round1(r.requests / (r.elapsedMs / 1000))),
      p50_ms_one_in_flight: bSingle.p50_ms,
      p99_ms_one_in_flight: bSingle.p99_ms,
      cpu_ms_per_request: {
        client: perRequest(cpu.b.client, bareSummary.requests),
        [s.serverLabel]: perRequest(cpu.b.server, bareSummary.requests),
      },
    },
  };
}
