// The scaffolding of the tests that follow a postmortem PR after it opens (test/review.test.ts,
// test/ui/review-ui.test.ts): the fake GitHub serving each incident's draft as Devin's PR, an incident run
// until its PR is followed, and GitHub's webhooks, signed with the bridge's secret, in GitHub's published
// shapes (test/fixtures/published/github/webhooks/).
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { incidentWebhook, type SimulatedIncident } from '../../src/dev/simulation';
import { workflowIdForIncident } from '../../src/domain/incident';
import { postmortemPath as promptPostmortemPath } from '../../src/postmortem/prompt';
import { evidencePackQuery, statusQuery } from '../../src/domain/messages';
import type { PostmortemResult, PostmortemStatus } from '../../src/domain/status';
import type { FakeDevinApi } from '../fakes/devin-api';
import type { FakeGitHubApi } from '../fakes/github-api';
import type { StoredPullRequest } from '../fakes/github-data';
import type { StoredIssue } from '../fakes/github-issues';
import type { FakePagerDutyApi } from '../fakes/pagerduty-api';
import { type Draft, draftFromPack, type DraftOptions } from './drafts';
import { type Bridge, seedIncident } from './pipeline';
import { eventually } from './temporal';

/** The bridge's GITHUB_WEBHOOK_SECRET: pass it to startPipeline for the worker whose app takes GitHub's webhooks. */
export const GITHUB_SECRET = 'gh-webhook-secret-review-test';
const WEBHOOKS = path.join(__dirname, '..', 'fixtures', 'published', 'github', 'webhooks');
const published = (name: string) => JSON.parse(readFileSync(path.join(WEBHOOKS, name), 'utf8')) as Record<string, Record<string, unknown>>;

/** The worker variables that point it at the fake GitHub, reviews requested from `acme/sre`. The review's settings; the action items' follow-up after the merge is off (test/follow-up.test.ts has it). */
export function gitHubVars(github: FakeGitHubApi): Record<string, string> {
  return { GITHUB_TOKEN: github.token, GITHUB_API_BASE_URL: github.baseUrl, POSTMORTEM_REVIEWERS: 'acme/sre', ACTION_ITEMS_ON: 'off' };
}

export const postmortemPath = (incidentId: string) => `postmortems/${incidentId}.md`;
export const minutesAfter = (incident: SimulatedIncident, minutes: number) => new Date(Date.parse(incident.createdAt) + minutes * 60_000).toISOString();
/** The head commit of a PR in the fake GitHub. */
export const headOf = (pr: StoredPullRequest) => pr.commits[pr.commits.length - 1]!.sha;

/** A GitHub delivery through the worker's webhook app, signed with GITHUB_SECRET. */
export function gitHubDelivery(worker: Bridge, event: string, payload: unknown, deliveryId: string = randomUUID()) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
  return request(worker.app).post('/webhooks/github').set('content-type', 'application/json').set('x-github-event', event).set('x-github-delivery', deliveryId).set('x-hub-signature-256', signature).send(body);
}

/** A published `issues` webhook example (the collection's `reopened`), about this action item's issue. */
export function issuePayload(issue: StoredIssue, action: 'closed' | 'reopened') {
  const example = published('issues.reopened.json');
  const labels = issue.labels.map((name) => ({ ...((example.issue!.labels as object[])[0] ?? {}), name }));
  return {
    ...example,
    action,
    issue: { ...example.issue, number: issue.number, html_url: `https://github.com/${issue.owner}/${issue.repo}/issues/${issue.number}`, state: issue.state, closed_at: issue.closedAt, labels },
    repository: { ...example.repository, full_name: `${issue.owner}/${issue.repo}`, name: issue.repo },
  };
}

/** A published `pull_request` webhook example, about this PR at its head commit. */
export function pullRequestPayload(name: string, pr: StoredPullRequest, url: string, extra: Record<string, unknown> = {}) {
  const example = published(name);
  return { ...example, number: pr.number, pull_request: { ...example.pull_request, html_url: url, number: pr.number, head: { ...(example.pull_request!.head as object), sha: headOf(pr) }, ...extra } };
}

/** Incidents whose PR the workflow follows, against the fakes. */
export class GitHubReview {
  /** Each incident's drafts, by incident id: the fake GitHub serves the first when Devin's PR is first read. */
  readonly drafts = new Map<string, Draft>();

  /** Each incident's postmortem file in its PR. */
  private readonly paths = new Map<string, string>();

  /** `promptPaths`: the file goes where the prompt asks (`docs/postmortems/<date>-<service>-<title>.md`), as earlier postmortems are looked up; else `postmortems/<id>.md`. */
  constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly devin: FakeDevinApi,
    private readonly pagerDuty: FakePagerDutyApi,
    private readonly github: FakeGitHubApi,
    private readonly options: { promptPaths?: boolean } = {},
  ) {
    // Devin's PR, as GitHub shows it when the workflow first reads it: the incident's draft at its head.
    github.onMissingPull = (owner, repo, number) => {
      const url = `https://github.com/${owner}/${repo}/pull/${number}`;
      const session = devin.sessions.find((s) => s.pull_requests.some((pr) => pr.pr_url === url));
      const incidentId = session?.tags.find((t) => t.startsWith('pd-incident:'))?.slice('pd-incident:'.length);
      const draft = incidentId ? this.drafts.get(incidentId) : undefined;
      return draft ? { owner, repo, number, files: { [this.pathOf(incidentId!)]: draft.markdown } } : undefined;
    };
  }

  pathOf(incidentId: string): string {
    return this.paths.get(incidentId) ?? postmortemPath(incidentId);
  }

  handleFor(incident: SimulatedIncident) {
    return this.env.client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(incident.id));
  }

  status(incident: SimulatedIncident): Promise<PostmortemStatus> {
    return this.handleFor(incident).query(statusQuery);
  }

  /** Waits for a status that passes `test`; a timeout names the last phase and write-back lines seen. */
  async until(incident: SimulatedIncident, what: string, test: (s: PostmortemStatus) => boolean, timeoutMs = 60_000): Promise<PostmortemStatus> {
    let last: PostmortemStatus | undefined;
    try {
      return await eventually(async () => {
        last = await this.status(incident);
        return test(last) ? last : undefined;
      }, `incident ${incident.id}: ${what}`, timeoutMs);
    } catch (error) {
      const seen = last ? ` (last seen: phase ${last.phase}${last.lastError ? `, last error: ${last.lastError}` : ''}; ${last.writeBack.join(' | ')})` : '';
      throw new Error(`${(error as Error).message}${seen}`, { cause: error });
    }
  }

  /** The incident's Devin session in the fake Devin. */
  sessionOf(incident: SimulatedIncident) {
    return this.devin.sessions.find((s) => s.tags.includes(`pd-incident:${incident.id}`));
  }

  /** A draft that follows the evidence the workflow holds now: Devin's fix. */
  async correctedDraft(incident: SimulatedIncident): Promise<Draft> {
    return draftFromPack((await this.handleFor(incident).query(evidencePackQuery)).pack!, minutesAfter(incident, 47));
  }

  /** Acknowledged, its draft prepared from the pack the workflow holds, then resolved: Devin opens the PR (followed, by default: `opened` says when it is). */
  async runUntilPullRequest(worker: Bridge, draft: DraftOptions = {}, seed: Partial<SimulatedIncident> = {}, opened: (s: PostmortemStatus) => boolean = (s) => s.review !== undefined && s.pullRequestUrl !== undefined) {
    const incident = seedIncident(this.pagerDuty, seed, { logEntries: 6 });
    expect((await worker.deliver(incidentWebhook('incident.acknowledged', incident, { occurredAt: minutesAfter(incident, 2) }))).status).toBe(202);
    await this.until(incident, 'awaiting resolution', (s) => s.phase === 'awaiting_resolution');
    const resolvedAt = minutesAfter(incident, 47);
    const answer = await this.handleFor(incident).query(evidencePackQuery);
    expect(answer.pack?.incident.id).toBe(incident.id);
    const prepared = draftFromPack(answer.pack!, resolvedAt, draft);
    this.drafts.set(incident.id, prepared);
    if (this.options.promptPaths) this.paths.set(incident.id, promptPostmortemPath({ ...answer.pack!, incident: { ...answer.pack!.incident, resolvedAt } }));
    expect((await worker.deliver(incidentWebhook('incident.resolved', incident, { occurredAt: resolvedAt }))).status).toBe(202);
    const open = await this.until(incident, 'the PR is open', opened);
    const pr = this.github.pullAt(open.pullRequestUrl!);
    expect(pr).toBeDefined();
    return { incident, pr: pr!, draft: prepared, url: open.pullRequestUrl! };
  }
}
