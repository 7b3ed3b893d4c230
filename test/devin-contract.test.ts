// The fake Devin API and our parsers, held to what Devin publishes (test/fixtures/published/devin/, with
// their sources): the fake answers in the published shapes, our create request uses only documented
// fields, every documented status and status_detail has a decided meaning, and our parsers read the
// published examples.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createActivities } from '../activities';
import { loadWorkerConfig } from '../src/config';
import { POSTMORTEM_OUTPUT_SCHEMA } from '../src/domain/postmortem-output';
import { DevinClient, type DevinMessage, type DevinSession } from '../src/integrations/devin/client';
import { judgeSession, latestQuestion } from '../src/integrations/devin/session';
import { errorDetail } from '../src/integrations/http';
import { FakeDevinApi } from './fakes/devin-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { IncidentContext } from '../src/domain/evidence';

const DIR = path.join(__dirname, 'fixtures', 'published', 'devin');
const json = <T = Record<string, unknown>>(file: string): T => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as T;
const openapi = parseYaml(readFileSync(path.join(DIR, 'v3-openapi-create-session.yaml'), 'utf8')) as {
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[]; anyOf?: { enum?: string[] }[] }>; required?: string[] }> };
};
const { SessionCreateRequest, SessionResponse } = openapi.components.schemas;
const enumOf = (schema: { enum?: string[]; anyOf?: { enum?: string[] }[] } | undefined) => schema?.enum ?? schema?.anyOf?.find((a) => a.enum)?.enum ?? [];

/** The JSON type of each key, recursively into objects and the first element of arrays. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, shape(v)]));
  return typeof value;
}

/** Every key of `published` (at the levels given) is in `answer`, with the same JSON type (null allowed where the spec says nullable). */
function expectSameShape(answer: unknown, published: unknown, nullable: string[] = []): void {
  const want = shape(published) as Record<string, unknown>;
  const got = shape(answer) as Record<string, unknown>;
  for (const [key, type] of Object.entries(want)) {
    expect({ key, present: key in got }).toEqual({ key, present: true });
    if ((got[key] === 'null' || type === 'null') && nullable.includes(key)) continue;
    if (typeof type === 'string') expect({ key, type: got[key] }).toEqual({ key, type });
  }
}

describe('the fake answers in the published shapes', () => {
  let fake: FakeDevinApi;
  let client: DevinClient;
  beforeAll(async () => {
    fake = await FakeDevinApi.start();
    client = new DevinClient({ apiKey: fake.apiKey, orgId: fake.orgId, baseUrl: fake.baseUrl }, 5_000);
  });
  afterAll(() => fake.close());

  // The response fields the service reads, and those the published example carries.
  const example = json<{ request: { body: Record<string, unknown> }; response_200: Record<string, unknown> }>('v3-create-session-example.json');
  const NULLABLE = ['playbook_id', 'status_detail', 'structured_output', 'title'];

  test('create and get: a SessionResponse (the published example without the fields the service never reads)', async () => {
    const created = await client.createSession({ prompt: 'p', title: 't', tags: ['x'] });
    const unread = ['category', 'child_session_ids', 'origin', 'parent_session_id', 'service_user_id', 'subcategory', 'user_id', 'structured_output'];
    const read = Object.fromEntries(Object.entries(example.response_200).filter(([key]) => !unread.includes(key)));
    expectSameShape(created, read, NULLABLE);
    expect(created).not.toHaveProperty('structured_output'); // "Only populated on get/list endpoints"
    const got = await client.getSession(created.session_id);
    expectSameShape(got, { ...read, structured_output: {} }, NULLABLE);
    for (const key of Object.keys(got)) expect(Object.keys(SessionResponse?.properties ?? {})).toContain(key);
  });

  test('list and messages: the published envelopes', async () => {
    const { session_id } = await client.createSession({ prompt: 'p', title: 't', tags: ['shape'] });
    await client.sendMessage(session_id, 'hello');
    const list = await (await fetch(`${fake.baseUrl}/organizations/${fake.orgId}/sessions?tags=shape`, { headers: { authorization: `Bearer ${fake.apiKey}` } })).json();
    const published = json<{ items: unknown[] }>('v3-list-sessions.200.json');
    expectSameShape(list, { ...published, end_cursor: null }, ['end_cursor']);
    const messages = await (await fetch(`${fake.baseUrl}/organizations/${fake.orgId}/sessions/${session_id}/messages`, { headers: { authorization: `Bearer ${fake.apiKey}` } })).json();
    expectSameShape(messages, json('v3-list-session-messages.200.json'), ['end_cursor']);
    expectSameShape((messages as { items: unknown[] }).items[0], json<{ items: unknown[] }>('v3-list-session-messages.200.json').items[0]);
  });

  test('GET /v3/self: the published principal', async () => {
    expectSameShape(await client.self(), json('v3-self.200.json'), ['org_id']);
  });

  test('errors: problem+json with the required status and title', async () => {
    const response = await fetch(`${fake.baseUrl}/organizations/${fake.orgId}/sessions/devin-missing`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, title: expect.any(String) });
    expect(errorDetail(body)).toBe('Not Found: Session not found');
  });
});

describe('our requests and parsers against the published material', () => {
  test('the create request carries only documented fields (an unknown one is refused with a 400)', async () => {
    const fake = await FakeDevinApi.start();
    try {
      const config = loadWorkerConfig({ DEVIN_API_KEY: fake.apiKey, DEVIN_ORG_ID: fake.orgId, DEVIN_API_BASE_URL: fake.baseUrl, DEVIN_MAX_ACU: '20', DEVIN_REPOS: 'acme/x', DEVIN_KNOWLEDGE_IDS: 'note-1', DEVIN_PLAYBOOK_ID: 'playbook-1' });
      const context = { source: 'webhook_only', incident: { id: 'Q1CONTRACT01', title: 'x' }, timeline: [], alerts: [], notes: [], changeEvents: [], omitted: {}, collectedAt: '2026-12-01T00:00:00Z' } as IncidentContext;
      await new MockActivityEnvironment().run(createActivities(config).startPostmortemSession, context, { runId: 'r', generation: 1 });
      const body = fake.sessions[0]?.body ?? {};
      for (const key of Object.keys(body)) expect(Object.keys(SessionCreateRequest?.properties ?? {})).toContain(key);
      expect(SessionCreateRequest?.required).toEqual(['prompt']);
      // The structured-output schema is JSON Schema draft 7, self-contained, under 64 KB.
      expect(body.structured_output_schema).toEqual(POSTMORTEM_OUTPUT_SCHEMA);
      expect(JSON.stringify(body.structured_output_schema)).not.toContain('$ref');
      expect(JSON.stringify(body.structured_output_schema).length).toBeLessThan(64 * 1024);
    } finally {
      await fake.close();
    }
  });

  test('every documented status and status_detail has a decided meaning (none falls through to "unknown")', () => {
    const statuses = enumOf(SessionResponse?.properties.status);
    const details = enumOf(SessionResponse?.properties.status_detail);
    expect(statuses).toEqual(['new', 'claimed', 'running', 'exit', 'error', 'suspended', 'resuming']);
    expect(details).toHaveLength(14);
    const running = ['working', 'waiting_for_user', 'waiting_for_approval', 'finished'];
    for (const status of statuses) {
      for (const detail of status === 'running' ? running : status === 'suspended' ? details.filter((d) => !running.includes(d)) : [null]) {
        const verdict = judgeSession({ session_id: 'devin-x', status, status_detail: detail });
        const message = verdict.kind === 'working' ? verdict.message : '';
        // "working" is decided only for the in-progress states; never by falling through.
        if (verdict.kind === 'working') expect({ status, detail, working: ['new', 'claimed', 'resuming'].includes(status) || (status === 'running' && detail === 'working') }).toEqual({ status, detail, working: true });
        expect(message).not.toContain('undefined');
      }
    }
  });

  test('the published session examples read as sessions', () => {
    const example = json<{ response_200: DevinSession }>('v3-create-session-example.json').response_200;
    expect(judgeSession(example)).toMatchObject({ kind: 'published', url: '<string>', final: false, acus: 123 });
    expect(judgeSession(json<DevinSession>('v3beta1-get-session.200.json'))).toMatchObject({ kind: 'published', url: '<string>' });
    const messages = json<{ items: DevinMessage[] }>('v3-list-session-messages.200.json').items;
    expect(latestQuestion(messages)).toEqual(messages[0]);
  });
});
