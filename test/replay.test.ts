// Replays recorded histories against today's workflow code: a non-deterministic change (reordered
// activities, a new timer without `patched`) fails here before it can break running incidents. The
// replay is the deploy gate's own (`postmortem histories replay`, src/worker/history-replay.ts).
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFilesIn, replayHistoryFiles } from '../src/worker/history-replay';
import { bundleWorkflows, HISTORIES_DIR } from './support/temporal';

const files = historyFilesIn(HISTORIES_DIR).map((file) => path.basename(file));
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleWorkflows();
});

describe('workflow determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s', async (file) => {
    const [result] = await replayHistoryFiles([path.join(HISTORIES_DIR, file)], { workflowBundle });
    expect(result).toMatchObject({ file, verdict: 'passed' });
    expect(result?.message).toBeUndefined();
  });
});
