// Replays recorded histories against today's workflow code: a non-deterministic change (reordered
// activities, a new timer without `patched`) fails here before it can break running incidents.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows, HISTORIES_DIR } from './support/temporal';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

describe('workflow determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s', async (file) => {
    const history: unknown = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
    const workflowBundle = await bundleWorkflows();
    await expect(Worker.runReplayHistory({ workflowBundle, replayName: file }, history)).resolves.toBeUndefined();
  });
});
