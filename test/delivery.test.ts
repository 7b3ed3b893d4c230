// Delivery semantics and fault handling: duplicates, order, the quiet period, reopen and merge,
// API faults, and operator decisions — real dev server, real workflow and activities, fake SaaS APIs.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { cancelSignal, retrySignal, skipSignal, statusQuery } from '../src/domain/messages';
import { PostmortemPhase } from '../src/domain/search-attributes';
import { incidentWebhook, sampleIncident, type SimulatedIncident } from '../src/dev/simulation';
import { DevinClient } from '../src/integrations/devin/client';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, recordHistory, SINGLE_PARTITION, startDevServer } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
const { logger } = capturingLogger('delivery');

/** No quiet period: drafting starts on resolution. */
let pipeline: RunningWorker;
/** A 3 s quiet period after resolution. */
let quiet: RunningWorker;
/** Waits only 2 s for the resolution of an incident PagerDuty already shows resolved. */
let shortGrace: RunningWorker;

beforeAll(async () => {
  [env, bundle, devin, pagerDuty] = await Promise.all([startDevServer({ extraArgs: SINGLE_PARTITION }), bundleWorkflows(), FakeDevinApi.start({ listLagMs: 1_000 }), FakePagerDutyApi.start()]);
  const vars = fakeApiVars(devin, pagerDuty);
  pipeline = await startPipeline(env, bundle, logger, vars);
  quiet = await startPipeline(env, bundle, logger, { ...vars, RESOLVE_QUIET_PERIOD: '3s' });
  shortGrace = await startPipeline(env, bundle, logger, { ...vars, LATE_RESOLUTION_GRACE: '2s' });
});

afterAll(async () => {
  await Promise.all([pipeline?.stop(), quiet?.stop(), shortGrace?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close()]);
  await env?.teardown();
});

const handleFor = (incident: SimulatedIncident) =>
  env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
const status = (incident: SimulatedIncident): Promise<PostmortemStatus> => handleFor(incident).query(statusQuery);
const sessionsFor = (incident: SimulatedIncident) => devin.sessions.filter((s) => s.tags.includes(`pd-incident:${incident.id}`));
const at = (incident: SimulatedIncident, minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();

function waitForPhase(incident: SimulatedIncident, phase: PostmortemStatus['phase'], timeoutMs?: number) {
  return eventually(
    async () => {
      const s = await status(incident);
      return s.phase === phase ? s : undefined;
    },
    `incident ${incident.id} to reach ${phase}`,
    timeoutMs,
  );
}

function seeded(overrides: Partial<SimulatedIncident> = {}): SimulatedIncident {
  return seedIncident(pagerDuty, overrides);
}

/** An incident PagerDuty already shows resolved, 20 minutes after it was created. */
function seededResolved(): SimulatedIncident {
  const incident = sampleIncident();
  return seedIncident(pagerDuty, incident, undefined, { status: 'resolved', resolved_at: at(incident, 20) });
}

/** Makes the fake Devin answer this incident's session polls with `state` while `active()` holds. */
function holdSession(incident: SimulatedIncident, state: () => Partial<{ status: string; status_detail: string | null }> | undefined) {
  devin.onPoll = (session) => {
    if (!session.tags.includes(`pd-incident:${incident.id}`)) return undefined;
    const override = state();
    if (override) return { ...override, pull_requests: [] };
    // Released: back to work, and the fake's default progression opens the PR.
    session.status = 'running';
    session.status_detail = 'working';
    return undefined;
  };
}

afterEach(() => {
  devin.onPoll = undefined;
});

describe('duplicates and order', () => {
  it('two subscriptions delivering the same event (same event id, different X-Webhook-Id) → one session', async () => {
    const incident = seeded();
    const acknowledged = incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 1) });
    const resolved = incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 8) });
    await Promise.all([pipeline.deliver(acknowledged, 'sub-a-1'), pipeline.deliver(acknowledged, 'sub-b-1')]);
    await Promise.all([pipeline.deliver(resolved, 'sub-a-2'), pipeline.deliver(resolved, 'sub-b-2')]);
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
    expect(await status(incident)).toMatchObject({ eventsReceived: 2, duplicatesIgnored: 2 });
  });

  it('an acknowledged that arrives after resolved (but happened before) does not reopen the incident', async () => {
    const incident = seeded();
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 20) }));
    await pipeline.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 2) }));
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    expect(await status(incident)).toMatchObject({ acknowledgedAt: at(incident, 2), resolvedAt: at(incident, 20) });
    expect(sessionsFor(incident)).toHaveLength(1);
  });

  it('a reopened that happened before the resolution does not undo it', async () => {
    const incident = seeded();
    await pipeline.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 1) }));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 30) }));
    await pipeline.deliver(incidentWebhook('incident.reopened', incident, { occurredAt: at(incident, 10), status: 'triggered' }));
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect((await status(incident)).reopenedAfterDraft).toBe(0);
  });
});

describe('quiet period, reopen and merge', () => {
  it('a reopen during the quiet period goes back to awaiting_resolution; the next resolution drafts once', async () => {
    const incident = seeded();
    await quiet.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: at(incident, 1) }));
    await quiet.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 10) }));
    await waitForPhase(incident, 'quiet_period');
    await quiet.deliver(incidentWebhook('incident.reopened', incident, { occurredAt: at(incident, 11), status: 'triggered' }));
    const reopened = await waitForPhase(incident, 'awaiting_resolution');
    expect(reopened.resolvedAt).toBeUndefined();
    expect(sessionsFor(incident)).toHaveLength(0);

    await quiet.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 40) }));
    await waitForPhase(incident, 'quiet_period');
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
    expect((await status(incident)).resolvedAt).toBe(at(incident, 40));
  });

  it('a reopen after the session started is recorded and told to the session; no second session', async () => {
    const incident = seeded();
    let holding = true;
    holdSession(incident, () => (holding ? { status: 'running', status_detail: 'working' } : undefined));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 10) }));
    await waitForPhase(incident, 'awaiting_pr');
    await pipeline.deliver(incidentWebhook('incident.reopened', incident, { occurredAt: at(incident, 12), status: 'triggered' }));
    await eventually(async () => (sessionsFor(incident)[0]?.messages.length ? true : undefined), 'the reopening to reach the session');
    expect(sessionsFor(incident)[0]?.messages[0]).toContain(`${incident.id} was reopened at ${at(incident, 12)}`);
    holding = false;

    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
    expect((await status(incident)).reopenedAfterDraft).toBe(1);
  });

  it('a reopen while the session is still being created is told to the session once it exists', async () => {
    const incident = seeded();
    // Devin is briefly unavailable: the create is retried after Retry-After, and the reopen lands meanwhile.
    devin.fail('create', { status: 503, headers: { 'retry-after': '3' } });
    let holding = true;
    holdSession(incident, () => (holding ? { status: 'running', status_detail: 'working' } : undefined));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 10) }));
    await waitForPhase(incident, 'drafting');
    await pipeline.deliver(incidentWebhook('incident.reopened', incident, { occurredAt: at(incident, 11), status: 'triggered' }));
    expect(sessionsFor(incident)).toHaveLength(0);
    await eventually(async () => (sessionsFor(incident)[0]?.messages.length ? true : undefined), 'the reopening to reach the session', 90_000);
    expect(sessionsFor(incident)[0]?.messages[0]).toContain(`${incident.id} was reopened at ${at(incident, 11)}`);
    holding = false;
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
    expect((await status(incident)).reopenedAfterDraft).toBe(1);
  });

  it('a note on an incident PagerDuty already shows resolved, with no resolution delivered → skipped after LATE_RESOLUTION_GRACE', async () => {
    const incident = seededResolved();
    await shortGrace.deliver(incidentWebhook('incident.annotated', incident, { note: 'Customer follow-up sent.' }));
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('skipped');
    expect(result.skipReason).toContain('PagerDuty shows resolved');
    expect(result.skipReason).toContain('postmortem backfill');
    expect(sessionsFor(incident)).toHaveLength(0);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'note-on-resolved-incident-skipped');
  });

  it('a note first, then the resolution within the grace → drafted as usual', async () => {
    const incident = seededResolved();
    await pipeline.deliver(incidentWebhook('incident.annotated', incident, { note: 'Rolled back the deploy.', occurredAt: at(incident, 15) }));
    await waitForPhase(incident, 'awaiting_resolution');
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: at(incident, 14) }));
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)).toHaveLength(1);
  });

  it('an incident resolved by a merge is skipped, pointing at the surviving incident', async () => {
    const incident = seeded();
    await pipeline.deliver(incidentWebhook('incident.acknowledged', incident));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident, { mergedInto: 'PSURVIVOR1' }));
    const result = await handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: expect.stringContaining('merged into incident PSURVIVOR1') });
    expect(await status(incident)).toMatchObject({ phase: 'skipped', mergedInto: 'PSURVIVOR1' });
    expect(sessionsFor(incident)).toHaveLength(0);
  });
});

describe('external API failures', () => {
  it('Devin accepts the create but the response is lost → the retry adopts that session (the list lags a second behind); still one', async () => {
    const incident = seeded();
    devin.fail('create', { dropResponse: true });
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    expect(sessionsFor(incident)).toHaveLength(1);
    expect(result.devinSessionId).toBe(sessionsFor(incident)[0]?.session_id);
  });

  it('a session for the incident a person started by hand is not adopted: needs_attention naming it; `retry` starts one anyway', async () => {
    const incident = seeded();
    const byHand = await new DevinClient({ apiKey: devin.apiKey, orgId: devin.orgId, baseUrl: devin.baseUrl }, 5_000).createSession({
      prompt: 'look into it',
      title: 'mine',
      tags: [`pd-incident:${incident.id}`],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // listed by now
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const parked = await waitForPhase(incident, 'needs_attention');
    expect(parked.lastError).toContain(`a Devin session for this incident already exists that this workflow did not start: ${byHand.url}`);
    await handleFor(incident).signal(retrySignal);
    const result = await handleFor(incident).result();
    expect(sessionsFor(incident)).toHaveLength(2);
    expect(result.devinSessionId).not.toBe(byHand.session_id);
    expect((await handleFor(incident).query(statusQuery)).otherDevinSessions).toEqual([expect.objectContaining({ sessionId: byHand.session_id })]);
  });

  it('honours Retry-After on a Devin 429, and retries 5xx', async () => {
    const incident = seeded();
    devin.fail('create', { status: 429, headers: { 'retry-after': '2' } });
    devin.fail('create', { status: 502 });
    const before = devin.requests.length;
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    await handleFor(incident).result();
    const creates = devin.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/sessions'));
    expect(creates).toHaveLength(3); // 429, 502, then created
    expect((creates[1]?.at ?? 0) - (creates[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(sessionsFor(incident)).toHaveLength(1);
  });

  it('honours PagerDuty’s ratelimit-reset and still collects the evidence', async () => {
    const incident = seeded();
    pagerDuty.rateLimit(1, 1);
    await pipeline.deliver(incidentWebhook('incident.acknowledged', incident));
    const waiting = await waitForPhase(incident, 'awaiting_resolution');
    expect(waiting.contextSource).toBe('pagerduty_api');
    expect(waiting.contextLimitation).toBeUndefined();
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    await handleFor(incident).result();
  });

  it('a rejected Devin key (401) → needs_attention with the error; `retry` after fixing it → completes', async () => {
    const incident = seeded();
    const goodKey = devin.apiKey;
    devin.apiKey = 'cog_rotated_key_the_worker_does_not_have';
    try {
      await pipeline.deliver(incidentWebhook('incident.resolved', incident));
      const parked = await waitForPhase(incident, 'needs_attention');
      expect(parked.lastError).toMatch(/Start Devin session: Devin (GET|POST) \/v3\/organizations\/[\w-]+\/sessions answered 401: Unauthorized: Invalid API key/);
      await eventually(async () => {
        const description = await handleFor(incident).describe();
        return description.typedSearchAttributes.get(PostmortemPhase) === 'needs_attention' ? true : undefined;
      }, 'the PostmortemPhase search attribute to say needs_attention');
      // The UI's Current Details panel says what is wrong and what to do.
      const metadata = await handleFor(incident).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain('answered 401: Unauthorized: Invalid API key');
      expect(metadata.currentDetails).toContain(`temporal workflow signal --workflow-id incident-${incident.id} --name retry`);
    } finally {
      devin.apiKey = goodKey; // the operator fixes the configuration…
    }
    await handleFor(incident).signal(retrySignal); // …and says retry
    const result = await handleFor(incident).result();
    expect(result.outcome).toBe('pull_request_opened');
    expect((await status(incident)).lastError).toBeUndefined();
    expect(sessionsFor(incident)).toHaveLength(1);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'needs-attention-retry');
  });

  it('a rejected PagerDuty token → needs_attention; `skip` goes on with webhook data alone', async () => {
    const incident = seeded();
    const goodToken = pagerDuty.token;
    pagerDuty.token = 'u+revoked';
    try {
      await pipeline.deliver(incidentWebhook('incident.acknowledged', incident));
      const parked = await waitForPhase(incident, 'needs_attention');
      expect(parked.lastError).toMatch(/PagerDuty GET \/incidents\/\w+ answered 401/);
      await handleFor(incident).signal(skipSignal, { reason: 'token being rotated' });
      const waiting = await waitForPhase(incident, 'awaiting_resolution');
      expect(waiting.contextSource).toBe('webhook_only');
    } finally {
      pagerDuty.token = goodToken;
    }
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
  });

  it('`cancel` ends an incident in any phase as skipped, with the reason', async () => {
    const incident = seeded();
    await pipeline.deliver(incidentWebhook('incident.acknowledged', incident));
    await waitForPhase(incident, 'awaiting_resolution');
    await handleFor(incident).signal(cancelSignal, { reason: 'test incident' });
    const result = await handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: 'cancelled by an operator: test incident' });
    expect(sessionsFor(incident)).toHaveLength(0);
  });
});

describe('Devin rate cap', () => {
  it('spaces session creation to DEVIN_MAX_SESSIONS_PER_MINUTE across a burst of resolutions', async () => {
    const capped = await startPipeline(env, bundle, logger, { ...fakeApiVars(devin, pagerDuty), DEVIN_MAX_SESSIONS_PER_MINUTE: '30' });
    try {
      const incidents = [seeded(), seeded(), seeded(), seeded()];
      const before = devin.requests.length;
      await Promise.all(incidents.map((incident) => capped.deliver(incidentWebhook('incident.resolved', incident))));
      await Promise.all(incidents.map((incident) => handleFor(incident).result()));
      const creates = devin.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/sessions'));
      expect(creates).toHaveLength(4);
      // 30 a minute = one every 2 s once the server's token bucket has spent its burst (the first two, on the
      // one partition this file's server has): the last three are spaced by the cap.
      const at = creates.map((c) => c.at);
      for (let i = 2; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_500);
      expect((at[3] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(3_500);
    } finally {
      await capped.stop();
    }
  });
});

describe('Devin session states', () => {
  it('waiting for the user → one nudge, then keeps polling to the PR', async () => {
    const incident = seeded();
    let polls = 0;
    holdSession(incident, () => (++polls <= 4 ? { status: 'running', status_detail: 'waiting_for_user' } : undefined));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)[0]?.messages).toHaveLength(1);
    expect(sessionsFor(incident)[0]?.messages[0]).toMatch(/continue without waiting/);
  });

  it('suspended for inactivity → a message resumes it', async () => {
    const incident = seeded();
    let suspended = true;
    holdSession(incident, () => (suspended ? { status: 'suspended', status_detail: 'inactivity' } : undefined));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    await eventually(async () => (sessionsFor(incident)[0]?.messages.length ? true : undefined), 'the resume message');
    suspended = false;
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)[0]?.messages[0]).toMatch(/resume/);
  });

  it('a follow-up Devin refuses (401) → needs_attention naming the message; `retry` after fixing the key → completes', async () => {
    const incident = seeded();
    let exited = true;
    holdSession(incident, () => (exited ? { status: 'exit', status_detail: null } : undefined));
    devin.fail('message', { status: 401, body: { detail: 'Invalid API key' } });
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const parked = await waitForPhase(incident, 'needs_attention');
    expect(parked.lastError).toMatch(/^Message the Devin session \(follow-up\): .*401/);
    expect(sessionsFor(incident)[0]?.messages).toHaveLength(0);
    exited = false; // the follow-up, once delivered, gets Devin to open the PR
    await handleFor(incident).signal(retrySignal);
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)[0]?.messages).toHaveLength(1);
    expect(sessionsFor(incident)).toHaveLength(1);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'follow-up-refused-then-retried');
  });

  it('suspended for quota → needs_attention; `skip` ends it skipped', async () => {
    const incident = seeded();
    holdSession(incident, () => ({ status: 'suspended', status_detail: 'out_of_quota' }));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const parked = await waitForPhase(incident, 'needs_attention');
    expect(parked.lastError).toMatch(/out_of_quota/);
    await handleFor(incident).signal(skipSignal);
    expect(await handleFor(incident).result()).toMatchObject({ outcome: 'skipped', devinSessionId: sessionsFor(incident)[0]?.session_id });
    // Skipped after the session existed: it is terminated (it would go on consuming ACUs).
    expect(sessionsFor(incident)[0]?.terminated).toBe(true);
  });

  it('a person stops the session in Devin → needs_attention at once with the reason → `retry` sends a message that resumes it → completes', async () => {
    const incident = seeded();
    let stopped = true;
    holdSession(incident, () => (stopped ? { status: 'suspended', status_detail: 'user_request' } : undefined));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const parked = await waitForPhase(incident, 'needs_attention');
    expect(parked.lastError).toMatch(/was stopped by a person in Devin \(suspended: user_request\): `retry` sends it a message, which resumes it/);
    stopped = false;
    await handleFor(incident).signal(retrySignal);
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect(sessionsFor(incident)[0]?.messages).toEqual([expect.stringMatching(/resume/)]);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'session-stopped-by-user-retried');
  });

  it('cancel while the PR is awaited (a poll in flight) → skipped, the session terminated, no failed workflow task', async () => {
    const incident = seeded();
    holdSession(incident, () => ({ status: 'running', status_detail: 'working' }));
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    await waitForPhase(incident, 'awaiting_pr');
    await eventually(async () => ((sessionsFor(incident)[0]?.polls ?? 0) > 1 ? true : undefined), 'polls');
    await handleFor(incident).signal(cancelSignal, { reason: 'duplicate of another incident' });
    expect(await handleFor(incident).result()).toMatchObject({ outcome: 'skipped', skipReason: 'cancelled by an operator: duplicate of another incident' });
    expect(sessionsFor(incident)[0]?.terminated).toBe(true);
    const status = await handleFor(incident).query(statusQuery);
    expect(status.devinSessionEnded).toBe('terminated (the incident was cancelled)');
    const history = await handleFor(incident).fetchHistory();
    expect(history.events?.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'cancelled-awaiting-pr-terminated');
  });

  it('Devin asks → its question in the status, the nudge; the PR shown at once, the report read once the turn ended', async () => {
    const incident = seeded();
    devin.onPoll = (session, poll) => {
      if (!session.tags.includes(`pd-incident:${incident.id}`)) return undefined;
      if (poll === 1) {
        devin.ask(session, 'Was the rollback of v2.14 done by hand?');
        return {};
      }
      if (poll === 2) return {}; // the nudge is taken up: back to work (receiveMessage set running/working)
      if (poll === 3) return { status: 'running', status_detail: 'working', pull_requests: [{ pr_url: 'https://github.com/acme/runbooks/pull/501', pr_state: 'open' }], structured_output: { root_cause: 'Hypothesis: (draft)' } };
      return {
        status: 'running',
        status_detail: 'finished',
        structured_output: { pr_url: 'https://github.com/acme/runbooks/pull/501', root_cause: 'Hypothesis: v2.14 doubled DB round-trips', action_items: ['Add a p99 SLO alert'] },
      };
    };
    await pipeline.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    expect(result).toMatchObject({ pullRequestUrl: 'https://github.com/acme/runbooks/pull/501', postmortem: { rootCause: 'Hypothesis: v2.14 doubled DB round-trips', actionItems: ['Add a p99 SLO alert'] } });
    expect((await handleFor(incident).query(statusQuery)).devinQuestion).toBe('Was the rollback of v2.14 done by hand?');
    expect(sessionsFor(incident)[0]?.messages).toEqual([expect.stringMatching(/continue without waiting/)]);
    recordHistory(env.address, workflowIdForIncident(incident.id), 'question-nudged-final-report');
  });
});
