// Turns one run's measurements into the targets' verdicts, the markdown table, bench/results.json
// and (full runs, or --write-docs) the generated part of docs/benchmarks.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { LatencySummary } from './load';
import { type SignatureCost, signatureTarget } from './signatures';

export interface Machine {
  cpu_model: string;
  cores: number;
  ram_gb: number;
  node: string;
  os: string;
  temporal_cli: string;
}

export function describeMachine(temporalCli: string): Machine {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ram_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    temporal_cli: temporalCli,
  };
}

export interface Extras {
  rounds: number;
  /** Throughput of each round, in run order (B first in odd rounds, A first in even ones): the noise. */
  round_rps: number[];
  /** The same path with one request in flight: its own latency, without queueing for the server. */
  p50_ms_one_in_flight: number;
  p99_ms_one_in_flight: number;
  /** CPU ms per request of each process involved (from /proc), to see what limits throughput. */
  cpu_ms_per_request: Record<string, number | null>;
}

export interface Results {
  /** F (absent from results written before it existed). */
  signatures?: SignatureCost;
  mode: 'full' | 'quick';
  command: string;
  finished_at: string;
  concurrency: number;
  bridge: LatencySummary & Extras;
  bare_client: LatencySummary & Extras;
  sync_bridge: {
    requests: number;
    p50_ms: number;
    p99_ms: number;
    devin_latency_ms: number;
    /** Events the sync bridge lost while the fake Devin answered 500 (nobody retries). */
    lost_on_500: number;
    fault_events: number;
    fault_seconds: number;
    /** The same fault through this bridge and its worker. */
    bridge_lost_on_500: number;
    bridge_duplicates_on_500: number;
  };
  storm: {
    incidents: number;
    sessions: number;
    duplicates: number;
    lost: number;
    seconds: number;
    cap_held: boolean;
    cap_per_minute: number;
    devin_limit_per_second: number;
    /** The most create requests Devin saw in any 60 s window, and the bound: cap + the limiter's burst. */
    max_creates_in_60s: number;
    max_creates_in_10s: number;
    allowed_in_60s: number;
    allowed_in_10s: number;
    devin_429s: number;
    webhooks_not_accepted: number;
    ack_seconds: number;
    minimum_seconds_at_cap: number;
    /** When the first session existed, and the creation rate from then on (the cap allows cap / 60). */
    first_session_seconds: number | null;
    sessions_per_second_after_first: number | null;
    worker_peak_rss_mb?: number;
  };
  /** --server cluster: the same A/B pair on the Temporal server built from its Go module, on PostgreSQL. */
  cluster?: { server: string; bridge: LatencySummary & Extras; bare_client: LatencySummary & Extras };
  worker_rss_mb_at_1000_open: number | null;
  /** rss_mb: 30 s after the last incident opened (steady state); rss_mb_right_after: 2 s after. */
  memory: { open_incidents: number; rss_mb: number; rss_mb_right_after?: number; idle_rss_mb: number; peak_rss_mb: number; seconds_to_open: number };
  machine: Machine;
  targets: Target[];
}

export interface Target {
  name: string;
  measured: string;
  pass: boolean;
  /** Correctness targets fail the run; performance ones are reported. */
  kind: 'correctness' | 'performance';
}

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function evaluate(r: Omit<Results, 'targets'>): Target[] {
  const p99Ratio = r.bridge.p99_ms / r.bare_client.p99_ms;
  const p50Speedup = r.sync_bridge.p50_ms / r.bridge.p50_ms;
  return [
    ...pairTargets('', r.bridge, r.bare_client),
    {
      name: 'A p99 ≤ 2 × B p99',
      measured: `${fmt(p99Ratio, 2)} × (${fmt(r.bridge.p99_ms)} vs ${fmt(r.bare_client.p99_ms)} ms)`,
      pass: p99Ratio <= 2,
      kind: 'performance',
    },
    {
      name: 'A p50 ≥ 20 × lower than C p50',
      measured: `${fmt(p50Speedup, 0)} × lower at ${r.concurrency} in flight (${fmt(r.bridge.p50_ms)} vs ${fmt(r.sync_bridge.p50_ms)} ms); with 1 in flight A p50 is ${fmt(
        r.bridge.p50_ms_one_in_flight,
      )} ms, ${fmt(r.sync_bridge.p50_ms / r.bridge.p50_ms_one_in_flight, 0)} × lower`,
      pass: p50Speedup >= 20,
      kind: 'performance',
    },
    {
      name: 'Devin outage: this bridge loses nothing',
      measured: `${r.sync_bridge.bridge_lost_on_500} lost, ${r.sync_bridge.bridge_duplicates_on_500} duplicated of ${r.sync_bridge.fault_events} (sync bridge: ${r.sync_bridge.lost_on_500} lost)`,
      pass: r.sync_bridge.bridge_lost_on_500 === 0 && r.sync_bridge.bridge_duplicates_on_500 === 0,
      kind: 'correctness',
    },
    { name: 'Storm: 0 duplicate sessions', measured: String(r.storm.duplicates), pass: r.storm.duplicates === 0, kind: 'correctness' },
    { name: 'Storm: 0 lost incidents', measured: String(r.storm.lost), pass: r.storm.lost === 0, kind: 'correctness' },
    {
      name: `Storm: session cap held (${r.storm.cap_per_minute}/min)`,
      measured: `max ${r.storm.max_creates_in_60s} creates in any 60 s (≤ ${r.storm.allowed_in_60s})`,
      pass: r.storm.cap_held,
      kind: 'correctness',
    },
    {
      // The server paces dispatch; a worker short of CPU starts some of them late and together.
      name: 'Storm: no 10 s burst above the limiter\'s rate and burst',
      measured: `max ${r.storm.max_creates_in_10s} creates in any 10 s (≤ ${r.storm.allowed_in_10s})`,
      pass: r.storm.max_creates_in_10s <= r.storm.allowed_in_10s,
      kind: 'performance',
    },
    {
      name: 'Storm: every session within 1.15 × the cap\'s lower bound',
      measured: `${fmt(r.storm.seconds / r.storm.minimum_seconds_at_cap, 2)} × (${fmt(r.storm.seconds)} s vs ${fmt(r.storm.minimum_seconds_at_cap)} s at ${fmt(r.storm.cap_per_minute / 60)}/s)`,
      pass: r.storm.seconds <= 1.15 * r.storm.minimum_seconds_at_cap,
      kind: 'performance',
    },
    {
      name: 'Worker RSS ≤ 250 MB at 1,000 open incidents',
      measured: `${fmt(r.memory.rss_mb, 0)} MB at ${r.memory.open_incidents} open (idle ${fmt(r.memory.idle_rss_mb, 0)} MB)`,
      pass: r.memory.rss_mb <= 250,
      kind: 'performance',
    },
    ...(r.signatures ? [signatureTarget(r.signatures)] : []),
    ...(r.cluster ? pairTargets('Cluster: ', r.cluster.bridge, r.cluster.bare_client) : []),
  ];
}

/** This bridge against the bare client on one server: throughput, and the CPU each spends per event. */
function pairTargets(prefix: string, a: LatencySummary & Extras, b: LatencySummary & Extras): Target[] {
  const throughputRatio = a.throughput_rps / b.throughput_rps;
  const bridgeCpu = a.cpu_ms_per_request.bridge;
  const clientCpu = b.cpu_ms_per_request.client;
  const cpuRatio = bridgeCpu != null && clientCpu != null ? bridgeCpu / clientCpu : NaN;
  return [
    {
      name: `${prefix}A throughput ≥ 0.95 × B`,
      measured: `${fmt(throughputRatio, 2)} × (${fmt(a.throughput_rps)} vs ${fmt(b.throughput_rps)} req/s)`,
      pass: throughputRatio >= 0.95,
      kind: 'performance',
    },
    {
      name: `${prefix}A CPU per accepted webhook ≤ 1.5 × B's per call`,
      measured: `${fmt(cpuRatio, 2)} × (bridge ${bridgeCpu == null ? 'n/a' : fmt(bridgeCpu, 2)} vs client ${clientCpu == null ? 'n/a' : fmt(clientCpu, 2)} ms)`,
      pass: cpuRatio <= 1.5,
      kind: 'performance',
    },
  ];
}

function cpuNote(cpu: Record<string, number | null>): string {
  return Object.entries(cpu)
    .map(([name, ms]) => `${name} ${ms === null ? 'n/a' : fmt(ms, 2)}`)
    .join(', ');
}

export function markdown(r: Results): string {
  const c = r.concurrency;
  const lines = [
    `| Scenario | Requests | In flight | Throughput (req/s) | p50 (ms) | p99 (ms) | Notes |`,
    `|---|---:|---:|---:|---:|---:|---|`,
    `| **A** this bridge (signed \`incident.acknowledged\`, distinct incidents) | ${r.bridge.requests} | ${c} | ${fmt(r.bridge.throughput_rps)} | ${fmt(r.bridge.p50_ms)} | ${fmt(r.bridge.p99_ms)} | rounds ${r.bridge.round_rps.join(' / ')} req/s; ${r.bridge.failed} not accepted; CPU ms/request: ${cpuNote(r.bridge.cpu_ms_per_request)} |`,
    `| **B** bare \`signalWithStart\` from one process | ${r.bare_client.requests} | ${c} | ${fmt(r.bare_client.throughput_rps)} | ${fmt(r.bare_client.p50_ms)} | ${fmt(r.bare_client.p99_ms)} | rounds ${r.bare_client.round_rps.join(' / ')} req/s, interleaved with A; ${r.bare_client.failed} failed; CPU ms/request: ${cpuNote(r.bare_client.cpu_ms_per_request)} |`,
    `| A with 1 in flight | ${Math.min(100, r.bridge.requests)} | 1 | — | ${fmt(r.bridge.p50_ms_one_in_flight)} | ${fmt(r.bridge.p99_ms_one_in_flight)} | unsaturated: the path's own latency |`,
    `| B with 1 in flight | ${Math.min(100, r.bare_client.requests)} | 1 | — | ${fmt(r.bare_client.p50_ms_one_in_flight)} | ${fmt(r.bare_client.p99_ms_one_in_flight)} | unsaturated |`,
    `| **C** synchronous bridge (fake Devin ${r.sync_bridge.devin_latency_ms} ms) | ${r.sync_bridge.requests} | ${c} | — | ${fmt(r.sync_bridge.p50_ms)} | ${fmt(r.sync_bridge.p99_ms)} | Devin answering 500 for ${r.sync_bridge.fault_seconds} s: lost **${r.sync_bridge.lost_on_500}** of ${r.sync_bridge.fault_events} events; this bridge: lost ${r.sync_bridge.bridge_lost_on_500} |`,
    `| **D** storm: ${r.storm.incidents} incidents acknowledged then resolved | ${r.storm.incidents * 2} | ${c} | — | — | — | webhooks answered in ${fmt(r.storm.ack_seconds)} s; first session after ${fmt(r.storm.first_session_seconds ?? NaN)} s, all ${r.storm.sessions} after ${fmt(r.storm.seconds)} s (${fmt(r.storm.sessions_per_second_after_first ?? NaN)}/s; the cap alone: ${fmt(r.storm.minimum_seconds_at_cap)} s at ${fmt(r.storm.cap_per_minute / 60)}/s); duplicates ${r.storm.duplicates}, lost ${r.storm.lost}; cap ${r.storm.cap_per_minute}/min: max ${r.storm.max_creates_in_60s} creates in any 60 s; Devin 429s ${r.storm.devin_429s} (limit ${r.storm.devin_limit_per_second}/s) |`,
    `| **E** memory: worker with ${r.memory.open_incidents} open incidents | ${r.memory.open_incidents} | ${c} | — | — | — | worker RSS **${fmt(r.memory.rss_mb, 0)} MB** 30 s after the last opened (${r.memory.rss_mb_right_after === undefined ? 'n/a' : fmt(r.memory.rss_mb_right_after, 0)} MB right after; idle ${fmt(r.memory.idle_rss_mb, 0)} MB, peak ${fmt(r.memory.peak_rss_mb, 0)} MB) |`,
    ...(r.cluster
      ? [
          `| **A** on the cluster (${r.cluster.server}) | ${r.cluster.bridge.requests} | ${c} | ${fmt(r.cluster.bridge.throughput_rps)} | ${fmt(r.cluster.bridge.p50_ms)} | ${fmt(r.cluster.bridge.p99_ms)} | rounds ${r.cluster.bridge.round_rps.join(' / ')} req/s; ${r.cluster.bridge.failed} not accepted; CPU ms/request: ${cpuNote(r.cluster.bridge.cpu_ms_per_request)} |`,
          `| **B** on the cluster | ${r.cluster.bare_client.requests} | ${c} | ${fmt(r.cluster.bare_client.throughput_rps)} | ${fmt(r.cluster.bare_client.p50_ms)} | ${fmt(r.cluster.bare_client.p99_ms)} | rounds ${r.cluster.bare_client.round_rps.join(' / ')} req/s, interleaved with A; ${r.cluster.bare_client.failed} failed; CPU ms/request: ${cpuNote(r.cluster.bare_client.cpu_ms_per_request)} (PostgreSQL's not counted) |`,
        ]
      : []),
    ...(r.signatures
      ? [
          `| **F** hostile \`X-PagerDuty-Signature\` (${r.signatures.header_bytes} bytes, ${r.signatures.secrets} secrets) | ${r.signatures.requests} × 3 | ${c} | — | — | — | bridge CPU ms/request: normal ${r.signatures.cpu_ms_per_request.normal ?? 'n/a'}, wrong signature ${r.signatures.cpu_ms_per_request.wrong ?? 'n/a'}, maximal header ${r.signatures.cpu_ms_per_request.maximal ?? 'n/a'} |`,
        ]
      : []),
    '',
    `| Target | Measured | Result |`,
    `|---|---|---|`,
    ...r.targets.map((t) => `| ${t.name} | ${t.measured} | ${t.pass ? 'pass' : `**MISSED** (${t.kind})`} |`),
    '',
    `Machine: ${r.machine.cpu_model}, ${r.machine.cores} CPUs, ${r.machine.ram_gb} GB RAM, Node ${r.machine.node}, ${r.machine.os}; ${r.machine.temporal_cli} (dev server, in-memory SQLite)${r.cluster ? `; the cluster rows: ${r.cluster.server}` : ''}.`,
    '',
    `Command: \`${r.command}\` (${r.mode} mode, finished ${r.finished_at}).`,
  ];
  return lines.join('\n');
}

export function writeResults(file: string, r: Results): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

/** Replaces the generated block of docs/benchmarks.md, keeping the hand-written analysis around it. */
export function writeDocs(file: string, table: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const block = `${BEGIN}\n${table}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
