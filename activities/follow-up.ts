// The action items after the merge: read from the merged postmortem's front matter, made issues in the
// tracker (each once: found again by its marker), checked, and their owners reminded when overdue.
// Incident content reaching the tracker is what the merged postmortem says, nothing from the evidence pack.
import type { WorkerConfig } from '../src/config';
import { type ActionItem, dueLine, itemLabels, itemMarker, ownerLogin, type TrackedItem } from '../src/domain/follow-up';
import type { IssueTracker } from '../src/domain/tracker';
import { GitHubClient, parsePullRequestUrl } from '../src/integrations/github/client';
import { GitHubIssueTracker } from '../src/integrations/github/issue-tracker';
import { ExternalServiceError } from '../src/integrations/http';
import { parseFrontMatter } from '../src/postmortem/front-matter';
import { redactText } from '../src/postmortem/redaction';
import { activitySignal, currentAttempt, heartbeatingWhile } from './context';
import { configurationMissing, inTemporalTerms } from './failures';

export interface ActionItemsRead {
  items: ActionItem[];
  /** Where they came from: the front matter, or (without one) the session's report. */
  source: 'front_matter' | 'report' | 'none';
  path?: string;
  /** The postmortem as merged (a link to the file at the merge commit). */
  postmortemUrl: string;
  problem?: string;
}

export interface ActionItemsRequest {
  incidentId: string;
  repository: string;
  postmortemUrl: string;
  incidentUrl?: string;
  items: ActionItem[];
}

/** Clip for an item's title in an issue title (GitHub allows 256). */
const TITLE_CHARS = 200;

export function followUpActivities(config: WorkerConfig) {
  const client = () => {
    if (!config.github) throw configurationMissing('GITHUB_TOKEN is not set on this worker, but this incident follows its action items up; set it and signal retry');
    return new GitHubClient(config.github, config.httpTimeoutMs, activitySignal());
  };
  const tracker = (): IssueTracker => new GitHubIssueTracker(client());
  const clean = (text: string) => redactText(text, { personalData: config.redactPersonalData }).text;

  return {
    /** The merged file's action items (front matter first; Devin's report when the file has none). */
    async readActionItems(request: { pullRequestUrl: string; path?: string; ref?: string; reported?: string[] }): Promise<ActionItemsRead> {
      return inTemporalTerms(async (): Promise<ActionItemsRead> => {
        const github = client();
        const pr = parsePullRequestUrl(request.pullRequestUrl);
        if (!pr) throw ExternalServiceError.rejected('GitHub', `GitHub: "${request.pullRequestUrl}" is not a pull request URL`, 400);
        // The merge commit, or (ACTION_ITEMS_ON=pr_open) the PR's head as it is now.
        const ref = request.ref ?? (await github.getPullRequest(pr)).headSha;
        const path = request.path ?? (await github.listFiles(pr)).filter((f) => f.status !== 'removed' && f.path.endsWith('.md')).map((f) => f.path).find((p) => /(^|\/)(post-?mortems?|incidents?)\//i.test(p));
        const host = new URL(request.pullRequestUrl).origin;
        const postmortemUrl = path ? `${host}/${pr.owner}/${pr.repo}/blob/${ref}/${path}` : request.pullRequestUrl;
        const fromReport = (problem: string): ActionItemsRead => {
          const items = (request.reported ?? []).map((title) => ({ title: clean(title).slice(0, TITLE_CHARS) }));
          return { items, source: items.length > 0 ? 'report' : 'none', ...(path ? { path } : {}), postmortemUrl, problem };
        };
        if (!path) return fromReport('no postmortem file found in the merged pull request');
        const file = await github.readFile(pr, path, ref);
        const parsed = parseFrontMatter(file.text);
        if (!parsed.frontMatter) return fromReport(`the postmortem has no usable front matter (${parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ') || 'none found'}): the items of Devin's report are used`);
        const items = parsed.frontMatter.actionItems.map((item) => ({
          title: clean(item.title).slice(0, TITLE_CHARS),
          ...(item.owner ? { owner: clean(item.owner) } : {}),
          ...(item.due ? { due: item.due } : {}),
        }));
        return { items, source: 'front_matter', path, postmortemUrl };
      }, currentAttempt());
    },

    /** One issue per item, in order; an item whose issue exists (its marker found) is not created again. */
    async createActionItemIssues(request: ActionItemsRequest): Promise<{ items: TrackedItem[]; created: number }> {
      return heartbeatingWhile(() => inTemporalTerms(async () => {
        const issues = tracker();
        const items: TrackedItem[] = [];
        let created = 0;
        for (const [index, item] of request.items.entries()) {
          const login = ownerLogin(item.owner);
          const { issue, created: isNew } = await issues.ensureIssue({
            repository: request.repository,
            marker: itemMarker(request.incidentId, index),
            title: `[postmortem ${request.incidentId}] ${item.title}`,
            body: issueBody(request, item, index),
            labels: itemLabels(request.incidentId),
            ...(login ? { assignee: login } : {}),
          });
          if (isNew) created++;
          items.push({
            index,
            title: item.title,
            ...(item.owner ? { owner: item.owner } : {}),
            ...(item.due ? { due: item.due } : {}),
            issueId: issue.id,
            issueUrl: issue.url,
            state: issue.state,
            ...(issue.assignee ? { assignee: issue.assignee } : {}),
            ...(issue.closedAt ? { closedAt: issue.closedAt } : {}),
            reminders: 0,
          });
        }
        return { items, created };
      }, currentAttempt()));
    },

    /** Each item's issue as it is now. */
    async checkActionItems(request: { repository: string; items: Pick<TrackedItem, 'issueId'>[] }): Promise<{ issueId: string; state: 'open' | 'closed'; closedAt?: string; assignee?: string }[]> {
      return inTemporalTerms(async () => {
        const issues = tracker();
        const out = [];
        for (const item of request.items) {
          const issue = await issues.getIssue(request.repository, item.issueId);
          out.push({ issueId: item.issueId, state: issue.state, ...(issue.closedAt ? { closedAt: issue.closedAt } : {}), ...(issue.assignee ? { assignee: issue.assignee } : {}) });
        }
        return out;
      }, currentAttempt());
    },

    /** A comment on an overdue item's issue, to its owner. */
    async remindActionItemOwner(request: { repository: string; item: TrackedItem; incidentId: string }): Promise<void> {
      const { item } = request;
      const login = item.assignee ?? ownerLogin(item.owner);
      const who = login ? `@${login}` : item.owner ? `${item.owner} (owner)` : 'Owner';
      // Numbered: a lost answer's retry finds reminder N and does not post it twice.
      const marker = `<!-- postmortem-pipeline:overdue-reminder ${item.reminders + 1} -->`;
      await inTemporalTerms(
        () => tracker().commentOnce(request.repository, item.issueId, `${who}: this action item from the postmortem of PagerDuty incident ${request.incidentId} was due ${item.due ?? '(no date)'} and is still open. Close it when done, or update its due date in the postmortem. ${marker}`, marker),
        currentAttempt(),
      );
    },

    /** The issues, listed on the postmortem's PR. */
    async listActionItemsOnPullRequest(request: { pullRequestUrl: string; items: TrackedItem[] }): Promise<void> {
      const pr = parsePullRequestUrl(request.pullRequestUrl);
      if (!pr || request.items.length === 0) return;
      const marker = '<!-- postmortem-pipeline:action-items -->';
      const body = ['The action items of this postmortem are tracked as issues:', '', ...request.items.map((i) => `- [ ] ${i.issueUrl} — ${i.title}${i.owner ? ` (${i.owner}${i.due ? `, due ${i.due}` : ''})` : ''}`), '', marker].join('\n');
      await inTemporalTerms(() => client().commentOnce(pr, body, marker), currentAttempt());
    },
  };
}

function issueBody(request: ActionItemsRequest, item: ActionItem, index: number): string {
  return [
    `Action item ${index + 1} of the postmortem of PagerDuty incident ${request.incidentId}.`,
    '',
    `- Postmortem: ${request.postmortemUrl}`,
    ...(request.incidentUrl ? [`- Incident: ${request.incidentUrl}`] : []),
    ...(item.owner ? [`- Owner: ${item.owner}`] : []),
    ...(item.due ? [dueLine(item.due)] : []),
    '',
    'Close this issue when the action is done: the incident\'s workflow follows it.',
    '',
    itemMarker(request.incidentId, index),
  ].join('\n');
}
