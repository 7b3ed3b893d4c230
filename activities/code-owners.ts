// Who owns the postmortem's path: the repository's CODEOWNERS (the first of GitHub's three locations
// that exists, read at the PR's base branch), matched as GitHub does — the last matching entry wins.
import { matchFile, parse } from 'codeowners-utils';
import type { GitHubClient, PullRequestRef } from '../src/integrations/github/client';
import { ExternalServiceError } from '../src/integrations/http';

/** Where GitHub looks for CODEOWNERS, in its order. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

export interface CodeOwners {
  users: string[];
  teams: string[];
  file?: string;
  note?: string;
}

/** `@alice` → user, `@acme/sre` → team `sre` (of the repository's organization); emails are not requestable. */
export function ownersOf(text: string, path: string): Omit<CodeOwners, 'file'> {
  const entry = matchFile(path, parse(text));
  const users: string[] = [];
  const teams: string[] = [];
  const skipped: string[] = [];
  for (const owner of entry?.owners ?? []) {
    const m = /^@([A-Za-z0-9-]+)(?:\/([A-Za-z0-9_.-]+))?$/.exec(owner);
    if (m?.[2]) teams.push(m[2]);
    else if (m?.[1]) users.push(m[1]);
    else skipped.push(owner);
  }
  return { users, teams, ...(skipped.length ? { note: `${skipped.length} owner(s) given by email cannot be requested` } : {}) };
}

export async function codeOwnersFor(client: GitHubClient, ref: PullRequestRef, baseRef: string, path: string): Promise<CodeOwners> {
  for (const file of CODEOWNERS_LOCATIONS) {
    let text: string;
    try {
      text = (await client.readFile(ref, file, baseRef)).text;
    } catch (error) {
      if (error instanceof ExternalServiceError && error.status === 404) continue;
      throw error;
    }
    return { ...ownersOf(text, path), file };
  }
  return { users: [], teams: [], note: `no CODEOWNERS file on ${baseRef}` };
}
