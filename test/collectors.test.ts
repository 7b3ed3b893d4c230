// The optional evidence collectors (src/integrations/datadog through the official Datadog client,
// src/integrations/sentry over fetch) against local fakes of the two APIs (test/fakes/datadog-api.ts,
// test/fakes/sentry-api.ts). No network beyond 127.0.0.1.
import { logger as datadogClientLogger } from '@datadog/datadog-api-client';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../activities/failures';
import { clipEvidence } from '../src/integrations/collector';
import { collectDatadogEvidence } from '../src/integrations/datadog/evidence';
import { datadogApiBaseUrl, datadogAppHost, type DatadogConfig } from '../src/integrations/datadog/client';
import { collectSentryEvidence } from '../src/integrations/sentry/evidence';
import { nextCursor, type SentryConfig } from '../src/integrations/sentry/client';
import { FakeDatadogApi } from './fakes/datadog-api';
import { FakeSentryApi } from './fakes/sentry-api';

const FROM = '2026-02-10T14:00:00.000Z';
const TO = '2026-02-10T14:50:00.000Z';
const FROM_MS = Date.parse(FROM);
const TO_MS = Date.parse(TO);
const at = (minutes: number) => new Date(FROM_MS + minutes * 60_000).toISOString();

/** Calls `fn`, expecting it to throw an ApplicationFailure, and returns that failure. */
async function failureOf(fn: () => Promise<unknown>, attempt?: number): Promise<ApplicationFailure> {
  try {
    await fn();
  } catch (caught) {
    // As the evidence activity hands it to Temporal (activities/failures.ts).
    const error = toActivityFailure(caught, attempt);
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  }
  throw new Error('expected an ApplicationFailure, got success');
}

describe('Datadog collector', () => {
  let api: FakeDatadogApi;
  const config = (overrides: Partial<DatadogConfig> = {}): DatadogConfig => ({
    apiKey: api.apiKey,
    appKey: api.appKey,
    site: 'datadoghq.com',
    baseUrl: api.baseUrl,
    ...overrides,
  });
  const query = { service: 'checkout-api', from: FROM, to: TO };

  beforeEach(async () => {
    api = await FakeDatadogApi.start();
  });

  afterEach(async () => {
    await api.close();
  });

  const monitorAlert = (minutes: number, title: string, service = 'checkout-api') => ({
    timestamp: at(minutes),
    source: 'alert',
    status: 'error',
    title,
    message: `%%%\nError rate above 5% on ${service}\n%%%`,
    tags: [`service:${service}`, 'env:prod', 'monitor'],
    monitor: { id: 148_203_391, name: `High error rate on ${service}` },
  });

  describe('the fake answers like the Datadog API', () => {
    test('a wrong key is 403 {"errors":["Forbidden"]}; logs pages carry meta.page.after and links.next', async () => {
      const forbidden = await fetch(`${api.baseUrl}/api/v2/logs/events/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dd-api-key': api.apiKey, 'dd-application-key': 'wrong' },
        body: '{}',
      });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toEqual({ errors: ['Forbidden'] });

      api.generateLogs(3, { service: 'checkout-api', status: 'error', from: at(1), to: at(4) });
      const page = await fetch(`${api.baseUrl}/api/v2/logs/events/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dd-api-key': api.apiKey, 'dd-application-key': api.appKey },
        body: JSON.stringify({ filter: { query: 'service:checkout-api', from: String(FROM_MS), to: String(TO_MS) }, page: { limit: 2 }, sort: 'timestamp' }),
      });
      expect(page.headers.get('x-ratelimit-limit')).toBeTruthy();
      const body = (await page.json()) as { data: { type: string; attributes: { service: string; timestamp: string } }[]; links: { next: string }; meta: { page: { after: string }; status: string } };
      expect(body.data).toHaveLength(2);
      expect(body.data[0]).toMatchObject({ type: 'log', attributes: { service: 'checkout-api', timestamp: at(1) } });
      expect(body.meta.status).toBe('done');
      expect(body.meta.page.after).toBeTruthy();
      expect(new URL(body.links.next).searchParams.get('page[cursor]')).toBe(body.meta.page.after);

      // links.next is a working GET of the remaining page.
      const next = await fetch(body.links.next, { headers: { 'dd-api-key': api.apiKey, 'dd-application-key': api.appKey } });
      const rest = (await next.json()) as { data: unknown[]; meta: { page?: unknown }; links?: unknown };
      expect(rest.data).toHaveLength(1);
      expect(rest.meta.page).toBeUndefined();
      expect(rest.links).toBeUndefined();
    });
  });

  test('monitor alerts and error/warn logs of the service in the window, with links and the right queries', async () => {
    api.addEvents(
      monitorAlert(2, '[Triggered] High error rate on checkout-api'),
      monitorAlert(41, '[Recovered] High error rate on checkout-api'),
      monitorAlert(-30, '[Triggered] before the window'),
      monitorAlert(5, '[Triggered] High error rate on search-api', 'search-api'),
      { timestamp: at(1), source: 'github', title: 'Deployed checkout-api v2.14.0', tags: ['service:checkout-api'] },
    );
    api.addLogs(
      { timestamp: at(3), service: 'checkout-api', status: 'error', message: 'connection pool exhausted (max 50)', host: 'i-0abc' },
      { timestamp: at(4), service: 'checkout-api', status: 'warn', message: 'retrying payment capture '.repeat(40) },
      { timestamp: at(5), service: 'checkout-api', status: 'info', message: 'GET /health 200' },
      { timestamp: at(6), service: 'search-api', status: 'error', message: 'other service' },
      { timestamp: at(70), service: 'checkout-api', status: 'error', message: 'after the window' },
    );

    const evidence = await collectDatadogEvidence(config(), query);

    expect(evidence).toMatchObject({ source: 'datadog', omitted: 0 });
    expect(evidence.problem).toBeUndefined();
    expect(evidence.items.map((i) => [i.at, i.kind])).toEqual([
      [at(2), 'datadog_monitor_alert'],
      [at(3), 'datadog_log'],
      [at(4), 'datadog_log'],
      [at(41), 'datadog_monitor_alert'],
    ]);
    expect(evidence.items[0]?.summary).toBe('[error] [Triggered] High error rate on checkout-api — Error rate above 5% on checkout-api');
    expect(evidence.items[1]?.summary).toBe('[error] connection pool exhausted (max 50) (host i-0abc)');
    // Summaries come whole, and are clipped (clipEvidence) after the evidence activity has redacted them.
    expect(evidence.items[2]?.summary).toContain(`[warn] ${'retrying payment capture '.repeat(40)}`);
    const clipped = clipEvidence(evidence);
    for (const item of clipped.items) {
      expect(item.summary.length).toBeLessThanOrEqual(500);
      const url = new URL(item.url ?? '');
      expect(url.host).toBe('app.datadoghq.com');
      expect(url.searchParams.get('event')).toBeTruthy();
      expect(url.searchParams.get('from_ts')).toBe(String(FROM_MS));
      expect(url.searchParams.get('to_ts')).toBe(String(TO_MS));
    }
    expect(clipped.items[2]?.summary).toHaveLength(500);
    expect(clipped.items[2]?.summary.endsWith('…')).toBe(true);
    expect(new URL(evidence.items[0]?.url ?? '').pathname).toBe('/event/explorer');
    expect(new URL(evidence.items[1]?.url ?? '').pathname).toBe('/logs');
    expect(new URL(evidence.items[1]?.url ?? '').searchParams.get('query')).toBe('service:checkout-api status:(error OR warn)');

    // What was asked: the service filter and the window, with both keys.
    const events = api.requests.find((r) => r.path === '/api/v2/events');
    expect(events?.method).toBe('GET');
    expect(Object.fromEntries(events?.query ?? [])).toMatchObject({
      'filter[query]': 'source:alert service:checkout-api',
      'filter[from]': String(FROM_MS),
      'filter[to]': String(TO_MS),
      sort: 'timestamp',
    });
    const logs = api.requests.find((r) => r.path === '/api/v2/logs/events/search');
    expect(logs?.method).toBe('POST');
    expect(logs?.body).toMatchObject({
      filter: { query: 'service:checkout-api status:(error OR warn)', from: String(FROM_MS), to: String(TO_MS) },
      sort: 'timestamp',
    });
    for (const request of api.requests) {
      expect(request.headers['dd-api-key']).toBe(api.apiKey);
      expect(request.headers['dd-application-key']).toBe(api.appKey);
    }
    // Nothing overflowed: no count was needed.
    expect(api.requests.some((r) => r.path === '/api/v2/logs/analytics/aggregate')).toBe(false);
  });

  test('follows meta.page.after through every page of events and logs', async () => {
    for (let i = 0; i < 7; i++) api.addEvents(monitorAlert(i + 1, `[Triggered] alert ${i}`));
    api.generateLogs(23, { service: 'checkout-api', status: 'error', from: at(10), to: at(33) });

    const evidence = await collectDatadogEvidence(config(), query, { items: 50 }, { pageSize: 5 });

    expect(evidence.items).toHaveLength(30);
    expect(evidence.omitted).toBe(0);
    const eventPages = api.requests.filter((r) => r.path === '/api/v2/events');
    expect(eventPages).toHaveLength(2);
    expect(eventPages[0]?.query.get('page[cursor]')).toBeNull();
    expect(eventPages[1]?.query.get('page[cursor]')).toBeTruthy();
    const logPages = api.requests.filter((r) => r.path === '/api/v2/logs/events/search');
    expect(logPages).toHaveLength(5);
    expect(logPages.map((r) => (r.body as { page: { cursor?: string } }).page.cursor === undefined)).toEqual([true, false, false, false, false]);
    expect(new Set(evidence.items.map((i) => i.url)).size).toBe(30);
  });

  test('more than the limit: alerts first, logs fill the rest, omitted counts the others exactly', async () => {
    for (let i = 0; i < 4; i++) api.addEvents(monitorAlert(i + 1, `[Triggered] alert ${i}`));
    api.generateLogs(120, { service: 'checkout-api', status: 'warn', from: at(5), to: at(45) });

    const evidence = await collectDatadogEvidence(config(), query, { items: 20 });

    expect(evidence.items).toHaveLength(20);
    expect(evidence.items.filter((i) => i.kind === 'datadog_monitor_alert')).toHaveLength(4);
    expect(evidence.omitted).toBe(104);
    // One page of 16 logs, then a count instead of paging through the other 104.
    expect(api.requests.filter((r) => r.path === '/api/v2/logs/events/search').map((r) => (r.body as { page: { limit: number } }).page.limit)).toEqual([16]);
    const count = api.requests.find((r) => r.path === '/api/v2/logs/analytics/aggregate');
    expect(count?.body).toMatchObject({
      compute: [{ aggregation: 'count', type: 'total' }],
      filter: { query: 'service:checkout-api status:(error OR warn)', from: String(FROM_MS), to: String(TO_MS) },
    });
  });

  test('more alerts than the limit: the oldest are kept and the rest counted', async () => {
    for (let i = 0; i < 12; i++) api.addEvents(monitorAlert(i + 1, `[Triggered] alert ${i}`));
    api.generateLogs(3, { service: 'checkout-api', status: 'error', from: at(20), to: at(23) });

    const evidence = await collectDatadogEvidence(config(), query, { items: 5 }, { pageSize: 5 });

    expect(evidence.items.map((i) => i.summary.replace(/ —.*/, ''))).toEqual([0, 1, 2, 3, 4].map((i) => `[error] [Triggered] alert ${i}`));
    expect(evidence.omitted).toBe(7 + 3);
  });

  test('a rejected key is a problem line, not a failure', async () => {
    api.addEvents(monitorAlert(2, '[Triggered] High error rate on checkout-api'));
    const evidence = await collectDatadogEvidence(config({ appKey: 'revoked' }), query);
    expect(evidence).toEqual({
      source: 'datadog',
      items: [],
      omitted: 0,
      problem: 'Datadog answered 403: Forbidden (monitor alerts, logs)',
    });
  });

  test('a key without logs access keeps the monitor alerts and says what is missing', async () => {
    api.addEvents(monitorAlert(2, '[Triggered] High error rate on checkout-api'));
    api.fail('/api/v2/logs', { status: 403 });
    const evidence = await collectDatadogEvidence(config(), query);
    expect(evidence.items).toHaveLength(1);
    expect(evidence.problem).toBe('Datadog answered 403: Forbidden (logs)');
  });

  test('429 is retryable after X-RateLimit-Reset; 500 and a dead server are retryable', async () => {
    api.rateLimit(1, 17);
    const limited = await failureOf(() => collectDatadogEvidence(config(), query));
    expect(limited.type).toBe('ExternalServiceUnavailable');
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe(17_000);
    expect(limited.message).toContain('429');

    api.fail('/api/v2/logs/events/search', { status: 500 });
    const unavailable = await failureOf(() => collectDatadogEvidence(config(), query), 2);
    expect(unavailable).toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false });
    expect(unavailable.message).toContain('500');
    expect(unavailable.nextRetryDelay).toBeGreaterThanOrEqual(1000);

    const baseUrl = api.baseUrl;
    await api.close();
    // The client logs transport errors to the console itself; keep the test output clean.
    const level = datadogClientLogger.getLevel();
    datadogClientLogger.setLevel('silent', false);
    try {
      const down = await failureOf(() => collectDatadogEvidence(config({ baseUrl }), query));
      expect(down).toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false });
      expect(down.message).toContain('network error');
    } finally {
      datadogClientLogger.setLevel(level, false);
    }
    api = await FakeDatadogApi.start();
  });

  test("the activity's cancellation is passed through as is, not turned into a retryable failure", async () => {
    const controller = new AbortController();
    controller.abort();
    const level = datadogClientLogger.getLevel();
    datadogClientLogger.setLevel('silent', false);
    try {
      const error = await collectDatadogEvidence(config(), query, undefined, { signal: controller.signal }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ApplicationFailure);
      expect((error as Error).name).toBe('AbortError');
    } finally {
      datadogClientLogger.setLevel(level, false);
    }
  });

  test('site → API and web hosts', () => {
    expect(datadogApiBaseUrl({ site: 'datadoghq.eu' })).toBe('https://api.datadoghq.eu');
    expect(datadogApiBaseUrl({ site: 'us3.datadoghq.com' })).toBe('https://api.us3.datadoghq.com');
    expect(datadogApiBaseUrl({ site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(datadogAppHost('datadoghq.com')).toBe('app.datadoghq.com');
    expect(datadogAppHost('datadoghq.eu')).toBe('app.datadoghq.eu');
    expect(datadogAppHost('us5.datadoghq.com')).toBe('us5.datadoghq.com');
    expect(datadogAppHost('https://app.datadoghq.com')).toBe('app.datadoghq.com');
  });
});

describe('Sentry collector', () => {
  let api: FakeSentryApi;
  const config = (overrides: Partial<SentryConfig> = {}): SentryConfig => ({
    token: api.token,
    org: api.org,
    project: api.project,
    baseUrl: api.baseUrl,
    ...overrides,
  });
  const query = { from: FROM, to: TO };

  beforeEach(async () => {
    api = await FakeSentryApi.start();
  });

  afterEach(async () => {
    await api.close();
  });

  const issue = (title: string, firstSeen: string, lastSeen: string, count = 10, extra: { level?: 'error' | 'fatal' | 'warning'; status?: 'resolved' } = {}) => ({
    title,
    firstSeen,
    lastSeen,
    count,
    userCount: Math.ceil(count / 5),
    ...extra,
  });

  describe('the fake answers like Sentry', () => {
    test('401 {"detail":"Invalid token"}; Link header with previous/next cursors; X-Hits; ignores start/end', async () => {
      const bad = await fetch(`${api.baseUrl}${api.issuesPath}`, { headers: { authorization: 'Bearer nope' } });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toEqual({ detail: 'Invalid token' });

      for (let i = 0; i < 3; i++) api.addIssues(issue(`Error: boom ${i}`, at(i), at(i + 1)));
      const response = await fetch(`${api.baseUrl}${api.issuesPath}?query=&limit=2&start=2030-01-01T00:00:00&end=2030-01-02T00:00:00`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      const body = (await response.json()) as { count: unknown; userCount: unknown; firstSeen: string; permalink: string }[];
      expect(body).toHaveLength(2);
      expect(typeof body[0]?.count).toBe('string');
      expect(typeof body[0]?.userCount).toBe('number');
      expect(body[0]?.firstSeen).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(response.headers.get('x-hits')).toBe('3');
      expect(response.headers.get('x-sentry-rate-limit-remaining')).toBeTruthy();
      const link = response.headers.get('link') ?? '';
      expect(link).toMatch(/rel="previous"; results="false"; cursor="0:0:1"/);
      expect(link).toMatch(/rel="next"; results="true"; cursor="0:2:0"/);
      expect(nextCursor(link)).toBe('0:2:0');

      const stats = await fetch(`${api.baseUrl}${api.issuesPath}?statsPeriod=1h`, { headers: { authorization: `Bearer ${api.token}` } });
      expect(stats.status).toBe(400);
    });
  });

  test('issues seen in the window, with permalinks, and the window in the search query', async () => {
    api.addIssues(
      issue("TypeError: Cannot read properties of undefined (reading 'total')", at(2), at(48), 1520, { level: 'error' }),
      issue('Error: connect ETIMEDOUT 10.0.3.7:5432', '2026-02-01T09:00:00.000Z', at(30), 88, { level: 'fatal', status: 'resolved' }),
      issue('Error: seen only before', '2026-02-01T09:00:00.000Z', at(-10)),
      issue('Error: first seen after', at(55), at(58)),
    );

    const evidence = await collectSentryEvidence(config(), query);

    expect(evidence).toMatchObject({ source: 'sentry', omitted: 0 });
    expect(evidence.problem).toBeUndefined();
    expect(evidence.items).toHaveLength(2);
    const [fresh, known] = evidence.items;
    expect(fresh).toMatchObject({ at: at(2), kind: 'sentry_issue' });
    expect(fresh?.summary).toMatch(/^CHECKOUT-API-\w+ TypeError: Cannot read properties of undefined \(reading 'total'\) \(1520 events, 304 users, error\)$/);
    expect(fresh?.url).toMatch(new RegExp(`^https://acme\\.sentry\\.io/issues/\\d+/$`));
    // Known before the incident: placed where it was last seen.
    expect(known).toMatchObject({ at: at(30), kind: 'sentry_issue' });
    expect(known?.summary).toMatch(/ETIMEDOUT 10\.0\.3\.7:5432 \(88 events, 18 users, fatal\)$/);

    expect(api.requests).toHaveLength(1);
    const request = api.requests[0];
    expect(request?.path).toBe('/api/0/projects/acme/checkout-api/issues/');
    expect(request?.headers.authorization).toBe(`Bearer ${api.token}`);
    expect(request?.query.get('query')).toBe(`lastSeen:>=${FROM} firstSeen:<=${TO}`);
    expect(request?.query.get('statsPeriod')).toBe('');
    expect(request?.query.get('sort')).toBe('freq');
    expect(request?.query.get('limit')).toBe('50');
  });

  test('follows the Link header cursor through every page', async () => {
    for (let i = 0; i < 23; i++) api.addIssues(issue(`Error: failure ${i}`, at(i), at(i + 1), 100 - i));

    const evidence = await collectSentryEvidence(config(), query, { items: 50 }, { pageSize: 10 });

    expect(evidence.items).toHaveLength(23);
    expect(evidence.omitted).toBe(0);
    expect(api.requests.map((r) => r.query.get('cursor'))).toEqual([null, '0:10:0', '0:20:0']);
    expect(evidence.items.map((i) => i.at)).toEqual([...evidence.items.map((i) => i.at)].sort());
  });

  test('more issues than the limit: the most frequent are kept, X-Hits counts the rest', async () => {
    for (let i = 0; i < 30; i++) api.addIssues(issue(`Error: failure ${i}`, at(i), at(i + 1), 1000 - i));

    const evidence = await collectSentryEvidence(config(), query, { items: 10 });

    expect(evidence.items).toHaveLength(10);
    expect(evidence.omitted).toBe(20);
    expect(evidence.items.every((i) => /failure [0-9] /.test(i.summary))).toBe(true);
    expect(api.requests).toHaveLength(1);
  });

  test('a rejected token or an unknown project is a problem line, not a failure', async () => {
    api.addIssues(issue('Error: boom', at(1), at(2)));
    expect(await collectSentryEvidence(config({ token: 'revoked' }), query)).toEqual({
      source: 'sentry',
      items: [],
      omitted: 0,
      problem: 'Sentry answered 401: Invalid token',
    });
    expect(await collectSentryEvidence(config({ project: 'no-such-project' }), query)).toEqual({
      source: 'sentry',
      items: [],
      omitted: 0,
      problem: 'Sentry answered 404: The requested resource does not exist',
    });
  });

  test('429 is retryable after Retry-After; 500 and a dead server are retryable', async () => {
    api.rateLimit(1, 7);
    const limited = await failureOf(() => collectSentryEvidence(config(), query));
    expect(limited.type).toBe('ExternalServiceUnavailable');
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe(7000);

    api.fail(api.issuesPath, { status: 502, body: '<html>Bad Gateway</html>' });
    const unavailable = await failureOf(() => collectSentryEvidence(config(), query));
    expect(unavailable).toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false });
    expect(unavailable.message).toContain('502');

    const baseUrl = api.baseUrl;
    await api.close();
    const down = await failureOf(() => collectSentryEvidence(config({ baseUrl }), query));
    expect(down).toMatchObject({ type: 'ExternalServiceUnavailable', nonRetryable: false });
    expect(down.message).toContain('network error');
    api = await FakeSentryApi.start();
  });

  test("the activity's cancellation is passed through as is, not turned into a retryable failure", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await collectSentryEvidence(config(), query, undefined, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).name).toBe('AbortError');
  });

  test('a 429 without Retry-After waits for X-Sentry-Rate-Limit-Reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    api.fail(api.issuesPath, { status: 429, headers: { 'x-sentry-rate-limit-reset': String(reset) } });
    const limited = await failureOf(() => collectSentryEvidence(config(), query));
    expect(limited.nextRetryDelay).toBeGreaterThan(25_000);
    expect(limited.nextRetryDelay).toBeLessThanOrEqual(30_000);
  });
});
