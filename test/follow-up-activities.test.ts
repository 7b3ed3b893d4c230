// The follow-up's activities against the fake GitHub, called directly (no workflow): an attempt retried
// with the same input (its answer lost) repeats nothing — no second issue, PR comment or reminder.
import { followUpActivities } from '../activities/follow-up';
import { loadWorkerConfig } from '../src/config';
import type { TrackedItem } from '../src/domain/follow-up';
import { FakeGitHubApi } from './fakes/github-api';

let github: FakeGitHubApi;
let activities: ReturnType<typeof followUpActivities>;

beforeAll(async () => {
  github = await FakeGitHubApi.start();
  activities = followUpActivities(loadWorkerConfig({ GITHUB_TOKEN: github.token, GITHUB_API_BASE_URL: github.baseUrl, HTTP_TIMEOUT: '5s' }));
  github.issues.assignable.set('acme/runbooks', new Set(['ada']));
});
afterAll(() => github.close());

const request = {
  incidentId: 'Q1ABCDEF234567',
  repository: 'acme/runbooks',
  postmortemUrl: 'https://github.com/acme/runbooks/blob/abc/docs/postmortems/x.md',
  incidentUrl: 'https://acme.pagerduty.com/incidents/Q1ABCDEF234567',
  items: [
    { title: 'Alert on pool saturation', owner: '@ada', due: '2026-01-15' },
    { title: 'Canary stage', owner: 'sre-team' },
  ],
};

describe('retried follow-up steps repeat nothing', () => {
  let items: TrackedItem[];

  it('issues: the retry finds both by their markers', async () => {
    const first = await activities.createActionItemIssues(request);
    expect(first.created).toBe(2);
    const again = await activities.createActionItemIssues(request);
    expect(again.created).toBe(0);
    expect(again.items.map((i) => i.issueUrl)).toEqual(first.items.map((i) => i.issueUrl));
    expect(github.issues.created).toBe(2);
    expect(first.items.map((i) => [i.assignee ?? null, i.due ?? null])).toEqual([['ada', '2026-01-15'], [null, null]]);
    items = first.items;
  });

  it('the PR comment listing them: posted once', async () => {
    github.addPullRequest({ owner: 'acme', repo: 'runbooks', number: 7, files: { 'docs/postmortems/x.md': '# x\n' } });
    const url = 'https://github.com/acme/runbooks/pull/7';
    await activities.listActionItemsOnPullRequest({ pullRequestUrl: url, items });
    await activities.listActionItemsOnPullRequest({ pullRequestUrl: url, items });
    const listed = github.comments.filter((c) => c.number === 7);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.body).toContain(items[1]!.issueUrl);
  });

  it('refuses to go on when GitHub drops the labels (no triage access): the issue could not be found again', async () => {
    github.issues.withoutTriage.add('acme/locked');
    await expect(activities.createActionItemIssues({ ...request, incidentId: 'Q2ABCDEF234567', repository: 'acme/locked' })).rejects.toThrow(/created without its labels \(postmortem, incident:Q2ABCDEF234567\): the token's user or app needs at least triage access to acme\/locked/);
    expect(github.issues.issues.filter((i) => i.repo === 'locked')).toHaveLength(1);
  });

  it('a reminder: the same reminder once, the next one (a week later) again', async () => {
    const item = items[0]!;
    await activities.remindActionItemOwner({ repository: 'acme/runbooks', item, incidentId: request.incidentId });
    await activities.remindActionItemOwner({ repository: 'acme/runbooks', item, incidentId: request.incidentId });
    const issue = github.issues.find('acme', 'runbooks', Number(item.issueId))!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toMatch(/^@ada: .* was due 2026-01-15 .*<!-- postmortem-pipeline:overdue-reminder 1 -->$/);
    await activities.remindActionItemOwner({ repository: 'acme/runbooks', item: { ...item, reminders: 1 }, incidentId: request.incidentId });
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[1]).toContain('overdue-reminder 2 -->');
  });
});
