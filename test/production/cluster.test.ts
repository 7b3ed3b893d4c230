// The production shape on a real Temporal cluster (`npm run test:production`): PostgreSQL, the Temporal
// server docker-compose.yml pins (built from its Go module) with the compose jobs' schema and namespace
// setup and the compose dynamic config, two worker and two bridge processes configured by environment
// variables only, and the fake Devin and PagerDuty APIs. Every incident must end with nothing lost and
// exactly one Devin session when it qualifies, through bridges taking turns, worker crashes, a rolling
// restart and a Temporal server restart.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { statusQuery } from '../../src/domain/messages';
import { PagerDutyIncidentId, SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { workflowIdForIncident } from '../../src/domain/incident';
import { incidentWebhook, type SimulatedIncident } from '../../src/dev/simulation';
import { seedIncident } from '../support/pipeline';
import { eventually } from '../support/temporal';
import { type AppProcess } from '../support/cluster/apps';
import { composeEnvironment } from '../support/cluster/compose';
import { checkOutcomes, handleFor, sessionsFor, type TrackedIncident } from '../support/cluster/outcomes';
import { type DeliveryOutcome, PagerDutySender } from '../support/cluster/pagerduty-sender';
import { findPostgresBin } from '../support/cluster/postgres';
import { type RunningBridgeProcess, type Stack, startStack } from '../support/cluster/stack';
import { COMPOSE_DYNAMIC_CONFIG, validateDynamicConfig } from '../support/cluster/temporal-server';

const run = promisify(execFile);
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: Stack;
const workers: AppProcess[] = [];
let bridges: RunningBridgeProcess[] = [];
let sender: PagerDutySender;
const startedAt = Date.now();

beforeAll(async () => {
  stack = await startStack({ name: 'cluster' });
  const [w1, w2, b1, b2] = await Promise.all([
    stack.startWorker('worker-1'),
    stack.startWorker('worker-2'),
    stack.startBridge('bridge-1'),
    stack.startBridge('bridge-2'),
  ]);
  workers.push(w1, w2);
  bridges = [b1, b2];
  sender = new PagerDutySender(bridges, stack.signingSecret);
  console.log(`production cluster: ${stack.summary}; 2 workers and 2 bridges up ${((Date.now() - startedAt) / 1000).toFixed(1)}s after the start`);
}, 300_000);

afterEach(() => {
  if (stack) stack.devin.onPoll = undefined;
});

afterAll(async () => {
  await stack?.teardown();
  console.log(`production cluster: file done in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}, 120_000);

/** Runs `body`; on failure, appends the processes' output so the cause is visible. */
async function withLogs<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Error) error.message += `\n\n${stack.logs()}`;
    throw error;
  }
}

const at = (incident: SimulatedIncident, minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();
const acknowledged = (incident: SimulatedIncident) => sender.sign(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 2) }));
const resolved = (incident: SimulatedIncident) => sender.sign(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 20) }));

function phaseIs(incident: SimulatedIncident, accept: (phase: string) => boolean, what: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const status = await handleFor(stack.client, incident.id).query(statusQuery);
      return accept(status.phase) ? status : undefined;
    },
    `${incident.id}: ${what}`,
    timeoutMs,
  );
}

function expectNoProblems(problems: string[]) {
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

/** A moment with no request to the fakes for `quietMs`: a kill then loses no activity attempt mid-call. */
async function quietMoment(quietMs = 150, timeoutMs = 15_000): Promise<boolean> {
  const traffic = () => stack.devin.requests.length + stack.pagerDuty.requests.length;
  const deadline = Date.now() + timeoutMs;
  let seen = traffic();
  let since = Date.now();
  while (Date.now() < deadline) {
    await delay(5);
    if (traffic() !== seen) {
      seen = traffic();
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return true;
  }
  return false;
}

/** Holds the PR of these incidents' sessions ("still working") until release(). */
function holdPullRequests(ids: Set<string>) {
  let held = true;
  stack.devin.onPoll = (session) => {
    const id = session.tags.find((t) => t.startsWith('pd-incident:'))?.slice('pd-incident:'.length);
    return held && id && ids.has(id) ? { status: 'running', status_detail: 'working', pull_requests: [] } : undefined;
  };
  return {
    release: () => {
      held = false;
    },
  };
}

const polls = (incidents: SimulatedIncident[]) => incidents.reduce((n, i) => n + (sessionsFor(stack.devin, i.id)[0]?.polls ?? 0), 0);

/** The identities (`<pid>@host`) that started workflow and activity tasks of these incidents. */
async function taskIdentities(incidents: SimulatedIncident[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const incident of incidents) {
    const history = await handleFor(stack.client, incident.id).fetchHistory();
    for (const e of history.events ?? []) {
      const identity = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}

/**
 * Activities whose recorded attempt followed one that hit its start-to-close timeout: an attempt lost with a
 * stopped or killed worker (a retried attempt's failure is no history event; the next attempt's
 * ActivityTaskStarted carries it as lastFailure).
 */
async function attemptsAfterTimeout(incidents: SimulatedIncident[]): Promise<number> {
  let count = 0;
  for (const incident of incidents) {
    const history = await handleFor(stack.client, incident.id).fetchHistory();
    count += (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo).length;
  }
  return count;
}

const servedBy = (identities: Set<string>, worker: AppProcess) => [...identities].some((id) => id.startsWith(`${worker.child.pid}@`));

// ---- (a) and (b) ------------------------------------------------------------------------------------

const SERVICES = [
  { serviceId: 'PSVCAAA', serviceName: 'checkout-api' },
  { serviceId: 'PSVCBBB', serviceName: 'payments-api' },
];
const endToEnd: TrackedIncident[] = [];

describe('real Temporal cluster (PostgreSQL, two workers, two bridges)', () => {
  it("the compose stack's dynamic config holds only keys and values the pinned server accepts", async () => {
    expect(await validateDynamicConfig(stack.tools, COMPOSE_DYNAMIC_CONFIG)).toEqual([]);
  });

  it('incidents end to end through both bridges: deliveries alternate, redeliveries go to the other bridge, one session per qualifying incident', async () => {
    await withLogs(async () => {
      // Five incidents on checkout-api, three on payments-api; two of them below POSTMORTEM_MIN_PRIORITY (P2).
      const plan = [0, 0, 0, 0, 0, 1, 1, 1].map((s, i) => {
        const priority = i === 3 || i === 6 ? 'P4' : i % 2 === 0 ? 'P1' : 'P2';
        return { incident: seedIncident(stack.pagerDuty, { ...SERVICES[s], priority }), qualifies: priority !== 'P4' };
      });
      endToEnd.push(...plan);
      const redelivered = new Map<string, number>();
      await Promise.all(
        plan.map(async ({ incident }, i) => {
          await delay(i * 150);
          const ack = await sender.deliver(acknowledged(incident));
          // Every other incident's acknowledgement, and every third one's resolution, delivered twice.
          if (i % 2 === 0) {
            const again = await sender.redeliver(ack);
            expect(again.bridge).not.toBe(ack.bridge);
            redelivered.set(incident.id, (redelivered.get(incident.id) ?? 0) + 1);
          }
          const res = await sender.deliver(resolved(incident));
          if (i % 3 === 0) {
            const again = await sender.redeliver(res);
            expect(again.bridge).not.toBe(res.bridge);
            redelivered.set(incident.id, (redelivered.get(incident.id) ?? 0) + 1);
          }
        }),
      );
      expect(sender.unexpected()).toEqual([]);
      const acceptedBy = (name: string) => sender.outcomes.filter((o) => o.bridge === name && o.status === 202).length;
      expect(acceptedBy('bridge-1')).toBeGreaterThan(2);
      expect(acceptedBy('bridge-2')).toBeGreaterThan(2);

      expectNoProblems(await checkOutcomes(stack.client, stack.devin, plan, 90_000));
      for (const { incident } of plan) {
        const status = await handleFor(stack.client, incident.id).query(statusQuery);
        expect({ id: incident.id, eventsReceived: status.eventsReceived }).toEqual({ id: incident.id, eventsReceived: 2 });
        expect(status.duplicatesIgnored).toBeGreaterThanOrEqual(redelivered.get(incident.id) ?? 0);
      }
      // Both workers took part: their identities (pid@host) started these incidents' tasks.
      const identities = await taskIdentities(plan.map((p) => p.incident));
      expect(workers.map((w) => servedBy(identities, w))).toEqual([true, true]);
      console.log(
        `end to end: ${plan.length} incidents, ${sender.outcomes.length} deliveries (bridge-1 accepted ${acceptedBy('bridge-1')}, bridge-2 ${acceptedBy('bridge-2')}), ` +
          `${[...redelivered.values()].reduce((a, b) => a + b, 0)} redeliveries, ${stack.devin.sessions.length} sessions`,
      );
    });
  }, 150_000);

  it('search attributes are registered by setup-namespace.sh on SQL visibility and queryable (list / count by PagerDutyService)', async () => {
    // Registered by the compose job's script, with the compose file's types, before any worker started.
    const wanted = Object.fromEntries(
      composeEnvironment('temporal-setup')
        .SEARCH_ATTRIBUTES!.split(',')
        .map((pair) => pair.split('=') as [string, string]),
    );
    // Every attribute the workflows use, none missing from the compose job.
    expect(Object.keys(wanted).sort()).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name).sort());
    for (const [name, type] of Object.entries(wanted)) expect({ name, type: stack.searchAttributesAtSetup[name] }).toEqual({ name, type: `INDEXED_VALUE_TYPE_${type.toUpperCase()}` });
    if (endToEnd.length === 0) throw new Error('the end-to-end test created no incidents');

    for (const { serviceName } of SERVICES) {
      const mine = endToEnd.filter((t) => t.incident.serviceName === serviceName);
      const ids = mine.map((t) => workflowIdForIncident(t.incident.id)).sort();
      const query = `PagerDutyService = '${serviceName}'`;
      // Visibility is written asynchronously: wait until it has caught up with the closed workflows.
      await eventually(async () => ((await stack.client.workflow.count(`${query} AND ExecutionStatus = 'Completed'`)).count === mine.length ? true : undefined), query, 30_000);
      expect((await stack.client.workflow.count(query)).count).toBe(mine.length);
      const listed: string[] = [];
      for await (const wf of stack.client.workflow.list({ query })) {
        listed.push(wf.workflowId);
        expect(wf.searchAttributes).toBeDefined();
        expect(wf.typedSearchAttributes.get(PagerDutyIncidentId)).toBe(wf.workflowId.replace(/^incident-/, ''));
      }
      expect(listed.sort()).toEqual(ids);
      const completed = await stack.client.workflow.count(`${query} AND PostmortemPhase = 'completed'`);
      const skipped = await stack.client.workflow.count(`${query} AND PostmortemPhase = 'skipped' AND IncidentPriority = 'P4'`);
      expect([completed.count, skipped.count]).toEqual([mine.filter((t) => t.qualifies).length, mine.filter((t) => !t.qualifies).length]);
    }
    // The visibility records are rows in PostgreSQL's temporal_visibility database (SQL visibility).
    const { stdout } = await run(
      path.join(findPostgresBin(), 'psql'),
      ['-h', stack.postgres.host, '-p', String(stack.postgres.port), '-U', stack.postgres.user, '-d', composeEnvironment('temporal').VISIBILITY_DBNAME ?? 'temporal_visibility', '-tAc', 'SELECT count(*) FROM executions_visibility'],
      { env: { PATH: process.env.PATH ?? '', PGPASSWORD: stack.postgres.password } },
    );
    expect(Number(stdout.trim())).toBeGreaterThanOrEqual(endToEnd.length);
  }, 60_000);

  // ---- (c) ------------------------------------------------------------------------------------------

  it('a worker SIGKILLed while sessions await their PR, then restarted: every incident completes with one session', async () => {
    await withLogs(async () => {
      const tracked = [0, 1, 2].map(() => ({ incident: seedIncident(stack.pagerDuty), qualifies: true }));
      const incidents = tracked.map((t) => t.incident);
      const hold = holdPullRequests(new Set(incidents.map((i) => i.id)));
      for (const incident of incidents) {
        await sender.deliver(acknowledged(incident));
        await sender.deliver(resolved(incident));
      }
      for (const incident of incidents) {
        await phaseIs(incident, (p) => p === 'awaiting_pr', 'awaiting_pr');
        await eventually(async () => ((sessionsFor(stack.devin, incident.id)[0]?.polls ?? 0) >= 2 ? true : undefined), `${incident.id} polled twice`);
      }
      const [victim, survivor] = workers as [AppProcess, AppProcess];
      const quiet = await quietMoment();
      await victim.kill();
      expect(victim.child.signalCode).toBe('SIGKILL');
      const pollsAtKill = polls(incidents);

      // The other worker goes on polling while the victim is dead.
      await eventually(async () => (polls(incidents) >= pollsAtKill + 3 ? true : undefined), 'the surviving worker to poll', 20_000);
      expect(survivor.child.exitCode).toBeNull();

      const restarted = await stack.startWorker('worker-1 (after SIGKILL)');
      workers[0] = restarted;
      hold.release();
      // Generous: an attempt the kill cut short is retried after its 1-minute start-to-close timeout.
      expectNoProblems(await checkOutcomes(stack.client, stack.devin, tracked, 120_000));
      console.log(
        `SIGKILL: ${incidents.length} sessions awaiting their PR, killed ${quiet ? 'at a quiet moment' : 'without a quiet moment'}; polls at the kill ${pollsAtKill}, at the end ${polls(incidents)}; ` +
          `${await attemptsAfterTimeout(incidents)} activity attempt(s) retried after a start-to-close timeout`,
      );
    });
  }, 200_000);

  // ---- (d) ------------------------------------------------------------------------------------------

  it('a rolling restart of both workers (SIGTERM one, start it again, then the other) mid-run loses nothing', async () => {
    await withLogs(async () => {
      const tracked = [0, 1, 2, 3, 4, 5].map(() => ({ incident: seedIncident(stack.pagerDuty), qualifies: true }));
      const incidents = tracked.map((t) => t.incident);
      // Each session opens its PR only after a few polls, so the restarts meet sessions in flight.
      const pollsBeforePr = 4;
      stack.devin.onPoll = (_session, poll) => (poll < pollsBeforePr ? { status: 'running', status_detail: 'working', pull_requests: [] } : undefined);

      // PagerDuty keeps delivering through the restart: one incident every 1.5 s.
      const deliveries = (async () => {
        for (const incident of incidents) {
          await sender.deliver(acknowledged(incident));
          await sender.deliver(resolved(incident));
          await delay(1_500);
        }
      })();
      await phaseIs(incidents[0]!, (p) => p === 'awaiting_pr', 'awaiting_pr before the first restart');

      const exits: (number | null)[] = [];
      const phasesAtRestart: string[] = [];
      const steps: string[] = [];
      const began = Date.now();
      const step = async <T>(what: string, work: Promise<T>) => {
        const t = Date.now();
        const value = await work;
        steps.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)}s`);
        return value;
      };
      for (const index of [0, 1]) {
        const old = workers[index]!;
        phasesAtRestart.push(
          (await Promise.all(incidents.map((i) => handleFor(stack.client, i.id).query(statusQuery).then((s) => s.phase, () => 'not started')))).join(','),
        );
        exits.push(await step(`SIGTERM worker-${index + 1}`, old.stop())); // drain, then exit
        workers[index] = await step(`start worker-${index + 1}`, stack.startWorker(`worker-${index + 1} (after rolling restart)`));
      }
      await deliveries;
      const restartedIn = Date.now() - began;
      expect(exits).toEqual([0, 0]);
      expect(sender.unexpected()).toEqual([]);
      const completing = Date.now();
      // Generous: an activity task handed to a stopping worker's last poll is lost with it, and retried only
      // after its start-to-close timeout (evidence: 2 minutes). Late, not lost; the output says when it happened.
      expectNoProblems(await checkOutcomes(stack.client, stack.devin, tracked, 150_000));
      steps.push(`all complete ${((Date.now() - completing) / 1000).toFixed(1)}s after the restarts (${(restartedIn / 1000).toFixed(1)}s)`);
      steps.push(`${await attemptsAfterTimeout(incidents)} activity attempt(s) retried after a start-to-close timeout`);
      // The restarted workers did the remaining work (which of the two took which task is up to the server).
      const identities = await taskIdentities(incidents);
      const served = workers.map((w) => servedBy(identities, w));
      expect(served).toContain(true);
      steps.push(`restarted worker-1 ${served[0] ? 'served' : 'did not serve'} tasks, worker-2 ${served[1] ? 'served' : 'did not serve'}`);
      console.log(`rolling restart: ${steps.join(', ')}; phases when each worker was stopped: [${phasesAtRestart.join('] [')}]`);
    });
  }, 260_000);

  // ---- (e) ------------------------------------------------------------------------------------------

  it('a Temporal server restart mid-run: the bridges answer 503 while it is down, PagerDuty\'s retries are accepted after, everything completes', async () => {
    await withLogs(async () => {
      const tracked = [0, 1, 2, 3].map(() => ({ incident: seedIncident(stack.pagerDuty), qualifies: true }));
      const incidents = tracked.map((t) => t.incident);
      for (const incident of incidents) await sender.deliver(acknowledged(incident));
      for (const incident of incidents) await phaseIs(incident, (p) => p === 'awaiting_resolution', 'awaiting_resolution');

      const downAt = Date.now();
      await stack.server.stop();
      const stoppedMs = Date.now() - downAt;

      // While it is down: each bridge answers a delivery 503 with Retry-After within PagerDuty's 5 s, and /readyz 503.
      const probe = resolved(incidents[0]!);
      for (const bridge of bridges) {
        const started = Date.now();
        const answer = await sender.post(probe, bridge);
        expect({ bridge: bridge.name, status: answer.status, retryAfter: answer.retryAfter }).toEqual({ bridge: bridge.name, status: 503, retryAfter: '5' });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect((await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).status).toBe(503);
      }
      // PagerDuty delivers the resolutions now, and retries each until a bridge takes it.
      const retried: Promise<DeliveryOutcome>[] = incidents.map((incident, i) => sender.deliver(i === 0 ? probe : resolved(incident)));
      await delay(3_000);
      expect(workers.map((w) => [w.child.exitCode, w.child.signalCode])).toEqual([
        [null, null],
        [null, null],
      ]);

      const upAt = Date.now();
      await stack.server.start();
      const restartMs = Date.now() - upAt;
      const outcomes = await Promise.all(retried);
      expect(outcomes.map((o) => o.status)).toEqual([202, 202, 202, 202]);
      expect(outcomes.every((o) => o.refused.length > 0 && o.refused.every((r) => r.status === 503 || r.status === 0))).toBe(true);
      for (const bridge of bridges) await eventually(async () => ((await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).status === 200 ? true : undefined), `${bridge.name} ready again`);

      expectNoProblems(await checkOutcomes(stack.client, stack.devin, tracked, 120_000));
      for (const incident of incidents) {
        expect(await handleFor(stack.client, incident.id).query(statusQuery)).toMatchObject({ phase: 'completed', acknowledgedAt: at(incident, 2), resolvedAt: at(incident, 20), eventsReceived: 2 });
      }
      // The same worker processes rode out the outage.
      expect(workers.map((w) => w.child.exitCode)).toEqual([null, null]);
      const refusedTotal = outcomes.reduce((n, o) => n + o.refused.length, 0);
      console.log(`server restart: stopped in ${(stoppedMs / 1000).toFixed(1)}s, down ${((upAt - downAt) / 1000).toFixed(1)}s, serving again after ${(restartMs / 1000).toFixed(1)}s; ${refusedTotal} deliveries refused (503) and retried`);
    });
  }, 240_000);

  it('no secret of this run in any process output or the server log', () => {
    const secrets = { 'PostgreSQL password': stack.postgres.password, 'webhook signing secret': stack.signingSecret, 'Devin API key': stack.devin.apiKey, 'PagerDuty token': stack.pagerDuty.token };
    const outputs = [...stack.apps.map((a) => ({ name: a.name, text: a.output() })), { name: 'temporal-server', text: stack.server.logTail(Number.MAX_SAFE_INTEGER) }];
    expect(outputs.every((o) => o.text.length > 0)).toBe(true);
    const leaks = outputs.flatMap((o) => Object.entries(secrets).filter(([, value]) => o.text.includes(value)).map(([what]) => `${what} in ${o.name}`));
    expect(leaks).toEqual([]);
  });
});
