// The fake GitHub's resources in GitHub's shapes (test/fixtures/published/github/ holds the published
// examples test/github-contract.test.ts compares them with): users, pull requests, commits, reviews,
// check runs, issue comments, file contents, and the error bodies.

export const WEB = 'https://github.com';
const DOCS = 'https://docs.github.com/rest';

export interface StoredPullRequest {
  owner: string;
  repo: string;
  number: number;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headRef: string;
  baseRef: string;
  /** Oldest first; the last one is the head. */
  commits: { sha: string; message: string; author: string }[];
  reviews: { id: number; user: string; state: string; commitId: string; submittedAt: string }[];
  mergeCommitSha: string;
  requestedReviewers: string[];
  requestedTeams: string[];
  createdAt: string;
  updatedAt: string;
}

export interface StoredCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null };
  /** Every annotation received, in order (create and updates add up, as on GitHub). */
  annotations: Record<string, unknown>[];
}

let nodeCounter = 0;
const nodeId = (kind: string) => Buffer.from(`0:${kind}${++nodeCounter}`).toString('base64');

export function user(login: string, api: string, type = 'User') {
  return {
    login,
    id: [...login].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 90_000_000,
    node_id: nodeId('User'),
    avatar_url: `https://avatars.githubusercontent.com/u/1?v=4`,
    gravatar_id: '',
    url: `${api}/users/${login}`,
    html_url: `${WEB}/${login}`,
    followers_url: `${api}/users/${login}/followers`,
    following_url: `${api}/users/${login}/following{/other_user}`,
    gists_url: `${api}/users/${login}/gists{/gist_id}`,
    starred_url: `${api}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${login}/subscriptions`,
    organizations_url: `${api}/users/${login}/orgs`,
    repos_url: `${api}/users/${login}/repos`,
    events_url: `${api}/users/${login}/events{/privacy}`,
    received_events_url: `${api}/users/${login}/received_events`,
    type,
    site_admin: false,
  };
}

function repository(owner: string, repo: string, api: string) {
  return { id: 1296269, node_id: nodeId('Repository'), name: repo, full_name: `${owner}/${repo}`, owner: user(owner, api, 'Organization'), private: true, html_url: `${WEB}/${owner}/${repo}`, url: `${api}/repos/${owner}/${repo}`, default_branch: 'main' };
}

export function pullRequest(pr: StoredPullRequest, api: string) {
  const path = `${api}/repos/${pr.owner}/${pr.repo}`;
  const html = `${WEB}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const head = pr.commits[pr.commits.length - 1]!;
  const branch = (ref: string, sha: string) => ({ label: `${pr.owner}:${ref}`, ref, sha, user: user(pr.owner, api, 'Organization'), repo: repository(pr.owner, pr.repo, api) });
  return {
    url: `${path}/pulls/${pr.number}`,
    id: 1_000_000 + pr.number,
    node_id: nodeId('PullRequest'),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${path}/issues/${pr.number}`,
    commits_url: `${path}/pulls/${pr.number}/commits`,
    review_comments_url: `${path}/pulls/${pr.number}/comments`,
    review_comment_url: `${path}/pulls/comments{/number}`,
    comments_url: `${path}/issues/${pr.number}/comments`,
    statuses_url: `${path}/statuses/${head.sha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: user('devin-ai-integration[bot]', api, 'Bot'),
    body: 'Postmortem drafted from the incident\'s evidence.',
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.state === 'closed' ? pr.updatedAt : null,
    merged_at: pr.merged ? pr.updatedAt : null,
    // Before a merge GitHub reports its test merge commit here; after, the merge (or squash) commit.
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.requestedReviewers.map((login) => user(login, api)),
    requested_teams: pr.requestedTeams.map((slug) => ({ id: 1, node_id: nodeId('Team'), url: `${api}/teams/1`, html_url: `${WEB}/orgs/${pr.owner}/teams/${slug}`, name: slug, slug, description: null, privacy: 'closed', notification_setting: 'notifications_enabled', permission: 'pull', members_url: `${api}/teams/1/members{/member}`, repositories_url: `${api}/teams/1/repos`, parent: null })),
    head: branch(pr.headRef, head.sha),
    base: branch(pr.baseRef, 'b1a2c3d4e5f60718293a4b5c6d7e8f9012345678'),
    _links: { self: { href: `${path}/pulls/${pr.number}` }, html: { href: html }, issue: { href: `${path}/issues/${pr.number}` }, comments: { href: `${path}/issues/${pr.number}/comments` }, review_comments: { href: `${path}/pulls/${pr.number}/comments` }, review_comment: { href: `${path}/pulls/comments{/number}` }, commits: { href: `${path}/pulls/${pr.number}/commits` }, statuses: { href: `${path}/statuses/${head.sha}` } },
    author_association: 'NONE',
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? true : null,
    rebaseable: pr.state === 'open' ? true : null,
    mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.merged ? user('octocat', api) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits.length,
    additions: 64,
    deletions: 0,
    changed_files: 1,
  };
}

export function commit(pr: StoredPullRequest, c: StoredPullRequest['commits'][number], api: string) {
  const path = `${api}/repos/${pr.owner}/${pr.repo}`;
  const person = { name: c.author, email: `${c.author}@users.noreply.github.com`, date: pr.createdAt };
  return {
    url: `${path}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('Commit'),
    html_url: `${WEB}/${pr.owner}/${pr.repo}/commit/${c.sha}`,
    comments_url: `${path}/commits/${c.sha}/comments`,
    commit: { url: `${path}/git/commits/${c.sha}`, author: person, committer: person, message: c.message, tree: { url: `${path}/git/trees/${c.sha}`, sha: c.sha }, comment_count: 0, verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null } },
    author: user(c.author, api),
    committer: user(c.author, api),
    parents: [],
  };
}

/** One entry of GET …/pulls/{n}/files (GitHub's diff-entry): every file of the head tree, as added. */
export function diffEntry(pr: StoredPullRequest, headSha: string, path: string, text: string, blobSha: string, api: string) {
  const lines = text.split('\n').length;
  return {
    sha: blobSha,
    filename: path,
    status: 'added',
    additions: lines,
    deletions: 0,
    changes: lines,
    blob_url: `${WEB}/${pr.owner}/${pr.repo}/blob/${headSha}/${path}`,
    raw_url: `${WEB}/${pr.owner}/${pr.repo}/raw/${headSha}/${path}`,
    contents_url: `${api}/repos/${pr.owner}/${pr.repo}/contents/${path}?ref=${headSha}`,
    patch: `@@ -0,0 +1,${lines} @@`,
  };
}

export function review(pr: StoredPullRequest, r: StoredPullRequest['reviews'][number], api: string) {
  const html = `${WEB}/${pr.owner}/${pr.repo}/pull/${pr.number}#pullrequestreview-${r.id}`;
  const apiPr = `${api}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
  return { id: r.id, node_id: nodeId('PullRequestReview'), user: user(r.user, api), body: '', state: r.state, html_url: html, pull_request_url: apiPr, _links: { html: { href: html }, pull_request: { href: apiPr } }, submitted_at: r.submittedAt, commit_id: r.commitId, author_association: 'MEMBER' };
}

export function checkRun(run: StoredCheckRun, api: string) {
  const path = `${api}/repos/${run.owner}/${run.repo}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun'),
    external_id: '',
    url: `${path}/check-runs/${run.id}`,
    html_url: `${WEB}/${run.owner}/${run.repo}/runs/${run.id}`,
    details_url: `${WEB}/${run.owner}/${run.repo}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { title: run.output.title, summary: run.output.summary, text: null, annotations_count: run.annotations.length, annotations_url: `${path}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: { id: 5 },
    app: { id: 1, slug: 'pagerduty-postmortems', node_id: nodeId('Integration'), owner: user(run.owner, api, 'Organization'), name: 'Postmortems', description: '', external_url: WEB, html_url: `${WEB}/apps/pagerduty-postmortems`, created_at: run.startedAt, updated_at: run.startedAt, permissions: { checks: 'write', contents: 'read' }, events: [] },
    pull_requests: [],
  };
}

export function issueComment(owner: string, repo: string, number: number, id: number, body: string, at: string, api: string) {
  return { id, node_id: nodeId('IssueComment'), url: `${api}/repos/${owner}/${repo}/issues/comments/${id}`, html_url: `${WEB}/${owner}/${repo}/pull/${number}#issuecomment-${id}`, body, user: user('postmortem-bot[bot]', api, 'Bot'), created_at: at, updated_at: at, issue_url: `${api}/repos/${owner}/${repo}/issues/${number}`, author_association: 'NONE', pin: null, minimized: null };
}

export function fileContent(owner: string, repo: string, ref: string, path: string, text: string, sha: string, api: string) {
  const name = path.split('/').pop()!;
  const self = `${api}/repos/${owner}/${repo}/contents/${path}?ref=${ref}`;
  const html = `${WEB}/${owner}/${repo}/blob/${ref}/${path}`;
  const git = `${api}/repos/${owner}/${repo}/git/blobs/${sha}`;
  // GitHub wraps the base64 content at 60 characters with "\n".
  const content = (Buffer.from(text, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
  return { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name, path, content, sha, url: self, git_url: git, html_url: html, download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${path}`, _links: { git, self, html } };
}

/** One entry of a folder's contents (GET …/contents/{folder}). */
export function directoryEntry(owner: string, repo: string, ref: string, path: string, type: 'file' | 'dir', size: number, sha: string, api: string) {
  const self = `${api}/repos/${owner}/${repo}/contents/${path}?ref=${ref}`;
  const html = `${WEB}/${owner}/${repo}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${path}`;
  const git = `${api}/repos/${owner}/${repo}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
  return { type, size, name: path.split('/').pop()!, path, sha, url: self, git_url: git, html_url: html, download_url: type === 'file' ? `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${path}` : null, _links: { self, git, html } };
}

/** `{message, documentation_url, status}` (basic-error); 422s add `errors` (validation-error). */
export function githubError(status: number, message: string, doc: string, errors?: Record<string, unknown>[]) {
  return { message, documentation_url: `${DOCS}/${doc}`, status: String(status), ...(errors ? { errors } : {}) };
}
