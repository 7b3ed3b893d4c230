// The smallest workflows: for tests of what bundling prints (`tiny`), and stand-ins of the incident
// workflow — for the CLI's queries (one that answers the evidence pack query with what it was given, one
// from a build before that query, one answering the status query with a given status; all wait until
// they are terminated), and for the GitHub webhook (one watching a PR).
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { type EvidencePackAnswer, evidencePackQuery, pullRequestEventSignal, statusQuery } from '../../src/domain/messages';
import type { PullRequestEvent } from '../../src/domain/review';
import { PostmortemPullRequest } from '../../src/domain/search-attributes';
import type { PostmortemStatus } from '../../src/domain/status';

export async function tiny(): Promise<string> {
  return 'ok';
}

export async function evidencePackHolder(answer: EvidencePackAnswer): Promise<void> {
  setHandler(evidencePackQuery, () => answer);
  await condition(() => false);
}

export async function beforeEvidencePackQuery(): Promise<void> {
  await condition(() => false);
}

export async function statusHolder(status: PostmortemStatus): Promise<void> {
  setHandler(statusQuery, () => status);
  await condition(() => false);
}

/**
 * Stands in for an incident's workflow once its PR is open (test/github-webhook.test.ts): says which PR it
 * watches (PostmortemPullRequest, as the incident's workflow does) and returns the first pullRequestEvent.
 */
export async function pullRequestWatcher(pullRequestUrl: string): Promise<PullRequestEvent> {
  let received: PullRequestEvent | undefined;
  setHandler(pullRequestEventSignal, (event) => {
    received ??= event;
  });
  upsertSearchAttributes({ [PostmortemPullRequest.name]: [pullRequestUrl] });
  await condition(() => received !== undefined);
  return received as PullRequestEvent;
}
