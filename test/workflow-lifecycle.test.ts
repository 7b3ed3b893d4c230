// The incident workflow's lifecycle, branch by branch, fast: one real dev server and one workflow bundle
// for the file, and a worker whose activities are scripted stubs that record their calls (no SaaS fakes).
// Written against behaviour only — activity names, signals, the status query, inputs and results — so that
// it holds while workflows/ and activities/ are restructured.
import { cancelSignal, retrySignal, skipSignal } from '../src/domain/messages';
import { failureOf, kinds, latch, newCase, SESSIONS_QUEUE, toAwaitingPr, until, useLifecycle, workflowTaskFailures } from './support/lifecycle';
import { contextFromRequest, notReady, pullRequestUrlFor, rejected, sessionIdFor, sessionUrlFor } from './support/stub-activities';

useLifecycle();

// ---- The lifecycle ----

describe('the happy path', () => {
  it('acknowledged → awaiting_resolution → resolved → quiet_period → drafting → awaiting_pr → completed with the PR url', async () => {
    let prOpen = false;
    const sessionCanStart = latch();
    const c = newCase({
      settings: { quietPeriodMs: 1_500, slack: true },
      async startPostmortemSession() {
        await sessionCanStart.opened;
        return { dryRun: false, sessionId: sessionIdFor(c.incident.id), sessionUrl: sessionUrlFor(c.incident.id), adopted: false };
      },
      waitForPullRequest() {
        if (!prOpen) throw notReady();
        return {
          kind: 'published',
          url: pullRequestUrlFor(c.incident.id),
          report: { postmortemPath: 'postmortems/checkout.md', rootCause: 'A bad deploy', rootCauseConfirmed: true, actionItems: ['Add a canary'] },
        };
      },
    });
    const id = c.incident.id;

    await c.deliver(c.event('incident.acknowledged', 2));
    const waiting = await c.phase('awaiting_resolution');
    expect(waiting).toMatchObject({ incidentId: id, title: c.incident.title, service: 'checkout-api', priority: 'P1', acknowledgedAt: c.at(2), contextSource: 'pagerduty_api' });
    expect(c.stub.callsTo('getPostmortemSettings')).toHaveLength(1);
    expect(c.stub.callsTo('collectIncidentContext')).toHaveLength(1);
    expect(c.stub.callsTo('collectIncidentContext')[0]?.incident).toMatchObject({ id, status: 'acknowledged' });

    await c.deliver(c.event('incident.resolved', 20));
    expect(await c.phase('quiet_period')).toMatchObject({ resolvedAt: c.at(20) });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);

    // Held at session creation: drafting, with the refreshed evidence handed to the session queue.
    await c.phase('drafting');
    const [start] = await until(() => (c.stub.attemptsOf('startPostmortemSession').length > 0 ? c.stub.attemptsOf('startPostmortemSession') : undefined), 'the session start');
    expect(start?.taskQueue).toBe(SESSIONS_QUEUE);
    expect(start?.input.incident).toMatchObject({ id, resolvedAt: c.at(20), priority: 'P1' });
    expect(c.stub.callsTo('collectIncidentContext')).toHaveLength(2);
    expect(c.stub.callsTo('collectIncidentContext')[1]?.incident).toMatchObject({ id, status: 'resolved', resolvedAt: c.at(20) });
    sessionCanStart.open();

    const watching = await c.phase('awaiting_pr');
    expect(watching).toMatchObject({ devinSessionId: sessionIdFor(id), devinSessionUrl: sessionUrlFor(id) });
    expect(watching.routing).toContain('priority P1 meets POSTMORTEM_MIN_PRIORITY=P2');
    expect(c.stub.callsTo('writeBackToIncident')).toEqual([{ incidentId: id, kind: 'drafting', sessionUrl: sessionUrlFor(id), url: undefined, destination: 'repo' }]);
    // Polled through the retry policy while Devin works.
    await until(() => (c.stub.callsTo('waitForPullRequest').length >= 2 ? true : undefined), 'a second poll');
    expect(c.stub.callsTo('waitForPullRequest').every((r) => r.sessionId === sessionIdFor(id))).toBe(true);
    prOpen = true;

    expect(await c.handle.result()).toEqual({
      incidentId: id,
      outcome: 'pull_request_opened',
      pullRequestUrl: pullRequestUrlFor(id),
      devinSessionId: sessionIdFor(id),
      devinSessionUrl: sessionUrlFor(id),
      postmortem: { path: 'postmortems/checkout.md', rootCause: 'A bad deploy', rootCauseConfirmed: true, actionItems: ['Add a canary'] },
    });
    expect(await c.status()).toMatchObject({
      phase: 'completed',
      pullRequestUrl: pullRequestUrlFor(id),
      writeBack: ['PagerDuty drafting note posted', 'PagerDuty review note posted', 'Slack message sent'],
      eventsReceived: 2,
      duplicatesIgnored: 0,
    });
    expect(c.stub.callsTo('writeBackToIncident').map((w) => [w.kind, w.url])).toEqual([
      ['drafting', undefined],
      ['published', pullRequestUrlFor(id)],
    ]);
    expect(c.stub.callsTo('announceOnSlack')).toEqual([{ incidentId: id, title: c.incident.title, url: pullRequestUrlFor(id), destination: 'repo' }]);
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(c.stub.callsTo('sendSessionMessage')).toHaveLength(0);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });
});

describe('reopen and merge', () => {
  it('a reopen during the quiet period waits again: no session until resolved again and the quiet period passes', async () => {
    const quietPeriodMs = 1_500;
    const c = newCase({ settings: { quietPeriodMs } });
    await c.deliver(c.event('incident.acknowledged', 1));
    await c.deliver(c.event('incident.resolved', 10));
    await c.phase('quiet_period');
    await c.deliver(c.event('incident.reopened', 11, { status: 'triggered' }));
    const reopened = await c.phase('awaiting_resolution');
    expect(reopened.resolvedAt).toBeUndefined();

    // Longer than the quiet period: the earlier resolution's timer must not start drafting.
    await new Promise((r) => setTimeout(r, quietPeriodMs + 500));
    expect((await c.status()).phase).toBe('awaiting_resolution');
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);

    await c.deliver(c.event('incident.resolved', 40));
    expect(await c.phase('quiet_period')).toMatchObject({ resolvedAt: c.at(40) });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);

    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', pullRequestUrl: pullRequestUrlFor(c.incident.id) });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(c.stub.callsTo('startPostmortemSession')[0]?.incident.resolvedAt).toBe(c.at(40));
    expect(await c.status()).toMatchObject({ resolvedAt: c.at(40), reopenedAfterDraft: 0 });
    expect(c.stub.callsTo('sendSessionMessage')).toHaveLength(0);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('a reopen while the PR is awaited is told to the session (reopened); never a second session', async () => {
    let prOpen = false;
    const c = newCase({
      waitForPullRequest: () => {
        if (!prOpen) throw notReady();
        return { kind: 'published', url: pullRequestUrlFor(c.incident.id) };
      },
    });
    await toAwaitingPr(c);
    await c.deliver(c.event('incident.reopened', 25, { status: 'triggered' }));
    await until(() => (c.stub.callsTo('sendSessionMessage').length > 0 ? true : undefined), 'the reopening to reach the session');
    expect(c.stub.callsTo('sendSessionMessage')).toEqual([{ sessionId: sessionIdFor(c.incident.id), kind: 'reopened', incidentId: c.incident.id, at: c.at(25) }]);
    expect(await c.status()).toMatchObject({ phase: 'awaiting_pr', reopenedAfterDraft: 1 });
    prOpen = true;

    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(kinds(c)).toEqual(['reopened']);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('a reopen while the session is still being created is told to the session once it exists', async () => {
    const sessionCanStart = latch();
    const c = newCase({
      async startPostmortemSession() {
        await sessionCanStart.opened;
        return { dryRun: false, sessionId: sessionIdFor(c.incident.id), sessionUrl: sessionUrlFor(c.incident.id), adopted: false };
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    await until(() => (c.stub.callsTo('startPostmortemSession').length > 0 ? true : undefined), 'the session start');
    await c.deliver(c.event('incident.reopened', 22, { status: 'triggered' }));
    expect(await until(async () => ((await c.status()).reopenedAfterDraft === 1 ? true : undefined), 'the reopening to be recorded')).toBe(true);
    expect(c.stub.callsTo('sendSessionMessage')).toHaveLength(0);
    sessionCanStart.open();

    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    expect(c.stub.callsTo('sendSessionMessage')).toEqual([{ sessionId: sessionIdFor(c.incident.id), kind: 'reopened', incidentId: c.incident.id, at: c.at(22) }]);
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('resolved by a merge → skipped with the merge reason, no session', async () => {
    const c = newCase();
    await c.deliver(c.event('incident.acknowledged', 1));
    await c.deliver(c.event('incident.resolved', 5, { mergedInto: 'PSURVIVOR1' }));
    const result = await c.handle.result();
    expect(result).toMatchObject({ incidentId: c.incident.id, outcome: 'skipped', skipReason: 'merged into incident PSURVIVOR1, whose postmortem covers it' });
    expect(await c.status()).toMatchObject({ phase: 'skipped', mergedInto: 'PSURVIVOR1', skipReason: result.skipReason });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);
    expect(c.stub.callsTo('writeBackToIncident')).toHaveLength(0);
  });
});

describe('severity routing and dry run', () => {
  it.each([
    { label: 'a P4 with POSTMORTEM_MIN_PRIORITY=P2', overrides: { priority: 'P4' }, reason: 'priority P4 is below POSTMORTEM_MIN_PRIORITY=P2' },
    {
      label: 'no priority and low urgency (POSTMORTEM_NO_PRIORITY=urgency)',
      overrides: { priority: null, urgency: 'low' as const },
      reason: 'no priority set; low urgency does not qualify (POSTMORTEM_NO_PRIORITY=urgency)',
    },
  ])('$label → skipped with the routing reason, no session', async ({ overrides, reason }) => {
    const c = newCase({}, overrides);
    await c.deliver(c.event('incident.acknowledged', 1));
    await c.deliver(c.event('incident.resolved', 30));
    expect(await c.handle.result()).toMatchObject({ outcome: 'skipped', skipReason: reason });
    expect(await c.status()).toMatchObject({ phase: 'skipped', routing: reason, skipReason: reason });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);
    expect(c.stub.callsTo('writeBackToIncident')).toHaveLength(0);
  });

  it('dry run → completed with outcome dry_run and the prompt; nothing watched or written back', async () => {
    const c = newCase({
      settings: { dryRun: true },
      startPostmortemSession: (context) => ({
        dryRun: true,
        prompt: `Write the postmortem for ${context.incident.id}`,
        promptPath: `/tmp/postmortems/${context.incident.id}-dry-run-prompt.md`,
        skeletonPath: `/tmp/postmortems/${context.incident.id}.md`,
      }),
    });
    const id = c.incident.id;
    await c.deliver(c.event('incident.resolved', 15));
    expect(await c.handle.result()).toEqual({
      incidentId: id,
      outcome: 'dry_run',
      prompt: `Write the postmortem for ${id}`,
      promptPath: `/tmp/postmortems/${id}-dry-run-prompt.md`,
      skeletonPath: `/tmp/postmortems/${id}.md`,
    });
    expect(await c.status()).toMatchObject({ phase: 'completed', dryRun: true, promptPath: `/tmp/postmortems/${id}-dry-run-prompt.md`, writeBack: [] });
    expect(c.stub.attemptsOf('startPostmortemSession').map((a) => a.taskQueue)).toEqual([SESSIONS_QUEUE]);
    for (const activity of ['waitForPullRequest', 'writeBackToIncident', 'announceOnSlack', 'sendSessionMessage'] as const) {
      expect(c.stub.callsTo(activity)).toHaveLength(0);
    }
  });
});

describe('watching the session', () => {
  it('never published within DEVIN_MAX_WAIT → the workflow fails (PostmortemFailed); status failed with lastError', async () => {
    const c = newCase({ settings: { maxWaitMs: 3_000 }, waitForPullRequest: () => Promise.reject(notReady()) });
    await toAwaitingPr(c);
    const failure = await failureOf(c);
    expect(failure.type).toBe('PostmortemFailed');
    expect(failure.message).toContain('No pull request within DEVIN_MAX_WAIT (3s)');
    const status = await c.status();
    expect(status).toMatchObject({ phase: 'failed', devinSessionId: sessionIdFor(c.incident.id) });
    expect(status.lastError).toBe(failure.message);
    expect(c.stub.callsTo('waitForPullRequest').length).toBeGreaterThan(1);
    expect(c.stub.callsTo('writeBackToIncident').map((w) => w.kind)).toEqual(['drafting']);
    expect(c.stub.callsTo('announceOnSlack')).toHaveLength(0);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('waiting_for_user → one nudge, then keeps polling (the situation is ignored from then on) until the PR', async () => {
    const c = newCase({
      // Like the real activity: a situation in `ignore` is not reported again.
      waitForPullRequest: (request, call) => {
        if (!request.ignore.includes('waiting_for_user')) return { kind: 'waiting_for_user', status: 'running', detail: 'waiting_for_user' };
        if (call < 3) throw notReady();
        return { kind: 'published', url: pullRequestUrlFor(c.incident.id) };
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', pullRequestUrl: pullRequestUrlFor(c.incident.id) });
    expect(c.stub.callsTo('sendSessionMessage')).toEqual([{ sessionId: sessionIdFor(c.incident.id), kind: 'nudge', incidentId: c.incident.id, at: undefined }]);
    const polls = c.stub.callsTo('waitForPullRequest');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls[0]?.ignore).toEqual([]);
    expect(polls.slice(1).every((p) => p.ignore.includes('waiting_for_user'))).toBe(true);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('finished_without_pr → one follow_up; a second finished_without_pr fails the workflow', async () => {
    const c = newCase({ waitForPullRequest: () => ({ kind: 'finished_without_pr', status: 'exit', detail: 'finished' }) });
    await c.deliver(c.event('incident.resolved', 20));
    const failure = await failureOf(c);
    expect(failure.type).toBe('PostmortemFailed');
    expect(failure.message).toContain('without opening a pull request, even after being asked for it');
    expect(failure.message).toContain('exit/finished');
    expect(kinds(c)).toEqual(['follow_up']);
    expect(c.stub.callsTo('waitForPullRequest')).toHaveLength(2);
    expect(await c.status()).toMatchObject({ phase: 'failed', lastError: failure.message });
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('inactive → resume, then the PR (and no Slack line when Slack is off)', async () => {
    const c = newCase({
      settings: { slack: false },
      waitForPullRequest: (_request, call) => (call === 1 ? { kind: 'inactive', status: 'suspended', detail: 'inactivity' } : { kind: 'published', url: pullRequestUrlFor(c.incident.id) }),
    });
    await c.deliver(c.event('incident.resolved', 20));
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', pullRequestUrl: pullRequestUrlFor(c.incident.id) });
    expect(kinds(c)).toEqual(['resume']);
    expect(c.stub.callsTo('announceOnSlack')).toHaveLength(0);
    expect((await c.status()).writeBack).toEqual(['PagerDuty drafting note posted', 'PagerDuty review note posted']);
  });
});

describe('operator decisions', () => {
  it('session start rejected → needs_attention with lastError → retry → session started → completed', async () => {
    const c = newCase({
      startPostmortemSession: (_context, call) => {
        if (call === 1) throw rejected('Devin rejected the API key (401)');
        return { dryRun: false, sessionId: sessionIdFor(c.incident.id), sessionUrl: sessionUrlFor(c.incident.id), adopted: false };
      },
    });
    await c.deliver(c.event('incident.resolved', 20));
    const parked = await c.phase('needs_attention');
    expect(parked.lastError).toBe('Start Devin session: Devin rejected the API key (401)');
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);

    await c.handle.signal(retrySignal, { reason: 'rotated the key' });
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened', devinSessionId: sessionIdFor(c.incident.id) });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(2);
    expect((await c.status()).lastError).toBeUndefined();
    expect(await workflowTaskFailures(c)).toEqual([]);
  });

  it('session start rejected → needs_attention → skip → skipped, no session', async () => {
    const c = newCase({ startPostmortemSession: () => Promise.reject(rejected('Devin rejected the API key (401)')) });
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await c.handle.signal(skipSignal, { reason: 'written by hand' });
    const result = await c.handle.result();
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: 'skipped by an operator before a Devin session started: written by hand' });
    expect(await c.status()).toMatchObject({ phase: 'skipped', skipReason: result.skipReason });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(c.stub.callsTo('waitForPullRequest')).toHaveLength(0);
  });

  it('evidence rejected → needs_attention → skip → goes on with webhook-only evidence', async () => {
    const c = newCase({ collectIncidentContext: () => Promise.reject(rejected('PagerDuty rejected the API token (401)')) });
    await c.deliver(c.event('incident.acknowledged', 2));
    const parked = await c.phase('needs_attention');
    expect(parked.lastError).toContain('PagerDuty rejected the API token (401)');
    await c.handle.signal(skipSignal);
    const waiting = await c.phase('awaiting_resolution');
    expect(waiting).toMatchObject({ contextSource: 'webhook_only', contextLimitation: 'PagerDuty context skipped by an operator; built from webhook data alone' });

    // The refresh after resolution is rejected too: skipped again, the session gets what the webhooks said.
    await c.deliver(c.event('incident.resolved', 20));
    await c.phase('needs_attention');
    await c.handle.signal(skipSignal);
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    const [context] = c.stub.callsTo('startPostmortemSession');
    expect(context).toMatchObject({ source: 'webhook_only', incident: { id: c.incident.id, resolvedAt: c.at(20) } });
    expect(context?.timeline.map((t) => t.kind)).toEqual(['acknowledged', 'resolved']);
    expect(c.stub.callsTo('collectIncidentContext')).toHaveLength(2);
  });

  it('retry and skip sent outside needs_attention are not remembered for a later needs_attention', async () => {
    const c = newCase({
      startPostmortemSession: (_context, call) => {
        if (call === 1) throw rejected('Devin rejected the API key (401)');
        return { dryRun: false, sessionId: sessionIdFor(c.incident.id), sessionUrl: sessionUrlFor(c.incident.id), adopted: false };
      },
    });
    await c.deliver(c.event('incident.acknowledged', 2));
    await c.phase('awaiting_resolution');
    await c.handle.signal(skipSignal, { reason: 'too early' });
    await c.handle.signal(retrySignal);
    await c.deliver(c.event('incident.resolved', 20));
    // Parked, not skipped by the early `skip`: it waits for a decision made in needs_attention.
    expect(await c.phase('needs_attention')).toMatchObject({ lastError: 'Start Devin session: Devin rejected the API key (401)' });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    await c.handle.signal(retrySignal);
    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(2);
  });

  it.each([
    { phase: 'awaiting_resolution' as const, events: ['incident.acknowledged' as const] },
    { phase: 'quiet_period' as const, events: ['incident.acknowledged' as const, 'incident.resolved' as const] },
  ])('cancel while $phase → skipped (cancelled by an operator: <reason>), no session', async ({ phase, events }) => {
    const c = newCase({ settings: { quietPeriodMs: 5_000 } });
    for (const [i, type] of events.entries()) await c.deliver(c.event(type, 5 * (i + 1)));
    await c.phase(phase);
    await c.handle.signal(cancelSignal, { reason: 'duplicate of PXYZ' });
    const result = await c.handle.result();
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: 'cancelled by an operator: duplicate of PXYZ' });
    expect(await c.status()).toMatchObject({ phase: 'skipped', skipReason: 'cancelled by an operator: duplicate of PXYZ' });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);
    expect(await workflowTaskFailures(c)).toEqual([]);
  });
});

describe('deliveries', () => {
  it('a note on an incident PagerDuty shows resolved, with no lifecycle event → waits LATE_RESOLUTION_GRACE → skipped pointing at `postmortem backfill`', async () => {
    const c = newCase({
      settings: { lateResolutionGraceMs: 1_500 },
      collectIncidentContext: (request) => {
        const context = contextFromRequest(request);
        return { ...context, incident: { ...context.incident, title: c.incident.title, status: 'resolved', resolvedAt: c.at(20) } };
      },
    });
    await c.deliver(c.event('incident.annotated', 60, { note: 'Customer follow-up sent.' }));
    expect(await c.phase('awaiting_resolution')).toMatchObject({ resolvedAt: c.at(20) });
    const result = await c.handle.result();
    expect(result.outcome).toBe('skipped');
    expect(result.skipReason).toContain(`started by a note or priority change on an incident PagerDuty shows resolved at ${c.at(20)}`);
    expect(result.skipReason).toContain('LATE_RESOLUTION_GRACE');
    expect(result.skipReason).toContain('`postmortem backfill`');
    expect(await c.status()).toMatchObject({ phase: 'skipped', skipReason: result.skipReason });
    // The bridge's parser names the note's author by pseudonym (its PagerDuty user id), never by name.
    expect(c.stub.callsTo('collectIncidentContext')[0]?.observedNotes).toEqual([{ at: c.at(60), author: '[REDACTED:person] PUSER01', content: 'Customer follow-up sent.' }]);
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(0);
  });

  it('duplicate deliveries (same event id) are counted in duplicatesIgnored and change nothing', async () => {
    let prOpen = false;
    const c = newCase({
      waitForPullRequest: () => {
        if (!prOpen) throw notReady();
        return { kind: 'published', url: pullRequestUrlFor(c.incident.id) };
      },
    });
    const acknowledged = c.event('incident.acknowledged', 2, { eventId: `ack-${c.incident.id}`, webhookId: 'sub-a-1' });
    const resolved = c.event('incident.resolved', 20, { eventId: `res-${c.incident.id}`, webhookId: 'sub-a-2' });
    // Two subscriptions deliver the same event (a different X-Webhook-Id each), and PagerDuty retries one delivery.
    await c.deliver(acknowledged);
    await c.deliver({ ...acknowledged, webhookId: 'sub-b-1' });
    expect(await c.phase('awaiting_resolution')).toMatchObject({ eventsReceived: 1, duplicatesIgnored: 1, acknowledgedAt: c.at(2) });
    await c.deliver(resolved);
    await c.deliver(resolved);
    await c.phase('awaiting_pr');
    await c.deliver({ ...acknowledged, webhookId: 'sub-b-1' });
    await c.deliver({ ...resolved, webhookId: 'sub-b-2' });
    expect(await until(async () => ((await c.status()).duplicatesIgnored === 4 ? true : undefined), 'four duplicates counted')).toBe(true);
    expect(await c.status()).toMatchObject({ phase: 'awaiting_pr', eventsReceived: 2, reopenedAfterDraft: 0, acknowledgedAt: c.at(2), resolvedAt: c.at(20) });
    prOpen = true;

    expect(await c.handle.result()).toMatchObject({ outcome: 'pull_request_opened' });
    expect(c.stub.callsTo('startPostmortemSession')).toHaveLength(1);
    expect(c.stub.callsTo('startPostmortemSession')[0]?.timeline.map((t) => t.kind)).toEqual(['acknowledged', 'resolved']);
    expect(c.stub.callsTo('sendSessionMessage')).toHaveLength(0);
    expect(await c.status()).toMatchObject({ eventsReceived: 2, duplicatesIgnored: 4 });
  });
});
