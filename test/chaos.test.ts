// Chaos: 50 incidents at once through the real bridge (HTTP server), a real Temporal dev server and the
// real worker running as an OS process, with the SaaS fakes misbehaving. Deliveries are duplicated
// (PagerDuty retries and a second subscription), shuffled out of order and sent a few at a time; Devin
// and PagerDuty answer 5xx / 429 / lost responses at random; the worker is SIGKILLed mid-run and a new
// one started. Whatever happened, every qualifying incident must end with exactly one Devin session and
// its pull request, every merged one `skipped` with none, and no incident may be lost.
//
// Everything random comes from one seeded PRNG: CHAOS_SEED=<n> replays the same plan (incidents,
// deliveries, their order, the faults and when they are queued, the kill point). Timing between the
// processes still varies from run to run, so which request meets which fault may differ.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { type RunningBridge, startBridge } from '../src/bridge/main';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { createLogger } from '../src/config/logger';
import { statusQuery } from '../src/domain/messages';
import { signBody } from '../src/integrations/pagerduty/webhook';
import { PostmortemPhase } from '../src/domain/search-attributes';
import { incidentWebhook, type SimulatedIncident } from '../src/dev/simulation';
import { type DevinRoute, FakeDevinApi, type FakeDevinRequest } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, seedIncident } from './support/pipeline';
import { startDevServer } from './support/temporal';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

// ---- the knobs --------------------------------------------------------------------------------

const DEFAULT_SEED = 42;
const INCIDENTS = 50;
const MERGED = 5;
/** Share of incidents whose acknowledgement never comes (resolved straight away). */
const RESOLVE_ONLY_SHARE = 0.2;
/** Incidents' first deliveries are spread over this window; each incident's events within EVENT_JITTER of it. */
const SPREAD_MS = 12_000;
const EVENT_JITTER_MS = 3_000;
/** Deliveries in flight at once, like PagerDuty's parallel senders. */
const CONCURRENCY = 4;
/** The kill waits for at least this many sessions awaiting their PR. */
const MIN_AWAITING_AT_KILL = 3;
/** Faults are queued between these fractions of the delivery sequence, so that enough traffic follows to meet them. */
const FAULT_WINDOW = [0.05, 0.6] as const;
/** Generous: a worker killed with an activity in flight leaves it to its start-to-close timeout (1-2 min). */
const RESULTS_DEADLINE_MS = 240_000;

const SIGNING_SECRET = 'whsec-chaos-test-0001';
const EventType = { acknowledged: 'incident.acknowledged', resolved: 'incident.resolved' } as const;
type ChaosEventType = (typeof EventType)[keyof typeof EventType];
const { PendingActivityState } = temporal.api.enums.v1;

// ---- seeded randomness ------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function chaosSeed(): number {
  const raw = process.env.CHAOS_SEED;
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`CHAOS_SEED must be a non-negative integer (got "${raw}")`);
  return seed;
}

const SEED = chaosSeed();
const rng = mulberry32(SEED);
const chance = (p: number) => rng() < p;
const between = (min: number, max: number) => min + rng() * (max - min);
const intBetween = (min: number, max: number) => Math.floor(between(min, max + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const incidentId = () => `Q${Array.from({ length: 13 }, () => pick([...ID_ALPHABET])).join('')}`;

// ---- the plan ---------------------------------------------------------------------------------

interface PlannedEvent {
  incidentId: string;
  type: ChaosEventType;
  occurredAt: string;
  eventId: string;
  body: string;
  signature: string;
}

interface Delivery {
  event: PlannedEvent;
  webhookId: string;
  /** Offset from the start of the delivery phase. */
  atMs: number;
  kind: 'original' | 'retry' | 'second_subscription';
}

interface PlannedIncident {
  incident: SimulatedIncident;
  /** Resolved by being merged into this incident. */
  mergedInto?: string;
  resolveOnly: boolean;
  /** Devin opens the PR on this poll of the session. */
  pullRequestAfterPolls: number;
  events: PlannedEvent[];
}

type FaultKind = 'devin5xx' | 'devin429' | 'dropped' | 'poll5xx' | 'pd429' | 'pd5xx';
const FAULT_KINDS: FaultKind[] = ['devin5xx', 'devin429', 'dropped', 'poll5xx', 'pd429', 'pd5xx'];

interface PlannedFault {
  /** Queued just before this delivery is sent. */
  beforeDelivery: number;
  kind: FaultKind;
  /** pd429: how many requests the rate limit answers. */
  times: number;
  /** pd5xx: which list. */
  list?: RegExp;
}

const PD_LISTS = [
  /^\/incidents\/[^/]+\/log_entries$/,
  /^\/incidents\/[^/]+\/alerts$/,
  /^\/incidents\/[^/]+\/notes$/,
  /^\/incidents\/[^/]+\/related_change_events$/,
  /^\/services\/[^/]+\/change_events$/,
];

function planIncidents(pagerDuty: FakePagerDutyApi): PlannedIncident[] {
  const now = Date.now();
  const incidents = Array.from({ length: INCIDENTS }, () =>
    seedIncident(pagerDuty, {
      id: incidentId(),
      number: intBetween(1000, 9999),
      priority: pick(['P1', 'P2']),
      createdAt: new Date(now - between(40, 120) * 60_000).toISOString(),
    }),
  );
  const mergedIndexes = new Set(shuffle(incidents.map((_, i) => i)).slice(0, MERGED));
  const survivors = incidents.filter((_, i) => !mergedIndexes.has(i));
  return incidents.map((incident, i) => {
    const merged = mergedIndexes.has(i);
    const mergedInto = merged ? pick(survivors).id : undefined;
    const resolveOnly = !merged && chance(RESOLVE_ONLY_SHARE);
    const created = Date.parse(incident.createdAt);
    const event = (type: ChaosEventType, minutes: number, options: { mergedInto?: string } = {}): PlannedEvent => {
      const occurredAt = new Date(created + minutes * 60_000).toISOString();
      const eventId = uuid();
      const body = JSON.stringify(incidentWebhook(type, incident, { occurredAt, eventId, ...options }));
      return { incidentId: incident.id, type, occurredAt, eventId, body, signature: signBody(body, SIGNING_SECRET) };
    };
    const events = [
      ...(resolveOnly ? [] : [event(EventType.acknowledged, between(1, 10))]),
      event(EventType.resolved, between(12, 38), { mergedInto }),
    ];
    return { incident, mergedInto, resolveOnly, pullRequestAfterPolls: intBetween(2, 6), events };
  });
}

function planDeliveries(plans: PlannedIncident[]): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const plan of plans) {
    const start = between(0, SPREAD_MS);
    for (const event of plan.events) {
      const original: Delivery = { event, webhookId: `wh-${uuid()}`, atMs: start + between(0, EVENT_JITTER_MS), kind: 'original' };
      deliveries.push(original);
      const copies = chance(0.1) ? 2 : chance(0.35) ? 1 : 0;
      for (let c = 0; c < copies; c++) {
        // A PagerDuty retry repeats the delivery's X-Webhook-Id; a second subscription has its own.
        const retry = chance(0.5);
        deliveries.push({
          event,
          webhookId: retry ? original.webhookId : `wh-${uuid()}`,
          atMs: original.atMs + between(50, 5_000),
          kind: retry ? 'retry' : 'second_subscription',
        });
      }
    }
  }
  return deliveries.sort((a, b) => a.atMs - b.atMs);
}

function planFaults(deliveries: number): PlannedFault[] {
  const counts: Record<FaultKind, number> = {
    devin5xx: intBetween(4, 7),
    devin429: intBetween(3, 5),
    dropped: intBetween(2, 4),
    poll5xx: intBetween(4, 7),
    pd429: intBetween(2, 4),
    pd5xx: intBetween(3, 6),
  };
  const [from, to] = [Math.floor(deliveries * FAULT_WINDOW[0]), Math.floor(deliveries * FAULT_WINDOW[1])];
  const faults: PlannedFault[] = [];
  for (const kind of FAULT_KINDS) {
    for (let i = 0; i < counts[kind]; i++) {
      faults.push({ beforeDelivery: intBetween(from, to), kind, times: kind === 'pd429' ? intBetween(1, 3) : 1, list: kind === 'pd5xx' ? pick(PD_LISTS) : undefined });
    }
  }
  return faults.sort((a, b) => a.beforeDelivery - b.beforeDelivery);
}

// ---- fault bookkeeping --------------------------------------------------------------------------
// The fakes run in this process and decide a request's fault synchronously when they record it, so
// replaying their request logs against the log of queued faults says exactly which faults were served.

interface QueuedDevinFault {
  kind: FaultKind;
  route: DevinRoute;
  at: number;
}
interface QueuedPagerDutyFault {
  kind: FaultKind;
  at: number;
  times: number;
  list?: RegExp;
}

function devinRouteOf(request: FakeDevinRequest): DevinRoute | undefined {
  const parts = request.path.split('/').slice(1);
  if (parts[0] !== 'v3' || parts[1] !== 'organizations' || parts[3] !== 'sessions') return undefined;
  if (parts.length === 4) return request.method === 'POST' ? 'create' : request.method === 'GET' ? 'list' : undefined;
  if (parts.length === 5) return request.method === 'GET' ? 'get' : undefined;
  if (parts.length === 6 && parts[5] === 'messages') return request.method === 'POST' ? 'message' : undefined;
  return undefined;
}

function servedFaults(devin: FakeDevinApi, devinLog: QueuedDevinFault[], pagerDuty: FakePagerDutyApi, pagerDutyLog: QueuedPagerDutyFault[]) {
  const served = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  let unused = 0;

  const queues = new Map<DevinRoute, FaultKind[]>();
  let next = 0;
  for (let i = 0; i <= devin.requests.length; i++) {
    for (; next < devinLog.length && (devinLog[next]?.at ?? Infinity) <= i; next++) {
      const fault = devinLog[next] as QueuedDevinFault;
      queues.set(fault.route, [...(queues.get(fault.route) ?? []), fault.kind]);
    }
    const request = devin.requests[i];
    const route = request && devinRouteOf(request);
    const kind = route && queues.get(route)?.shift();
    if (kind) served[kind]++;
  }
  for (const queue of queues.values()) unused += queue.length;

  // PagerDuty: the rate limit comes first and a new one replaces the old; then the first matching fault.
  let rateLimited = 0;
  const lists: { list: RegExp; remaining: number }[] = [];
  next = 0;
  for (let i = 0; i <= pagerDuty.requests.length; i++) {
    for (; next < pagerDutyLog.length && (pagerDutyLog[next]?.at ?? Infinity) <= i; next++) {
      const fault = pagerDutyLog[next] as QueuedPagerDutyFault;
      if (fault.kind === 'pd429') {
        unused += rateLimited;
        rateLimited = fault.times;
      } else if (fault.list) lists.push({ list: fault.list, remaining: fault.times });
    }
    const request = pagerDuty.requests[i];
    if (!request) continue;
    if (rateLimited > 0) {
      rateLimited--;
      served.pd429++;
      continue;
    }
    const index = lists.findIndex((f) => f.list.test(request.path));
    const fault = lists[index];
    if (fault) {
      served.pd5xx++;
      if (--fault.remaining <= 0) lists.splice(index, 1);
    }
  }
  unused += rateLimited + lists.reduce((n, f) => n + f.remaining, 0);
  return { served, unused };
}

// ---- infrastructure -----------------------------------------------------------------------------

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let env: TestWorkflowEnvironment | undefined;
let devin: FakeDevinApi | undefined;
let pagerDuty: FakePagerDutyApi | undefined;
let bridge: RunningBridge | undefined;
const workers: WorkerProcess[] = [];
/** Worker starts still under way: afterAll waits for them so that no process outlives the suite. */
const starting = new Set<Promise<WorkerProcess>>();
const taskQueue = `chaos-${process.pid}-${Date.now()}`;
let setupMs = 0;
const suiteStartedAt = Date.now();

function startWorker(): Promise<WorkerProcess> {
  if (!env || !devin || !pagerDuty) throw new Error('infrastructure not started');
  const start = startWorkerProcess(
    {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...fakeApiVars(devin, pagerDuty),
      DEVIN_POLL_INTERVAL: '1s',
      RESOLVE_QUIET_PERIOD: '1s',
      HTTP_TIMEOUT: '5s',
      DEVIN_MAX_WAIT: '10m',
      // The product's cap on session creation (default 10 a minute) would make 45 sessions take 5 minutes;
      // a cap well above the storm's rate keeps the rate-limited queue in the path without being the bottleneck.
      DEVIN_MAX_SESSIONS_PER_MINUTE: '300',
      LOG_LEVEL: 'info',
    },
    90_000,
  ).then((worker) => {
    workers.push(worker);
    return worker;
  });
  starting.add(start);
  void start.finally(() => starting.delete(start)).catch(() => undefined);
  return start;
}

beforeAll(async () => {
  [env, devin, pagerDuty] = await Promise.all([startDevServer(), FakeDevinApi.start(), FakePagerDutyApi.start()]);
  const [, started] = await Promise.all([
    startWorker(),
    startBridge(
      { PORT: '0', BRIDGE_METRICS_ADDRESS: '127.0.0.1:0', PAGERDUTY_WEBHOOK_SECRETS: SIGNING_SECRET, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent' },
      createLogger('chaos-bridge', 'silent'),
    ),
  ]);
  bridge = started;
  setupMs = Date.now() - suiteStartedAt;
}, 120_000);

afterAll(async () => {
  const errors: unknown[] = [];
  const attempt = async (work: () => Promise<unknown> | undefined) => {
    try {
      await work();
    } catch (error) {
      errors.push(error);
    }
  };
  // SIGKILL every worker, including one whose start is still under way.
  await attempt(() => Promise.allSettled([...starting]));
  await attempt(() => Promise.all(workers.map((w) => w.kill())));
  await attempt(() => bridge?.close());
  await attempt(() => devin?.close());
  await attempt(() => pagerDuty?.close());
  await attempt(() => env?.teardown());
  if (errors.length > 0) console.error('chaos teardown:', ...errors);
}, 60_000);

// ---- the run ------------------------------------------------------------------------------------

describe('chaos', () => {
  it(`50 incidents, duplicated and shuffled deliveries, API faults and a SIGKILLed worker → one session per qualifying incident (seed ${SEED})`, async () => {
    if (!env || !devin || !pagerDuty || !bridge) throw new Error('infrastructure not started');
    const temporalEnv = env;
    const fakeDevin = devin;
    const fakePagerDuty = pagerDuty;
    const url = `http://127.0.0.1:${bridge.port}/webhooks/pagerduty`;

    const plans = planIncidents(fakePagerDuty);
    const deliveries = planDeliveries(plans);
    const faults = planFaults(deliveries.length);
    const killBefore = Math.floor(deliveries.length * between(0.45, 0.65));
    const byId = new Map(plans.map((p) => [p.incident.id, p]));
    const qualifying = plans.filter((p) => !p.mergedInto);
    const merged = plans.filter((p) => p.mergedInto);

    // Devin takes its time: each incident's PR appears after a few polls (2-6 s at a 1 s poll interval).
    fakeDevin.onPoll = (session, poll) => {
      const id = session.tags.find((t) => t.startsWith('pd-incident:'))?.slice('pd-incident:'.length);
      const target = (id && byId.get(id)?.pullRequestAfterPolls) || 2;
      return poll < target ? { status: 'running', status_detail: 'working', pull_requests: [] } : undefined;
    };

    const devinFaults: QueuedDevinFault[] = [];
    const pagerDutyFaults: QueuedPagerDutyFault[] = [];
    function inject(fault: PlannedFault) {
      const devinAt = fakeDevin.requests.length;
      const pdAt = fakePagerDuty.requests.length;
      switch (fault.kind) {
        case 'devin5xx':
          fakeDevin.fail('create', { status: pick([500, 502, 503]) });
          devinFaults.push({ kind: fault.kind, route: 'create', at: devinAt });
          break;
        case 'devin429':
          fakeDevin.fail('create', { status: 429, headers: { 'retry-after': '1' } });
          devinFaults.push({ kind: fault.kind, route: 'create', at: devinAt });
          break;
        case 'dropped':
          fakeDevin.fail('create', { dropResponse: true });
          devinFaults.push({ kind: fault.kind, route: 'create', at: devinAt });
          break;
        case 'poll5xx':
          fakeDevin.fail('get', { status: pick([500, 503]) });
          devinFaults.push({ kind: fault.kind, route: 'get', at: devinAt });
          break;
        case 'pd429':
          fakePagerDuty.rateLimit(fault.times, 1);
          pagerDutyFaults.push({ kind: fault.kind, at: pdAt, times: fault.times });
          break;
        case 'pd5xx':
          fakePagerDuty.fail(fault.list ?? /^\/incidents\/[^/]+\/alerts$/, { status: 500 });
          pagerDutyFaults.push({ kind: fault.kind, at: pdAt, times: 1, list: fault.list });
          break;
      }
    }

    // ---- deliveries ----
    const outcomes = new Map<Delivery, { status: number; body: unknown }>();
    const unexpected: string[] = [];
    let retried503 = 0;
    let outOfOrder = 0;
    const sentEvents = new Set<string>();
    const latestSent = new Map<string, string>();
    let inFlightDeliveries = 0;

    async function send(delivery: Delivery): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        let status = 0;
        let body: unknown;
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-pagerduty-signature': delivery.event.signature, 'x-webhook-id': delivery.webhookId },
            body: delivery.event.body,
          });
          status = res.status;
          body = await res.json().catch(() => undefined);
        } catch (error) {
          body = String(error);
        }
        // PagerDuty retries what the bridge could not take (503, or no answer), with the same delivery.
        if ((status === 503 || status === 0) && attempt < 20) {
          retried503++;
          await delay(500);
          continue;
        }
        outcomes.set(delivery, { status, body });
        const accepted = status === 202;
        const closed = status === 200 && (body as { status?: string } | undefined)?.status === 'incident_closed';
        if (!accepted && !closed) unexpected.push(`${delivery.event.type} ${delivery.event.incidentId} (${delivery.kind}) → ${status} ${JSON.stringify(body)}`);
        return;
      }
    }

    // ---- the kill ----
    let first: WorkerProcess | undefined = workers[0];
    let second: Promise<WorkerProcess> | undefined;
    const kill = { awaitingPr: 0, phaseAwaitingPr: 0, inFlightActivities: [] as string[], quiet: false, at: 0, restartMs: 0 };
    async function killWorker() {
      if (!first) throw new Error('no worker to kill');
      // A moment with sessions awaiting their PR and, as far as the fakes can tell, no HTTP call in
      // flight: an activity lost mid-call is only retried after its start-to-close timeout (1-2 min).
      const awaiting = () => fakeDevin.sessions.filter((s) => s.pull_requests.length === 0).length;
      const traffic = () => fakeDevin.requests.length + fakePagerDuty.requests.length;
      const deadline = Date.now() + 20_000;
      let seen = traffic();
      let since = Date.now();
      while (Date.now() < deadline) {
        await delay(5);
        if (traffic() !== seen) {
          seen = traffic();
          since = Date.now();
        } else if (inFlightDeliveries === 0 && Date.now() - since >= 150 && awaiting() >= MIN_AWAITING_AT_KILL) {
          kill.quiet = true;
          break;
        }
      }
      kill.awaitingPr = awaiting();
      await first.kill();
      kill.at = Date.now();
      if (first.child.signalCode !== 'SIGKILL') throw new Error(`worker did not die by SIGKILL (${String(first.child.signalCode)})`);
      // What the dead worker held: workflows awaiting their PR, and activities it had started.
      await Promise.all(
        plans.map(async (plan) => {
          const description = await temporalEnv.client.workflow
            .getHandle(workflowIdForIncident(plan.incident.id))
            .describe()
            .catch(() => undefined);
          if (!description) return;
          if (description.typedSearchAttributes.get(PostmortemPhase) === 'awaiting_pr') kill.phaseAwaitingPr++;
          for (const activity of description.raw.pendingActivities ?? []) {
            if (activity.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) {
              kill.inFlightActivities.push(`${plan.incident.id}:${activity.activityType?.name ?? '?'}`);
              if (process.env.CHAOS_DEBUG) console.log('inflight', plan.incident.id, activity.activityType?.name, activity.attempt, Number(activity.lastStartedTime?.seconds) * 1000 + Math.floor((activity.lastStartedTime?.nanos ?? 0) / 1e6) - kill.at, activity.lastWorkerIdentity, kill.quiet);
            }
          }
        }),
      );
      first = undefined;
      const restartFrom = Date.now();
      second = startWorker().then((worker) => {
        kill.restartMs = Date.now() - restartFrom;
        return worker;
      });
    }

    const deliveryStart = Date.now();
    const inFlight = new Set<Promise<void>>();
    let nextFault = 0;
    try {
      for (let i = 0; i < deliveries.length; i++) {
        const delivery = deliveries[i] as Delivery;
        for (; nextFault < faults.length && (faults[nextFault]?.beforeDelivery ?? Infinity) <= i; nextFault++) inject(faults[nextFault] as PlannedFault);
        if (i === killBefore) {
          await Promise.all(inFlight);
          await killWorker();
        }
        const wait = deliveryStart + delivery.atMs - Date.now();
        if (wait > 0) await delay(wait);
        while (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);

        // Out of order: this event happened before one already delivered for the same incident.
        const { event } = delivery;
        if (!sentEvents.has(event.eventId)) {
          const latest = latestSent.get(event.incidentId);
          if (latest && latest > event.occurredAt) outOfOrder++;
          if (!latest || event.occurredAt > latest) latestSent.set(event.incidentId, event.occurredAt);
          sentEvents.add(event.eventId);
        }
        inFlightDeliveries++;
        const sending: Promise<void> = send(delivery).finally(() => {
          inFlightDeliveries--;
          inFlight.delete(sending);
        });
        inFlight.add(sending);
      }
      await Promise.all(inFlight);
    } finally {
      // Faults planned past the end (never, by construction) would still be counted as unused.
      for (; nextFault < faults.length; nextFault++) inject(faults[nextFault] as PlannedFault);
    }
    if (!second) throw new Error('the worker was never killed');
    const replacement = await second;

    // ---- outcomes ----
    const handle = (plan: PlannedIncident) => temporalEnv.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(plan.incident.id));
    const deadline = Date.now() + RESULTS_DEADLINE_MS;
    const results = await Promise.all(
      plans.map(async (plan) => {
        // Aborted at the deadline, so that no long poll outlives the dev server.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), Math.max(0, deadline - Date.now()));
        try {
          return await temporalEnv.client.connection.withAbortSignal(abort.signal, () => handle(plan).result());
        } catch (error) {
          if (abort.signal.aborted) return 'timeout' as const;
          return error instanceof Error ? error : new Error(String(error));
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const elapsedS = Math.round((Date.now() - suiteStartedAt) / 1000);

    const problems: string[] = [...unexpected];
    const sessionsFor = (id: string) => fakeDevin.sessions.filter((s) => s.tags.includes(`pd-incident:${id}`));
    let lost = 0;
    let skipped = 0;
    for (const [i, plan] of plans.entries()) {
      const id = plan.incident.id;
      const result = results[i];
      const sessions = sessionsFor(id);
      let status: PostmortemStatus | undefined;
      let closed = 'unknown';
      try {
        const description = await handle(plan).describe();
        closed = description.status.name;
        status = await handle(plan).query(statusQuery);
      } catch (error) {
        problems.push(`${id}: workflow not found or unreadable (${String(error)})`);
      }
      if (result === undefined || result === 'timeout' || result instanceof Error || closed !== 'COMPLETED') {
        lost++;
        problems.push(
          `${id}: did not finish (${result === 'timeout' || result === undefined ? 'still running' : result instanceof Error ? result.message : closed}; phase ${status?.phase ?? '?'}, lastError ${status?.lastError ?? '-'})`,
        );
        continue;
      }
      if (plan.mergedInto) {
        if (result.outcome === 'skipped') skipped++;
        if (result.outcome !== 'skipped' || !result.skipReason?.includes(`merged into incident ${plan.mergedInto}`)) {
          problems.push(`${id} (merged into ${plan.mergedInto}): outcome ${result.outcome}, ${result.skipReason ?? 'no skip reason'}`);
        }
        if (sessions.length !== 0) problems.push(`${id} (merged): ${sessions.length} Devin session(s), expected none`);
        if (status && status.phase !== 'skipped') problems.push(`${id} (merged): phase ${status.phase}`);
      } else {
        const [session] = sessions;
        if (sessions.length !== 1) problems.push(`${id}: ${sessions.length} Devin sessions tagged pd-incident:${id}, expected exactly 1`);
        if (result.outcome !== 'pull_request_opened') problems.push(`${id}: outcome ${result.outcome} (${result.skipReason ?? status?.lastError ?? ''})`);
        else if (!session || result.devinSessionId !== session.session_id || result.pullRequestUrl !== session.pull_requests[0]?.pr_url) {
          problems.push(`${id}: result names session ${result.devinSessionId} / ${result.pullRequestUrl}, Devin has ${session?.session_id} / ${session?.pull_requests[0]?.pr_url}`);
        }
        if (status && status.phase !== 'completed') problems.push(`${id}: phase ${status.phase}`);
      }
      // Every distinct event that was accepted counts once; every copy beyond it is a duplicate ignored.
      const accepted = deliveries.filter((d) => d.event.incidentId === id && outcomes.get(d)?.status === 202);
      const distinct = new Set(accepted.map((d) => d.event.eventId)).size;
      if (status && status.eventsReceived !== distinct) problems.push(`${id}: eventsReceived ${status.eventsReceived}, but ${distinct} distinct events were accepted`);
      if (status && status.duplicatesIgnored < accepted.length - distinct) {
        problems.push(`${id}: duplicatesIgnored ${status.duplicatesIgnored}, but ${accepted.length - distinct} duplicate deliveries were accepted`);
      }
    }

    // No duplicates anywhere in Devin: one session per tag, none for strangers, none created unseen.
    const perIncident = new Map<string, number>();
    for (const session of fakeDevin.sessions) {
      const tag = session.tags.find((t) => t.startsWith('pd-incident:'));
      const id = tag?.slice('pd-incident:'.length);
      if (!id || !byId.has(id)) problems.push(`Devin session ${session.session_id} belongs to no incident of this run (${String(tag)})`);
      else perIncident.set(id, (perIncident.get(id) ?? 0) + 1);
    }
    const duplicateSessions = [...perIncident.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);
    if (fakeDevin.createCount() !== fakeDevin.sessions.length) problems.push(`Devin created ${fakeDevin.createCount()} sessions, lists ${fakeDevin.sessions.length}`);

    // What was injected, as served by the fakes (cross-checked against what Devin itself can tell).
    const { served, unused } = servedFaults(fakeDevin, devinFaults, fakePagerDuty, pagerDutyFaults);
    const createPosts = fakeDevin.requests.filter((r) => devinRouteOf(r) === 'create').length;
    if (served.devin5xx + served.devin429 !== createPosts - fakeDevin.createCount()) {
      problems.push(`fault accounting: ${served.devin5xx + served.devin429} refused creates replayed, but Devin saw ${createPosts} creates for ${fakeDevin.createCount()} sessions`);
    }
    if (replacement.child.exitCode !== null) problems.push(`the restarted worker exited (${replacement.child.exitCode})`);

    const duplicates = deliveries.filter((d) => d.kind !== 'original');
    const secondSubscription = duplicates.filter((d) => d.kind === 'second_subscription').length;
    const late = [...outcomes.values()].filter((o) => o.status === 200).length;
    const resolveOnly = plans.filter((p) => p.resolveOnly).length;
    const faultText = FAULT_KINDS.map((k) => `${k}=${served[k]}`).join(' ') + (unused > 0 ? ` (${unused} queued but never met)` : '');
    console.log(
      `chaos seed=${SEED}: ${plans.length} incidents (${merged.length} merged, ${resolveOnly} resolve-only), ` +
        `${deliveries.length} deliveries with ${duplicates.length} duplicates (${secondSubscription} from a second subscription), ${outOfOrder} out-of-order, ` +
        `${late} late (incident_closed)${retried503 > 0 ? `, ${retried503} retried after 503` : ''}, faults ${faultText}, ` +
        `1 worker kill (${kill.phaseAwaitingPr} awaiting PR, ${kill.inFlightActivities.length} activities in flight${kill.quiet ? '' : ', no quiet moment found'}; new worker up in ${(kill.restartMs / 1000).toFixed(1)}s) → ` +
        `${fakeDevin.sessions.length} sessions for ${qualifying.length} qualifying, ${duplicateSessions} duplicates, ${lost} lost, ` +
        `${skipped} skipped (merged) in ${elapsedS}s (setup ${Math.round(setupMs / 1000)}s)`,
    );

    if (problems.length > 0) {
      const logs = workers.map((w, i) => `--- worker process ${i + 1} (pid ${w.child.pid}, exit ${w.child.exitCode}, signal ${w.child.signalCode}) ---\n${w.output().slice(-4000)}`);
      throw new Error(`chaos seed=${SEED} (rerun with CHAOS_SEED=${SEED}):\n  ${problems.join('\n  ')}\n\n${logs.join('\n')}`);
    }
    expect(duplicateSessions).toBe(0);
    expect(lost).toBe(0);
    expect(fakeDevin.sessions).toHaveLength(qualifying.length);
    expect(skipped).toBe(merged.length);
  }, 420_000);
});
