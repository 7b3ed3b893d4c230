// GitHub's published REST examples (test/fixtures/published/github/, sources in its README) against
// (1) the fake: each endpoint the service uses answers with the example's shape — the same keys with the
// same JSON types at every level the client reads (extra fields allowed; null stands for a nullable
// field) — and its error bodies follow the published error schemas; and (2) the client: it reads the
// examples as published, served verbatim by the fake.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GitHubClient } from '../src/integrations/github/client';
import { FakeGitHubApi } from './fakes/github-api';

const DIR = path.join(__dirname, 'fixtures', 'published', 'github');
const published = <T = unknown>(name: string): T => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as T;
const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Keys of `example` that `actual` lacks or holds with another JSON type, at one level. */
function levelProblems(example: unknown, actual: unknown, at: string): string[] {
  if (example === null || actual === null) return [];
  if (jsonType(example) !== jsonType(actual)) return [`${at}: ${jsonType(actual)} where GitHub sends ${jsonType(example)}`];
  if (jsonType(example) !== 'object') return [];
  const [e, a] = [example as Record<string, unknown>, actual as Record<string, unknown>];
  return Object.keys(e).flatMap((key) => {
    if (!(key in a)) return [`${at}.${key}: missing`];
    const [te, ta] = [jsonType(e[key]), jsonType(a[key])];
    return te !== ta && te !== 'null' && ta !== 'null' ? [`${at}.${key}: ${ta} where GitHub sends ${te}`] : [];
  });
}

/** The shape at the root and along each path (`[]` at the root or after a key: each item against the example's first). */
function shapeProblems(example: unknown, actual: unknown, paths: string[]): string[] {
  const pairs = (e: unknown, a: unknown, at: string): [unknown, unknown, string][] =>
    Array.isArray(e) ? (Array.isArray(a) && a.length > 0 ? a.map((item): [unknown, unknown, string] => [e[0], item, `${at}[]`]) : [[e, a, at]]) : [[e, a, at]];
  const problems = pairs(example, actual, '$').flatMap(([e, a, at]) => levelProblems(e, a, at));
  for (const p of paths) {
    let level = pairs(example, actual, '$');
    for (const key of p.split('.')) {
      level = level.flatMap(([e, a, at]) => (e && a && typeof e === 'object' && typeof a === 'object' ? pairs((e as Record<string, unknown>)[key], (a as Record<string, unknown>)[key], `${at}.${key}`) : []));
      problems.push(...level.flatMap(([e, a, at]) => (a === undefined ? [] : levelProblems(e, a, at))));
    }
  }
  return [...new Set(problems)];
}

let github: FakeGitHubApi;
const repo = { owner: 'acme', repo: 'postmortems' };
const FILE = 'docs/postmortems/2026-11-20-checkout.md';
let head = '';

beforeEach(async () => {
  github = await FakeGitHubApi.start();
  const pr = github.addPullRequest({ ...repo, number: 42, files: { [FILE]: '# Postmortem\n' }, earlierCommits: 2, reviews: [{ user: 'ada', state: 'APPROVED' }] });
  head = pr.commits[2]!.sha;
});
afterEach(() => github.close());

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${github.baseUrl}${p}`, { method, headers: { authorization: `token ${github.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe('the fake answers in the published shapes', () => {
  it.each([
    ['GET contents (a file)', 'rest-get-repository-content.file.200.json', 'GET', (): string => `/repos/acme/postmortems/contents/${FILE}?ref=${head}`, undefined, 200, ['_links']],
    ['GET a pull request', 'rest-get-pull-request.200.json', 'GET', (): string => '/repos/acme/postmortems/pulls/42', undefined, 200, ['head', 'base', 'user', '_links']],
    ['GET the pull request\'s commits', 'rest-list-pull-request-commits.200.json', 'GET', (): string => '/repos/acme/postmortems/pulls/42/commits', undefined, 200, ['commit', 'commit.author', 'author']],
    ['GET the pull request\'s files', 'rest-list-pull-request-files.200.json', 'GET', (): string => '/repos/acme/postmortems/pulls/42/files', undefined, 200, []],
    ['GET the pull request\'s reviews', 'rest-list-pull-request-reviews.200.json', 'GET', (): string => '/repos/acme/postmortems/pulls/42/reviews', undefined, 200, ['user', '_links']],
    ['POST a check run', 'rest-create-check-run.201.json', 'POST', (): string => '/repos/acme/postmortems/check-runs', (): unknown => ({ name: 'postmortem/evidence', head_sha: head, status: 'completed', conclusion: 'neutral', output: { title: 't', summary: 's' } }), 201, ['output', 'check_suite', 'app']],
    ['POST an issue comment', 'rest-create-issue-comment.201.json', 'POST', (): string => '/repos/acme/postmortems/issues/42/comments', (): unknown => ({ body: 'Me too' }), 201, ['user']],
    ['POST requested reviewers', 'rest-request-reviewers.201.json', 'POST', (): string => '/repos/acme/postmortems/pulls/42/requested_reviewers', (): unknown => ({ reviewers: ['ada'], team_reviewers: ['sre'] }), 201, ['requested_reviewers', 'requested_teams', 'head', 'base']],
  ] as const)('%s', async (_name, file, method, url, body, status, paths) => {
    const answer = await call(method, url(), body?.());
    expect(answer.status).toBe(status);
    expect(shapeProblems(published(file), answer.json, [...paths])).toEqual([]);
  });

  it('PATCH a check run answers like the published update', async () => {
    const created = (await call('POST', '/repos/acme/postmortems/check-runs', { name: 'postmortem/evidence', head_sha: head })).json as { id: number };
    const answer = await call('PATCH', `/repos/acme/postmortems/check-runs/${created.id}`, { conclusion: 'success', output: { title: 'ok', summary: 'ok' } });
    expect(answer.status).toBe(200);
    expect(shapeProblems(published('rest-update-check-run.200.json'), answer.json, ['output', 'app'])).toEqual([]);
  });

  it('GET an issue\'s comments answers like the published list', async () => {
    await call('POST', '/repos/acme/postmortems/issues/42/comments', { body: 'Me too' });
    const answer = await call('GET', '/repos/acme/postmortems/issues/42/comments');
    expect(answer.status).toBe(200);
    expect(answer.json).toHaveLength(1);
    expect(shapeProblems(published('rest-list-issue-comments.200.json'), answer.json, ['user'])).toEqual([]);
  });

  it('GET check runs for a ref answers like the published list', async () => {
    await call('POST', '/repos/acme/postmortems/check-runs', { name: 'postmortem/evidence', head_sha: head });
    const answer = await call('GET', `/repos/acme/postmortems/commits/${head}/check-runs?check_name=postmortem%2Fevidence`);
    expect(answer.status).toBe(200);
    expect(shapeProblems(published('rest-list-check-runs-for-ref.200.json'), answer.json, ['check_runs[]', 'check_runs[].output', 'check_runs[].app'])).toEqual([]);
  });

  it('errors follow basic-error (404, 401, 403) and validation-error (422)', async () => {
    type Schema = { properties: Record<string, { type: string }>; required?: string[] };
    const basic = published<Schema>('rest-schema-basic-error.json');
    const validation = published<Schema & { properties: { errors: { items: Schema } } }>('rest-schema-validation-error.json');
    const follows = (schema: Schema, body: Record<string, unknown>) => {
      for (const key of schema.required ?? []) expect(body).toHaveProperty(key);
      for (const [key, value] of Object.entries(body)) if (schema.properties[key]) expect([key, jsonType(value)]).toEqual([key, schema.properties[key]!.type]);
    };
    const notFound = await call('GET', '/repos/acme/postmortems/pulls/999');
    expect(notFound.status).toBe(404);
    follows(basic, notFound.json as Record<string, unknown>);
    github.secondaryRateLimit(1, 30);
    follows(basic, (await call('GET', '/repos/acme/postmortems/pulls/42')).json as Record<string, unknown>);
    const invalid = await call('POST', '/repos/acme/postmortems/issues/42/comments', { body: '' });
    expect(invalid.status).toBe(422);
    follows(validation, invalid.json as Record<string, unknown>);
    for (const error of (invalid.json as { errors: Record<string, unknown>[] }).errors) follows(validation.properties.errors.items, error);
  });

  // GitHub's issue example is itself a pull request (it carries `pull_request`); a tracked item never is.
  const asIssue = (problems: string[]) => problems.filter((p) => !/^\$(\[\])?\.pull_request: missing$/.test(p));

  it('POST, GET and list issues answer like the published issue (labels, assignees, state)', async () => {
    const created = await call('POST', '/repos/acme/postmortems/issues', { title: 'Add a canary', body: 'marker', labels: ['postmortem', 'incident:Q1'], assignees: ['ada'] });
    expect(created.status).toBe(201);
    expect(asIssue(shapeProblems(published('rest-create-issue.201.json'), created.json, ['user', 'labels', 'assignee', 'assignees']))).toEqual([]);
    const { number } = created.json as { number: number };
    const got = await call('GET', `/repos/acme/postmortems/issues/${number}`);
    expect(asIssue(shapeProblems(published('rest-create-issue.201.json'), got.json, ['user', 'labels', 'assignees']))).toEqual([]);
    const listed = await call('GET', '/repos/acme/postmortems/issues?labels=postmortem,incident:Q1&state=all');
    expect(asIssue(shapeProblems(published('rest-list-repository-issues.200.json'), listed.json, ['labels', 'assignees', 'user']))).toEqual([]);
    expect((listed.json as { number: number }[]).map((i) => i.number)).toEqual([number]);
    expect(((await call('GET', '/repos/acme/postmortems/issues?labels=postmortem,other')).json as unknown[])).toEqual([]);
    github.issues.close(github.issues.find('acme', 'postmortems', number)!);
    expect(((await call('GET', '/repos/acme/postmortems/issues?labels=postmortem')).json as unknown[])).toEqual([]);
    expect((await call('GET', `/repos/acme/postmortems/issues/${number}`)).json).toMatchObject({ state: 'closed', state_reason: 'completed' });
    const invalid = await call('POST', '/repos/acme/postmortems/issues', { body: 'no title' });
    expect(invalid.status).toBe(422);
  });

  it('GET contents of a folder answers like the published directory listing', async () => {
    github.setBranchFiles('acme', 'postmortems', { 'docs/postmortems/2026-10-01-checkout.md': '# Earlier\n', 'docs/postmortems/images/graph.png': 'png' });
    const answer = await call('GET', '/repos/acme/postmortems/contents/docs/postmortems');
    expect(answer.status).toBe(200);
    expect(shapeProblems(published('rest-get-repository-content.directory.200.json'), answer.json, ['_links'])).toEqual([]);
    expect((answer.json as { type: string; name: string }[]).map((e) => [e.type, e.name])).toEqual([['file', '2026-10-01-checkout.md'], ['dir', 'images']]);
    expect((await call('GET', '/repos/acme/postmortems/contents/docs/nothing')).status).toBe(404);
  });

  it('the comparison itself catches a missing key and a changed type', () => {
    expect(shapeProblems([{ a: { b: 1, c: 'x' } }], [{ a: { b: '1' } }], ['a'])).toEqual(['$[].a.b: string where GitHub sends number', '$[].a.c: missing']);
  });
});

describe('the client reads the published examples', () => {
  const client = () => new GitHubClient({ token: github.token, baseUrl: github.baseUrl }, 5_000);
  /** The next request to exactly this path answers the published example. */
  const serve = (p: string, file: string, status = 200) => github.fail(new RegExp(`^${p}$`), { status, body: published(file) });

  it('a pull request', async () => {
    serve('/repos/octocat/Hello-World/pulls/1347', 'rest-get-pull-request.200.json');
    // The example is open, so its merge_commit_sha is a test merge and not reported.
    expect(await client().getPullRequest({ owner: 'octocat', repo: 'Hello-World', number: 1347 })).toEqual({
      number: 1347, url: 'https://github.com/octocat/Hello-World/pull/1347', state: 'open', merged: false, draft: false,
      headSha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', headRef: 'new-topic', baseRef: 'master',
    });
  });

  it('commits, reviews, a check run, a comment', async () => {
    const pr = { owner: 'octocat', repo: 'Hello-World', number: 12 };
    serve('/repos/octocat/Hello-World/pulls/12/commits', 'rest-list-pull-request-commits.200.json');
    expect(await client().listCommits(pr)).toEqual([{ sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', message: 'Fix all the bugs', authorLogin: 'octocat' }]);
    serve('/repos/octocat/Hello-World/pulls/12/files', 'rest-list-pull-request-files.200.json');
    expect(await client().listFiles(pr)).toEqual([{ path: 'file1.txt', status: 'added' }]);
    serve('/repos/octocat/Hello-World/pulls/12/reviews', 'rest-list-pull-request-reviews.200.json');
    expect(await client().listReviews(pr)).toEqual([{ id: 80, state: 'APPROVED', reviewer: 'octocat', commitSha: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091', submittedAt: '2019-11-17T17:43:43Z' }]);
    serve('/repos/github/hello-world/check-runs', 'rest-create-check-run.201.json', 201);
    expect(await client().createCheckRun({ owner: 'github', repo: 'hello-world' }, 'mighty_readme', 'ce587453ced02b1526dfb4cb910479d431683101', { status: 'completed', conclusion: 'neutral', title: 't', summary: 's', annotations: [] })).toEqual({ id: 4, url: 'https://github.com/github/hello-world/runs/4' });
    serve('/repos/github/hello-world/commits/ce587453ced02b1526dfb4cb910479d431683101/check-runs', 'rest-list-check-runs-for-ref.200.json');
    expect(await client().findCheckRun({ owner: 'github', repo: 'hello-world' }, 'ce587453ced02b1526dfb4cb910479d431683101', 'mighty_readme')).toEqual({ id: 4, url: 'https://github.com/github/hello-world/runs/4', startedAt: '2018-05-04T01:14:52Z' });
    serve('/repos/octocat/Hello-World/issues/1347/comments', 'rest-create-issue-comment.201.json', 201);
    expect(await client().createIssueComment({ owner: 'octocat', repo: 'Hello-World', number: 1347 }, 'Me too')).toEqual({ id: 1, url: 'https://github.com/octocat/Hello-World/issues/1347#issuecomment-1' });
    serve('/repos/octocat/Hello-World/issues/1347/comments', 'rest-list-issue-comments.200.json');
    expect(await client().listIssueComments({ owner: 'octocat', repo: 'Hello-World', number: 1347 })).toEqual([{ id: 1, body: 'Me too' }]);
  });

  it('issues: created and read as published; the published list\'s only item is a pull request, so no issue', async () => {
    const repository = { owner: 'octocat', repo: 'Hello-World' };
    serve('/repos/octocat/Hello-World/issues', 'rest-create-issue.201.json', 201);
    expect(await client().createIssue(repository, { title: 'Found a bug', body: 'x', labels: ['bug'], assignees: ['octocat'] })).toEqual({
      number: 1347, url: 'https://github.com/octocat/Hello-World/issues/1347', title: 'Found a bug', body: "I'm having a problem with this.", state: 'open',
      stateReason: 'completed', assignees: ['octocat'], labels: ['bug'], createdAt: '2011-04-22T13:33:48Z',
    });
    serve('/repos/octocat/Hello-World/issues', 'rest-list-repository-issues.200.json');
    expect(await client().listIssues(repository, ['bug'])).toEqual([]);
  });

  it('a folder\'s entries', async () => {
    serve('/repos/octokit/octokit.rb/contents/lib', 'rest-get-repository-content.directory.200.json');
    expect(await client().listDirectory({ owner: 'octokit', repo: 'octokit.rb' }, 'lib')).toEqual([
      { name: 'octokit.rb', path: 'lib/octokit.rb', type: 'file', sha: 'fff6fe3a23bf1c8ea0692b4a883af99bee26fd3b' },
      { name: 'octokit', path: 'lib/octokit', type: 'dir', sha: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d' },
    ]);
  });

  it('a file\'s metadata (the published example\'s content is not valid base64: only its shape is read)', async () => {
    serve('/repos/octokit/octokit.rb/contents/README.md', 'rest-get-repository-content.file.200.json');
    expect(await client().readFile({ owner: 'octokit', repo: 'octokit.rb' }, 'README.md', 'master')).toMatchObject({ path: 'README.md', sha: '3d21ec53a331a6f037a91c368710b99387d012c1' });
  });
});
