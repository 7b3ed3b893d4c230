// What the browser tests of a postmortem PR share (test/ui/review-ui.test.ts, follow-up-ui.test.ts): a
// dev server with its UI on, the fakes, one pipeline whose bridge takes GitHub's signed webhooks (the PR's
// poll slow, 10 m: the webhooks move it, as in production), and headless Chromium on the UI.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FakeDevinApi } from '../fakes/devin-api';
import { FakeGitHubApi } from '../fakes/github-api';
import { FakePagerDutyApi } from '../fakes/pagerduty-api';
import { GITHUB_SECRET, GitHubReview, gitHubVars } from './github-review';
import { fakeApiVars, type RunningWorker, startPipeline } from './pipeline';
import { bundleWorkflows, capturingLogger, startDevServer } from './temporal';
import { freePort, requireChromium, TemporalUi } from './temporal-ui';

export interface ReviewUi {
  env: TestWorkflowEnvironment;
  devin: FakeDevinApi;
  pagerDuty: FakePagerDutyApi;
  github: FakeGitHubApi;
  pipeline: RunningWorker;
  review: GitHubReview;
  ui: TemporalUi;
  close(): Promise<void>;
}

/** Everything up; `vars` adds to (or overrides) the review's worker settings. */
export async function startReviewUi(name: string, vars: Record<string, string> = {}): Promise<ReviewUi> {
  requireChromium();
  const uiPort = await freePort();
  const [env, bundle, devin, pagerDuty, github] = await Promise.all([startDevServer({ uiPort }), bundleWorkflows(), FakeDevinApi.start(), FakePagerDutyApi.start(), FakeGitHubApi.start()]);
  const pipeline = await startPipeline(env, bundle, capturingLogger(name).logger, { ...fakeApiVars(devin, pagerDuty), DEVIN_REPORT_WAIT: '0s', ...gitHubVars(github), GITHUB_POLL_INTERVAL: '10m', ...vars }, GITHUB_SECRET);
  const review = new GitHubReview(env, devin, pagerDuty, github);
  const ui = await TemporalUi.launch(`http://localhost:${uiPort}`);
  return {
    env, devin, pagerDuty, github, pipeline, review, ui,
    async close() {
      await ui.close();
      await pipeline.stop();
      await Promise.all([devin.close(), pagerDuty.close(), github.close()]);
      await env.teardown();
    },
  };
}
