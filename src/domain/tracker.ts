// The action-item tracker, as the follow-up sees it: GitHub Issues is the first implementation
// (src/integrations/github/issue-tracker.ts); Jira or Linear implement the same interface. Pure types.

export interface TrackedIssue {
  /** The tracker's id (GitHub: the issue number as text; Jira: the key). */
  id: string;
  url: string;
  title: string;
  state: 'open' | 'closed';
  /** The login (or account) it is assigned to, if any. */
  assignee?: string;
  labels: string[];
  createdAt: string;
  closedAt?: string;
  /** The due date the issue states (YYYY-MM-DD), as the follow-up wrote it. */
  due?: string;
}

export interface IssueRequest {
  /** `owner/name` (GitHub), a project key (Jira). */
  repository: string;
  /** Found again by this marker in the body before anything is created: one issue per item. */
  marker: string;
  title: string;
  body: string;
  labels: string[];
  /** Assigned when the tracker knows this user; otherwise named in the body only. */
  assignee?: string;
}

export interface IssueTracker {
  /** The issue carrying `marker` (an earlier attempt's), or a new one; `created` says which. */
  ensureIssue(request: IssueRequest): Promise<{ issue: TrackedIssue; created: boolean }>;
  getIssue(repository: string, id: string): Promise<TrackedIssue>;
  /** A comment on the issue, unless one carrying `marker` is there (an earlier attempt's): at most once. */
  commentOnce(repository: string, id: string, body: string, marker: string): Promise<{ posted: boolean }>;
  /** Issues carrying all these labels, open and closed (the report and a re-sync read them). */
  listIssues(repository: string, labels: string[]): Promise<TrackedIssue[]>;
}
