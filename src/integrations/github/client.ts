// GitHub REST: the one client — read the postmortem file at a commit, read the pull request, its
// commits and reviews, publish the evidence check as a check run, comment, request reviewers, and (for
// the action items) create, read and list issues.
// Failures follow the one HTTP policy (./failures.ts → ../http.ts); retrying is the caller's, so
// Octokit's retry and throttling plugins are not used.
//
// Why @octokit/rest 20.1.x and not 22: 22 is ESM-only. The compiled build would load it (Node 20.19+
// require()s ESM), but jest 30 on Node 20 refuses to require() an ES module ("Must use import to load
// ES Module"; its require(esm) needs Node 24.9+), and with `moduleResolution: node` TypeScript finds no
// types in an exports-only package. Teaching swc to compile @octokit/* and its ESM dependencies in
// node_modules would work around the first only. 20.1.2 is CommonJS with types, and carries the May
// 2025 fixes of the ReDoS advisories (@octokit/request 8.4.1, request-error 5.1.1, paginate-rest
// 11.4.4-cjs.2).
import { Octokit } from '@octokit/rest';
import { ExternalServiceError } from '../http';
import { batches, checkFields, type CheckAnnotation, type CheckRunResult } from './check-runs';

export { ANNOTATIONS_PER_REQUEST, type CheckAnnotation, type CheckRunResult } from './check-runs';
import { gitHubFailure, SYSTEM } from './failures';
import { type GitHubIssue, issueFrom, type IssueItem } from './issues';

export interface GitHubApiConfig {
  /** A fine-grained token or a GitHub App installation token. */
  token: string;
  /** https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server. */
  baseUrl: string;
}

export interface Repository {
  owner: string;
  repo: string;
}

export interface PullRequestRef extends Repository {
  number: number;
}

export interface RepositoryFile {
  path: string;
  /** The blob sha (what an update of the file names). */
  sha: string;
  /** Decoded UTF-8 text. */
  text: string;
  /** Where a person reads it on GitHub (the API's html_url; GitHub Enterprise's own host). */
  url?: string;
}

export interface PullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  /** Set once merged (before that GitHub's test merge commit, which means nothing to us). */
  mergeCommitSha?: string;
  headSha: string;
  headRef: string;
  baseRef: string;
}

export interface PullRequestCommit {
  sha: string;
  message: string;
  authorLogin?: string;
}

export interface PullRequestReview {
  id: number;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  state: string;
  reviewer?: string;
  commitSha?: string;
  submittedAt?: string;
}

export interface CheckRun {
  id: number;
  url: string;
  /** When the run started (ISO-8601), when GitHub says. */
  startedAt?: string;
}

/** Pages of 100 read at most from a list (a postmortem PR has a handful of commits and reviews). */
const MAX_LIST_PAGES = 10;

/** `https://github.com/<owner>/<repo>/pull/<n>` (any host: Enterprise Server too), or undefined. */
export function parsePullRequestUrl(url: string): PullRequestRef | undefined {
  const match = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/pull\/(\d+)(?:[/?#].*)?$/.exec(url.trim());
  return match ? { owner: match[1]!, repo: match[2]!, number: Number(match[3]) } : undefined;
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export class GitHubClient {
  private readonly octokit: Octokit;

  constructor(
    config: GitHubApiConfig,
    private readonly timeoutMs: number,
    /** The caller's cancellation (an activity's). */
    private readonly signal?: AbortSignal,
  ) {
    // Octokit's own logging is off: what matters is thrown, and nothing it logs may carry the token.
    this.octokit = new Octokit({ auth: config.token, baseUrl: config.baseUrl, userAgent: 'pagerduty-devin-postmortems', log: silent });
  }

  /** Each request gets its own timeout, joined with the caller's cancellation. */
  private get request(): { signal: AbortSignal } {
    return { signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), ...(this.signal ? [this.signal] : [])]) };
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw gitHubFailure(what, error, this.signal);
    }
  }

  /** Follows `Link: rel="next"` up to MAX_LIST_PAGES pages, all within one timeout (a handful of pages at most). */
  private list<T>(what: string, route: string, params: Record<string, unknown>): Promise<T[]> {
    return this.call(what, async () => {
      const items: T[] = [];
      let pages = 0;
      for await (const page of this.octokit.paginate.iterator(route, { ...params, per_page: 100, request: this.request })) {
        items.push(...(page.data as T[]));
        if (++pages >= MAX_LIST_PAGES) break;
      }
      return items;
    });
  }

  /** A file's text at a commit or branch (without one: the default branch); a directory or a submodule is a rejection. */
  readFile(repository: Repository, path: string, ref?: string): Promise<RepositoryFile> {
    const what = `GET /repos/${repository.owner}/${repository.repo}/contents/${path}`;
    return this.call(what, async () => {
      const { data } = await this.octokit.rest.repos.getContent({ ...repository, path, ...(ref ? { ref } : {}), request: this.request });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw ExternalServiceError.rejected(SYSTEM, `${SYSTEM} ${what}: ${path} is not a file at ${ref ?? 'the default branch'}`, 200);
      }
      return { path: data.path, sha: data.sha, text: Buffer.from(data.content, 'base64').toString('utf8'), ...(data.html_url ? { url: data.html_url } : {}) };
    });
  }

  getPullRequest(pr: PullRequestRef): Promise<PullRequest> {
    return this.call(`GET /repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`, async () => {
      const { data } = await this.octokit.rest.pulls.get({ owner: pr.owner, repo: pr.repo, pull_number: pr.number, request: this.request });
      return {
        number: data.number,
        url: data.html_url,
        state: data.state === 'closed' ? 'closed' : 'open',
        merged: data.merged,
        draft: data.draft ?? false,
        mergeCommitSha: data.merged && data.merge_commit_sha ? data.merge_commit_sha : undefined,
        headSha: data.head.sha,
        headRef: data.head.ref,
        baseRef: data.base.ref,
      };
    });
  }

  async listCommits(pr: PullRequestRef): Promise<PullRequestCommit[]> {
    type Item = { sha: string; commit: { message: string }; author?: { login?: string } | null };
    const items = await this.list<Item>(`GET /repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/commits`, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { owner: pr.owner, repo: pr.repo, pull_number: pr.number });
    return items.map((c) => ({ sha: c.sha, message: c.commit.message, ...(c.author?.login ? { authorLogin: c.author.login } : {}) }));
  }

  /** The files the pull request changes (path and added/modified/removed/renamed…). */
  async listFiles(pr: PullRequestRef): Promise<{ path: string; status: string }[]> {
    type Item = { filename: string; status: string };
    const items = await this.list<Item>(`GET /repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/files`, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: pr.owner, repo: pr.repo, pull_number: pr.number });
    return items.map((f) => ({ path: f.filename, status: f.status }));
  }

  async listReviews(pr: PullRequestRef): Promise<PullRequestReview[]> {
    type Item = { id: number; state: string; user?: { login?: string } | null; commit_id?: string | null; submitted_at?: string };
    const items = await this.list<Item>(`GET /repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/reviews`, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner: pr.owner, repo: pr.repo, pull_number: pr.number });
    return items.map((r) => ({
      id: r.id,
      state: r.state,
      ...(r.user?.login ? { reviewer: r.user.login } : {}),
      ...(r.commit_id ? { commitSha: r.commit_id } : {}),
      ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
    }));
  }

  /**
   * The newest check run of this name on a commit, if any: one check run per head commit, so a step
   * retried after a lost answer (or a partly annotated run) finds its own run instead of making another.
   */
  findCheckRun(repository: Repository, headSha: string, name: string): Promise<CheckRun | undefined> {
    return this.call(`GET /repos/${repository.owner}/${repository.repo}/commits/${headSha}/check-runs`, async () => {
      const { data } = await this.octokit.rest.checks.listForRef({ ...repository, ref: headSha, check_name: name, filter: 'latest', request: this.request });
      const run = data.check_runs.find((r) => r.name === name);
      return run ? { id: run.id, url: run.html_url ?? run.url, ...(run.started_at ? { startedAt: run.started_at } : {}) } : undefined;
    });
  }

  /** Creates the check run with the first 50 annotations, then adds the rest 50 at a time. */
  createCheckRun(repository: Repository, name: string, headSha: string, result: CheckRunResult): Promise<CheckRun> {
    const [first, ...rest] = batches(result.annotations);
    return this.call(`POST /repos/${repository.owner}/${repository.repo}/check-runs`, async () => {
      const { data } = await this.octokit.rest.checks.create({ ...repository, name, head_sha: headSha, ...checkFields(result, first ?? []), request: this.request });
      const run = { id: data.id, url: data.html_url ?? data.url };
      for (const batch of rest) await this.patchCheckRun(repository, run.id, result, batch);
      return run;
    });
  }

  /** Replaces the run's status and output; annotations are added (GitHub keeps earlier ones), 50 per request. */
  updateCheckRun(repository: Repository, checkRunId: number, result: CheckRunResult): Promise<CheckRun> {
    return this.call(`PATCH /repos/${repository.owner}/${repository.repo}/check-runs/${checkRunId}`, async () => {
      let url = '';
      for (const batch of batches(result.annotations, true)) url = await this.patchCheckRun(repository, checkRunId, result, batch);
      return { id: checkRunId, url };
    });
  }

  private async patchCheckRun(repository: Repository, checkRunId: number, result: CheckRunResult, annotations: CheckAnnotation[]): Promise<string> {
    const { data } = await this.octokit.rest.checks.update({ ...repository, check_run_id: checkRunId, ...checkFields(result, annotations), request: this.request });
    return data.html_url ?? data.url;
  }

  createIssueComment(pr: PullRequestRef, body: string): Promise<{ id: number; url: string }> {
    return this.call(`POST /repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, async () => {
      const { data } = await this.octokit.rest.issues.createComment({ owner: pr.owner, repo: pr.repo, issue_number: pr.number, body, request: this.request });
      return { id: data.id, url: data.html_url };
    });
  }

  /** The comments of an issue or a pull request, oldest first (their bodies: a marker finds an earlier attempt's). */
  async listIssueComments(pr: PullRequestRef): Promise<{ id: number; body: string }[]> {
    type Item = { id: number; body?: string | null };
    const items = await this.list<Item>(`GET /repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: pr.owner, repo: pr.repo, issue_number: pr.number });
    return items.map((c) => ({ id: c.id, body: c.body ?? '' }));
  }

  /** The comment carrying `marker`, or a new one: once, across a lost answer and a retry. */
  async commentOnce(pr: PullRequestRef, body: string, marker: string): Promise<{ posted: boolean }> {
    if ((await this.listIssueComments(pr)).some((c) => c.body.includes(marker))) return { posted: false };
    await this.createIssueComment(pr, body.includes(marker) ? body : `${body}\n\n${marker}`);
    return { posted: true };
  }

  /** Users by login, teams by slug (of the repository's organization). */
  requestReviewers(pr: PullRequestRef, reviewers: { users?: string[]; teams?: string[] }): Promise<void> {
    return this.call(`POST /repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/requested_reviewers`, async () => {
      await this.octokit.rest.pulls.requestReviewers({ owner: pr.owner, repo: pr.repo, pull_number: pr.number, reviewers: reviewers.users ?? [], team_reviewers: reviewers.teams ?? [], request: this.request });
    });
  }

  /** A folder's entries on the default branch (a missing folder is an empty one: no postmortems yet). */
  /**
   * A folder's entries (the contents API lists at most 1,000); undefined when GitHub answers 404: no such
   * folder (git has no empty ones) — or no such repository, or one the token cannot see.
   */
  listDirectory(repository: Repository, path: string): Promise<{ name: string; path: string; type: string; sha: string }[] | undefined> {
    const what = `GET /repos/${repository.owner}/${repository.repo}/contents/${path}`;
    return this.call(what, async () => {
      try {
        const { data } = await this.octokit.rest.repos.getContent({ ...repository, path, request: this.request });
        if (!Array.isArray(data)) throw ExternalServiceError.rejected(SYSTEM, `${SYSTEM} ${what}: ${path} is not a folder`, 200);
        return data.map((e) => ({ name: e.name, path: e.path, type: e.type, sha: e.sha }));
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    });
  }

  createIssue(repository: Repository, issue: { title: string; body: string; labels: string[]; assignees: string[] }): Promise<GitHubIssue> {
    return this.call(`POST /repos/${repository.owner}/${repository.repo}/issues`, async () => {
      const { data } = await this.octokit.rest.issues.create({ ...repository, ...issue, request: this.request });
      return issueFrom(data as IssueItem);
    });
  }

  getIssue(repository: Repository, number: number): Promise<GitHubIssue> {
    return this.call(`GET /repos/${repository.owner}/${repository.repo}/issues/${number}`, async () => {
      const { data } = await this.octokit.rest.issues.get({ ...repository, issue_number: number, request: this.request });
      return issueFrom(data as IssueItem);
    });
  }

  /** Issues (not pull requests) carrying every label, open and closed, newest first. */
  async listIssues(repository: Repository, labels: string[]): Promise<GitHubIssue[]> {
    const items = await this.list<IssueItem>(`GET /repos/${repository.owner}/${repository.repo}/issues`, 'GET /repos/{owner}/{repo}/issues', { ...repository, labels: labels.join(','), state: 'all' });
    return items.filter((i) => !i.pull_request).map(issueFrom);
  }

  /** Whether an issue of this repository may be assigned to the login (GitHub answers 204 or 404). */
  isAssignable(repository: Repository, login: string): Promise<boolean> {
    return this.call(`GET /repos/${repository.owner}/${repository.repo}/assignees/${login}`, async () => {
      try {
        await this.octokit.rest.issues.checkUserCanBeAssigned({ ...repository, assignee: login, request: this.request });
        return true;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return false;
        throw error;
      }
    });
  }
}
