// GitHub's variables: GITHUB_TOKEN (fine-grained token or GitHub App installation token) and
// GITHUB_API_BASE_URL (GitHub Enterprise Server). Optional: without a token nothing GitHub-related is
// configured and the workflow ends when the PR is open, as before.
import { z } from 'zod';
import type { GitHubApiConfig } from '../integrations/github/client';
import { duration, type Env, httpUrl, oneOf, optionalText, parse } from './values';

export const DEFAULT_GITHUB_API_BASE_URL = 'https://api.github.com';

export const githubSchema = z.object({
  // The value is never quoted back: a token pasted with a typo is still most of a token.
  GITHUB_TOKEN: optionalText.transform((value, ctx) => {
    if (value !== undefined && /\s/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be one token without spaces (a fine-grained token github_pat_… or an installation token ghs_…)' });
      return z.NEVER;
    }
    return value;
  }),
  // GitHub Enterprise Server answers under https://<host>/api/v3.
  GITHUB_API_BASE_URL: httpUrl(DEFAULT_GITHUB_API_BASE_URL),
  // What happens after the PR opens (with GITHUB_TOKEN): fix rounds, reviewers, reminders, the slow poll.
  POSTMORTEM_FIX_ROUNDS: optionalText.transform((value, ctx) => {
    const n = value === undefined ? 2 : Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 10) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from 0 to 10 (got "${value}")` });
      return z.NEVER;
    }
    return n;
  }),
  POSTMORTEM_REVIEWERS: optionalText.transform((value, ctx) => {
    const reviewers = parseReviewers(value ?? '');
    if (typeof reviewers === 'string') {
      ctx.addIssue({ code: 'custom', message: reviewers });
      return z.NEVER;
    }
    return reviewers;
  }),
  POSTMORTEM_REVIEW_REMINDER: duration('2d', 1000),
  GITHUB_POLL_INTERVAL: duration('10m', 1000),
  // After the merge: action items as issues, followed to done; earlier postmortems for repeat incidents.
  ACTION_ITEMS_ON: oneOf(['merge', 'pr_open', 'off'] as const, 'merge'),
  ACTION_ITEMS_REPO: repository('the repository the action-item issues go to'),
  ACTION_ITEMS_CHECK_INTERVAL: duration('1d', 1000),
  ACTION_ITEMS_FOLLOW_UP_MAX: duration('90d', 1000),
  // Checks per workflow run before continue-as-new: bounds each run's history (a check is ~6 events).
  ACTION_ITEMS_CHECKS_PER_RUN: optionalText.transform((value, ctx) => {
    const n = value === undefined ? 100 : Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to 1000 (got "${value}")` });
      return z.NEVER;
    }
    return n;
  }),
  POSTMORTEM_REPO: repository('the repository the postmortems are merged into'),
});

/** `owner/name`, or undefined. */
function repository(what: string) {
  return optionalText.transform((value, ctx) => {
    if (value !== undefined && !/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `must be owner/name, ${what} (got "${value}")` });
      return z.NEVER;
    }
    return value;
  });
}

/** GitHub logins and team slugs: letters, digits, single hyphens (teams also _ and .). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * `alice, @bob, acme/sre, @acme/platform`: users by login, teams as org/slug (the org must be the
 * repository's: GitHub requests team reviews by slug within it). An error message when an entry is neither.
 */
export function parseReviewers(text: string): { users: string[]; teams: string[] } | string {
  const users: string[] = [];
  const teams: string[] = [];
  for (const raw of text.split(',').map((s) => s.trim().replace(/^@/, '')).filter(Boolean)) {
    const [org, team, extra] = raw.split('/');
    if (team !== undefined && extra === undefined && LOGIN.test(org ?? '') && TEAM.test(team)) teams.push(team);
    else if (team === undefined && LOGIN.test(raw)) users.push(raw);
    else return `each entry must be a GitHub login (alice) or a team (acme/sre) (got "${raw}")`;
  }
  return { users: [...new Set(users)], teams: [...new Set(teams)] };
}

/** Undefined without GITHUB_TOKEN. The token's field is `token`: the logger censors `*.token`. */
export function loadGitHubConfig(env: Env = process.env): GitHubApiConfig | undefined {
  const parsed = parse(githubSchema, env);
  return parsed.GITHUB_TOKEN ? { token: parsed.GITHUB_TOKEN, baseUrl: parsed.GITHUB_API_BASE_URL } : undefined;
}
