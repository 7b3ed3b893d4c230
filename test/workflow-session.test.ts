// The Devin session as the workflow handles it, fast (stubbed activities, a real dev server): cancel,
// retry and skip in every phase where they apply, ending in the documented state with no failed workflow
// task; no orphaned sessions; cost; Devin's questions; a person stopping the session; exactly one working
// session; the right PR and a final report.
import type { SessionIdentity } from '../src/domain/session';
import { cancelSignal, retrySignal, skipSignal } from '../src/domain/messages';
import { type Case, kinds, latch, newCase, toAwaitingPr, until, useLifecycle, workflowTaskFailures, failureOf } from './support/lifecycle';
import { notReady, pullRequestUrlFor, rejected, sessionIdFor, sessionUrlFor } from './support/stub-activities';

useLifecycle();

const started = (c: Case, generation = 1) => ({ dryRun: false as const, sessionId: `${sessionIdFor(c.incident.id)}-${generation}`, sessionUrl: sessionUrlFor(c.incident.id), adopted: false });
const terminated = (c: Case) => c.stub.callsTo('terminateSession').map((t) => t.sessionId);

async function expectCancelled(c: Case, reason = 'wrong incident') {
  await c.handle.signal(cancelSignal, { reason });
  expect(await c.handle.result()).toMatchObject({ outcome: 'skipped', skipReason: `cancelled by an operator: ${reason}` });
  expect((await c.status()).phase).toBe('skipped');
  expect(await workflowTaskFailures(c)).toEqual([]);
}

describe('cancel ends the incident skipped in every phase, and terminates a session that exists', () => {
  it('while collecting the evidence (the activity in flight)', async () => {
    const gate = latch();
    const c = newCase({ collectIncidentContext: async (request) => (await gate.opened, { source: 'webhook_only', incident: request.incident, timeline: [], alerts: [], notes: [], changeEvents: [], omitted: {}, collectedAt: '' }) });
    await c.deliver(c.event('incident.acknowledged', 2));
    await c.phase('collecting_context');
    await expectCancelled(c);
    expect(terminated(c)).toEqual([]);
  });

  it('while the session is being created (drafting)', async () => {
    const gate = latch();
    const c = newCase({ startPostmortemSession: async () => (await gate.opened, started(c)) });
    await c.deliver(c.event('incident.resolved', 20));
    await until(() => (c.stub.callsTo('startPostmortemSession').length ? true : undefined), 'the session start');
    await expectCancelled(c);
    expect(terminated(c)).toEqual([]);
  });

  it('while the PR is awaited, with a poll in flight — the wedge of issue 11 — and the session is terminated', async () => {
    const c = newCase({ startPostmortemSession: () => started(c), waitForPullRequest: () => Promise.reject(notReady()) });
    await toAwaitingPr(c);
    await until(() => (c.stub.callsTo('waitForPullRequest').length > 1 ? true : undefined), 'polls');
    await expectCancelled(c);
    expect(terminated(c)).toEqual([started(c).sessionId]);
    expect((await c.status()).devinSessionEnded).toBe('terminated (the incident was cancelled)');
  });

  it('while a message to the session is in flight', async () => {
    const gate = latch();
    const c = newCase({
      startPostmortemSession: () => started(c),
      waitForPullRequest: (_r, call) => (call === 1 ? { kind: 'inactive', status: 'suspended', detail: 'inactivity' } : Promise.reject(notReady())),
      sendSessionMessage: async () => {
        await gate.opened;
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    await until(() => (c.stub.callsTo('sendSessionMessage').length ? true : undefined), 'the resume message');
    await expectCancelled(c);
    expect(terminated(c)).toEqual([started(c).sessionId]);
  });

  it('while parked in needs_attention during the watch', async () => {
    const c = newCase({ startPostmortemSession: () => started(c), waitForPullRequest: () => Promise.reject(rejected('Devin rejected the key (401)')) });
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await expectCancelled(c);
    expect(terminated(c)).toEqual([started(c).sessionId]);
  });

  it('with DEVIN_TERMINATE_SESSIONS=false the session is left running, and the status says so', async () => {
    const c = newCase({ settings: { terminateSessions: false }, startPostmortemSession: () => started(c), waitForPullRequest: () => Promise.reject(notReady()) });
    await toAwaitingPr(c);
    await expectCancelled(c);
    expect(terminated(c)).toEqual([]);
    expect((await c.status()).devinSessionEnded).toBe('left running (DEVIN_TERMINATE_SESSIONS=false)');
  });
});

describe('no orphaned sessions', () => {
  it('DEVIN_MAX_WAIT: failed, and the session is terminated; a failing terminate is said, not hidden', async () => {
    const c = newCase({
      settings: { maxWaitMs: 2_000 },
      startPostmortemSession: () => started(c),
      waitForPullRequest: () => Promise.reject(notReady()),
      terminateSession: () => Promise.reject(rejected('Devin answered 403: Forbidden')),
    });
    await toAwaitingPr(c);
    expect((await failureOf(c)).type).toBe('PostmortemFailed');
    expect(terminated(c)).toEqual([started(c).sessionId]);
    expect((await c.status()).devinSessionEnded).toBe('terminate failed: Devin answered 403: Forbidden — end it in Devin');
  });

  it("skipped by an operator while the PR is awaited: terminated; an ended session is reported as such", async () => {
    const c = newCase({
      startPostmortemSession: () => started(c),
      waitForPullRequest: () => ({ kind: 'needs_human', status: 'error', reason: 'Devin session x failed (error)', recovery: 'new_session', acus: 3 }),
      terminateSession: () => ({ terminated: false, status: 'error', acus: 3.5 }),
    });
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await c.handle.signal(skipSignal, { reason: 'not worth it' });
    expect(await c.handle.result()).toMatchObject({ outcome: 'skipped', devinAcusConsumed: 3.5 });
    expect((await c.status()).devinSessionEnded).toBe('already ended (error)');
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('a completed postmortem leaves its session alone (it answers review comments)', async () => {
    const c = newCase({ startPostmortemSession: () => started(c) });
    await c.deliver(c.event('incident.resolved', 20));
    await c.handle.result();
    expect(terminated(c)).toEqual([]);
  });
});

describe('a session that needs a human', () => {
  it('stopped by a person in Devin → needs_attention at once with the reason → retry sends a message that resumes it', async () => {
    const c = newCase({
      startPostmortemSession: () => started(c),
      waitForPullRequest: (_r, call) =>
        call === 1
          ? { kind: 'needs_human', status: 'suspended', detail: 'user_request', reason: 'Devin session x was stopped by a person in Devin (suspended: user_request)', recovery: 'message' }
          : { kind: 'published', url: pullRequestUrlFor(c.incident.id) },
    });
    await c.deliver(c.event('incident.resolved', 20));
    const parked = await c.phase('needs_attention');
    expect(parked.lastError).toMatch(/^Devin session: Devin session x was stopped by a person in Devin/);
    await c.handle.signal(retrySignal);
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    expect(kinds(c)).toEqual(['resume']);
  });

  it('waiting for approval → retry polls again; quota → retry with a reason sends that as the answer', async () => {
    const c = newCase({
      startPostmortemSession: () => started(c),
      waitForPullRequest: (_r, call) =>
        call === 1
          ? { kind: 'needs_human', status: 'running', detail: 'waiting_for_approval', reason: 'waits for approval', recovery: 'poll' }
          : call === 2
            ? { kind: 'needs_human', status: 'suspended', detail: 'out_of_quota', reason: 'is suspended (out_of_quota)', recovery: 'message' }
            : { kind: 'published', url: pullRequestUrlFor(c.incident.id) },
    });
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await c.handle.signal(retrySignal);
    await until(() => (c.stub.callsTo('waitForPullRequest').length >= 2 ? true : undefined), 'the second poll');
    await c.phase('needs_attention');
    await c.handle.signal(retrySignal, { reason: 'quota raised, go on' });
    await c.handle.result();
    expect(c.stub.callsTo('sendSessionMessage')).toEqual([expect.objectContaining({ kind: 'answer', text: 'quota raised, go on' })]);
  });

  it('a failed session → retry starts a new session (the next generation); the old one is named in the status', async () => {
    const c = newCase({
      startPostmortemSession: (_context, call) => started(c, call),
      waitForPullRequest: (request) =>
        request.sessionId.endsWith('-1')
          ? { kind: 'needs_human', status: 'error', reason: 'Devin session one failed (error)', recovery: 'new_session' }
          : { kind: 'published', url: pullRequestUrlFor(c.incident.id) },
    });
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await c.handle.signal(retrySignal);
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', devinSessionId: started(c, 2).sessionId });
    const identities = c.stub.attemptsOf('startPostmortemSession').map((a) => a.extra as SessionIdentity);
    expect(identities.map((i) => i.generation)).toEqual([1, 2]);
    expect(new Set(identities.map((i) => i.runId)).size).toBe(1);
    expect((await c.status()).otherDevinSessions).toEqual([{ sessionId: started(c, 1).sessionId, sessionUrl: sessionUrlFor(c.incident.id), status: 'given up for a new session' }]);
  });
});

describe('exactly one working session', () => {
  it('another active session of the incident → needs_attention naming it → retry starts one anyway; skip ends skipped', async () => {
    const other = { sessionId: 'devin-by-hand', sessionUrl: 'https://app.devin.ai/sessions/by-hand', status: 'running/working' };
    const c = newCase({ startPostmortemSession: (_context, _call, identity) => ((identity as SessionIdentity).despiteOthers ? { ...started(c), others: [other] } : { dryRun: false, conflict: [other] }) });
    await c.deliver(c.event('incident.resolved', 20));
    const parked = await c.phase('needs_attention');
    expect(parked.lastError).toContain('a Devin session for this incident already exists that this workflow did not start: https://app.devin.ai/sessions/by-hand (running/working)');
    await c.handle.signal(retrySignal);
    await c.handle.result();
    expect((await c.status()).otherDevinSessions).toEqual([other]);

    const d = newCase({ startPostmortemSession: () => ({ dryRun: false, conflict: [other] }) });
    await d.deliver(d.event('incident.resolved', 20));
    await d.phase('needs_attention');
    await d.handle.signal(skipSignal);
    expect(await d.handle.result()).toMatchObject({ outcome: 'skipped', skipReason: 'skipped by an operator before a Devin session started' });
    expect(terminated(d)).toEqual([]);
  });
});

describe("Devin's questions", () => {
  it('asked → the question in the status and on Slack, Devin nudged; the same question still open → an operator answers it', async () => {
    const question = 'Which region was failed over?';
    const c = newCase({
      startPostmortemSession: () => started(c),
      waitForPullRequest: (request) => {
        const last = c.stub.callsTo('sendSessionMessage').at(-1);
        if (last?.kind === 'answer') return { kind: 'published', url: pullRequestUrlFor(c.incident.id) };
        if (!request.answered) return { kind: 'waiting_for_user', status: 'running', detail: 'waiting_for_user', question, questionId: 'e1' };
        return { kind: 'waiting_for_user', status: 'running', detail: 'waiting_for_user', question, questionId: 'e1' };
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    const parked = await c.phase('needs_attention');
    expect(parked.devinQuestion).toBe(question);
    expect(parked.lastError).toContain(`Devin asks: "${question}"`);
    expect(c.stub.callsTo('announceOnSlack')).toEqual([expect.objectContaining({ kind: 'question', question, url: sessionUrlFor(c.incident.id) })]);
    expect(kinds(c)).toEqual(['nudge']);
    await c.handle.signal(retrySignal, { reason: 'eu-west-1' });
    await c.handle.result();
    expect(c.stub.callsTo('sendSessionMessage').at(-1)).toMatchObject({ kind: 'answer', text: 'eu-west-1' });
    expect(c.stub.callsTo('waitForPullRequest')[1]?.answered).toEqual({ questionId: 'e1', at: expect.any(String) });
  });
});

describe('the right PR, a final report and the cost', () => {
  it('a PR while Devin still works is shown at once; the report is taken once the turn ended', async () => {
    const c = newCase({
      settings: { reportWaitMs: 20_000 },
      startPostmortemSession: () => started(c),
      waitForPullRequest: (request, call) => {
        if (!request.finalOnly) return { kind: 'published', url: pullRequestUrlFor(c.incident.id), final: false, report: { rootCause: 'draft' }, acus: 2 };
        if (call < 4) throw notReady();
        return { kind: 'published', url: pullRequestUrlFor(c.incident.id), final: true, report: { rootCause: 'Hypothesis: the v2.14 deploy', actionItems: ['Add an SLO alert'] }, acus: 5.25 };
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    const shown = await until(async () => {
      const s = await c.status();
      return s.pullRequestUrl && s.phase === 'awaiting_pr' ? s : undefined;
    }, 'the PR in the status before the report is final');
    expect(shown?.devinAcusConsumed).toBe(2);
    expect(await c.handle.result()).toMatchObject({ postmortem: { rootCause: 'Hypothesis: the v2.14 deploy', actionItems: ['Add an SLO alert'] }, devinAcusConsumed: 5.25 });
    expect(c.stub.callsTo('writeBackToIncident').at(-1)).toMatchObject({ kind: 'published', acus: 5.25 });
    const described = await c.handle.describe();
    expect(described.searchAttributes.DevinAcusConsumed).toEqual([5.25]);
  });

  it('the report still not final after DEVIN_REPORT_WAIT: taken as it is, and said so', async () => {
    const c = newCase({
      settings: { reportWaitMs: 1_500 },
      startPostmortemSession: () => started(c),
      waitForPullRequest: (request) => (request.finalOnly ? Promise.reject(notReady()) : { kind: 'published', url: pullRequestUrlFor(c.incident.id), final: false, report: { rootCause: 'draft' } }),
    });
    await c.deliver(c.event('incident.resolved', 20));
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', postmortem: { rootCause: 'draft' } });
    expect((await c.status()).pullRequestNote).toMatch(/DEVIN_REPORT_WAIT \(2s\): the report may be incomplete/);
  });

  it('past 80 % of DEVIN_MAX_ACU the status warns, once', async () => {
    const c = newCase({
      settings: { maxAcu: 10 },
      startPostmortemSession: () => started(c),
      waitForPullRequest: (request) =>
        request.ignore.includes('acu_limit_near') ? { kind: 'published', url: pullRequestUrlFor(c.incident.id), acus: 9 } : { kind: 'acu_limit_near', status: 'running', acus: 8.5, limit: 10 },
    });
    await c.deliver(c.event('incident.resolved', 20));
    await c.handle.result();
    expect((await c.status()).devinAcuWarning).toMatch(/used 8.5 of DEVIN_MAX_ACU=10 ACUs/);
    expect(c.stub.callsTo('waitForPullRequest').map((p) => p.maxAcu)).toEqual([10, 10]);
  });
});
