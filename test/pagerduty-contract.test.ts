// PagerDuty's published examples (test/fixtures/published/pagerduty/, sources in its README) against
// (1) the fake: for each endpoint the service uses, the fake answers with the example's shape — the same
// keys, with the same JSON types, at every level the service reads (extra fields allowed; null stands for
// a nullable field); and (2) the service: the client, the mapper and the webhook parser read the examples
// as they are, served by the fake exactly as published.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../activities/failures';
import type { ApiAlert, ApiChangeEvent, ApiIncident, ApiLogEntry, ApiNote, ApiPriority } from '../src/integrations/pagerduty/api';
import { backfillEvent } from '../src/integrations/pagerduty/backfill';
import { PagerDutyClient } from '../src/integrations/pagerduty/client';
import { alertSummary, changeEvent, incidentNote, priorityNames, snapshotFromIncident, timelineEntry } from '../src/integrations/pagerduty/mapper';
import { hasValidSignature, parseWebhook } from '../src/integrations/pagerduty/webhook';
import { FakePagerDutyApi } from './fakes/pagerduty-api';

const DIR = path.join(__dirname, 'fixtures', 'published', 'pagerduty');
const published = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as T;
const NOW = new Date('2026-02-10T18:00:00Z');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Where `actual` lacks a key of `example`, or has it with another JSON type, at this one level. */
function levelProblems(example: unknown, actual: unknown, at: string): string[] {
  if (example === null || actual === null || example === undefined) return [];
  if (jsonType(example) !== jsonType(actual)) return [`${at}: ${jsonType(actual)} where PagerDuty sends ${jsonType(example)}`];
  if (jsonType(example) !== 'object') return [];
  const e = example as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  return Object.keys(e).flatMap((key) => {
    if (!(key in a)) return [`${at}.${key}: missing`];
    const [te, ta] = [jsonType(e[key]), jsonType(a[key])];
    return te !== ta && te !== 'null' && ta !== 'null' ? [`${at}.${key}: ${ta} where PagerDuty sends ${te}`] : [];
  });
}

/**
 * The example's shape at the root and along each path (`log_entries[].agent`): a list's example item is
 * compared with each of the fake's items of the same `type` (a trigger entry with trigger entries).
 */
function shapeProblems(example: unknown, actual: unknown, paths: string[]): string[] {
  const problems = levelProblems(example, actual, '$');
  for (const p of paths) {
    let examples: unknown[] = [example];
    let actuals: unknown[] = [actual];
    let at = '$';
    for (const segment of p.split('.')) {
      const list = segment.endsWith('[]');
      const key = list ? segment.slice(0, -2) : segment;
      at += `.${key}${list ? '[]' : ''}`;
      examples = examples.map((e) => (e as Record<string, unknown> | null)?.[key]);
      // A key the fake lacks was reported at the level above.
      actuals = actuals.map((a) => (a as Record<string, unknown> | null)?.[key]).filter((a) => a !== undefined);
      if (list) {
        const item = examples.flatMap((e) => (Array.isArray(e) ? e.slice(0, 1) : []))[0];
        const all = actuals.flatMap((a) => (Array.isArray(a) ? (a as unknown[]) : []));
        const type = (item as { type?: unknown } | undefined)?.type;
        const same = all.filter((a) => (a as { type?: unknown }).type === type);
        examples = item === undefined ? [] : [item];
        actuals = same.length > 0 ? same : all;
        if (item !== undefined && actuals.length === 0) problems.push(`${at}: the fake's list is empty`);
      }
      const [first] = examples;
      if (first === undefined || first === null) break;
      for (const a of actuals) problems.push(...levelProblems(first, a, at));
    }
  }
  return [...new Set(problems)];
}

let api: FakePagerDutyApi;
beforeEach(async () => {
  api = await FakePagerDutyApi.start();
  api.addIncident({ id: 'PFAKE01', created_at: '2026-02-10T14:00:00Z', resolved_at: '2026-02-10T14:50:00Z' }, { logEntries: 12 });
});
afterEach(async () => {
  await api.close();
});

const client = () => new PagerDutyClient({ baseUrl: api.baseUrl, token: api.token }, 5_000);
const get = async (p: string): Promise<Json> => {
  const response = await fetch(`${api.baseUrl}${p}`, { headers: { authorization: `Token token=${api.token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
};
/** The next request to exactly this path answers the published example, as PagerDuty would. */
const serve = (p: string, body: unknown, status = 200, headers?: Record<string, string>) => api.fail(new RegExp(`^${p.replace(/[{}]/g, '\\$&')}$`), { status, body, headers });

describe('the fake answers in the published shapes', () => {
  it.each([
    ['GET /incidents/{id}', 'rest-get-incident.200.json', '/incidents/PFAKE01', ['incident', 'incident.service', 'incident.priority', 'incident.first_trigger_log_entry', 'incident.alert_counts']],
    ['GET /incidents/{id}/log_entries', 'rest-list-incident-log-entries.200.json', '/incidents/PFAKE01/log_entries?include%5B%5D=channels&time_zone=UTC', ['log_entries[]', 'log_entries[].agent', 'log_entries[].channel']],
    ['GET /incidents/{id}/alerts', 'rest-list-incident-alerts.200.json', '/incidents/PFAKE01/alerts?time_zone=UTC', ['alerts[]', 'alerts[].body', 'alerts[].service']],
    ['GET /incidents/{id}/notes', 'rest-list-incident-notes.200.json', '/incidents/PFAKE01/notes?time_zone=UTC', ['notes[]', 'notes[].user', 'notes[].channel']],
    ['GET /incidents/{id}/related_change_events', 'rest-list-incident-related-change-events.200.json', '/incidents/PFAKE01/related_change_events?time_zone=UTC', ['change_events[]', 'change_events[].links[]', 'change_events[].correlation_reason']],
    ['GET /services/{id}/change_events', 'rest-list-service-change-events.200.json', '/services/PSVC7Q1/change_events?time_zone=UTC', ['change_events[]', 'change_events[].links[]']],
    ['GET /incidents', 'rest-list-incidents.200.json', '/incidents?statuses%5B%5D=resolved&since=2026-02-01T00:00:00Z&until=2026-02-11T00:00:00Z&time_zone=UTC', ['incidents[]', 'incidents[].service', 'incidents[].priority', 'incidents[].first_trigger_log_entry']],
    ['GET /priorities', 'rest-list-priorities.200.json', '/priorities', ['priorities[]']],
  ])('%s', async (_endpoint, file, request, paths) => {
    expect(shapeProblems(published(file), await get(request), paths)).toEqual([]);
  });

  it('POST /incidents/{id}/notes: 200 and the note', async () => {
    const response = await fetch(`${api.baseUrl}/incidents/PFAKE01/notes`, {
      method: 'POST',
      headers: { authorization: `Token token=${api.token}`, 'content-type': 'application/json', from: 'oncall@acme.test' },
      body: JSON.stringify({ note: { content: 'Postmortem drafted' } }),
    });
    expect(response.status).toBe(200);
    expect(shapeProblems(published('rest-create-incident-note.200.json'), await response.json(), ['note', 'note.user', 'note.channel'])).toEqual([]);
  });

  it('429: the status, the rate-limit headers and the error body', async () => {
    const example = published<{ status: number; headers: Record<string, string>; body: unknown }>('rest-429-rate-limit.json');
    api.rateLimit(1, 20);
    const response = await fetch(`${api.baseUrl}/incidents/PFAKE01`, { headers: { authorization: `Token token=${api.token}` } });
    expect(response.status).toBe(example.status);
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(response.headers.get(name)).toBe(example.headers[name]);
    expect(await response.json()).toEqual(example.body);
  });

  it('the comparison itself catches a missing key and a changed type', () => {
    expect(shapeProblems({ a: { b: 1, c: 'x' } }, { a: { b: '1' } }, ['a'])).toEqual(['$.a.b: string where PagerDuty sends number', '$.a.c: missing']);
  });
});

describe('the service reads the published examples', () => {
  it('GET /incidents/{id} → the incident snapshot; the first trigger is a reference without a time', async () => {
    serve('/incidents/PT4KHLK', published('rest-get-incident.200.json'));
    const incident = await client().incident('PT4KHLK');
    expect(snapshotFromIncident(incident)).toEqual({
      id: 'PT4KHLK',
      number: 1234,
      title: 'The server is on fire.',
      status: 'acknowledged',
      urgency: 'high',
      priority: 'P2',
      service: { id: 'PIJ90N7', name: 'My Mail Service', htmlUrl: 'https://subdomain.pagerduty.com/service-directory/PIJ90N7' },
      htmlUrl: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
      createdAt: '2015-10-06T21:30:42Z',
    });
    expect(incident.first_trigger_log_entry).toMatchObject({ id: 'Q02JTSNZWHSEKV', type: 'trigger_log_entry_reference' });
    expect(incident.first_trigger_log_entry?.created_at).toBeUndefined();
  });

  it('log entries, alerts, notes (-05:00 read as UTC), related and service change events', async () => {
    serve('/incidents/PT4KHLK/log_entries', published('rest-list-incident-log-entries.200.json'));
    serve('/incidents/PT4KHLK/alerts', published('rest-list-incident-alerts.200.json'));
    serve('/incidents/PT4KHLK/notes', published('rest-list-incident-notes.200.json'));
    serve('/incidents/PT4KHLK/related_change_events', published('rest-list-incident-related-change-events.200.json'));
    serve('/services/PIJ90N7/change_events', published('rest-list-service-change-events.200.json'));
    const pd = client();

    const log = await pd.logEntries('PT4KHLK');
    expect(log).toMatchObject({ omitted: 0 });
    expect(log.items.map(timelineEntry)).toEqual([
      {
        entry: {
          at: '2015-11-07T00:14:20Z',
          kind: 'trigger',
          summary: 'Triggered through the API',
          agent: 'My Mail Service',
          channel: 'api',
          url: 'https://subdomain.pagerduty.com/incidents/PT4KHLK/log_entries/Q02JTSNZWHSEKV',
        },
        byPerson: false, // a service_reference agent is no responder
      },
    ]);

    const alerts = await pd.alerts('PT4KHLK', 1); // the example says more: true
    expect(alerts.omitted).toBe(1);
    expect(alerts.items.map(alertSummary)).toEqual([
      { at: '2015-10-06T21:30:42Z', summary: 'The server is on fire.', severity: 'critical', status: 'resolved', details: '{"customKey":"Server is on fire!","customKey2":"Other stuff!"}', url: 'https://subdomain.pagerduty.com/alerts/PXPGF42' },
    ]);

    expect((await pd.notes('PT4KHLK')).map(incidentNote)).toEqual([
      { at: '2013-03-06T20:28:51Z', author: 'Earline Greenholt', content: 'Firefighters are on the scene.' },
      { at: '2013-03-06T20:28:42Z', author: 'A Global Event Rule', content: 'Initial alert information indicates a 1-alarm fire' },
    ]);

    expect((await pd.relatedChangeEvents('PT4KHLK')).map(changeEvent)).toEqual([
      { at: '2020-07-17T08:42:58Z', summary: 'Build Success - Increase snapshot create timeout to 30 seconds', source: 'acme-build-pipeline-tool-default-i-9999', correlation: 'most_recent', url: 'https://acme.pagerduty.dev/build/2' },
      { at: '2020-07-17T07:42:58Z', summary: 'Build Success - Increase snapshot create timeout to 15 seconds', source: 'acme-build-pipeline-tool-default-i-9999', correlation: 'related_service', url: 'https://acme.pagerduty.dev/build/1' },
    ]);

    const changes = await pd.serviceChangeEvents('PIJ90N7', new Date('2020-07-17T06:00:00Z'), new Date('2020-07-17T09:00:00Z'), 50);
    expect(changes.omitted).toBe(0); // limit/offset/total null, more false
    expect(changes.items.map(changeEvent).map((c) => [c.at, c.correlation, c.url])).toEqual([
      ['2020-07-17T08:42:58Z', undefined, 'https://acme.pagerduty.dev/build/2'],
      ['2020-07-17T07:42:58Z', undefined, 'https://acme.pagerduty.dev/build/1'],
    ]);
  });

  it('GET /incidents → the backfill event; GET /priorities → the names, most severe first', async () => {
    serve('/incidents', published('rest-list-incidents.200.json'));
    const listed = await client().resolvedIncidents(new Date('2015-10-01T00:00:00Z'), new Date('2015-10-31T00:00:00Z'));
    expect(listed.incidents.map((i) => i.id)).toEqual(['PT4KHLK']); // more: true, then the fake's own (empty) page
    expect(backfillEvent(listed.incidents[0] as ApiIncident, NOW)).toEqual({
      eventId: 'backfill-PT4KHLK',
      type: 'incident.resolved',
      occurredAt: '2015-10-06T21:38:23.000Z',
      incident: {
        id: 'PT4KHLK',
        number: 1234,
        title: 'The server is on fire.',
        status: 'resolved',
        urgency: 'high',
        priority: 'P2',
        service: { id: 'PIJ90N7', name: 'My Mail Service', htmlUrl: 'https://subdomain.pagerduty.com/service-directory/PIJ90N7' },
        htmlUrl: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
        createdAt: '2015-10-06T21:30:42Z',
        resolvedAt: '2015-10-06T21:38:23Z',
      },
    });

    serve('/priorities', published('rest-list-priorities.200.json'));
    expect(priorityNames(await client().priorities())).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(priorityNames([{ id: 'X', name: ' ', summary: null } as ApiPriority, { id: 'Y', summary: 'SEV-1' }])).toEqual(['SEV-1']);
  });

  it('the 429: retryable after ratelimit-reset, with PagerDuty\'s message; the note create answer', async () => {
    const example = published<{ status: number; headers: Record<string, string>; body: unknown }>('rest-429-rate-limit.json');
    serve('/incidents/PT4KHLK', example.body, example.status, example.headers);
    let failure: unknown;
    try {
      await client().incident('PT4KHLK');
    } catch (error) {
      failure = toActivityFailure(error);
    }
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false, nextRetryDelay: 20_000 });
    expect((failure as Error).message).toContain('429: Rate Limit Exceeded');

    serve('/incidents/PT4KHLK/notes', published('rest-create-incident-note.200.json'));
    const note: ApiNote = await client().addNote('PT4KHLK', 'Firefighters are on the scene.', 'oncall@acme.test');
    expect(incidentNote(note)).toEqual({ at: '2013-03-06T20:28:51Z', author: 'Earline Greenholt', content: 'Firefighters are on the scene.' });
  });

  it('the types the service declares accept the examples as they are', () => {
    // Compile-time: the published bodies fit the API types (optional and nullable where PagerDuty says).
    const typed: [ApiIncident, ApiLogEntry[], ApiAlert[], ApiNote[], ApiChangeEvent[], ApiPriority[]] = [
      published<{ incident: ApiIncident }>('rest-get-incident.200.json').incident,
      published<{ log_entries: ApiLogEntry[] }>('rest-list-incident-log-entries.200.json').log_entries,
      published<{ alerts: ApiAlert[] }>('rest-list-incident-alerts.200.json').alerts,
      published<{ notes: ApiNote[] }>('rest-list-incident-notes.200.json').notes,
      published<{ change_events: ApiChangeEvent[] }>('rest-list-incident-related-change-events.200.json').change_events,
      published<{ priorities: ApiPriority[] }>('rest-list-priorities.200.json').priorities,
    ];
    expect(typed.every((t) => t !== undefined)).toBe(true);
  });
});

describe('the published webhooks', () => {
  const wrap = (eventType: string, data: unknown) => ({ event: { id: `01EXAMPLE-${eventType.replace(/[._]/g, '-')}`, event_type: eventType, resource_type: 'incident', occurred_at: '2020-10-02T18:45:22.169Z', agent: null, client: null, data } });

  it('incident.priority_updated (the docs\' example): the incident with its priority and reopened_at', () => {
    expect(parseWebhook(published('devdocs-incident.priority_updated.json'), 'wh-1', NOW)).toEqual({
      kind: 'incident_event',
      event: {
        eventId: '5ac64822-4adc-4fda-ade0-410becf0de4f',
        webhookId: 'wh-1',
        type: 'incident.priority_updated',
        occurredAt: '2020-10-02T18:45:22.169Z',
        agent: '[REDACTED:person] PLH1HKV', // the docs' agent, Tenex Engineer, as a pseudonym (REDACT_PERSONAL_DATA)
        incident: {
          id: 'PGR0VU2',
          number: 2,
          title: 'A little bump in the road',
          status: 'triggered',
          urgency: 'high',
          priority: 'P1',
          service: { id: 'PF9KMXH', name: 'API Service', htmlUrl: 'https://acme.pagerduty.com/services/PF9KMXH' },
          htmlUrl: 'https://acme.pagerduty.com/incidents/PGR0VU2',
          createdAt: '2020-04-09T15:16:27Z',
          reopenedAt: '2020-10-02T18:45:22Z',
        },
        note: undefined,
        redactions: { person: 1 },
      },
    });
  });

  it('the incident and incident_note data types, as an incident.reopened and an incident.annotated event', () => {
    expect(parseWebhook(wrap('incident.reopened', published('devdocs-data-incident.json')), undefined, NOW)).toMatchObject({
      kind: 'incident_event',
      event: { type: 'incident.reopened', agent: undefined, incident: { id: 'PGR0VU2', reopenedAt: '2020-10-02T18:45:22Z', priority: 'P1' } },
    });
    const note = parseWebhook(wrap('incident.annotated', published('devdocs-data-incident_note.json')), undefined, NOW);
    expect(note).toMatchObject({ kind: 'incident_event', event: { incident: { id: 'PGR0VU2' }, note: 'I sure am glad we are using PagerDuty!' } });
    expect(note.kind === 'incident_event' && note.event.trimmed).toBeFalsy();
  });

  it('service.updated is ignored (a 2xx, never invalid)', () => {
    expect(parseWebhook(published('devdocs-service.updated.json'), undefined, NOW)).toEqual({
      kind: 'ignored',
      eventType: 'service.updated',
      eventId: '01BRB6ZP4M6T8ZG4X6BP63ZB9O',
      reason: 'event type not used',
    });
  });

  it("go-pagerduty's signature vector: valid accepted, mismatch and missing header refused, an empty body does not verify", () => {
    const vector = published<{ secret: string; valid_signature_header: string; mismatch_signature_header: string }>('go-pagerduty-incident.priority_updated.signature.json');
    const body = readFileSync(path.join(DIR, 'go-pagerduty-incident.priority_updated.body.json'));
    expect(hasValidSignature(body, vector.valid_signature_header, [vector.secret])).toBe(true);
    expect(hasValidSignature(body, vector.mismatch_signature_header, [vector.secret])).toBe(false);
    expect(hasValidSignature(body, undefined, [vector.secret])).toBe(false);
    expect(hasValidSignature(Buffer.alloc(0), vector.valid_signature_header, [vector.secret])).toBe(false);
    expect(parseWebhook(JSON.parse(body.toString('utf8')), undefined, NOW)).toMatchObject({
      kind: 'incident_event',
      event: { eventId: '01BWDWL3NYY7LUFPZCC28QUCMK', type: 'incident.priority_updated', agent: '[REDACTED:person] PLH1HKV', incident: { id: 'PGR0VU2', priority: 'P1', number: 2 } },
    });
  });
});
