// The postmortem's pull request after it opened: read it, run the evidence check on its head commit and
// publish it as the `postmortem/evidence` check run (one per head commit), ask for reviews, and watch
// for a change (polled through the retry policy, so a poll adds no history event).
import type { WorkerConfig } from '../src/config';
import type { IncidentContext } from '../src/domain/evidence';
import { type CheckFinding, EVIDENCE_CHECK_NAME, type EvidenceCheckResult, FINDINGS_KEPT, type PullRequestState, summariseReviews } from '../src/domain/review';
import { type CheckAnnotation, GitHubClient, parsePullRequestUrl, type PullRequestRef } from '../src/integrations/github/client';
import { ExternalServiceError } from '../src/integrations/http';
import { checkPostmortem, type EvidenceFinding } from '../src/postmortem/evidence-check';
import { activitySignal, currentAttempt } from './context';
import { configurationMissing, inTemporalTerms, notReady } from './failures';
import { codeOwnersFor } from './code-owners';

export interface PullRequestCheckRequest {
  pullRequestUrl: string;
  pack: IncidentContext;
  /** The file Devin reported; otherwise the PR's one changed markdown file under a postmortems folder. */
  postmortemPath?: string;
  rootCauseConfirmed?: boolean;
  requiredSections?: string[];
  personalData: boolean;
  /** A re-run someone asked for (check_run rerequested) at this time: a new run unless one started since. */
  rerunRequestedAt?: string;
}

export interface PullRequestCheck {
  pullRequest: PullRequestState;
  /** Absent when the PR is closed, or when no postmortem file could be found (then `problem`). */
  check?: EvidenceCheckResult;
  problem?: string;
}

export interface PullRequestChangeWait {
  pullRequestUrl: string;
  known: Pick<PullRequestState, 'state' | 'merged' | 'headSha' | 'reviewState'>;
}

export interface ReviewerRequest {
  pullRequestUrl: string;
  users: string[];
  teams: string[];
  /** For CODEOWNERS when no reviewers are configured. */
  postmortemPath?: string;
}

export interface ReviewersRequested {
  requested: string[];
  note?: string;
}

const POSTMORTEM_FILE = /(^|\/)(postmortems?|post-mortems?|incidents?)\/[^/]+\.md$/i;

export function reviewActivities(config: WorkerConfig) {
  const github = () => {
    if (!config.github) throw configurationMissing('GITHUB_TOKEN is not set on this worker, but this incident follows its pull request; set it and signal retry');
    return new GitHubClient(config.github, config.httpTimeoutMs, activitySignal());
  };
  const pullRequestOf = (url: string): PullRequestRef => {
    const ref = parsePullRequestUrl(url);
    if (!ref) throw ExternalServiceError.rejected('GitHub', `GitHub: "${url}" is not a pull request URL (https://<host>/<owner>/<repo>/pull/<n>)`, 400);
    return ref;
  };

  async function readState(client: GitHubClient, ref: PullRequestRef): Promise<PullRequestState> {
    const pr = await client.getPullRequest(ref);
    const reviews = await client.listReviews(ref);
    return {
      state: pr.state,
      merged: pr.merged,
      headSha: pr.headSha,
      ...(pr.mergeCommitSha ? { mergeCommitSha: pr.mergeCommitSha } : {}),
      reviewState: summariseReviews(reviews),
    };
  }

  return {
    /** The PR as it is now, and the evidence check of its head commit, published as a check run. */
    async checkPullRequest(request: PullRequestCheckRequest): Promise<PullRequestCheck> {
      return inTemporalTerms(async (): Promise<PullRequestCheck> => {
        const client = github();
        const ref = pullRequestOf(request.pullRequestUrl);
        const pullRequest = await readState(client, ref);
        if (pullRequest.state === 'closed') return { pullRequest };
        const path = await postmortemFile(client, ref, request.postmortemPath);
        if (!path) return { pullRequest, problem: 'no postmortem file found in the pull request (Devin reported none, and no changed .md file is under a postmortems/ folder): the evidence check cannot run' };
        const file = await client.readFile(ref, path, pullRequest.headSha);
        const findings = checkPostmortem({ markdown: file.text, pack: request.pack, report: { rootCauseConfirmed: request.rootCauseConfirmed === true }, requiredSections: request.requiredSections, personalData: request.personalData });
        const result = summarise(findings, pullRequest.headSha, path);
        try {
          result.checkRunUrl = await publishCheckRun(client, ref, result, findings, request.rerunRequestedAt);
        } catch (error) {
          // A token without checks:write (a fine-grained token cannot create check runs: that needs a GitHub App)
          // still gets the check: its result is in the status, and Devin still fixes the findings.
          if (!(error instanceof ExternalServiceError) || error.retryable || (error.status !== 403 && error.status !== 404)) throw error;
          result.publishError = `the check run could not be published (${error.message}); check runs need a GitHub App installation token with checks:write`;
        }
        return { pullRequest, check: result };
      }, currentAttempt());
    },

    /** The PR as it is now (after a webhook said something changed). */
    async readPullRequest(request: { pullRequestUrl: string }): Promise<PullRequestState> {
      return inTemporalTerms(() => readState(github(), pullRequestOf(request.pullRequestUrl)), currentAttempt());
    },

    /** Polled through the retry policy: returns when the PR differs from `known` (head, state, reviews). */
    async waitForPullRequestChange(request: PullRequestChangeWait): Promise<PullRequestState> {
      const client = github();
      const now = await inTemporalTerms(() => readState(client, pullRequestOf(request.pullRequestUrl)));
      const { known } = request;
      if (now.state === known.state && now.merged === known.merged && now.headSha === known.headSha && now.reviewState === known.reviewState) {
        throw notReady(`pull request unchanged (${now.state}, head ${now.headSha.slice(0, 12)}, review ${now.reviewState})`);
      }
      return now;
    },

    /** POSTMORTEM_REVIEWERS, or the CODEOWNERS of the postmortem's path; requesting twice is harmless. */
    async requestPostmortemReviewers(request: ReviewerRequest): Promise<ReviewersRequested> {
      return inTemporalTerms(async (): Promise<ReviewersRequested> => {
        const client = github();
        const ref = pullRequestOf(request.pullRequestUrl);
        let { users, teams } = request;
        let source = 'POSTMORTEM_REVIEWERS';
        if (users.length === 0 && teams.length === 0) {
          const pr = await client.getPullRequest(ref);
          const path = await postmortemFile(client, ref, request.postmortemPath);
          const owners = path ? await codeOwnersFor(client, ref, pr.baseRef, path) : undefined;
          if (!owners || (owners.users.length === 0 && owners.teams.length === 0)) {
            return { requested: [], note: 'no reviewers requested: POSTMORTEM_REVIEWERS is not set and no CODEOWNERS entry owns the postmortem' + (owners?.note ? ` (${owners.note})` : '') };
          }
          ({ users, teams } = owners);
          source = `CODEOWNERS (${owners.file})`;
        }
        await client.requestReviewers(ref, { users, teams });
        return { requested: [...users, ...teams.map((t) => `${ref.owner}/${t}`)], note: `requested from ${source}` };
      }, currentAttempt());
    },
  };

  async function postmortemFile(client: GitHubClient, ref: PullRequestRef, reported: string | undefined): Promise<string | undefined> {
    if (reported) return reported.replace(/^\/+/, '');
    const files = (await client.listFiles(ref)).filter((f) => f.status !== 'removed' && f.path.endsWith('.md'));
    const candidates = files.filter((f) => POSTMORTEM_FILE.test(f.path));
    return (candidates.length === 1 ? candidates[0] : files.length === 1 ? files[0] : undefined)?.path;
  }
}

function summarise(findings: EvidenceFinding[], headSha: string, path: string): EvidenceCheckResult {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const byKind: Record<string, number> = {};
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  // Errors first, so the kept ones are what Devin must fix.
  const kept: CheckFinding[] = [...findings]
    .sort((a, b) => (a.severity === b.severity ? a.line - b.line : a.severity === 'error' ? -1 : 1))
    .slice(0, FINDINGS_KEPT)
    .map(({ severity, kind, line, message }) => ({ severity, kind, line, message }));
  return { headSha, path, conclusion: errors > 0 ? 'failure' : 'success', errors, warnings: findings.length - errors, byKind, findings: kept };
}

/** One check run per head commit: an earlier attempt's run is found and completed, not duplicated. */
async function publishCheckRun(client: GitHubClient, ref: PullRequestRef, result: EvidenceCheckResult, findings: EvidenceFinding[], rerunRequestedAt?: string): Promise<string> {
  const annotations: CheckAnnotation[] = findings.map((f) => ({ path: result.path, line: f.line, level: f.severity === 'error' ? 'failure' : 'warning', title: f.kind.replace(/_/g, ' '), message: f.message }));
  const title = result.errors > 0 ? `${result.errors} error(s), ${result.warnings} warning(s)` : result.warnings > 0 ? `Passed with ${result.warnings} warning(s)` : 'The draft follows its evidence';
  const summary = [
    `Checked \`${result.path}\` at ${result.headSha.slice(0, 12)} against the incident's evidence pack: the required sections and header, a source for every timeline row and the root cause, no invented links, the root cause marked as a hypothesis unless confirmed, owned action items, no secret or personal data.`,
    '',
    ...Object.entries(result.byKind).map(([kind, n]) => `- ${kind.replace(/_/g, ' ')}: ${n}`),
  ].join('\n');
  const run = { status: 'completed' as const, conclusion: result.errors > 0 ? ('failure' as const) : ('success' as const), title, summary, annotations };
  const existing = await client.findCheckRun(ref, result.headSha, EVIDENCE_CHECK_NAME);
  const fresh = existing && (!rerunRequestedAt || (existing.startedAt !== undefined && existing.startedAt >= rerunRequestedAt));
  if (existing && fresh) {
    // Completed by an earlier attempt (its answer lost) or created and not yet completed: finish that one,
    // without repeating annotations it may already carry.
    return (await client.updateCheckRun(ref, existing.id, { ...run, annotations: [] })).url || existing.url;
  }
  return (await client.createCheckRun(ref, EVIDENCE_CHECK_NAME, result.headSha, run)).url;
}
