// `postmortem histories replay <dir> [--bundle FILE] [--json]`: replays every exported history in the
// folder against this build's workflow code (src/worker/history-replay.ts) and exits 1 when any would
// fail — the deploy gate. Needs no Temporal server; PAYLOAD_ENCRYPTION_KEYS when payloads are encrypted.
import { statSync } from 'node:fs';
import { CliConfigError, loadWorkflowBundlePath } from '../../config/cli';
import { EncryptionConfigError, encryptionDataConverter } from '../../temporal/encryption';
import type { HistoryReplayOptions, HistoryReplayResult, ReplayVerdict } from '../../worker/history-replay';
import type { Context } from '../context';
import { CliFailure, EXIT_FAILURE, EXIT_OK, messageOf } from '../errors';
import { nonEmpty } from '../validate';

export interface ReplayOptions {
  bundle?: string;
  json?: boolean;
}

const LABEL: Record<ReplayVerdict, string> = { passed: 'PASS', nondeterministic: 'FAIL', failed: 'FAIL', unreadable: 'FAIL' };
const WHY: Record<Exclude<ReplayVerdict, 'passed'>, string> = {
  nondeterministic: 'non-deterministic',
  failed: 'replay failed',
  unreadable: 'cannot be replayed',
};

function describe(result: HistoryReplayResult): string {
  if (result.verdict === 'passed') return `${LABEL.passed}  ${result.file} (${result.events} events)`;
  return `${LABEL[result.verdict]}  ${result.file}: ${WHY[result.verdict]}: ${result.message ?? ''}`;
}

const histories = (n: number) => `${n} ${n === 1 ? 'history' : 'histories'}`;

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The worker's encryption and bundle choice, from the same environment; a bad value is a failure naming it. */
function replayOptions(ctx: Context, bundle: string | undefined): HistoryReplayOptions {
  try {
    return { bundlePath: bundle ?? loadWorkflowBundlePath(ctx.env), dataConverter: encryptionDataConverter(ctx.env) };
  } catch (error) {
    if (error instanceof CliConfigError || error instanceof EncryptionConfigError) throw new CliFailure(error.message);
    throw error;
  }
}

export async function replayHistories(ctx: Context, dir: string, options: ReplayOptions): Promise<number> {
  const bundle = nonEmpty(options.bundle, 'bundle');
  const settings = replayOptions(ctx, bundle);
  // Loaded on use: the workflow bundler and the native core are not for every command.
  const { HistoryFolderError, historyFilesIn, installReplayRuntime, replayHistoryFiles, workflowCodeFor } = await import('../../worker/history-replay');
  let files: string[];
  try {
    files = historyFilesIn(dir);
  } catch (error) {
    if (error instanceof HistoryFolderError) throw new CliFailure(error.message);
    throw error;
  }
  // An empty folder passing would be a gate that checks nothing.
  if (files.length === 0) throw new CliFailure(`no histories (*.json) in ${dir}: nothing was replayed. Export some first: npm run histories:export -- --out ${dir}`);

  // With encryption, the prebuilt bundle's `.encoded-failures.js` variant, as the worker picks it.
  const code = workflowCodeFor(settings);
  if (code.bundleFile !== undefined && !isFile(code.bundleFile)) {
    const from = bundle === undefined ? 'WORKFLOW_BUNDLE_PATH' : '--bundle';
    throw new CliFailure(`${from}: ${code.bundleFile} is not a file: give a workflow bundle built by npm run build:bundle (it writes the .encoded-failures.js variant beside it)`);
  }
  const source = code.description;
  const json = options.json === true;
  if (!json) ctx.out(`Replaying ${histories(files.length)} from ${dir} against ${source}`);
  installReplayRuntime();
  let results: HistoryReplayResult[];
  try {
    results = await replayHistoryFiles(files, settings);
  } catch (error) {
    throw new CliFailure(`the replay could not run: ${messageOf(error)}`);
  }
  const failed = results.filter((result) => result.verdict !== 'passed');
  if (json) {
    ctx.out(JSON.stringify({ dir, source, passed: results.length - failed.length, failed: failed.length, results }, null, 2));
  } else {
    for (const result of results) ctx.out(describe(result));
    if (failed.length === 0) ctx.out(`All ${histories(results.length)} replay against this build's workflow code.`);
    else ctx.err(`postmortem histories replay: ${failed.length} of ${histories(results.length)} ${failed.length === 1 ? 'fails' : 'fail'} against this build's workflow code: deploying it would break the incidents they came from`);
  }
  return failed.length === 0 ? EXIT_OK : EXIT_FAILURE;
}
