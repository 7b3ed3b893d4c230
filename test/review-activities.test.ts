// The review's activities against the fake GitHub, called directly (no workflow): one check run per head
// commit across a retried attempt, a new one when a re-run is asked for, the postmortem file found without
// Devin naming it, the change poll, reviewers from CODEOWNERS, and a token without checks:write.
import type { IncidentContext } from '../src/domain/evidence';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { reviewActivities } from '../activities/review';
import { loadWorkerConfig } from '../src/config';
import { EVIDENCE_CHECK_NAME } from '../src/domain/review';
import { FakeGitHubApi } from './fakes/github-api';

const DIR = path.join(__dirname, 'fixtures', 'evidence-check');
const pack = JSON.parse(readFileSync(path.join(DIR, 'pack.json'), 'utf8')) as IncidentContext;
const good = readFileSync(path.join(DIR, 'good-draft.md'), 'utf8');
const FILE = 'postmortems/2026-11-20-checkout-latency.md';

let github: FakeGitHubApi;
let activities: ReturnType<typeof reviewActivities>;
let number = 100;

beforeAll(async () => {
  github = await FakeGitHubApi.start();
  activities = reviewActivities(loadWorkerConfig({ GITHUB_TOKEN: github.token, GITHUB_API_BASE_URL: github.baseUrl, HTTP_TIMEOUT: '5s' }));
});
afterAll(() => github.close());

function newPullRequest(files: Record<string, string> = { [FILE]: good, 'README.md': '# Postmortems\n' }) {
  const pr = github.addPullRequest({ owner: 'acme', repo: 'postmortems', number: ++number, files });
  return { pr, url: `https://github.com/acme/postmortems/pull/${pr.number}` };
}

const request = (url: string, extra = {}) => ({ pullRequestUrl: url, pack, personalData: true, ...extra });

describe('the evidence check on a pull request', () => {
  it('finds the postmortem file itself, passes a good draft, and publishes one check run per head commit', async () => {
    const { pr, url } = newPullRequest();
    const first = await activities.checkPullRequest(request(url));
    expect(first.check).toMatchObject({ path: FILE, conclusion: 'success', errors: 0, headSha: pr.commits[0]!.sha });
    // A retried attempt (its answer lost) finds its run instead of making another.
    const again = await activities.checkPullRequest(request(url));
    expect(again.check?.checkRunUrl).toBe(first.check?.checkRunUrl);
    expect(github.checkRuns.filter((r) => r.headSha === pr.commits[0]!.sha && r.name === EVIDENCE_CHECK_NAME)).toHaveLength(1);
  });

  it('a re-run someone asked for makes a new run, once', async () => {
    const { pr, url } = newPullRequest();
    await activities.checkPullRequest(request(url));
    const asked = new Date(Date.now() + 1000).toISOString();
    await activities.checkPullRequest(request(url, { rerunRequestedAt: asked }));
    const runs = () => github.checkRuns.filter((r) => r.headSha === pr.commits[0]!.sha);
    expect(runs()).toHaveLength(2);
    // The same re-run retried: the run made for it (started after the request) is found.
    runs()[1]!.startedAt = new Date(Date.parse(asked) + 1).toISOString();
    await activities.checkPullRequest(request(url, { rerunRequestedAt: asked }));
    expect(runs()).toHaveLength(2);
  });

  it('says so when it cannot tell which file is the postmortem', async () => {
    const { url } = newPullRequest({ 'a.md': 'x', 'b.md': 'y' });
    const result = await activities.checkPullRequest(request(url));
    expect(result.check).toBeUndefined();
    expect(result.problem).toMatch(/no postmortem file found/);
  });

  it('a token that may not create check runs still gets the check, and says why there is no run', async () => {
    const { url } = newPullRequest();
    github.fail(/\/check-runs$/, { status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run', status: '403' }, times: 2 });
    const result = await activities.checkPullRequest(request(url, { postmortemPath: FILE }));
    expect(result.check?.conclusion).toBe('success');
    expect(result.check?.publishError).toMatch(/GitHub App installation token with checks:write/);
  });

  it('a closed pull request is not checked', async () => {
    const { pr, url } = newPullRequest();
    github.closePull(pr);
    expect(await activities.checkPullRequest(request(url))).toEqual({ pullRequest: expect.objectContaining({ state: 'closed', merged: false }) });
  });
});

describe('watching the pull request', () => {
  it('the poll says "not yet" while nothing changed, and returns the PR once it did', async () => {
    const { pr, url } = newPullRequest();
    const now = await activities.readPullRequest({ pullRequestUrl: url });
    await expect(activities.waitForPullRequestChange({ pullRequestUrl: url, known: now })).rejects.toMatchObject({ type: 'PullRequestNotReady' });
    github.addReview(pr, 'ada', 'APPROVED');
    expect(await activities.waitForPullRequestChange({ pullRequestUrl: url, known: now })).toMatchObject({ reviewState: 'approved', state: 'open' });
    github.merge(pr);
    expect(await activities.waitForPullRequestChange({ pullRequestUrl: url, known: { ...now, reviewState: 'approved' } })).toMatchObject({ merged: true, mergeCommitSha: pr.mergeCommitSha });
  });
});

describe('asking for reviews', () => {
  it('from POSTMORTEM_REVIEWERS, or else from the CODEOWNERS entry of the postmortem', async () => {
    const { pr, url } = newPullRequest();
    expect(await activities.requestPostmortemReviewers({ pullRequestUrl: url, users: ['ada'], teams: ['sre'] })).toEqual({ requested: ['ada', 'acme/sre'], note: 'requested from POSTMORTEM_REVIEWERS' });
    expect(pr).toMatchObject({ requestedReviewers: ['ada'], requestedTeams: ['sre'] });

    const owned = newPullRequest();
    const base = github.addPullRequest({ owner: 'acme', repo: 'postmortems', number: ++number, headRef: 'main', files: { '.github/CODEOWNERS': '* @acme/everyone\n/postmortems/ @acme/incident-review @lin\n' } });
    expect(base.headRef).toBe('main');
    expect(await activities.requestPostmortemReviewers({ pullRequestUrl: owned.url, users: [], teams: [] })).toEqual({ requested: ['lin', 'acme/incident-review'], note: 'requested from CODEOWNERS (.github/CODEOWNERS)' });
  });

  it('says why nobody was asked when no CODEOWNERS file exists', async () => {
    const other = github.addPullRequest({ owner: 'acme', repo: 'no-owners', number: 1, files: { [FILE]: good } });
    const answer = await activities.requestPostmortemReviewers({ pullRequestUrl: `https://github.com/acme/no-owners/pull/${other.number}`, users: [], teams: [] });
    expect(answer).toEqual({ requested: [], note: expect.stringMatching(/no reviewers requested: POSTMORTEM_REVIEWERS is not set.*no CODEOWNERS file on main/) });
  });
});
