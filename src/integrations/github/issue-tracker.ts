// The action-item tracker on GitHub Issues: the first implementation of src/domain/tracker.ts. An item's
// issue is found again by the marker in its body among the issues carrying its labels before anything is
// created, so a retried step (a lost answer, a killed worker) never opens a second one.
import { dueInBody } from '../../domain/follow-up';
import type { IssueRequest, IssueTracker, TrackedIssue } from '../../domain/tracker';
import { ExternalServiceError } from '../http';
import type { GitHubClient, Repository } from './client';
import type { GitHubIssue } from './issues';

function repositoryOf(text: string): Repository {
  const [owner, repo, ...rest] = text.split('/');
  if (!owner || !repo || rest.length > 0) throw ExternalServiceError.rejected('GitHub', `GitHub: "${text}" is not a repository (owner/name)`, 400);
  return { owner, repo };
}

function numberOf(id: string): number {
  const number = Number(id);
  if (!Number.isInteger(number) || number <= 0) throw ExternalServiceError.rejected('GitHub', `GitHub: "${id}" is not an issue number`, 400);
  return number;
}

function tracked(issue: GitHubIssue): TrackedIssue {
  const due = dueInBody(issue.body);
  return {
    id: String(issue.number),
    url: issue.url,
    title: issue.title,
    state: issue.state,
    ...(issue.assignees[0] ? { assignee: issue.assignees[0] } : {}),
    labels: issue.labels,
    createdAt: issue.createdAt,
    ...(issue.closedAt ? { closedAt: issue.closedAt } : {}),
    ...(due ? { due } : {}),
  };
}

export class GitHubIssueTracker implements IssueTracker {
  constructor(private readonly github: GitHubClient) {}

  async ensureIssue(request: IssueRequest): Promise<{ issue: TrackedIssue; created: boolean }> {
    const repository = repositoryOf(request.repository);
    // GitHub's issue search is eventually consistent; the list by label reads what was just written.
    const existing = (await this.github.listIssues(repository, request.labels)).find((i) => i.body.includes(request.marker));
    if (existing) return { issue: tracked(existing), created: false };
    // An owner who cannot be assigned (not a collaborator, a team, a typo) is named in the body only.
    const assignees = request.assignee && (await this.github.isAssignable(repository, request.assignee)) ? [request.assignee] : [];
    const body = request.body.includes(request.marker) ? request.body : `${request.body}\n\n${request.marker}`;
    const issue = await this.github.createIssue(repository, { title: request.title, body, labels: request.labels, assignees });
    // GitHub silently drops the labels of a caller without triage access: the issue could not be found
    // again (a retry would open another) nor followed, so stop here and say why.
    const dropped = request.labels.filter((label) => !issue.labels.includes(label));
    if (dropped.length > 0) {
      throw ExternalServiceError.rejected(
        'GitHub',
        `GitHub: ${issue.url} was created without its labels (${dropped.join(', ')}): the token's user or app needs at least triage access to ${request.repository} (fine-grained tokens: Issues: write); delete that issue, fix the access, then retry`,
        403,
      );
    }
    return { issue: tracked(issue), created: true };
  }

  async getIssue(repository: string, id: string): Promise<TrackedIssue> {
    return tracked(await this.github.getIssue(repositoryOf(repository), numberOf(id)));
  }

  commentOnce(repository: string, id: string, body: string, marker: string): Promise<{ posted: boolean }> {
    return this.github.commentOnce({ ...repositoryOf(repository), number: numberOf(id) }, body, marker);
  }

  async listIssues(repository: string, labels: string[]): Promise<TrackedIssue[]> {
    return (await this.github.listIssues(repositoryOf(repository), labels)).map(tracked);
  }
}
