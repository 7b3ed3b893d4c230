// Builds the workflow bundle once, at image build time (`node --import tsx scripts/build-workflow-bundle.ts
// [out-file]`), so the worker starts from a file instead of running webpack at every start. The bundle
// must be built by the same @temporalio/worker version that runs it: the Dockerfile builds it from the
// very node_modules the runtime image ships.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** Same file as `WORKFLOWS_PATH` in src/worker/postmortem-worker.ts (test/deploy.test.ts checks it). */
export const WORKFLOWS_ENTRY = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
export const DEFAULT_BUNDLE_PATH = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

/** Same file as ENCODED_FAILURES_PATH in src/temporal/encryption.ts. */
const ENCODED_FAILURES = path.join(PROJECT_ROOT, 'src', 'temporal', 'encoded-failures.ts');

/**
 * Writes `outFile` and, next to it, the variant a worker with PAYLOAD_ENCRYPTION_KEYS runs
 * (`<name>.encoded-failures.js`: failures raised by workflow code encoded too, src/worker/postmortem-worker.ts).
 */
export async function buildWorkflowBundle(outFile: string = DEFAULT_BUNDLE_PATH): Promise<{ path: string; bytes: number }[]> {
  // Webpack's progress chatter is noise in `docker build`; warnings and errors still show.
  const logger = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  await mkdir(path.dirname(outFile), { recursive: true });
  const written: { path: string; bytes: number }[] = [];
  for (const [file, failureConverterPath] of [
    [outFile, undefined],
    [outFile.replace(/(\.js)?$/, '.encoded-failures.js'), ENCODED_FAILURES],
  ] as const) {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, failureConverterPath, logger });
    await writeFile(file, code);
    written.push({ path: file, bytes: Buffer.byteLength(code) });
  }
  return written;
}

if (require.main === module) {
  const target = path.resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
  buildWorkflowBundle(target).then(
    (files) => {
      for (const { path: written, bytes } of files) console.log(`workflow bundle: ${written} (${(bytes / 1024).toFixed(0)} KiB)`);
    },
    (error: unknown) => {
      console.error('workflow bundle failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
