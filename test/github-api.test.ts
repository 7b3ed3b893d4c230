// The GitHub client against the fake GitHub REST API: each call of its small surface, pagination by
// `Link`, annotations in batches of 50, and every failure under the one HTTP policy — refusals not
// retried, rate limits (429, and GitHub's 403 with retry-after or an exhausted x-ratelimit window)
// retried after the server's delay. Also GITHUB_TOKEN / GITHUB_API_BASE_URL in the worker's config.
import { ConfigError, loadGitHubConfig, loadWorkerConfig } from '../src/config';
import { FailureTypes } from '../src/domain/failures';
import { type CheckAnnotation, GitHubClient, parsePullRequestUrl } from '../src/integrations/github/client';
import { rateLimitDelay } from '../src/integrations/github/failures';
import { ExternalServiceError, withRetries } from '../src/integrations/http';
import { FakeGitHubApi } from './fakes/github-api';

let github: FakeGitHubApi;
let client: GitHubClient;
const repo = { owner: 'acme', repo: 'postmortems' };
const POSTMORTEM = 'docs/postmortems/2026-11-20-checkout-api-latency.md';

beforeEach(async () => {
  github = await FakeGitHubApi.start();
  client = new GitHubClient({ token: github.token, baseUrl: github.baseUrl }, 5_000);
});

afterEach(() => github.close());

async function failure(work: Promise<unknown>): Promise<ExternalServiceError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalServiceError);
  return error as ExternalServiceError;
}

describe('the GitHub client', () => {
  it('reads the postmortem at the head commit and the pull request as GitHub reports it', async () => {
    const pr = github.addPullRequest({ ...repo, number: 42, files: { [POSTMORTEM]: '# Postmortem: Checkout API p99 latency — ünïcode\n' } });
    const head = pr.commits[0]!.sha;
    expect(await client.readFile(repo, POSTMORTEM, head)).toMatchObject({ path: POSTMORTEM, text: '# Postmortem: Checkout API p99 latency — ünïcode\n' });
    const open = await client.getPullRequest({ ...repo, number: 42 });
    // An open PR's merge_commit_sha is GitHub's test merge: not reported as a merge.
    expect(open).toEqual({ number: 42, url: 'https://github.com/acme/postmortems/pull/42', state: 'open', merged: false, draft: false, headSha: head, headRef: 'devin/postmortem-42', baseRef: 'main' });
    github.merge(pr);
    expect(await client.getPullRequest({ ...repo, number: 42 })).toMatchObject({ state: 'closed', merged: true, mergeCommitSha: pr.mergeCommitSha });
    expect(github.requests[0]?.headers.authorization).toBe(`token ${github.token}`);
  });

  it('follows Link pagination through every page of commits and reviews', async () => {
    const reviews = [...Array(130).keys()].map((i) => ({ user: `reviewer-${i}`, state: i === 129 ? 'APPROVED' : 'COMMENTED' }));
    const pr = github.addPullRequest({ ...repo, number: 7, files: {}, earlierCommits: 149, reviews });
    const commits = await client.listCommits({ ...repo, number: 7 });
    expect(commits.map((c) => c.sha)).toEqual(pr.commits.map((c) => c.sha));
    expect(commits[0]).toEqual({ sha: pr.commits[0]!.sha, message: 'Draft 1', authorLogin: 'devin-ai-integration[bot]' });
    const listed = await client.listReviews({ ...repo, number: 7 });
    expect(listed).toHaveLength(130);
    expect(listed[129]).toMatchObject({ reviewer: 'reviewer-129', state: 'APPROVED', commitSha: pr.commits[149]!.sha });
    const pages = github.requests.filter((r) => r.path.endsWith('/commits')).map((r) => r.query.get('page') ?? '1');
    expect(pages).toEqual(['1', '2']);
  });

  it('publishes a check run with 120 annotations in requests of at most 50', async () => {
    const pr = github.addPullRequest({ ...repo, number: 3, files: {} });
    const annotations: CheckAnnotation[] = [...Array(120).keys()].map((i) => ({ path: POSTMORTEM, line: i + 1, level: 'failure', title: 'invented_link', message: `finding ${i}` }));
    const run = await client.createCheckRun(repo, 'postmortem/evidence', pr.commits[0]!.sha, { status: 'completed', conclusion: 'failure', title: '120 errors', summary: 'The draft cites evidence that is not in the pack.', annotations });
    const calls = github.requests.filter((r) => r.path.includes('/check-runs'));
    expect(calls.map((r) => [r.method, (r.body as { output: { annotations: unknown[] } }).output.annotations.length])).toEqual([['POST', 50], ['PATCH', 50], ['PATCH', 20]]);
    const stored = github.checkRuns[0]!;
    expect(stored).toMatchObject({ name: 'postmortem/evidence', headSha: pr.commits[0]!.sha, status: 'completed', conclusion: 'failure' });
    expect(stored.annotations.map((a) => a.start_line)).toEqual(annotations.map((a) => a.line));
    expect(run).toEqual({ id: stored.id, url: `https://github.com/acme/postmortems/runs/${stored.id}` });

    expect(await client.findCheckRun(repo, pr.commits[0]!.sha, 'postmortem/evidence')).toEqual({ ...run, startedAt: stored.startedAt });
    expect(await client.findCheckRun(repo, pr.commits[0]!.sha, 'other/check')).toBeUndefined();
    await client.updateCheckRun(repo, run.id, { status: 'completed', conclusion: 'success', title: 'No findings', summary: 'Fixed.', annotations: [] });
    expect(github.checkRuns[0]).toMatchObject({ conclusion: 'success', output: { title: 'No findings' } });
  });

  it('comments on the pull request and requests reviewers', async () => {
    github.addPullRequest({ ...repo, number: 5, files: {} });
    const comment = await client.createIssueComment({ ...repo, number: 5 }, 'The evidence check found 2 errors.');
    expect(comment.url).toMatch(/^https:\/\/github\.com\/acme\/postmortems\/pull\/5#issuecomment-\d+$/);
    await client.requestReviewers({ ...repo, number: 5 }, { users: ['ada'], teams: ['sre'] });
    expect(github.pulls.get('acme/postmortems#5')).toMatchObject({ requestedReviewers: ['ada'], requestedTeams: ['sre'] });
  });

  it('refuses without retrying: a wrong token (401), a missing file (404), a validation failure (422)', async () => {
    github.addPullRequest({ ...repo, number: 5, files: {} });
    const wrong = new GitHubClient({ token: 'github_pat_wrong', baseUrl: github.baseUrl }, 5_000);
    const refused = await failure(wrong.getPullRequest({ ...repo, number: 5 }));
    expect(refused).toMatchObject({ type: FailureTypes.rejected, retryable: false, status: 401, detail: 'Bad credentials' });
    const missing = await failure(client.readFile(repo, 'docs/nope.md', 'main'));
    expect(missing).toMatchObject({ type: FailureTypes.rejected, status: 404, detail: 'Not Found' });
    const invalid = await failure(client.createIssueComment({ ...repo, number: 5 }, ''));
    expect(invalid).toMatchObject({ status: 422, retryable: false, detail: 'Validation Failed: IssueComment body missing_field' });
    expect(invalid.message).toBe('GitHub POST /repos/acme/postmortems/issues/5/comments answered 422: Validation Failed: IssueComment body missing_field');
    for (const error of [refused, missing, invalid]) expect(JSON.stringify({ ...error, message: error.message })).not.toContain(github.token);
  });

  it('retries a secondary rate limit (403 + retry-after) after the delay GitHub asks for', async () => {
    github.addPullRequest({ ...repo, number: 9, files: {} });
    github.secondaryRateLimit(1, 7);
    const limited = await failure(client.getPullRequest({ ...repo, number: 9 }));
    expect(limited).toMatchObject({ type: FailureTypes.unavailable, retryable: true, status: 403, retryAfterMs: 7_000 });
    expect(limited.detail).toMatch(/^You have exceeded a secondary rate limit/);
    github.secondaryRateLimit(1, 0);
    const waits: number[] = [];
    const pr = await withRetries(() => client.getPullRequest({ ...repo, number: 9 }), 3, async (ms) => void waits.push(ms));
    expect(pr.number).toBe(9);
    expect(waits).toEqual([0]);
  });

  it('waits for the reset of an exhausted primary limit (403, x-ratelimit-remaining 0), and retries 5xx and lost connections', async () => {
    github.addPullRequest({ ...repo, number: 9, files: {} });
    github.setRateLimitRemaining(0);
    const exhausted = await failure(client.getPullRequest({ ...repo, number: 9 }));
    expect(exhausted).toMatchObject({ retryable: true, status: 403 });
    // The fake's reset is an hour away: capped at the policy's 10 minutes.
    expect(exhausted.retryAfterMs).toBe(600_000);
    github.setRateLimitRemaining(100);
    github.fail('/repos/acme/postmortems/pulls/9', { status: 502 });
    expect(await failure(client.getPullRequest({ ...repo, number: 9 }))).toMatchObject({ retryable: true, status: 502 });
    await github.close();
    const lost = await failure(client.getPullRequest({ ...repo, number: 9 }));
    expect(lost).toMatchObject({ retryable: true, status: undefined });
    expect(lost.message).toMatch(/^GitHub GET \/repos\/acme\/postmortems\/pulls\/9: network error/);
  });

  it('tells a rate limit from a refusal by its headers', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const headers = (h: Record<string, string>) => new Headers(h);
    expect(rateLimitDelay(403, headers({ 'retry-after': '30' }), '', now)).toBe(30_000);
    expect(rateLimitDelay(403, headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 42) }), '', now)).toBe(42_000);
    expect(rateLimitDelay(403, headers({ 'x-ratelimit-remaining': '4999' }), 'Resource not accessible by integration', now)).toBeUndefined();
    expect(rateLimitDelay(403, headers({}), SECONDARY_WITHOUT_HEADERS, now)).toBe(60_000);
    expect(rateLimitDelay(404, headers({ 'retry-after': '30' }), '', now)).toBeUndefined();
  });

  it('reads a pull request URL, GitHub Enterprise Server included', () => {
    expect(parsePullRequestUrl('https://github.com/acme/postmortems/pull/42')).toEqual({ owner: 'acme', repo: 'postmortems', number: 42 });
    expect(parsePullRequestUrl('https://ghe.acme.internal/sre/pm/pull/7/files')).toEqual({ owner: 'sre', repo: 'pm', number: 7 });
    expect(parsePullRequestUrl('https://github.com/acme/postmortems/issues/42')).toBeUndefined();
  });
});

const SECONDARY_WITHOUT_HEADERS = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

describe('GitHub configuration', () => {
  it('configures nothing without GITHUB_TOKEN', () => {
    expect(loadGitHubConfig({})).toBeUndefined();
    expect(loadWorkerConfig({ GITHUB_API_BASE_URL: 'https://ghe.acme.internal/api/v3' }).github).toBeUndefined();
  });

  it('takes the token and the API base URL (GitHub Enterprise Server), github.com by default', () => {
    const token = `github_pat_${'x'.repeat(20)}`;
    expect(loadWorkerConfig({ GITHUB_TOKEN: token }).github).toEqual({ token, baseUrl: 'https://api.github.com' });
    expect(loadGitHubConfig({ GITHUB_TOKEN: token, GITHUB_API_BASE_URL: 'https://ghe.acme.internal/api/v3/' })).toEqual({ token, baseUrl: 'https://ghe.acme.internal/api/v3' });
  });

  it('names the variable and never quotes the token', () => {
    const token = `github_pat_${'y'.repeat(20)} oops`;
    expect(() => loadWorkerConfig({ GITHUB_TOKEN: token })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ GITHUB_TOKEN: token })).toThrow(/GITHUB_TOKEN: must be one token without spaces/);
    expect(() => loadGitHubConfig({ GITHUB_TOKEN: token })).not.toThrow(/yyyy/);
    expect(() => loadGitHubConfig({ GITHUB_TOKEN: 'ghs_x', GITHUB_API_BASE_URL: 'ftp://ghe' })).toThrow(/GITHUB_API_BASE_URL: must be an http\(s\) URL/);
  });
});
