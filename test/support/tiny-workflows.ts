// The smallest workflow module the SDK's bundler accepts: for tests of what bundling prints, not of workflows.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { pullRequestEventSignal } from '../../src/domain/messages';
import type { PullRequestEvent } from '../../src/domain/review';
import { PostmortemPullRequest } from '../../src/domain/search-attributes';

export async function tiny(): Promise<string> {
  return 'ok';
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
