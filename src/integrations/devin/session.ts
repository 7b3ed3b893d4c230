// What one look at a Devin session means for the postmortem. Every status of the v3 enum and every
// documented status_detail has a decided meaning here (README: "Devin session states"):
//   new, claimed, resuming (creating), running+working, anything undocumented → still working
//   a non-closed pull request (the one the report names, else the only one)   → published (final once the turn ended)
//   running+waiting_for_user                                                    → Devin asks: answer it (nudge, or an operator)
//   running+finished or exit, without a PR                                      → ask once for the PR, then fail
//   suspended+inactivity                                                        → resume it with a message
//   suspended+user_request, quota or billing, unknown suspension                → a human acts; retry sends a message (resumes it)
//   running+waiting_for_approval                                                → a human approves in Devin; retry polls again
//   error, suspended+error                                                      → retry starts a new session
import type { PostmortemReport } from '../../domain/postmortem-output';
import { readPostmortemReport } from '../../domain/postmortem-output';
import type { PullRequestWait, SessionObservation } from '../../domain/session';
import type { PostmortemDestination } from '../../domain/write-back';
import type { DevinMessage, DevinSession } from './client';

const QUOTA_OR_BILLING = new Set([
  'usage_limit_exceeded',
  'out_of_credits',
  'out_of_quota',
  'no_quota_allocation',
  'payment_declined',
  'org_usage_limit_exceeded',
  'total_session_limit_exceeded',
]);
/** Devin's turn has ended: its structured output is final (it is a notepad while it works). */
const TURN_ENDED = (s: DevinSession) =>
  s.status === 'exit' || s.status === 'error' || s.status === 'suspended' || (s.status === 'running' && (s.status_detail === 'finished' || s.status_detail === 'waiting_for_user'));
/** The share of DEVIN_MAX_ACU at which the status warns. */
export const ACU_WARNING_SHARE = 0.8;
const QUESTION_CHARS = 500;

export type SessionVerdict = SessionObservation | { kind: 'working'; message: string };

export interface JudgeOptions {
  destination?: PostmortemDestination;
  /** The session's conversation, when the activity read it (it does for waiting_for_user). */
  messages?: DevinMessage[];
  /** How long an answered question may stay open before it is reported again. */
  answerWaitMs?: number;
  now?: number;
}

const normalizeUrl = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

/** The postmortem's PR: the one the report names, else the only one listed; never a closed one. */
export function choosePullRequest(session: DevinSession, report: PostmortemReport | undefined, final: boolean): { url?: string; note?: string } {
  const listed = (session.pull_requests ?? []).filter((pr): pr is { pr_url: string; pr_state?: string | null } => typeof pr.pr_url === 'string' && pr.pr_url.length > 0);
  const closed = (pr: { pr_state?: string | null }) => (pr.pr_state ?? '').toLowerCase() === 'closed';
  const usable = listed.filter((pr) => !closed(pr));
  if (report?.prUrl) {
    const named = listed.find((pr) => normalizeUrl(pr.pr_url) === normalizeUrl(report.prUrl ?? ''));
    if (named && !closed(named)) return { url: named.pr_url };
    if (!named) return { url: report.prUrl, note: 'the PR the session reports is not in its pull_requests yet' };
    if (usable.length === 0) return { note: `the PR the session reports (${named.pr_url}) is closed` };
  }
  if (usable.length === 1) return { url: usable[0]?.pr_url };
  if (usable.length > 1 && final) {
    const latest = usable[usable.length - 1];
    return { url: latest?.pr_url, note: `${usable.length} open PRs and the report names none: the latest listed was taken` };
  }
  return usable.length > 1 ? { note: `${usable.length} open PRs: waiting for the report to name the postmortem's` } : {};
}

/** Devin's latest message, when the session waits for a user: its question. */
export function latestQuestion(messages: DevinMessage[] | undefined): DevinMessage | undefined {
  return [...(messages ?? [])].reverse().find((m) => m.source === 'devin' && m.message.trim().length > 0);
}

export function needsMessages(session: DevinSession): boolean {
  return session.status === 'running' && session.status_detail === 'waiting_for_user';
}

export function judgeSession(session: DevinSession, wait: Omit<PullRequestWait, 'sessionId'> = { ignore: [] }, options: JudgeOptions = {}): SessionVerdict {
  const { destination = 'repo', now = Date.now() } = options;
  const ignore = wait.ignore ?? [];
  const detail = session.status_detail ?? undefined;
  const acus = typeof session.acus_consumed === 'number' ? session.acus_consumed : undefined;
  const where = `Devin session ${session.session_id}${session.url ? ` (${session.url})` : ''}`;
  const state = `${session.status}${detail ? `/${detail}` : ''}`;
  const base = { status: session.status, detail, acus };

  const report = readPostmortemReport(session.structured_output);
  const final = TURN_ENDED(session);
  // Repo: the postmortem's PR. Wiki: the page URL the session reports in its structured output.
  const chosen = destination === 'wiki' ? { url: report?.pageUrl } : choosePullRequest(session, report, final);
  if (chosen.url && (final || !wait.finalOnly)) return { kind: 'published', url: chosen.url, report, final, acus, ...(chosen.note ? { note: chosen.note } : {}) };

  if (wait.maxAcu && acus !== undefined && acus >= ACU_WARNING_SHARE * wait.maxAcu && !ignore.includes('acu_limit_near')) {
    return { kind: 'acu_limit_near', status: session.status, detail, acus, limit: wait.maxAcu };
  }

  if (session.status === 'running' && detail === 'waiting_for_user') {
    const question = latestQuestion(options.messages);
    const text = question ? clipQuestion(question.message) : undefined;
    const asked = { kind: 'waiting_for_user' as const, ...base, question: text, questionId: question?.event_id };
    if (!ignore.includes('waiting_for_user')) return asked;
    const answered = wait.answered;
    // An answer sent for an earlier question: this one is new.
    if (answered?.questionId && question && question.event_id !== answered.questionId) return asked;
    // The same question still open long after it was answered: Devin did not take the answer up.
    if (answered && now - Date.parse(answered.at) > (options.answerWaitMs ?? Number.POSITIVE_INFINITY)) return asked;
    return { kind: 'working', message: `${where} is ${state}; the answer sent has not been taken up yet` };
  }
  if ((session.status === 'exit' || (session.status === 'running' && detail === 'finished')) && !ignore.includes('finished_without_pr')) {
    return { kind: 'finished_without_pr', ...base, ...(chosen.note ? { detail: `${detail ?? session.status}; ${chosen.note}` } : {}) };
  }
  if (session.status === 'suspended' && detail === 'inactivity' && !ignore.includes('inactive')) return { kind: 'inactive', ...base };

  const human = (reason: string, recovery: 'poll' | 'message' | 'new_session'): SessionObservation => ({ kind: 'needs_human', ...base, reason: `${where} ${reason}`, recovery });
  if (session.status === 'error' || (session.status === 'suspended' && detail === 'error')) {
    return human(`failed (${state}): \`retry\` starts a new session (this one is named in the status), \`skip\` ends the incident skipped`, 'new_session');
  }
  if (session.status === 'suspended' && detail === 'user_request') {
    return human('was stopped by a person in Devin (suspended: user_request): `retry` sends it a message, which resumes it; `skip` ends the incident skipped', 'message');
  }
  if (session.status === 'suspended' && detail && QUOTA_OR_BILLING.has(detail)) {
    return human(`is suspended (${detail}): restore quota or billing in Devin, then signal retry (a message resumes the session)`, 'message');
  }
  if (session.status === 'suspended' && detail !== 'inactivity') {
    return human(`is suspended (${detail ?? 'no reason given'}): signal retry to resume it with a message`, 'message');
  }
  if (session.status === 'running' && detail === 'waiting_for_approval') {
    return human('waits for approval (safe mode): approve it in Devin, then signal retry', 'poll');
  }
  return { kind: 'working', message: `${where} is ${state}; ${chosen.note ?? 'no pull request yet'}` };
}

/** One line, bounded: Devin's question goes into the status, the UI, Slack and history. */
function clipQuestion(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= QUESTION_CHARS ? flat : `${flat.slice(0, QUESTION_CHARS - 1)}…`;
}
