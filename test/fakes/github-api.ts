// A local stand-in for the GitHub REST API endpoints the postmortem pipeline uses — file contents at a
// ref, pull requests, their commits and reviews, check runs, issue comments, review requests — answering
// like GitHub: the shapes of ./github-data.ts (held to GitHub's published examples by
// test/github-contract.test.ts), token auth (401 `Bad credentials`), `per_page`/`page` pagination with
// `Link` headers, `{message, documentation_url, status}` errors (422s with `errors`), the
// `x-ratelimit-*` headers on every answer, and secondary rate limits (403 with `retry-after`) or an
// exhausted primary limit (403 with `x-ratelimit-remaining: 0` and the epoch `x-ratelimit-reset`).
import { randomBytes } from 'node:crypto';
import { FakeServer, FaultQueue, type PathMatch, type ReceivedRequest, type Reply, ReplyError } from './fake-server';
import { checkRun, commit, diffEntry, directoryEntry, fileContent, githubError, issueComment, pullRequest, review, type StoredCheckRun, type StoredPullRequest } from './github-data';
import { FakeIssues, type StoredIssue } from './github-issues';

export interface FakeGitHubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeGitHubFault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

export interface PullRequestSeed {
  owner: string;
  repo: string;
  number: number;
  title?: string;
  headRef?: string;
  /** The head commit's files (path → text). */
  files: Record<string, string>;
  /** Commits before the head one (oldest first). */
  earlierCommits?: number;
  reviews?: { user: string; state: string }[];
}

const RATE_LIMIT = 5000;
const sha = () => randomBytes(20).toString('hex');
const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

export class FakeGitHubApi extends FakeServer<FakeGitHubRequest> {
  /** Made at start: no token lives in the repository. */
  readonly token = `github_pat_${randomBytes(30).toString('base64url')}`;
  readonly pulls = new Map<string, StoredPullRequest>();
  readonly checkRuns: StoredCheckRun[] = [];
  readonly comments: { owner: string; repo: string; number: number; body: string; id: number; createdAt: string }[] = [];
  /** The action items' issues (close and reopen them as people would). */
  readonly issues: FakeIssues = new FakeIssues((owner, repo): number => 500 + this.issues.issues.filter((i: StoredIssue) => i.owner === owner && i.repo === repo).length + 1);
  /** Per commit sha: path → text. */
  private readonly trees = new Map<string, Map<string, string>>();
  /** Per repository (`owner/repo`): the default branch's files, path → text (a merge adds the PR's). */
  private readonly defaultBranch = new Map<string, Map<string, string>>();
  private readonly faults = new FaultQueue<FakeGitHubFault>();
  private remaining = RATE_LIMIT;
  private secondary = { times: 0, retryAfterSeconds: 0 };
  private ids = { checkRun: 4_000, comment: 9_000, review: 80 };

  private constructor() {
    super({ json: 'application/json; charset=utf-8', crash: () => ({ status: 500, body: githubError(500, 'Server Error', 'overview/troubleshooting') }) });
  }

  static start(): Promise<FakeGitHubApi> {
    return new FakeGitHubApi().listen();
  }

  addPullRequest(seed: PullRequestSeed): StoredPullRequest {
    const now = new Date().toISOString();
    const commits = [...Array(seed.earlierCommits ?? 0).keys()].map((i) => ({ sha: sha(), message: `Draft ${i + 1}`, author: 'devin-ai-integration[bot]' }));
    const head = { sha: sha(), message: 'Add postmortem', author: 'devin-ai-integration[bot]' };
    const pr: StoredPullRequest = {
      owner: seed.owner, repo: seed.repo, number: seed.number, title: seed.title ?? 'Postmortem', state: 'open', merged: false, draft: false,
      headRef: seed.headRef ?? `devin/postmortem-${seed.number}`, baseRef: 'main', commits: [...commits, head], reviews: [],
      mergeCommitSha: sha(), requestedReviewers: [], requestedTeams: [], createdAt: now, updatedAt: now,
    };
    pr.reviews = (seed.reviews ?? []).map((r) => ({ id: ++this.ids.review, user: r.user, state: r.state, commitId: head.sha, submittedAt: now }));
    this.trees.set(head.sha, new Map(Object.entries(seed.files)));
    this.pulls.set(`${seed.owner}/${seed.repo}#${seed.number}`, pr);
    return pr;
  }

  /** A new head commit with these files (Devin pushing a fix). */
  pushCommit(pr: StoredPullRequest, files: Record<string, string>): string {
    const next = { sha: sha(), message: 'Address the evidence check', author: 'devin-ai-integration[bot]' };
    pr.commits.push(next);
    this.trees.set(next.sha, new Map(Object.entries(files)));
    return next.sha;
  }

  /** Merged: the head's files join the default branch, readable at the merge commit and at `main`. */
  merge(pr: StoredPullRequest): void {
    Object.assign(pr, { state: 'closed', merged: true, updatedAt: new Date().toISOString() });
    const merged = new Map([...this.branchFiles(pr.owner, pr.repo), ...this.headFiles(pr)]);
    this.defaultBranch.set(`${pr.owner}/${pr.repo}`, merged);
    this.trees.set(pr.mergeCommitSha, merged);
  }

  /** Files already on the repository's default branch (earlier postmortems, CODEOWNERS). */
  setBranchFiles(owner: string, repo: string, files: Record<string, string>): void {
    this.defaultBranch.set(`${owner}/${repo}`, new Map([...this.branchFiles(owner, repo), ...Object.entries(files)]));
  }

  branchFiles(owner: string, repo: string): Map<string, string> {
    return this.defaultBranch.get(`${owner}/${repo}`) ?? new Map();
  }

  fail(match: PathMatch, fault: FakeGitHubFault): void {
    this.faults.add(match, fault);
  }

  /** The next `times` requests hit a secondary rate limit (403 with retry-after). */
  secondaryRateLimit(times: number, retryAfterSeconds: number): void {
    this.secondary = { times, retryAfterSeconds };
  }

  /** The primary limit left: at 0 GitHub answers 403 until the reset. */
  setRateLimitRemaining(remaining: number): void {
    this.remaining = remaining;
  }

  protected record(request: ReceivedRequest): FakeGitHubRequest {
    return { method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.body };
  }

  protected respond(request: ReceivedRequest): Reply {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const limits = () => ({ 'x-ratelimit-limit': String(RATE_LIMIT), 'x-ratelimit-remaining': String(this.remaining), 'x-ratelimit-reset': reset, 'x-ratelimit-used': String(RATE_LIMIT - this.remaining), 'x-ratelimit-resource': 'core' });
    const auth = String(request.headers.authorization ?? '');
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return { status: 401, body: githubError(401, 'Bad credentials', ''), headers: limits() };
    }
    if (this.secondary.times > 0) {
      this.secondary.times -= 1;
      return { status: 403, body: githubError(403, SECONDARY, 'overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'), headers: { ...limits(), 'retry-after': String(this.secondary.retryAfterSeconds) } };
    }
    if (this.remaining <= 0) {
      return { status: 403, body: githubError(403, 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000.', 'overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit'), headers: limits() };
    }
    this.remaining -= 1;
    const fault = this.faults.take(request.path);
    if (fault) return { status: fault.status, body: fault.body ?? githubError(fault.status, fault.status >= 500 ? 'Server Error' : 'Error', 'overview/troubleshooting'), headers: { ...limits(), ...fault.headers } };
    try {
      const reply = this.route(request);
      return { ...reply, headers: { ...limits(), ...reply.headers } };
    } catch (error) {
      if (error instanceof ReplyError) throw new ReplyError(error.status, error.body, { ...limits(), ...error.headers });
      throw error;
    }
  }

  private get api(): string {
    return this.baseUrl;
  }

  /** Called for a pull request nobody added: a seed makes it exist (a PR Devin opened while the test watched). */
  onMissingPull?: (owner: string, repo: string, number: number) => PullRequestSeed | undefined;

  /** The pull request of a web URL (`https://github.com/<owner>/<repo>/pull/<n>`), if known. */
  pullAt(url: string): StoredPullRequest | undefined {
    const m = /\/([^/]+)\/([^/]+)\/pull\/(\d+)/.exec(url);
    return m ? this.pulls.get(`${m[1]}/${m[2]}#${m[3]}`) : undefined;
  }

  /** The head commit's files. */
  headFiles(pr: StoredPullRequest): Map<string, string> {
    return this.trees.get(pr.commits[pr.commits.length - 1]!.sha) ?? new Map();
  }

  closePull(pr: StoredPullRequest): void {
    Object.assign(pr, { state: 'closed', merged: false, updatedAt: new Date().toISOString() });
  }

  addReview(pr: StoredPullRequest, user: string, state: string): void {
    pr.reviews.push({ id: ++this.ids.review, user, state, commitId: pr.commits[pr.commits.length - 1]!.sha, submittedAt: new Date().toISOString() });
  }

  private pull(owner: string, repo: string, number: string, doc: string): StoredPullRequest {
    const key = `${owner}/${repo}#${number}`;
    if (!this.pulls.has(key)) {
      const seed = this.onMissingPull?.(owner, repo, Number(number));
      if (seed) this.addPullRequest(seed);
    }
    const pr = this.pulls.get(key);
    if (!pr) throw new ReplyError(404, githubError(404, 'Not Found', doc));
    return pr;
  }

  private route(request: ReceivedRequest): Reply {
    const { method, path } = request;
    const body = (request.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(path))) {
      const [, owner, repo, file] = m as unknown as [string, string, string, string];
      const ref = request.query.get('ref') ?? 'main';
      const tree = this.treeAt(owner, repo, ref);
      const wanted = decodeURIComponent(file).replace(/\/$/, '');
      const text = tree.get(wanted);
      if (text !== undefined) return { status: 200, body: fileContent(owner, repo, ref, wanted, text, sha(), this.api) };
      // A folder: its entries, files and folders, as GitHub lists them.
      const children = new Map<string, { type: 'file' | 'dir'; size: number }>();
      for (const [p, t] of tree) {
        if (!p.startsWith(`${wanted}/`)) continue;
        const [name, ...deeper] = p.slice(wanted.length + 1).split('/');
        children.set(name!, deeper.length > 0 ? { type: 'dir', size: 0 } : { type: 'file', size: Buffer.byteLength(t) });
      }
      if (children.size === 0) throw new ReplyError(404, githubError(404, 'Not Found', 'repos/contents#get-repository-content'));
      return { status: 200, body: [...children].sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => directoryEntry(owner, repo, ref, `${wanted}/${name}`, c.type, c.size, sha(), this.api)) };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)(\/commits|\/reviews|\/requested_reviewers|\/files)?$/.exec(path))) {
      const [, owner, repo, number, rest] = m as unknown as [string, string, string, string, string | undefined];
      const pr = this.pull(owner, repo, number, 'pulls/pulls#get-a-pull-request');
      if (method === 'GET' && rest === undefined) return { status: 200, body: pullRequest(pr, this.api) };
      if (method === 'GET' && rest === '/commits') return this.page(request, pr.commits.map((c) => commit(pr, c, this.api)));
      if (method === 'GET' && rest === '/files') {
        const headSha = pr.commits[pr.commits.length - 1]!.sha;
        return this.page(request, [...(this.trees.get(headSha) ?? new Map<string, string>()).entries()].map(([file, text]) => diffEntry(pr, headSha, file, text, sha(), this.api)));
      }
      if (method === 'GET' && rest === '/reviews') return this.page(request, pr.reviews.map((r) => review(pr, r, this.api)));
      if (method === 'POST' && rest === '/requested_reviewers') {
        const users = Array.isArray(body.reviewers) ? (body.reviewers as string[]) : [];
        const teams = Array.isArray(body.team_reviewers) ? (body.team_reviewers as string[]) : [];
        if (users.length === 0 && teams.length === 0) throw new ReplyError(422, githubError(422, 'Invalid request.\n\n"reviewers" or "team_reviewers" wasn\'t supplied.', 'pulls/review-requests#request-reviewers-for-a-pull-request'));
        pr.requestedReviewers.push(...users.filter((u) => !pr.requestedReviewers.includes(u)));
        pr.requestedTeams.push(...teams.filter((t) => !pr.requestedTeams.includes(t)));
        return { status: 201, body: pullRequest(pr, this.api) };
      }
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/.exec(path))) {
      const [, owner, repo, ref] = m as unknown as [string, string, string, string];
      const name = request.query.get('check_name');
      // `filter=latest` (the default): the newest run of each name.
      const runs = this.checkRuns.filter((r) => r.owner === owner && r.repo === repo && r.headSha === ref && (name === null || r.name === name)).reverse();
      const latest = request.query.get('filter') === 'all' ? runs : runs.filter((r, i) => runs.findIndex((o) => o.name === r.name) === i);
      return { status: 200, body: { total_count: latest.length, check_runs: latest.map((r) => checkRun(r, this.api)) } };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/.exec(path))) {
      const [, owner, repo, id] = m as unknown as [string, string, string, string | undefined];
      const output = (body.output ?? {}) as { title?: string; summary?: string; annotations?: Record<string, unknown>[] };
      const annotations = output.annotations ?? [];
      if (annotations.length > 50) {
        throw new ReplyError(422, githubError(422, 'Validation Failed', 'checks/runs#create-a-check-run', [{ resource: 'CheckRun', field: 'output.annotations', code: 'too_many', message: 'Only 50 annotations are allowed per request' }]));
      }
      let run: StoredCheckRun | undefined;
      if (method === 'POST' && id === undefined) {
        const head = String(body.head_sha ?? '');
        if (typeof body.name !== 'string' || ![...this.pulls.values()].some((p) => p.commits.some((c) => c.sha === head))) {
          throw new ReplyError(422, githubError(422, `No commit found for SHA: ${head}`, 'checks/runs#create-a-check-run'));
        }
        run = { id: ++this.ids.checkRun, owner, repo, name: body.name, headSha: head, status: 'queued', conclusion: null, startedAt: new Date().toISOString(), completedAt: null, output: { title: null, summary: null }, annotations: [] };
        this.checkRuns.push(run);
      } else if (method === 'PATCH' && id !== undefined) {
        run = this.checkRuns.find((r) => r.id === Number(id) && r.owner === owner && r.repo === repo);
        if (!run) throw new ReplyError(404, githubError(404, 'Not Found', 'checks/runs#update-a-check-run'));
      }
      if (run) {
        if (typeof body.status === 'string') run.status = body.status;
        if (typeof body.conclusion === 'string') Object.assign(run, { conclusion: body.conclusion, status: 'completed', completedAt: new Date().toISOString() });
        if (body.output) run.output = { title: output.title ?? null, summary: output.summary ?? null };
        run.annotations.push(...annotations);
        return { status: method === 'POST' ? 201 : 200, body: checkRun(run, this.api) };
      }
    }
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const [, owner, repo, number] = m as unknown as [string, string, string, string];
      const issue = this.issues.find(owner, repo, Number(number));
      if (!issue) this.pull(owner, repo, number, 'issues/comments#create-an-issue-comment');
      if (typeof body.body !== 'string' || body.body.length === 0) {
        throw new ReplyError(422, githubError(422, 'Validation Failed', 'issues/comments#create-an-issue-comment', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]));
      }
      const comment = { owner, repo, number: Number(number), body: body.body, id: ++this.ids.comment, createdAt: new Date().toISOString() };
      this.comments.push(comment);
      issue?.comments.push(body.body);
      return { status: 201, body: issueComment(owner, repo, comment.number, comment.id, comment.body, comment.createdAt, this.api) };
    }
    // An issue's or a PR's comments, oldest first, paginated.
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const [, owner, repo, number] = m as unknown as [string, string, string, string];
      if (!this.issues.find(owner, repo, Number(number))) this.pull(owner, repo, number, 'issues/comments#list-issue-comments');
      const listed = this.comments.filter((c) => c.owner === owner && c.repo === repo && c.number === Number(number));
      return this.page(request, listed.map((c) => issueComment(owner, repo, c.number, c.id, c.body, c.createdAt, this.api)));
    }
    const issues = this.issues.route(request, this.api, (items: unknown[]) => this.page(request, items));
    if (issues) return issues;
    throw new ReplyError(404, githubError(404, 'Not Found', ''));
  }

  /** The files at a ref: a commit (a PR's, or a merge), a PR's head branch, else the default branch. */
  private treeAt(owner: string, repo: string, ref: string): Map<string, string> {
    const atCommit = this.trees.get(ref);
    if (atCommit) return atCommit;
    const pr = [...this.pulls.values()].find((p) => p.owner === owner && p.repo === repo && p.headRef === ref);
    return pr ? this.headFiles(pr) : this.branchFiles(owner, repo);
  }

  /** `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header (prev, next, last, first). */
  private page(request: ReceivedRequest, items: unknown[]): Reply {
    const perPage = Math.min(100, Math.max(1, Number(request.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const url = (n: number) => {
      const query = new URLSearchParams(request.query);
      query.set('per_page', String(perPage));
      query.set('page', String(n));
      return `<${this.baseUrl}${request.path}?${query.toString()}>`;
    };
    const links = [...(page > 1 ? [`${url(page - 1)}; rel="prev"`] : []), ...(page < last ? [`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`] : []), ...(page > 1 ? [`${url(1)}; rel="first"`] : [])];
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
  }
}
