// The incident's state and its rules (workflows/incident-state.ts) and the UI panel rendered from it,
// without a Temporal server: plain objects in, plain objects out.
import type { IncidentContext } from '../src/domain/evidence';
import type { IncidentEvent, IncidentEventType } from '../src/domain/incident';
import { INCIDENT_WORKFLOW_TYPE, type IncidentPostmortemWorkflow } from '../src/domain/messages';
import { renderDetails } from '../workflows/current-details';
import { incidentPostmortem } from '../workflows/incident-postmortem';
import { IncidentState } from '../workflows/incident-state';

const ID = 'Q1STATE0001';
let serial = 0;

function event(type: IncidentEventType, occurredAt: string, extra: Partial<IncidentEvent> = {}): IncidentEvent {
  return { eventId: `ev-${++serial}`, type, occurredAt, incident: { id: ID, title: 'Checkout down', priority: 'P1', service: { id: 'PSVC1', name: 'checkout' } }, ...extra };
}

describe('IncidentState.record', () => {
  it('counts a redelivery (same event id, or same webhook id) once and ignores it', () => {
    const state = new IncidentState(ID);
    const first = event('incident.acknowledged', '2026-12-01T10:00:00Z', { webhookId: 'wh-1' });
    expect(state.record(first)).toBe(true);
    expect(state.record({ ...first })).toBe(false);
    expect(state.record({ ...event('incident.acknowledged', '2026-12-01T10:00:00Z'), webhookId: 'wh-1' })).toBe(false);
    expect(state.current()).toMatchObject({ eventsReceived: 1, duplicatesIgnored: 2, acknowledgedAt: '2026-12-01T10:00:00Z' });
  });

  it('judges order by occurred_at: a late older delivery fills gaps but does not undo the resolution', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.resolved', '2026-12-01T11:00:00Z', { incident: { id: ID, title: 'New title', urgency: 'high' } }));
    state.record(event('incident.acknowledged', '2026-12-01T10:00:00Z', { incident: { id: ID, title: 'Old title', htmlUrl: 'https://acme.pagerduty.com/incidents/Q1' } }));
    expect(state.resolved).toBe(true);
    expect(state.lifecycleAt).toBe('2026-12-01T11:00:00Z');
    expect(state.current()).toMatchObject({ title: 'New title', urgency: 'high', incidentUrl: 'https://acme.pagerduty.com/incidents/Q1', resolvedAt: '2026-12-01T11:00:00Z' });
  });

  it('a reopen clears the resolution and the merge; once drafting started it is queued for the session', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.resolved', '2026-12-01T11:00:00Z', { incident: { id: ID, mergedInto: 'Q1OTHER' } }));
    expect(state.incident.mergedInto).toBe('Q1OTHER');
    state.record(event('incident.reopened', '2026-12-01T11:05:00Z'));
    expect(state.resolved).toBe(false);
    expect(state.incident).toMatchObject({ resolvedAt: undefined, mergedInto: undefined });
    expect(state.sessionMessages).toEqual([]);

    state.record(event('incident.resolved', '2026-12-01T11:10:00Z'));
    state.draftingStarted = true;
    state.record(event('incident.reopened', '2026-12-01T11:20:00Z'));
    expect(state.sessionMessages).toEqual([{ kind: 'reopened', at: '2026-12-01T11:20:00Z' }]);
    expect(state.status.reopenedAfterDraft).toBe(1);
  });

  it('shows when the incident was reopened: reopened_at from the webhook, else its occurred_at; the latest wins, whatever the delivery order', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.resolved', '2026-12-01T11:00:00Z'));
    expect(state.current().reopenedAt).toBeUndefined();
    state.record(event('incident.reopened', '2026-12-01T11:05:00.000Z', { incident: { id: ID, reopenedAt: '2026-12-01T11:04:59Z' } }));
    expect(state.current()).toMatchObject({ reopenedAt: '2026-12-01T11:04:59Z', resolvedAt: undefined });
    state.record(event('incident.reopened', '2026-12-01T12:00:00.000Z')); // no reopened_at in the data
    expect(state.current().reopenedAt).toBe('2026-12-01T12:00:00.000Z');
    state.record(event('incident.reopened', '2026-12-01T11:30:00.000Z', { incident: { id: ID, reopenedAt: '2026-12-01T11:30:00Z' } })); // late, older
    expect(state.current().reopenedAt).toBe('2026-12-01T12:00:00.000Z');
    expect(renderDetails(state.current())).toContain('**Reopened:** 2026-12-01T12:00:00.000Z');
  });

  it('keeps the earliest acknowledgement, notes with their author, and a sorted timeline of what was observed', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.acknowledged', '2026-12-01T10:05:00Z', { agent: 'Ada' }));
    state.record(event('incident.annotated', '2026-12-01T10:07:00Z', { agent: 'Ada', note: 'Rolled back v2.14' }));
    state.record(event('incident.acknowledged', '2026-12-01T10:01:00Z', { agent: 'Grace' }));
    state.record(event('incident.priority_updated', '2026-12-01T10:03:00Z', { incident: { id: ID, priority: 'P2' } }));
    expect(state.status.acknowledgedAt).toBe('2026-12-01T10:01:00Z');
    const request = state.evidenceRequest();
    expect(request.observedNotes).toEqual([{ at: '2026-12-01T10:07:00Z', author: 'Ada', content: 'Rolled back v2.14' }]);
    expect(request.observed.map((e) => `${e.at} ${e.kind} ${e.summary}`)).toEqual([
      '2026-12-01T10:01:00Z acknowledged Incident acknowledged',
      '2026-12-01T10:03:00Z priority_updated Priority set to P2',
      '2026-12-01T10:05:00Z acknowledged Incident acknowledged',
      '2026-12-01T10:07:00Z annotated Note added',
    ]);
    // The request is a copy: later events do not change what was already sent.
    state.record(event('incident.resolved', '2026-12-01T10:30:00Z'));
    expect(request.observed).toHaveLength(4);
  });

  it('remembers the latest 300 observations and the latest 500 delivery ids', () => {
    const state = new IncidentState(ID);
    const base = Date.parse('2026-12-01T00:00:00Z');
    const events = Array.from({ length: 320 }, (_, i) => event('incident.priority_updated', new Date(base + i * 1000).toISOString(), { webhookId: `wh-${i}` }));
    for (const e of events) state.record(e);
    expect(state.evidenceRequest().observed).toHaveLength(300);
    expect(state.evidenceRequest().observed[0]?.at).toBe(new Date(base + 20_000).toISOString());
    // 640 ids remembered at most 500: the oldest deliveries are forgotten, the recent ones still recognised.
    expect(state.record({ ...(events[319] as IncidentEvent) })).toBe(false);
    expect(state.record({ ...(events[0] as IncidentEvent) })).toBe(true);
  });

  it('merges redaction reports of the deliveries and of the latest evidence pack', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.annotated', '2026-12-01T10:00:00Z', { note: 'x', redactions: { email: 2 } }));
    state.record(event('incident.annotated', '2026-12-01T10:01:00Z', { note: 'y', redactions: { email: 1, jwt: 1 } }));
    const pack = (redactions: IncidentContext['redactions']): IncidentContext => ({ ...state.webhookOnlyContext('test'), redactions });
    state.applyContext(pack({ aws_access_key: 1 }));
    state.applyContext(pack({ aws_access_key: 2 }));
    expect(state.current().redactions).toEqual({ email: 3, jwt: 1, aws_access_key: 2 });
  });
});

describe('IncidentState.applyContext', () => {
  it("takes the API's facts but keeps the webhooks' resolution and merge, and records the source", () => {
    const state = new IncidentState(ID);
    state.record(event('incident.resolved', '2026-12-01T11:00:00Z', { incident: { id: ID, mergedInto: 'Q1SURVIVOR' } }));
    state.applyContext({
      ...state.webhookOnlyContext('unused'),
      source: 'pagerduty_api',
      limitation: 'alerts unavailable (503)',
      incident: { id: ID, number: 42, title: 'From the API', resolvedAt: '2026-12-01T10:59:00Z', createdAt: '2026-12-01T09:30:00Z' },
    });
    expect(state.current()).toMatchObject({
      title: 'From the API',
      resolvedAt: '2026-12-01T11:00:00Z',
      mergedInto: 'Q1SURVIVOR',
      contextSource: 'pagerduty_api',
      contextLimitation: 'alerts unavailable (503)',
    });
    expect(state.incident).toMatchObject({ number: 42, createdAt: '2026-12-01T09:30:00Z' });
  });

  it('the webhook-only pack carries what was observed, dated by the latest lifecycle event', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.acknowledged', '2026-12-01T10:00:00Z'));
    state.record(event('incident.annotated', '2026-12-01T10:02:00Z', { note: 'looking' }));
    const pack = state.webhookOnlyContext('PAGERDUTY_API_TOKEN is not set');
    expect(pack).toMatchObject({ source: 'webhook_only', limitation: 'PAGERDUTY_API_TOKEN is not set', alerts: [], changeEvents: [], omitted: {}, collectedAt: '2026-12-01T10:00:00Z' });
    expect(pack.timeline).toHaveLength(2);
    expect(pack.notes).toEqual([{ at: '2026-12-01T10:02:00Z', author: undefined, content: 'looking' }]);
  });
});

describe('the Current Details panel', () => {
  it('shows the incident, its evidence, the session, write-back and the way out of needs_attention', () => {
    const state = new IncidentState(ID);
    state.record(event('incident.acknowledged', '2026-12-01T10:00:00Z', { incident: { id: ID, title: 'Checkout down', priority: 'P1', urgency: 'high', htmlUrl: 'https://acme.pagerduty.com/incidents/Q1', service: { id: 'S', name: 'checkout' } } }));
    state.phase = 'needs_attention';
    Object.assign(state.status, { devinSessionId: 'devin-1', devinSessionUrl: 'https://app.devin.ai/sessions/1', writeBack: ['PagerDuty drafting note posted'], lastError: 'Start Devin session: 401' });
    const panel = renderDetails(state.current());
    expect(panel.split('\n\n')).toEqual([
      '### needs attention',
      '**Incident:** [Checkout down](https://acme.pagerduty.com/incidents/Q1) — P1 · high urgency · checkout',
      '**Acknowledged:** 2026-12-01T10:00:00Z',
      '**Devin session:** [devin-1](https://app.devin.ai/sessions/1)',
      '**Write-back:** PagerDuty drafting note posted',
      '**Last error:** Start Devin session: 401',
      `Fix the cause, then signal \`retry\` (or \`skip\`, or \`cancel\`): \`temporal workflow signal --workflow-id incident-${ID} --name retry\``,
      'Events received: 1, duplicates ignored: 0',
    ]);
  });
});

describe('the workflow as clients name it', () => {
  it('is started by the domain name and shape the bridge and the CLI use', () => {
    const workflow: IncidentPostmortemWorkflow = incidentPostmortem;
    expect(workflow.name).toBe(INCIDENT_WORKFLOW_TYPE);
  });
});
