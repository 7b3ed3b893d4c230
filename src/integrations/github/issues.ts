// GitHub issues as the client returns them: what the action-item tracker needs of the REST shape.

export interface GitHubIssue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** `completed`, `not_planned`, `reopened` or none. */
  stateReason?: string;
  assignees: string[];
  labels: string[];
  createdAt: string;
  closedAt?: string;
}

/** The fields of GitHub's issue object read here (REST `issue`; a pull request carries `pull_request`). */
export interface IssueItem {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  assignees?: ({ login?: string } | null)[] | null;
  assignee?: { login?: string } | null;
  labels?: (string | { name?: string | null })[];
  created_at: string;
  closed_at?: string | null;
  pull_request?: unknown;
}

export function issueFrom(item: IssueItem): GitHubIssue {
  const assignees = (item.assignees ?? (item.assignee ? [item.assignee] : [])).flatMap((a) => (a?.login ? [a.login] : []));
  return {
    number: item.number,
    url: item.html_url,
    title: item.title,
    body: item.body ?? '',
    state: item.state === 'closed' ? 'closed' : 'open',
    ...(item.state_reason ? { stateReason: item.state_reason } : {}),
    assignees,
    labels: (item.labels ?? []).flatMap((l) => (typeof l === 'string' ? [l] : l.name ? [l.name] : [])),
    createdAt: item.created_at,
    ...(item.closed_at ? { closedAt: item.closed_at } : {}),
  };
}
