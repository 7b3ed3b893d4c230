// GitHub's variables: GITHUB_TOKEN (fine-grained token or GitHub App installation token) and
// GITHUB_API_BASE_URL (GitHub Enterprise Server). Optional: without a token nothing GitHub-related is
// configured and the workflow ends when the PR is open, as before.
import { z } from 'zod';
import type { GitHubApiConfig } from '../integrations/github/client';
import { type Env, httpUrl, optionalText, parse } from './values';

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
});

/** Undefined without GITHUB_TOKEN. The token's field is `token`: the logger censors `*.token`. */
export function loadGitHubConfig(env: Env = process.env): GitHubApiConfig | undefined {
  const parsed = parse(githubSchema, env);
  return parsed.GITHUB_TOKEN ? { token: parsed.GITHUB_TOKEN, baseUrl: parsed.GITHUB_API_BASE_URL } : undefined;
}
