// What one look at a Devin session means for the postmortem: an open PR (or published page), a
// situation the workflow must answer, still working, or stuck until a human acts in Devin.
import type { PostmortemDestination } from '../../domain/write-back';
import { readPostmortemReport } from '../../domain/postmortem-output';
import type { SessionObservation, SessionSituation } from '../../domain/session';
import type { DevinSession } from './client';

const QUOTA_OR_BILLING = new Set([
  'usage_limit_exceeded',
  'out_of_credits',
  'out_of_quota',
  'no_quota_allocation',
  'payment_declined',
  'org_usage_limit_exceeded',
  'total_session_limit_exceeded',
  'error',
]);

export type SessionVerdict =
  | SessionObservation
  /** Devin is simply working: poll again. */
  | { kind: 'working'; message: string }
  /** Quota, billing, an error, or approval needed: a human must act in Devin. */
  | { kind: 'cannot_continue'; message: string; status: string; detail?: string };

export function pullRequestUrl(session: DevinSession): string | undefined {
  return session.pull_requests?.find((pr) => typeof pr.pr_url === 'string' && pr.pr_url.length > 0)?.pr_url ?? undefined;
}

/** `ignore` lists situations already answered, which then count as "still working". */
export function judgeSession(session: DevinSession, ignore: SessionSituation[] = [], destination: PostmortemDestination = 'repo'): SessionVerdict {
  const report = readPostmortemReport(session.structured_output);
  // Repo: an open PR. Wiki: the page URL the session reports in its structured output.
  const published = destination === 'wiki' ? report?.pageUrl : pullRequestUrl(session);
  if (published) return { kind: 'published', url: published, report };
  const detail = session.status_detail ?? undefined;
  const where = `Devin session ${session.session_id}${session.url ? ` (${session.url})` : ''}`;
  const state = `${session.status}${detail ? `/${detail}` : ''}`;

  const situation = ((): SessionSituation | undefined => {
    if (session.status === 'exit' || (session.status === 'running' && detail === 'finished')) return 'finished_without_pr';
    if (session.status === 'running' && detail === 'waiting_for_user') return 'waiting_for_user';
    if (session.status === 'suspended' && detail === 'inactivity') return 'inactive';
    return undefined;
  })();
  if (situation && !ignore.includes(situation)) return { kind: situation, status: session.status, detail };

  const cannotContinue =
    session.status === 'error'
      ? `${where} failed (${state})`
      : session.status === 'suspended' && detail && QUOTA_OR_BILLING.has(detail)
        ? `${where} is suspended (${detail}): restore quota or billing in Devin, then signal retry`
        : session.status === 'running' && detail === 'waiting_for_approval'
          ? `${where} waits for approval (safe mode): approve it in Devin, then signal retry`
          : undefined;
  if (cannotContinue) return { kind: 'cannot_continue', message: cannotContinue, status: session.status, detail };
  return { kind: 'working', message: `${where} is ${state}; no pull request yet` };
}
