// The real PagerDuty client (src/integrations/pagerduty over the one HTTP policy) against a local fake of
// PagerDuty's REST API v2 (test/fakes/pagerduty-api.ts). No network beyond 127.0.0.1.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { checkPriorityThreshold, createActivities, PriorityCache } from '../activities';
import { toActivityFailure } from '../activities/failures';
import { PRIORITIES_TTL_MS } from '../activities/priorities';
import { ConfigError, loadWorkerConfig } from '../src/config';
import { routePostmortem } from '../src/domain/routing';
import { SECONDARY_LIST_ATTEMPTS, clipContext, contextFromApi, contextFromWebhooks } from '../src/integrations/pagerduty/evidence';
import { type CollectContextInput, type IncidentContext } from '../src/domain/evidence';
import { MAX_LOG_ENTRIES, PagerDutyClient } from '../src/integrations/pagerduty/client';
import { CONTEXT_LIMITS } from '../src/integrations/pagerduty/mapper';
import type { IncidentSnapshot } from '../src/domain/incident';
import type { TimelineEntry } from '../src/domain/evidence';
import { parseWebhook } from '../src/integrations/pagerduty/webhook';
import { buildPostmortemPrompt } from '../src/postmortem/prompt';
import { incidentWebhook, sampleIncident } from '../src/dev/simulation';
import { IncidentState } from '../workflows/incident-state';
import { FakeDatadogApi } from './fakes/datadog-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';

const NOW = new Date('2026-02-10T18:00:00Z');

let api: FakePagerDutyApi;

beforeEach(async () => {
  api = await FakePagerDutyApi.start();
});

afterEach(async () => {
  await api.close();
});

const client = (token = api.token) => new PagerDutyClient({ baseUrl: api.baseUrl, token }, 5_000);

/** What the webhooks told the workflow before it asked the API. */
const webhookInput = (id: string, incident: Partial<IncidentSnapshot> = {}): CollectContextInput => ({
  incident: { id, title: 'from webhook', priority: 'P1', createdAt: '2026-02-10T14:00:00Z', ...incident },
  observed: [{ at: '2026-02-10T14:05:00Z', kind: 'acknowledged', summary: 'Acknowledged by Jane Doe', agent: 'Jane Doe' }],
  observedNotes: [{ at: '2026-02-10T14:20:00Z', author: 'Jane Doe', content: 'Rolled back' }],
});

/** Calls `fn`, expecting it to throw an ApplicationFailure, and returns that failure. */
async function failureOf(fn: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await fn();
  } catch (caught) {
    // As the evidence activity hands it to Temporal (activities/failures.ts).
    const error = toActivityFailure(caught);
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  }
  throw new Error('expected an ApplicationFailure, got success');
}

const raw = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('authorization', `Token token=${token ?? api.token}`);
  return fetch(`${api.baseUrl}${path}`, { ...rest, headers });
};

describe('the fake answers like PagerDuty REST API v2', () => {
  beforeEach(() => {
    api.addIncident(
      { id: 'PABC123', incident_number: 4242, title: 'Checkout 5xx', created_at: '2026-02-10T14:00:00Z', resolved_at: '2026-02-10T14:50:00Z' },
      { logEntries: 40 },
    );
  });

  test('authentication: missing or wrong token is 401 with www-authenticate; a changed token takes effect', async () => {
    for (const token of [null, 'wrong']) {
      const response = await raw('/incidents/PABC123', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBeTruthy();
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
    }
    api.token = 'rotated';
    expect((await raw('/incidents/PABC123', { token: 'rotated' })).status).toBe(200);
    expect(api.requests).toHaveLength(3);
    expect(api.requests[2]).toMatchObject({ method: 'GET', path: '/incidents/PABC123', headers: { authorization: 'Token token=rotated' } });
  });

  test('GET /incidents/{id}: the full incident; first_trigger_log_entry a reference unless included; unknown id is 404', async () => {
    const response = await raw('/incidents/PABC123');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const { incident } = (await response.json()) as { incident: Record<string, unknown> };
    expect(incident).toMatchObject({
      id: 'PABC123',
      type: 'incident',
      incident_number: 4242,
      title: 'Checkout 5xx',
      status: 'resolved',
      urgency: 'high',
      created_at: '2026-02-10T14:00:00Z',
      resolved_at: '2026-02-10T14:50:00Z',
      html_url: 'https://acme.pagerduty.com/incidents/PABC123',
      service: { type: 'service_reference', summary: 'checkout-api' },
      priority: { summary: 'P2' },
      resolve_reason: null,
      alert_counts: { all: 14, triggered: 0, resolved: 14 },
    });
    for (const key of ['last_status_change_at', 'self', 'assignments', 'teams', 'escalation_policy']) expect(incident).toHaveProperty(key);
    expect(incident.first_trigger_log_entry).toEqual({ id: expect.any(String), type: 'trigger_log_entry_reference', summary: expect.any(String), self: expect.any(String), html_url: expect.any(String) });
    expect(incident.priority).toMatchObject({ type: 'priority_reference', summary: 'P2' });

    const included = (await (await raw('/incidents/PABC123?include%5B%5D=first_trigger_log_entries')).json()) as { incident: Record<string, unknown> };
    expect(included.incident.first_trigger_log_entry).toMatchObject({ type: 'trigger_log_entry', created_at: '2026-02-10T14:00:00Z' });

    const missing = await raw('/incidents/PNOPE00');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: 'Not Found', code: 2100 } });
  });

  test('log entries: oldest first (the trigger first, as the guide shows), limit 25 by default, total only on request, limit and offset checked', async () => {
    const first = (await (await raw('/incidents/PABC123/log_entries?time_zone=UTC')).json()) as Record<string, unknown> & { log_entries: { created_at: string; html_url: string; type: string }[] };
    expect(first).toMatchObject({ limit: 25, offset: 0, more: true, total: null });
    expect(first.log_entries).toHaveLength(25);
    expect(first.log_entries[0]).toMatchObject({ type: 'trigger_log_entry', created_at: '2026-02-10T14:00:00Z' });
    const times = first.log_entries.map((e) => e.created_at);
    expect([...times].sort()).toEqual(times);
    expect(first.log_entries[0]?.html_url).toMatch(/^https:\/\/acme\.pagerduty\.com\/incidents\/PABC123\/log_entries\/\w+$/);

    const last = (await (await raw('/incidents/PABC123/log_entries?limit=100&offset=25&total=true')).json()) as Record<string, unknown> & { log_entries: { type: string }[] };
    expect(last).toMatchObject({ limit: 100, offset: 25, more: false, total: 40 });
    expect(last.log_entries).toHaveLength(15);
    expect(last.log_entries.at(-1)?.type).toBe('resolve_log_entry');

    // The test switch: newest first.
    api.logEntryOrder = 'newest_first';
    const reversed = (await (await raw('/incidents/PABC123/log_entries?limit=100')).json()) as { log_entries: { type: string }[] };
    expect(reversed.log_entries.map((e) => e.type).at(0)).toBe('resolve_log_entry');
    expect(reversed.log_entries.map((e) => e.type).at(-1)).toBe('trigger_log_entry');

    const tooMany = await raw('/incidents/PABC123/log_entries?limit=101');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: { message: 'Invalid Input Provided', code: 2001, errors: ['Limit must be ≤ 100'] } });
    expect((await raw('/incidents/PABC123/alerts?limit=100&offset=9901')).status).toBe(400);
    expect((await raw('/incidents/PABC123/alerts?limit=100&offset=9900')).status).toBe(200);
  });

  test('alerts, notes and related change events carry the real shapes', async () => {
    const alerts = (await (await raw('/incidents/PABC123/alerts?total=true')).json()) as { alerts: Record<string, unknown>[]; total: number };
    expect(alerts.total).toBe(14);
    expect(alerts.alerts[0]).toMatchObject({ type: 'alert', status: 'resolved', severity: 'critical', body: { details: expect.any(Object), contexts: [] } });
    for (const key of ['id', 'summary', 'created_at', 'alert_key', 'html_url']) expect(alerts.alerts[0]).toHaveProperty(key);

    const notes = (await (await raw('/incidents/PABC123/notes')).json()) as Record<string, unknown>;
    expect(Object.keys(notes)).toEqual(['notes']);
    expect((notes.notes as unknown[])[0]).toMatchObject({ user: { type: 'user_reference', summary: 'Jane Doe' }, content: expect.any(String) });

    const related = (await (await raw('/incidents/PABC123/related_change_events')).json()) as { change_events: Record<string, unknown>[] };
    expect(related.change_events[0]).toMatchObject({
      type: 'change_event',
      correlation_reason: { reason: 'most_recent' },
      links: [{ href: expect.stringMatching(/^https:/), text: expect.any(String) }],
    });
  });

  test('POST notes needs a From header and {note:{content}}; the note is stored', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      raw('/incidents/PABC123/notes', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    const noFrom = await post({}, { note: { content: 'hi' } });
    expect(noFrom.status).toBe(400);
    expect(await noFrom.json()).toEqual({ error: { message: 'You must specify a user in the From header', code: 2001 } });
    expect((await post({ from: 'oncall@acme.test' }, { content: 'not wrapped' })).status).toBe(400);

    const created = await post({ from: 'oncall@acme.test' }, { note: { content: 'Postmortem drafted: https://example.test/pr/1' } });
    expect(created.status).toBe(200); // the spec's answer (not 201)
    const { note } = (await created.json()) as { note: Record<string, unknown> };
    expect(note).toMatchObject({ content: 'Postmortem drafted: https://example.test/pr/1', user: { type: 'user_reference' } });
    const stored = api.notes('PABC123').at(-1);
    expect(note).toEqual({ ...stored, created_at: expect.stringMatching(/-0[45]:00$/), updated_at: expect.stringMatching(/-0[45]:00$/) });
    expect(Date.parse(String(note.created_at))).toBe(Date.parse(stored?.created_at ?? ''));
    expect(api.requests.at(-1)?.body).toEqual({ note: { content: 'Postmortem drafted: https://example.test/pr/1' } });
  });

  test('GET /services/{id}/change_events filters by since/until and paginates', async () => {
    const service = (api.incident('PABC123')?.service as { id: string }).id;
    const all = (await (await raw(`/services/${service}/change_events?total=true`)).json()) as { change_events: { timestamp: string }[]; total: number };
    expect(all.total).toBe(2);
    const recent = (await (await raw(`/services/${service}/change_events?since=2026-02-10T13:00:00Z&until=2026-02-10T14:00:00Z&time_zone=UTC`)).json()) as { change_events: { timestamp: string }[]; more: boolean };
    expect(recent.change_events.map((c) => c.timestamp)).toEqual(['2026-02-10T13:50:00Z']);
    expect(recent.more).toBe(false);
    // Without time_zone: the account's zone.
    const local = (await (await raw(`/services/${service}/change_events?since=2026-02-10T13:00:00Z&until=2026-02-10T14:00:00Z`)).json()) as { change_events: { timestamp: string }[] };
    expect(local.change_events.map((c) => c.timestamp)).toEqual(['2026-02-10T08:50:00-05:00']);
    // Only YYYY-MM-DDThh:mm:ssZ: milliseconds, offsets and prose are a 400 with PagerDuty's error body.
    for (const since of ['yesterday', '2026-02-10T13:00:00.000Z', '2026-02-10T08:00:00-05:00', '2026-02-10']) {
      const response = await raw(`/services/${service}/change_events?since=${encodeURIComponent(since)}&until=2026-02-10T14:00:00Z`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { message: "Invalid 'since' or 'until' Parameter Values", code: 2004, errors: [`since must be a UTC ISO 8601 datetime, YYYY-MM-DDThh:mm:ssZ (got "${since}")`] },
      });
    }
  });

  test('faults and rate limits are served in order, then the fake recovers', async () => {
    api.fail('/incidents/PABC123/alerts', { status: 503, times: 2 });
    api.fail(/notes$/, { status: 502, body: '<html>Bad Gateway</html>' });
    expect((await raw('/incidents/PABC123/alerts')).status).toBe(503);
    expect((await raw('/incidents/PABC123/alerts')).status).toBe(503);
    expect((await raw('/incidents/PABC123/alerts')).status).toBe(200);
    const gateway = await raw('/incidents/PABC123/notes');
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toMatch(/^text\/html/);

    api.rateLimit(1, 7);
    const limited = await raw('/incidents/PABC123', { token: 'not even checked' });
    expect(limited.status).toBe(429);
    expect(Object.fromEntries(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((h) => [h, limited.headers.get(h)]))).toEqual({
      'ratelimit-limit': '960',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '7',
    });
    expect(await limited.json()).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect((await raw('/incidents/PABC123')).status).toBe(200);
  });
});

describe('PagerDutyClient and contextFromApi against the fake', () => {
  test('250 log entries: fetched serially, 100 at a time, all in the timeline oldest first with their links', async () => {
    api.addIncident({ id: 'PBIG250', created_at: '2026-02-10T10:00:00Z', resolved_at: '2026-02-10T14:00:00Z' }, { logEntries: 250 });
    const context = await contextFromApi(client(), webhookInput('PBIG250'), NOW);

    expect(context.source).toBe('pagerduty_api');
    expect(context.limitation).toBeUndefined();
    expect(context.timeline).toHaveLength(250);
    const times = context.timeline.map((entry) => entry.at);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(250);
    expect(context.timeline[0]).toMatchObject({ kind: 'trigger', at: '2026-02-10T10:00:00Z' });
    expect(context.timeline.at(-1)).toMatchObject({ kind: 'resolve' });
    for (const entry of context.timeline) expect(entry.url).toMatch(/^https:\/\/acme\.pagerduty\.com\/incidents\/PBIG250\/log_entries\/\w+$/);
    expect(context.omitted.timeline).toBeUndefined();

    const pages = api.requests.filter((r) => r.path === '/incidents/PBIG250/log_entries');
    expect(pages.map((r) => [r.query.get('limit'), r.query.get('offset')])).toEqual([
      ['100', '0'],
      ['100', '100'],
      ['100', '200'],
    ]);
    expect(api.peakConcurrency).toBe(1);
    for (const request of api.requests) {
      expect(request.headers.authorization).toBe(`Token token=${api.token}`);
      expect(request.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
      expect(request.method).toBe('GET');
    }
    // 250 log entries → 84 alerts; one page of 100 and the cap keeps 50.
    expect(context.alerts).toHaveLength(CONTEXT_LIMITS.alerts);
    expect(context.omitted.alerts).toBe(84 - CONTEXT_LIMITS.alerts);
    expect(context.notes).toHaveLength(2);
    expect(context.changeEvents[0]).toMatchObject({ correlation: 'most_recent', source: 'github-actions', url: expect.stringMatching(/^https:\/\/github\.com\//) });
    expect(context.collectedAt).toBe(NOW.toISOString());
  });

  test('a 429 with ratelimit-reset: 3 is a retryable ExternalServiceUnavailable with nextRetryDelay 3 s', async () => {
    api.addIncident({ id: 'PRATE01', created_at: new Date(NOW.getTime() - 3_600_000).toISOString() });
    api.rateLimit(1, 3);
    const failure = await failureOf(() => contextFromApi(client(), webhookInput('PRATE01'), NOW));
    expect(failure.type).toBe('ExternalServiceUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(3000);
    expect(failure.message).toContain('429');
    expect(failure.message).toContain('Rate Limit Exceeded');
    expect(api.requests).toHaveLength(1);

    // The activity's retry then succeeds.
    const context = await contextFromApi(client(), webhookInput('PRATE01'), NOW);
    expect(context.incident.id).toBe('PRATE01');
    expect(context.limitation).toBeUndefined();
  });

  test('a 429 without headers and a 503 are retryable without a server-chosen delay', async () => {
    api.addIncident({ id: 'PRATE02' });
    api.fail('/incidents/PRATE02', { status: 429 });
    const limited = await failureOf(() => client().incident('PRATE02'));
    expect(limited.type).toBe('ExternalServiceUnavailable');
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay ?? undefined).toBeUndefined();

    api.fail('/incidents/PRATE02', { status: 503, body: 'upstream connect error' });
    const unavailable = await failureOf(() => client().incident('PRATE02'));
    expect(unavailable.nonRetryable).toBe(false);
    expect(unavailable.message).toContain('upstream connect error');
  });

  test('401 on the incident fetch: contextFromApi throws a non-retryable ExternalServiceRejected and asks nothing else', async () => {
    api.addIncident({ id: 'PAUTH01' });
    const failure = await failureOf(() => contextFromApi(client('u+revokedToken'), webhookInput('PAUTH01'), NOW));
    expect(failure.type).toBe('ExternalServiceRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('401');
    expect(failure.message).toContain('Authentication failed');
    expect(failure.message).not.toContain('u+revokedToken');
    expect(api.requests.map((r) => r.path)).toEqual(['/incidents/PAUTH01']);
  });

  test('404 for an unknown incident is non-retryable', async () => {
    const failure = await failureOf(() => contextFromApi(client(), webhookInput('PGONE01'), NOW));
    expect(failure.type).toBe('ExternalServiceRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('404');
  });

  test('a transient failure of a secondary list is retried while attempts remain', async () => {
    api.addIncident({ id: 'PPART00', resolved_at: '2026-02-10T15:00:00Z', created_at: '2026-02-10T14:00:00Z' });
    api.fail('/incidents/PPART00/alerts', { status: 503 });
    await expect(failureOf(() => contextFromApi(client(), webhookInput('PPART00'), NOW, 1))).resolves.toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false });
    // The next attempt, with the list healthy again, gets everything.
    const context = await contextFromApi(client(), webhookInput('PPART00'), NOW, 2);
    expect(context.limitation).toBeUndefined();
    expect(context.alerts.length).toBeGreaterThan(0);
  });

  test('a failing secondary list still yields a context on the last attempts; the limitation names what is missing', async () => {
    api.addIncident({ id: 'PPART01', resolved_at: '2026-02-10T15:00:00Z', created_at: '2026-02-10T14:00:00Z' });
    api.fail('/incidents/PPART01/alerts', { status: 500 });
    api.fail('/incidents/PPART01/related_change_events', { status: 403, body: { error: { message: 'Access Denied', code: 2010 } } });

    const context = await contextFromApi(client(), webhookInput('PPART01'), NOW, SECONDARY_LIST_ATTEMPTS);
    expect(context.source).toBe('pagerduty_api');
    expect(context.timeline).toHaveLength(7);
    expect(context.notes).toHaveLength(2);
    expect(context.alerts).toEqual([]);
    expect(context.changeEvents).toEqual([]);
    expect(context.limitation).toMatch(/^alerts unavailable \(.*500.*\); related change events unavailable \(.*403.*Access Denied\)$/);
    expect(context.limitation).not.toContain('log entries');
    expect(context.limitation).not.toContain('notes');
  });

  test('a failing log-entry page loses the timeline but its trigger entry, not the context', async () => {
    api.addIncident({ id: 'PPART02' }, { logEntries: 150 });
    api.fail('/incidents/PPART02/log_entries', { status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Offset invalid'] } } });
    const context = await contextFromApi(client(), webhookInput('PPART02'), NOW);
    expect(context.timeline.map((e) => e.kind)).toEqual(['trigger']);
    expect(context.limitation).toContain('log entries unavailable');
    expect(context.limitation).toContain('Offset invalid');
    expect(context.alerts.length).toBeGreaterThan(0);
  });

  test('null priority from the API wins over the webhook snapshot', async () => {
    api.addIncident({ id: 'PNOPRI1', priority: null });
    const context = await contextFromApi(client(), webhookInput('PNOPRI1', { priority: 'P1' }), NOW);
    expect(context.incident.priority).toBeNull();

    api.addIncident({ id: 'PPRI001', priority: { id: 'PPRI0P1', summary: 'P1' } });
    expect((await contextFromApi(client(), webhookInput('PPRI001', { priority: undefined }), NOW)).incident.priority).toBe('P1');
  });

  test('missing created_at (as in some real payloads) is tolerated', async () => {
    api.addIncident({ id: 'PNODATE', title: 'No creation time' });
    delete api.incident('PNODATE')?.created_at;
    const fromWebhook = await contextFromApi(client(), webhookInput('PNODATE'), NOW);
    expect(fromWebhook.incident).toMatchObject({ title: 'No creation time', createdAt: '2026-02-10T14:00:00Z' });

    const nowhere = await contextFromApi(client(), webhookInput('PNODATE', { createdAt: undefined }), NOW);
    expect(nowhere.incident.createdAt).toBeUndefined();
    expect(nowhere.timeline.length).toBeGreaterThan(0);
  });

  test('an incident resolved by merge records where it went', async () => {
    api.addIncident({
      id: 'PMERGED',
      status: 'resolved',
      created_at: '2026-02-10T14:00:00Z',
      resolved_at: '2026-02-10T14:10:00Z',
      resolve_reason: { type: 'merge_resolve_reason', incident: { id: 'PPARENT' } },
    });
    const context = await contextFromApi(client(), webhookInput('PMERGED'), NOW);
    expect(context.incident).toMatchObject({ id: 'PMERGED', status: 'resolved', resolvedAt: '2026-02-10T14:10:00Z', mergedInto: 'PPARENT' });
    expect(context.timeline.at(-1)?.summary).toContain('PPARENT');
  });

  test('the API snapshot refines the webhook one', async () => {
    api.addIncident({
      id: 'PREFINE',
      incident_number: 77,
      title: 'Payments latency',
      urgency: 'low',
      service: { id: 'PSVCPAY', summary: 'payments' },
      created_at: '2026-02-10T12:00:00Z',
    });
    const context = await contextFromApi(client(), webhookInput('PREFINE'), NOW);
    expect(context.incident).toEqual({
      id: 'PREFINE',
      number: 77,
      title: 'Payments latency',
      status: 'triggered',
      urgency: 'low',
      priority: 'P2',
      service: { id: 'PSVCPAY', name: 'payments', htmlUrl: 'https://acme.pagerduty.com/service-directory/PSVCPAY' },
      htmlUrl: 'https://acme.pagerduty.com/incidents/PREFINE',
      createdAt: '2026-02-10T12:00:00Z',
    });
  });

  test(`more log entries than CONTEXT_LIMITS.timeline (${CONTEXT_LIMITS.timeline}): all pages read, the middle cut, omitted.timeline counts it`, async () => {
    const count = CONTEXT_LIMITS.timeline + 57;
    api.addIncident({ id: 'PHUGE01', created_at: '2026-02-09T00:00:00Z', resolved_at: '2026-02-10T00:00:00Z' }, { logEntries: count });
    const context = await contextFromApi(client(), webhookInput('PHUGE01'), NOW);
    expect(context.timeline).toHaveLength(CONTEXT_LIMITS.timeline);
    expect(context.omitted.timeline).toBe(57);
    expect(context.timeline[0]).toMatchObject({ kind: 'trigger', at: '2026-02-09T00:00:00Z' });
    expect(context.timeline.at(-1)?.kind).toBe('resolve');
    const times = context.timeline.map((entry) => entry.at);
    expect([...times].sort()).toEqual(times);
    const pages = api.requests.filter((r) => r.path.endsWith('/log_entries'));
    expect(pages.map((r) => Number(r.query.get('offset')))).toEqual([0, 100, 200, 300]);
    expect(pages.every((r) => r.query.get('limit') === '100' && r.query.get('total') === 'true')).toBe(true);
  });

  test('long texts are clipped to CONTEXT_LIMITS.textChars (by clipContext, after redaction: contextFromApi keeps them whole)', async () => {
    const long = 'x'.repeat(CONTEXT_LIMITS.textChars + 500);
    api.addIncident({ id: 'PLONG01' }, { notes: [{ id: 'PNOTE01', user: { id: 'PUSR001', type: 'user_reference', summary: 'Jane Doe' }, content: long, created_at: '2026-02-10T14:00:00Z' }] });
    const whole = await contextFromApi(client(), webhookInput('PLONG01'), NOW);
    expect(whole.notes[0]?.content).toBe(long);
    const context = clipContext(whole);
    expect(context.notes[0]?.content).toHaveLength(CONTEXT_LIMITS.textChars + 1);
    expect(context.notes[0]).toMatchObject({ author: 'Jane Doe', at: '2026-02-10T14:00:00Z' });
  });
});

describe('contextFromWebhooks', () => {
  test('without the API the context is what the webhooks said, with the reason stated', () => {
    const input = webhookInput('PHOOK01', { priority: null });
    const context = contextFromWebhooks(input, 'No PagerDuty API token configured', NOW);
    expect(context).toEqual({
      source: 'webhook_only',
      limitation: 'No PagerDuty API token configured',
      incident: input.incident,
      timeline: input.observed,
      alerts: [],
      notes: input.observedNotes,
      changeEvents: [],
      // Derived from the observed events: acknowledged 5 min after creation, by the one responder.
      metrics: { timeToAcknowledgeMs: 300_000, timeToResolveMs: undefined, responders: ['Jane Doe'] },
      omitted: {},
      collectedAt: NOW.toISOString(),
    });
  });

  test('after the API rejects the token, the webhook context is the fallback and keeps the latest events', async () => {
    api.addIncident({ id: 'PHOOK02' });
    const failure = await failureOf(() => contextFromApi(client('u+wrong'), webhookInput('PHOOK02'), NOW));
    const observed: TimelineEntry[] = Array.from({ length: CONTEXT_LIMITS.timeline + 5 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 1, 10, 14, 0, i)).toISOString(),
      kind: 'annotated',
      summary: `note ${i}`,
    }));
    const context = contextFromWebhooks({ ...webhookInput('PHOOK02'), observed }, failure.message, NOW);
    expect(context.limitation).toContain('401');
    expect(context.timeline).toHaveLength(CONTEXT_LIMITS.timeline);
    expect(context.timeline[0]?.summary).toBe('note 5');
    expect(context.timeline.at(-1)?.summary).toBe(`note ${CONTEXT_LIMITS.timeline + 4}`);
    expect(context.omitted.timeline).toBe(5);
  });
});

describe('times: asked in UTC, read in UTC whatever PagerDuty renders', () => {
  test('every list is asked with time_zone=UTC; since/until to the second; times in the account zone are normalised', async () => {
    api.addIncident({ id: 'PZONE01', created_at: '2026-02-10T14:00:00Z', resolved_at: '2026-02-10T14:50:00Z' });
    const context = await contextFromApi(client(), webhookInput('PZONE01'), NOW);
    const lists = api.requests.filter((r) => r.path !== '/incidents/PZONE01');
    expect(lists.map((r) => r.path)).toEqual([
      '/incidents/PZONE01/log_entries',
      '/incidents/PZONE01/alerts',
      '/incidents/PZONE01/notes',
      '/incidents/PZONE01/related_change_events',
      '/services/PSVC7Q1/change_events',
    ]);
    for (const request of lists) expect(request.query.get('time_zone')).toBe('UTC');
    const window = lists.at(-1)?.query;
    expect([window?.get('since'), window?.get('until')]).toEqual(['2026-02-10T12:00:00Z', '2026-02-10T14:50:00Z']);
    expect(context.limitation).toBeUndefined();
    expect(context.serviceChanges?.length).toBeGreaterThan(0);
    // A window with milliseconds goes out rounded outwards to the second (PagerDuty answers 400 to milliseconds).
    const listed = await client().serviceChangeEvents('PSVC7Q1', new Date('2026-02-10T11:59:59.250Z'), new Date('2026-02-10T14:50:00.750Z'), 10);
    expect(listed.items.length).toBeGreaterThan(0);
    expect([api.requests.at(-1)?.query.get('since'), api.requests.at(-1)?.query.get('until')]).toEqual(['2026-02-10T11:59:59Z', '2026-02-10T14:50:01Z']);
    // The notes take no time_zone and come in the account's zone (-05:00): read as UTC.
    const asServed = (await (await raw('/incidents/PZONE01/notes?time_zone=UTC')).json()) as { notes: { created_at: string }[] };
    expect(asServed.notes.map((n) => n.created_at)).toEqual(['2026-02-10T09:16:40-05:00', '2026-02-10T09:33:20-05:00']);
    for (const note of context.notes) expect(note.at).toMatch(/^2026-02-10T\d{2}:\d{2}:\d{2}Z$/);
    expect(context.notes.map((n) => n.at)).toEqual(api.notes('PZONE01').map((n) => n.created_at));
  });

  test('an account far from UTC (+05:30) that ignored time_zone would still give UTC times in the pack', async () => {
    api.accountTimeZone = 'Asia/Kolkata';
    api.addIncident({ id: 'PZONE02', created_at: '2026-02-10T14:00:00Z', resolved_at: '2026-02-10T14:50:00Z' });
    const rendered = (await (await raw('/incidents/PZONE02/log_entries')).json()) as { log_entries: { created_at: string }[] };
    expect(rendered.log_entries[0]?.created_at).toBe('2026-02-10T19:30:00+05:30');
    const context = await contextFromApi(client(), webhookInput('PZONE02'), NOW);
    expect(context.timeline[0]).toMatchObject({ kind: 'trigger', at: '2026-02-10T14:00:00Z' });
    expect(context.notes.every((n) => n.at.endsWith('Z'))).toBe(true);
  });
});

describe('the timeline cap keeps what matters whatever order PagerDuty lists in', () => {
  const seedLong = (id: string, count: number) =>
    api.addIncident({ id, created_at: '2026-02-01T00:00:00Z', resolved_at: '2026-02-03T00:00:00Z' }, { logEntries: count });

  test('newest-first and oldest-first answers give the same pack: trigger, resolution and the latest notes kept, the middle cut', async () => {
    seedLong('PORDER1', 700);
    const oldestFirst = await contextFromApi(client(), webhookInput('PORDER1'), NOW);
    api.logEntryOrder = 'newest_first';
    const newestFirst = await contextFromApi(client(), webhookInput('PORDER1'), NOW);
    expect(newestFirst).toEqual(oldestFirst);

    const { timeline } = oldestFirst;
    expect(timeline).toHaveLength(CONTEXT_LIMITS.timeline);
    expect(oldestFirst.omitted.timeline).toBe(700 - CONTEXT_LIMITS.timeline);
    expect(timeline[0]?.kind).toBe('trigger');
    expect(timeline.at(-1)?.kind).toBe('resolve');
    // The latest notes (annotate entries) are all there.
    const latestNotes = (await client().logEntries('PORDER1')).items
      .filter((e) => e.type === 'annotate_log_entry')
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
      .slice(0, CONTEXT_LIMITS.notes);
    expect(latestNotes).toHaveLength(CONTEXT_LIMITS.notes);
    const urls = new Set(timeline.map((e) => e.url));
    for (const note of latestNotes) expect(urls.has(note.html_url ?? '')).toBe(true);
    const times = timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    // The middle is what went: the kept entries are the earliest and the latest, with a gap between.
    const gaps = times.slice(1).map((t, i) => Date.parse(t) - Date.parse(times[i] ?? t));
    expect(Math.max(...gaps)).toBeGreaterThan(100 * Math.min(...gaps.filter((g) => g > 0)));
  });

  test(`at most ${MAX_LOG_ENTRIES} entries are read (20 pages: both ends); omitted counts the unread from total and the cut`, async () => {
    seedLong('PBOUND1', MAX_LOG_ENTRIES + 50);
    const packs = [];
    for (const order of ['oldest_first', 'newest_first'] as const) {
      api.logEntryOrder = order;
      const before = api.requests.length;
      const context = await contextFromApi(client(), webhookInput('PBOUND1'), NOW);
      const pages = api.requests.slice(before).filter((r) => r.path === '/incidents/PBOUND1/log_entries');
      // The first 1,000, then the last 1,000 of the 2,050: the middle 50 go unread.
      expect(pages.map((r) => Number(r.query.get('offset')))).toEqual([...Array(10).keys()].map((i) => i * 100).concat([...Array(10).keys()].map((i) => 1050 + i * 100)));
      expect(context.timeline).toHaveLength(CONTEXT_LIMITS.timeline);
      expect(context.omitted.timeline).toBe(MAX_LOG_ENTRIES + 50 - CONTEXT_LIMITS.timeline);
      expect(context.timeline[0]?.kind).toBe('trigger');
      expect(context.timeline.at(-1)?.kind).toBe('resolve');
      packs.push(context);
    }
    // The unread middle differs with the order; both ends do not.
    expect(packs[1]?.timeline.slice(0, 100)).toEqual(packs[0]?.timeline.slice(0, 100));
    expect(packs[1]?.timeline.slice(-100)).toEqual(packs[0]?.timeline.slice(-100));
  });
});

describe('GET /incidents and GET /priorities', () => {
  const resolvedAt = (created: string) => new Date(Date.parse(created) + 30 * 60_000).toISOString().replace(/\.000Z$/, 'Z');
  const seedAt = (id: string, created: string, status: 'resolved' | 'acknowledged' = 'resolved') =>
    api.addIncident({ id, created_at: created, status, resolved_at: status === 'resolved' ? resolvedAt(created) : null });
  const ids = (body: unknown) => (body as { incidents: { id: string }[] }).incidents.map((i) => i.id);

  test('the fake: statuses[], since/until (6 months at most, to the second), sort, pagination; UTC unless time_zone says', async () => {
    seedAt('PLIST01', '2026-01-10T10:00:00Z');
    seedAt('PLIST02', '2026-01-05T10:00:00Z');
    seedAt('PLIST03', '2026-01-07T10:00:00Z', 'acknowledged');
    const window = 'since=2026-01-01T00:00:00Z&until=2026-02-01T00:00:00Z';
    expect(ids(await (await raw(`/incidents?${window}&statuses%5B%5D=resolved`)).json())).toEqual(['PLIST02', 'PLIST01']);
    expect(ids(await (await raw(`/incidents?${window}&sort_by=created_at:desc`)).json())).toEqual(['PLIST01', 'PLIST03', 'PLIST02']);
    const first = (await (await raw(`/incidents?${window}&limit=1&total=true`)).json()) as { incidents: { id: string; created_at: string }[]; more: boolean; total: number };
    expect(first).toMatchObject({ more: true, total: 3, incidents: [{ id: 'PLIST02', created_at: '2026-01-05T10:00:00Z' }] });
    const local = (await (await raw(`/incidents?${window}&limit=1&time_zone=America/New_York`)).json()) as { incidents: { created_at: string }[] };
    expect(local.incidents[0]?.created_at).toBe('2026-01-05T05:00:00-05:00');

    // Six calendar months is the most; a second more is a 400.
    expect((await raw('/incidents?since=2025-08-01T00:00:00Z&until=2026-02-01T00:00:00Z')).status).toBe(200);
    const tooLong = await raw('/incidents?since=2025-08-01T00:00:00Z&until=2026-02-01T00:00:01Z');
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ error: { message: "Invalid 'since' or 'until' Parameter Values", code: 2004, errors: ['The maximum range between since and until is 6 months'] } });
    for (const bad of ['since=2026-01-01T00:00:00.000Z', 'since=2026-01-01', 'statuses%5B%5D=closed', 'sort_by=title']) expect((await raw(`/incidents?${bad}`)).status).toBe(400);
  });

  test('client.resolvedIncidents: 400 days in consecutive windows of at most 180 days, to the second, each incident once, oldest first', async () => {
    const since = new Date('2025-01-01T00:00:00.400Z');
    const until = new Date('2026-02-05T10:00:00.200Z');
    const boundary = '2025-06-30T00:00:00Z'; // since + 180 days: the end of the first window and the start of the second
    seedAt('PWIN001', '2025-01-01T00:00:00Z');
    seedAt('PWIN002', boundary);
    seedAt('PWIN003', '2025-09-01T12:00:00Z');
    seedAt('PWIN004', '2026-02-05T10:00:00Z');
    seedAt('PWIN005', '2025-03-01T00:00:00Z', 'acknowledged');
    const listed = await client().resolvedIncidents(since, until);
    expect(listed).toMatchObject({ truncated: false });
    expect(listed.incidents.map((i) => i.id)).toEqual(['PWIN001', 'PWIN002', 'PWIN003', 'PWIN004']);

    const windows = api.requests.filter((r) => r.path === '/incidents').map((r) => [r.query.get('since'), r.query.get('until')]);
    expect(windows).toEqual([
      ['2025-01-01T00:00:00Z', boundary],
      [boundary, '2025-12-27T00:00:00Z'],
      ['2025-12-27T00:00:00Z', '2026-02-05T10:00:01Z'],
    ]);
    for (const request of api.requests.filter((r) => r.path === '/incidents')) {
      expect(request.query.getAll('statuses[]')).toEqual(['resolved']);
      expect(request.query.get('time_zone')).toBe('UTC');
      expect(request.query.get('sort_by')).toBe('created_at:asc');
    }
  });

  test('GET /priorities: the account\'s own, most severe first, through the client', async () => {
    expect((await client().priorities()).map((p) => p.name)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    api.setPriorities(['SEV-1', 'SEV-2', 'Critical', 'Minor']);
    const body = (await (await raw('/priorities')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ limit: 25, offset: 0, more: false, total: null, priorities: [{ type: 'priority', name: 'SEV-1', summary: 'SEV-1' }, {}, {}, {}] });
    expect((await client().priorities()).map((p) => p.name)).toEqual(['SEV-1', 'SEV-2', 'Critical', 'Minor']);
  });
});

describe('trimmed notes', () => {
  const TEXT = 'Rolled back checkout-api to v2.13.2: the v2.14.0 deploy cut DB_POOL_SIZE from 50 to 10, so every pod waited on connections. Error rate under 0.5% since 13:05.';

  function trimmedNoteEvent(id: string) {
    const incident = sampleIncident({ id });
    const payload = incidentWebhook('incident.annotated', incident, { note: TEXT.slice(0, 60), occurredAt: '2026-02-10T14:20:00Z' });
    (payload.event.data as Record<string, unknown>).trimmed = true;
    const parsed = parseWebhook(payload, undefined, NOW);
    if (parsed.kind !== 'incident_event') throw new Error('expected an incident event');
    return parsed.event;
  }

  test('without a token the webhook-only pack says the note was cut, never passing half a note as whole', () => {
    const state = new IncidentState('PTRIM01');
    state.record(trimmedNoteEvent('PTRIM01'));
    const context = contextFromWebhooks(state.evidenceRequest(), 'PAGERDUTY_API_TOKEN is not set: built from webhook data alone', NOW);
    // The author is the webhook's agent: a pseudonym at the bridge (personal data redacted by default).
    expect(context.notes).toEqual([{ at: '2026-02-10T14:20:00.000Z', author: '[REDACTED:person] PUSER01', content: `${TEXT.slice(0, 60)} … (trimmed by PagerDuty)` }]);
    expect(buildPostmortemPrompt(context)).toContain('(trimmed by PagerDuty)');
  });

  test('with a token the pack\'s notes are GET /incidents/{id}/notes, in full', async () => {
    api.addIncident({ id: 'PTRIM02', created_at: '2026-02-10T14:00:00Z' }, { notes: [{ id: 'PNOTE09', user: { id: 'PUSR0A1', type: 'user_reference', summary: 'Jane Doe' }, content: TEXT, created_at: '2026-02-10T14:20:00Z' }] });
    const state = new IncidentState('PTRIM02');
    state.record(trimmedNoteEvent('PTRIM02'));
    const context = await contextFromApi(client(), state.evidenceRequest(), NOW);
    expect(context.notes).toEqual([{ at: '2026-02-10T14:20:00Z', author: 'Jane Doe', content: TEXT }]);
    expect(JSON.stringify(context)).not.toContain('trimmed by PagerDuty');
    expect(api.requests.some((r) => r.path === '/incidents/PTRIM02/notes')).toBe(true);
  });
});

describe('account priorities for severity routing (the worker\'s cache, the settings, the start-up check)', () => {
  const config = (extra: Record<string, string> = {}) => loadWorkerConfig({ PAGERDUTY_API_TOKEN: api.token, PAGERDUTY_API_BASE_URL: api.baseUrl, HTTP_TIMEOUT: '5s', ...extra });
  const clockAt = (ms: number) => ({ now: () => new Date(ms) });
  const priorityReads = () => api.requests.filter((r) => r.path === '/priorities').length;

  test('the settings carry the list, read once an hour; a failure is a stated unknown, never a failed activity', async () => {
    api.setPriorities(['SEV-1', 'SEV-2', 'SEV-3']);
    let now = NOW.getTime();
    const clock = { now: () => new Date(now) };
    const activities = createActivities(config({ POSTMORTEM_MIN_PRIORITY: 'SEV-2' }), clock);
    const [a, b] = await Promise.all([activities.getPostmortemSettings(), activities.getPostmortemSettings()]);
    expect(a.routing).toEqual({ minPriority: 2, minPriorityName: 'SEV-2', noPriority: 'urgency', priorities: ['SEV-1', 'SEV-2', 'SEV-3'] });
    expect(b).toEqual(a);
    now += PRIORITIES_TTL_MS - 1;
    await activities.getPostmortemSettings();
    expect(priorityReads()).toBe(1);

    now += 2;
    api.fail('/priorities', { status: 403 });
    const failed = await activities.getPostmortemSettings();
    expect(failed.routing.priorities).toBeUndefined();
    expect(failed.routing.prioritiesUnknown).toMatch(/^account priorities could not be read \(PagerDuty GET \/priorities answered 403: Access Denied\)$/);
    expect(routePostmortem({ id: 'X', priority: 'SEV-3' }, failed.routing).reason).toBe(`priority SEV-3 is below POSTMORTEM_MIN_PRIORITY=SEV-2 (by the P/SEV number; ${failed.routing.prioritiesUnknown})`);
    // A failure is remembered for a minute, then the list is asked again.
    await activities.getPostmortemSettings();
    expect(priorityReads()).toBe(2);
    now += 61_000;
    expect((await activities.getPostmortemSettings()).routing.priorities).toEqual(['SEV-1', 'SEV-2', 'SEV-3']);
    expect(priorityReads()).toBe(3);

    const noToken = await createActivities(loadWorkerConfig({}), clockAt(NOW.getTime())).getPostmortemSettings();
    expect(noToken.routing).toEqual({ minPriority: 2, minPriorityName: 'P2', noPriority: 'urgency', prioritiesUnknown: 'account priorities unknown: PAGERDUTY_API_TOKEN is not set' });
  });

  test('start-up: a custom POSTMORTEM_MIN_PRIORITY must be one of the account\'s priorities, or the worker refuses to start', async () => {
    api.setPriorities(['SEV-1', 'Critical', 'High', 'Low']);
    const cache = (extra: Record<string, string>) => {
      const c = config(extra);
      return [c.routing, new PriorityCache(c, clockAt(NOW.getTime()))] as const;
    };
    await expect(checkPriorityThreshold(...cache({ POSTMORTEM_MIN_PRIORITY: 'critical' }))).resolves.toBeUndefined();
    const refused = checkPriorityThreshold(...cache({ POSTMORTEM_MIN_PRIORITY: 'Urgent' }));
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(`POSTMORTEM_MIN_PRIORITY: "Urgent" is not one of the account's priorities (SEV-1, Critical, High, Low); name one of them, or P1…P9`);
    // P1…P9 need no list: nothing is asked at start.
    const before = priorityReads();
    await expect(checkPriorityThreshold(...cache({ POSTMORTEM_MIN_PRIORITY: 'P3' }))).resolves.toBeUndefined();
    expect(priorityReads()).toBe(before);
    // The list cannot be read now: start, and say routing drafts such incidents to be safe until it can.
    api.fail('/priorities', { status: 503 });
    await expect(checkPriorityThreshold(...cache({ POSTMORTEM_MIN_PRIORITY: 'Critical' }))).resolves.toMatch(/^POSTMORTEM_MIN_PRIORITY=Critical could not be checked: account priorities could not be read \(.*503/);
  });
});

describe('the evidence activity redacts before it clips', () => {
  // A secret that straddles a clip: clipped first, its head would reach history as a half token no detector knows.
  const github = 'ghp_' + 'FAKEfake00'.repeat(4).slice(0, 36);
  const awsKey = 'AKIA' + 'FAKEFAKEFAKE0000';
  let datadog: FakeDatadogApi;

  beforeEach(async () => {
    datadog = await FakeDatadogApi.start();
  });
  afterEach(async () => {
    await datadog.close();
  });

  test('a token across the 1,000-character clip of a note or alert details, or the 500 of a Datadog log, goes whole', async () => {
    const note = `${'x '.repeat(495)}${github} rotated`; // the token starts at 990
    const details = { message: `${'y'.repeat(977)} ${awsKey} denied` }; // in the details' JSON, the key starts at 990
    api.addIncident(
      { id: 'PCLIP01', created_at: '2026-02-10T14:00:00Z', resolved_at: '2026-02-10T15:00:00Z' },
      {
        notes: [{ id: 'PNOTE01', user: { id: 'PUSR001', type: 'user_reference', summary: 'Jane Doe' }, content: note, created_at: '2026-02-10T14:20:00Z' }],
        alerts: [
          {
            id: 'PALERT1',
            type: 'alert',
            summary: 'Access denied',
            html_url: 'https://acme.pagerduty.com/alerts/PALERT1',
            created_at: '2026-02-10T14:01:00Z',
            status: 'resolved',
            severity: 'critical',
            alert_key: 'k1',
            body: { type: 'alert_body', details, contexts: [] },
          },
        ],
      },
    );
    datadog.addLogs({ timestamp: '2026-02-10T14:10:00.000Z', service: 'checkout-api', status: 'error', message: `${'z '.repeat(240)}${github} leaked` }); // at 488 of the summary
    const config = loadWorkerConfig({
      PAGERDUTY_API_TOKEN: api.token,
      PAGERDUTY_API_BASE_URL: api.baseUrl,
      HTTP_TIMEOUT: '5s',
      DATADOG_API_KEY: datadog.apiKey,
      DATADOG_APP_KEY: datadog.appKey,
      DATADOG_API_BASE_URL: datadog.baseUrl,
      DATADOG_SERVICE_TAG: 'checkout-api',
    });
    const activities = createActivities(config, { now: () => NOW });
    const pack: IncidentContext = await new MockActivityEnvironment().run(activities.collectIncidentContext, webhookInput('PCLIP01', { createdAt: '2026-02-10T14:00:00Z' }));

    const content = pack.notes[0]?.content ?? '';
    const alertDetails = pack.alerts[0]?.details ?? '';
    const log = pack.external?.[0]?.items.find((item) => item.kind === 'datadog_log')?.summary ?? '';
    for (const [text, secret, bound] of [[content, github, CONTEXT_LIMITS.textChars + 1], [alertDetails, awsKey, CONTEXT_LIMITS.textChars + 1], [log, github, 500]] as const) {
      expect(text.length).toBeGreaterThan(bound - 20); // really clipped near the bound…
      expect(text.length).toBeLessThanOrEqual(bound);
      expect(text.endsWith('…')).toBe(true);
      expect(text).not.toContain(secret.slice(0, 6)); // …and no head of the secret left at the cut
      expect(text).not.toMatch(/\[REDACTED:[a-z_]*…$/); // nor half a marker
    }
    expect(pack.redactions).toEqual({ github_token: 2, aws_access_key: 1, person: expect.any(Number) }); // and the people the API names
  });
});
