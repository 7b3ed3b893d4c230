// The fake GitHub's issues (the action items' tracker): create, get, list by labels and state, who can be
// assigned, and the shapes of GitHub's published `issue` example (held to it by test/github-contract.test.ts).
// Closing and reopening is what people do on github.com: the tests call close() and reopen().
import type { ReceivedRequest, Reply } from './fake-server';
import { ReplyError } from './fake-server';
import { githubError, user, WEB } from './github-data';

export interface StoredIssue {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  comments: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

const LABEL_COLOR = 'ededed';

export function issueShape(issue: StoredIssue, api: string) {
  const path = `${api}/repos/${issue.owner}/${issue.repo}`;
  const assignees = issue.assignees.map((login) => user(login, api));
  return {
    id: 1_000_000 + issue.number,
    node_id: Buffer.from(`0:Issue${issue.number}`).toString('base64'),
    url: `${path}/issues/${issue.number}`,
    repository_url: path,
    labels_url: `${path}/issues/${issue.number}/labels{/name}`,
    comments_url: `${path}/issues/${issue.number}/comments`,
    events_url: `${path}/issues/${issue.number}/events`,
    html_url: `${WEB}/${issue.owner}/${issue.repo}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: user('postmortem-bot[bot]', api, 'Bot'),
    labels: issue.labels.map((name, i) => ({ id: 208_045_946 + i, node_id: Buffer.from(`0:Label${name}`).toString('base64'), url: `${path}/labels/${encodeURIComponent(name)}`, name, description: null, color: LABEL_COLOR, default: false })),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: issue.comments.length,
    // GitHub sends `pull_request` only on issues that are pull requests: a tracked item never is.
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: issue.state === 'closed' ? user('ada', api) : null,
    author_association: 'NONE',
    pinned_comment: null,
  };
}

export class FakeIssues {
  readonly issues: StoredIssue[] = [];
  /** Per repository (`owner/repo`), the logins that may be assigned; a repository not listed takes anyone. */
  readonly assignable = new Map<string, Set<string>>();
  /** Issues created through the API (a retried create that made a second one shows here). */
  created = 0;
  /** Repositories where the caller lacks triage access: GitHub creates the issue but drops its labels and assignees. */
  readonly withoutTriage = new Set<string>();
  /** Called when an issue has been created, before GitHub answers (a test kills the worker there). */
  onCreate?: (issue: StoredIssue) => void;

  /** `nextNumber`: issues and pull requests share one sequence per repository, as on GitHub. */
  constructor(private readonly nextNumber: (owner: string, repo: string) => number) {}

  find(owner: string, repo: string, number: number): StoredIssue | undefined {
    return this.issues.find((i) => i.owner === owner && i.repo === repo && i.number === number);
  }

  /** Someone closes the issue on github.com (`completed`, or `not_planned`). */
  close(issue: StoredIssue, reason: 'completed' | 'not_planned' = 'completed'): void {
    const now = new Date().toISOString();
    Object.assign(issue, { state: 'closed', stateReason: reason, closedAt: now, updatedAt: now });
  }

  reopen(issue: StoredIssue): void {
    Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null, updatedAt: new Date().toISOString() });
  }

  /** Answers the issue endpoints; undefined for any other path. `page` paginates a list as GitHub does. */
  route(request: ReceivedRequest, api: string, page: (items: unknown[]) => Reply): Reply | undefined {
    const { method, path } = request;
    const body = (request.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(path))) {
      const [, owner, repo] = m as unknown as [string, string, string];
      if (method === 'POST') return { status: 201, body: issueShape(this.create(owner, repo, body), api) };
      if (method === 'GET') {
        const labels = (request.query.get('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
        const state = request.query.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state)) throw new ReplyError(422, githubError(422, 'Validation Failed', 'issues/issues#list-repository-issues', [{ resource: 'Issue', field: 'state', code: 'invalid' }]));
        const listed = this.issues
          .filter((i) => i.owner === owner && i.repo === repo && (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)))
          .sort((a, b) => b.number - a.number);
        return page(listed.map((i) => issueShape(i, api)));
      }
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(path))) {
      const [, owner, repo, number] = m as unknown as [string, string, string, string];
      const issue = this.find(owner, repo, Number(number));
      if (!issue) throw new ReplyError(404, githubError(404, 'Not Found', 'issues/issues#get-an-issue'));
      return { status: 200, body: issueShape(issue, api) };
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/assignees\/([^/]+)$/.exec(path))) {
      const [, owner, repo, login] = m as unknown as [string, string, string, string];
      const allowed = this.assignable.get(`${owner}/${repo}`);
      if (allowed && !allowed.has(decodeURIComponent(login))) throw new ReplyError(404, githubError(404, 'Not Found', 'issues/assignees#check-if-a-user-can-be-assigned'));
      return { status: 204, body: undefined };
    }
    return undefined;
  }

  private create(owner: string, repo: string, body: Record<string, unknown>): StoredIssue {
    if (typeof body.title !== 'string' || body.title.trim() === '') {
      throw new ReplyError(422, githubError(422, 'Validation Failed', 'issues/issues#create-an-issue', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]));
    }
    const triage = !this.withoutTriage.has(`${owner}/${repo}`);
    const assignees = triage && Array.isArray(body.assignees) ? (body.assignees as string[]) : [];
    const allowed = this.assignable.get(`${owner}/${repo}`);
    const refused = allowed ? assignees.find((a) => !allowed.has(a)) : undefined;
    if (refused) throw new ReplyError(422, githubError(422, 'Validation Failed', 'issues/issues#create-an-issue', [{ value: refused, resource: 'Issue', field: 'assignees', code: 'invalid' }]));
    const now = new Date().toISOString();
    const issue: StoredIssue = {
      owner, repo, number: this.nextNumber(owner, repo), title: body.title, body: typeof body.body === 'string' ? body.body : '',
      state: 'open', stateReason: null, labels: triage && Array.isArray(body.labels) ? (body.labels as string[]) : [], assignees, comments: [],
      createdAt: now, updatedAt: now, closedAt: null,
    };
    this.issues.push(issue);
    this.created++;
    this.onCreate?.(issue);
    return issue;
  }
}
