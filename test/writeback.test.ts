// Severity routing, structured output, the wiki destination and write-back to PagerDuty and Slack,
// end to end against a real dev server with the SaaS APIs faked.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { noteMarker } from '../src/domain/write-back';
import { workflowIdForIncident } from '../src/domain/incident';
import { type PostmortemResult, type PostmortemStatus } from '../src/domain/status';
import { statusQuery } from '../src/domain/messages';
import { incidentWebhook, type SimulatedIncident } from '../src/dev/simulation';
import { FakeDevinApi } from './fakes/devin-api';
import { FakePagerDutyApi } from './fakes/pagerduty-api';
import { FakeSlackWebhook } from './fakes/slack-webhook';
import { fakeApiVars, type RunningWorker, seedIncident, startPipeline } from './support/pipeline';
import { bundleWorkflows, capturingLogger, eventually, startDevServer } from './support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let devin: FakeDevinApi;
let pagerDuty: FakePagerDutyApi;
let slack: FakeSlackWebhook;
const { logger, lines } = capturingLogger('writeback');
let vars: Record<string, string>;
let full: RunningWorker;
let noEmail: RunningWorker;
let wiki: RunningWorker;

beforeAll(async () => {
  [env, bundle, devin, pagerDuty, slack] = await Promise.all([
    startDevServer(),
    bundleWorkflows(),
    FakeDevinApi.start(),
    FakePagerDutyApi.start(),
    FakeSlackWebhook.start(),
  ]);
  vars = fakeApiVars(devin, pagerDuty);
  full = await startPipeline(env, bundle, logger, {
    ...vars,
    PAGERDUTY_FROM_EMAIL: 'postmortem-bot@acme.example',
    SLACK_WEBHOOK_URL: slack.url,
    DEVIN_KNOWLEDGE_IDS: 'note-architecture, note-owners',
    DEVIN_REPOS: 'acme/runbooks',
    DEVIN_MAX_ACU: '20',
  });
  noEmail = await startPipeline(env, bundle, logger, { ...vars, POSTMORTEM_MIN_PRIORITY: 'P1', POSTMORTEM_NO_PRIORITY: 'never' });
  // POSTMORTEM_REPO too: with the wiki, earlier postmortems are not looked up (and GitHub is never called).
  wiki = await startPipeline(env, bundle, logger, { ...vars, POSTMORTEM_DESTINATION: 'wiki', GITHUB_TOKEN: 'github_pat_never_used', GITHUB_API_BASE_URL: 'http://127.0.0.1:9', POSTMORTEM_REPO: 'acme/runbooks' });
});

afterAll(async () => {
  await Promise.all([full?.stop(), noEmail?.stop(), wiki?.stop()]);
  await Promise.all([devin?.close(), pagerDuty?.close(), slack?.close()]);
  await env?.teardown();
});

afterEach(() => {
  devin.onPoll = undefined;
});

const handleFor = (incident: SimulatedIncident) =>
  env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
const status = (incident: SimulatedIncident): Promise<PostmortemStatus> => handleFor(incident).query(statusQuery);
const sessionsFor = (incident: SimulatedIncident) => devin.sessions.filter((s) => s.tags.includes(`pd-incident:${incident.id}`));
const notesWith = (incident: SimulatedIncident, marker: string) => pagerDuty.notes(incident.id).filter((n) => n.content.includes(marker));

function seeded(overrides: Partial<SimulatedIncident> = {}): SimulatedIncident {
  return seedIncident(pagerDuty, overrides);
}

describe('write-back', () => {
  it('posts the drafting and the review note once each, even when a POST response is lost; announces on Slack', async () => {
    const incident = seeded();
    // The review note's first POST reaches PagerDuty but its answer is lost: the retry must find it.
    let released = false;
    devin.onPoll = (session) => (session.tags.includes(`pd-incident:${incident.id}`) && !released ? { status: 'running', status_detail: 'working', pull_requests: [] } : undefined);
    await full.deliver(incidentWebhook('incident.resolved', incident));
    await eventually(async () => (notesWith(incident, noteMarker('drafting')).length === 1 ? true : undefined), 'the drafting note');
    pagerDuty.dropResponses('POST', `/incidents/${incident.id}/notes`, 1);
    released = true;
    devin.onPoll = (session) => {
      if (session.tags.includes(`pd-incident:${incident.id}`)) {
        session.status = 'running';
        session.status_detail = 'working';
      }
      return undefined;
    };

    const result = await handleFor(incident).result();
    const session = sessionsFor(incident)[0];
    expect(notesWith(incident, noteMarker('drafting'))).toHaveLength(1);
    expect(notesWith(incident, noteMarker('drafting'))[0]?.content).toContain(session?.url ?? '?');
    const review = notesWith(incident, noteMarker('published'));
    expect(review).toHaveLength(1);
    expect(review[0]?.content).toContain(result.pullRequestUrl ?? '?');
    const posts = pagerDuty.requests.filter((r) => r.method === 'POST' && r.path === `/incidents/${incident.id}/notes`);
    expect(posts).toHaveLength(2); // drafting, review (answer lost); the retry found the note and posted nothing
    expect(posts[0]?.headers.from).toBe('postmortem-bot@acme.example');

    expect(slack.messages.filter((m) => m.text.includes(incident.id))).toEqual([{ text: expect.stringContaining(result.pullRequestUrl ?? '?') }]);
    expect((await status(incident)).writeBack).toEqual(['PagerDuty drafting note posted', 'PagerDuty review note already there', 'Slack message sent']);
    // The Slack URL is a credential: it never reaches history or logs.
    const history = JSON.stringify(await handleFor(incident).fetchHistory());
    expect(history).not.toContain(slack.path);
    expect(lines.join('\n')).not.toContain(slack.path);
  });

  it('the session carries knowledge, repos, ACU cap and the structured-output schema; the result records what it reported', async () => {
    const incident = seeded();
    devin.onPoll = (session, poll) =>
      session.tags.includes(`pd-incident:${incident.id}`) && poll >= 2
        ? {
            pull_requests: [{ pr_url: 'https://github.com/acme/runbooks/pull/77', pr_state: 'open' }],
            structured_output: {
              pr_url: 'https://github.com/acme/runbooks/pull/77',
              postmortem_path: 'docs/postmortems/2026-11-23-checkout-api-latency.md',
              root_cause: 'Hypothesis: v2.14.0 doubled DB round-trips per checkout.',
              root_cause_confirmed: false,
              action_items: ['Add a p99 latency SLO alert on checkout-api', { title: 'Load-test releases before rollout' }],
            },
          }
        : undefined;
    await full.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    const session = sessionsFor(incident)[0];
    expect(session?.body).toMatchObject({
      knowledge_ids: ['note-architecture', 'note-owners'],
      repos: ['acme/runbooks'],
      max_acu_limit: 20,
      structured_output_schema: { type: 'object', properties: expect.objectContaining({ pr_url: expect.any(Object), root_cause: expect.any(Object), action_items: expect.any(Object) }) },
    });
    expect(result.postmortem).toEqual({
      path: 'docs/postmortems/2026-11-23-checkout-api-latency.md',
      rootCause: 'Hypothesis: v2.14.0 doubled DB round-trips per checkout.',
      rootCauseConfirmed: false,
      actionItems: ['Add a p99 latency SLO alert on checkout-api', 'Load-test releases before rollout'],
    });
  });

  it('without PAGERDUTY_FROM_EMAIL nothing is posted, and the status says why', async () => {
    const incident = seeded();
    await noEmail.deliver(incidentWebhook('incident.resolved', incident));
    await handleFor(incident).result();
    expect(pagerDuty.requests.filter((r) => r.method === 'POST' && r.path.includes(incident.id))).toHaveLength(0);
    expect((await status(incident)).writeBack).toEqual(['PagerDuty notes off: PAGERDUTY_FROM_EMAIL is not set']);
  });
});

describe('severity routing at resolution', () => {
  it('skips an incident below POSTMORTEM_MIN_PRIORITY, with the reason in status', async () => {
    const incident = seeded({ priority: 'P2' });
    await noEmail.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'skipped', skipReason: 'priority P2 is below POSTMORTEM_MIN_PRIORITY=P1' });
    expect(await status(incident)).toMatchObject({ phase: 'skipped', routing: 'priority P2 is below POSTMORTEM_MIN_PRIORITY=P1' });
    expect(sessionsFor(incident)).toHaveLength(0);
  });

  it('follows incident.priority_updated: raised to P1 before resolution → drafted', async () => {
    const incident = seeded({ priority: 'P3' });
    await noEmail.deliver(incidentWebhook('incident.acknowledged', incident));
    await noEmail.deliver(incidentWebhook('incident.priority_updated', incident, { priority: 'P1' }));
    // PagerDuty's own record follows the change too.
    (pagerDuty.incident(incident.id) as { priority: unknown }).priority = { id: 'PPRIO01', type: 'priority_reference', summary: 'P1' };
    await noEmail.deliver(incidentWebhook('incident.resolved', incident, { priority: 'P1' }));
    expect((await handleFor(incident).result()).outcome).toBe('pull_request_opened');
    expect((await status(incident)).routing).toBe('priority P1 meets POSTMORTEM_MIN_PRIORITY=P1');
  });

  it('no priority and POSTMORTEM_NO_PRIORITY=never → skipped', async () => {
    const incident = seeded({ priority: null });
    await noEmail.deliver(incidentWebhook('incident.resolved', incident));
    expect(await handleFor(incident).result()).toMatchObject({ outcome: 'skipped', skipReason: 'no priority set; POSTMORTEM_NO_PRIORITY=never' });
  });
});

describe('wiki destination', () => {
  it('completes when the session reports its page URL', async () => {
    const incident = seeded();
    devin.onPoll = (session, poll) =>
      session.tags.includes(`pd-incident:${incident.id}`) && poll >= 2
        ? { structured_output: { page_url: 'https://acme.atlassian.net/wiki/spaces/OPS/pages/123', root_cause: 'Hypothesis: x', action_items: [] } }
        : undefined;
    await wiki.deliver(incidentWebhook('incident.resolved', incident));
    const result = await handleFor(incident).result();
    expect(result).toMatchObject({ outcome: 'page_published', pageUrl: 'https://acme.atlassian.net/wiki/spaces/OPS/pages/123' });
    expect(sessionsFor(incident)[0]?.prompt).toContain('Publish the postmortem as a page in the team wiki');
    expect((await status(incident)).pageUrl).toBe(result.pageUrl);
    expect((await status(incident)).earlierPostmortems).toBe('POSTMORTEM_REPO is set, but the postmortems go to the wiki (POSTMORTEM_DESTINATION=wiki): earlier postmortems are not looked up');
    expect(sessionsFor(incident)[0]?.prompt).not.toContain('Earlier postmortems');
  });
});
