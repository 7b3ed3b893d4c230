// Replays workflow histories against this build's workflow code the way the worker would run it: the
// same bundle (a prebuilt one, else workflows/ bundled now) and the same payload encryption. A history
// that fails would break its incident after a deploy. One implementation for the deploy gate
// (`postmortem histories replay <dir>`) and for test/replay.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, ReplayError, Runtime, type ReplayWorkerOptions, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { INCIDENT_WORKFLOW_TYPE } from '../domain/messages';
import { EncryptionCodec } from '../temporal/encryption';
import { executionOfHistoryFile, HISTORY_FILE_EXTENSION, HistoryFileError, type HistoryFileContents, parseHistoryFile } from '../temporal/history-files';
import { workflowSource } from './postmortem-worker';

/** Temporal refuses histories past 50 MB; anything larger is not one of ours. */
const MAX_HISTORY_FILE_BYTES = 64 * 1024 * 1024;

/**
 * passed; nondeterministic (the workflow code no longer issues the commands the history recorded);
 * failed (a workflow task failed while replaying, or the replay could not run it); unreadable (the file is
 * not an incident workflow's history this build can replay: not JSON, another workflow type, a missing key).
 */
export type ReplayVerdict = 'passed' | 'nondeterministic' | 'failed' | 'unreadable';

export interface HistoryReplayResult {
  /** The file's name in its folder. */
  file: string;
  verdict: ReplayVerdict;
  /** Why it did not pass: the SDK's non-determinism message, or what is wrong with the file. */
  message?: string;
  events?: number;
}

export interface HistoryReplayOptions {
  /** A bundle already built (tests). Without it: `bundlePath`'s file, else workflows/ bundled now. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** A prebuilt bundle (`--bundle`, WORKFLOW_BUNDLE_PATH): with encryption, its `.encoded-failures.js` variant, as the worker picks it. */
  bundlePath?: string;
  /** The worker's data converter: the payload encryption of PAYLOAD_ENCRYPTION_KEYS, if any. */
  dataConverter?: ReplayWorkerOptions['dataConverter'];
}

export class HistoryFolderError extends Error {
  override name = 'HistoryFolderError';
}

/** The `*.json` files of a folder (not its subfolders), sorted by name. */
export function historyFilesIn(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new HistoryFolderError(`${dir} is not a folder: replay reads a folder of exported histories (*.json)`);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof HistoryFolderError) throw error;
    throw new HistoryFolderError(`cannot read the folder ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return names
    .filter((name) => name.endsWith(HISTORY_FILE_EXTENSION) && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The workflow code a replay runs: the prebuilt bundle file it reads, if any, and how to say it. */
export function workflowCodeFor(options: HistoryReplayOptions): { description: string; bundleFile?: string } {
  if (options.workflowBundle) return { description: 'a workflow bundle built by the caller' };
  const source = workflowSource(undefined, options.bundlePath, encodesFailures(options));
  if (source.workflowBundle && 'codePath' in source.workflowBundle) {
    return { description: `the prebuilt bundle ${source.workflowBundle.codePath}`, bundleFile: source.workflowBundle.codePath };
  }
  return { description: `${source.workflowsPath} (bundled now)` };
}

/** Replays each file in turn, one result per file in the same order; never throws for a bad history. */
export async function replayHistoryFiles(files: string[], options: HistoryReplayOptions = {}): Promise<HistoryReplayResult[]> {
  const keyIds = decryptingKeyIds(options);
  const results: HistoryReplayResult[] = files.map((file) => ({ file: path.basename(file), verdict: 'unreadable' }));
  const replayable: { index: number; workflowId: string; contents: HistoryFileContents }[] = [];
  files.forEach((file, index) => {
    const result = results[index] as HistoryReplayResult;
    try {
      const contents = readHistory(file, keyIds);
      Object.assign(result, { verdict: 'failed', message: 'the replay ended before this history', events: contents.events });
      replayable.push({ index, workflowId: executionOfHistoryFile(result.file)?.workflowId ?? `replay-${result.file}`, contents });
    } catch (error) {
      if (!(error instanceof HistoryFileError)) throw error;
      result.message = error.message;
    }
  });
  if (replayable.length === 0) return results;

  const workerOptions: ReplayWorkerOptions = { ...(await replaySource(options)), dataConverter: options.dataConverter, replayName: 'histories-replay' };
  const histories = replayable.map(({ workflowId, contents }) => ({ workflowId, history: contents.history }));
  let replayed = 0;
  try {
    for await (const { error } of Worker.runReplayHistories(workerOptions, histories)) {
      const entry = replayable[replayed++];
      if (!entry) break;
      const result = results[entry.index] as HistoryReplayResult;
      delete result.message;
      Object.assign(result, verdictOf(error));
    }
  } catch (error) {
    // The replay worker itself stopped: nothing after it was replayed.
    const message = `the replay stopped at or before this history: ${error instanceof Error ? error.message : String(error)}`;
    for (const { index } of replayable.slice(replayed)) (results[index] as HistoryReplayResult).message = message;
  }
  return results;
}

function verdictOf(error: Error | undefined): Pick<HistoryReplayResult, 'verdict' | 'message'> {
  if (!error) return { verdict: 'passed' };
  if (error instanceof DeterminismViolationError) return { verdict: 'nondeterministic', message: coreFailureMessage(error.message) };
  if (error instanceof ReplayError) return { verdict: 'failed', message: coreFailureMessage(error.message) };
  return { verdict: 'failed', message: `${error.name}: ${error.message}` };
}

/**
 * The SDK wraps core's failure in a Rust debug dump (`… Details: … Failure { message: "[TMPRL1100]
 * Nondeterminism error: Activity type of scheduled event 'x' does not match …", … }`): the quoted message
 * is what the operator needs; the whole text when there is none.
 */
export function coreFailureMessage(text: string): string {
  const quoted = /message: "((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return quoted ? quoted.replace(/\\(.)/g, '$1') : text;
}

/**
 * For a command-line replay: the SDK's and core's own logs only at ERROR, on stderr (each failure is
 * reported per file instead of core's WARN lines). False when a Runtime was installed already (tests).
 */
export function installReplayRuntime(): boolean {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR', ({ message }) => console.error(`temporal-sdk: ${message}`)),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
    });
    return true;
  } catch {
    return false;
  }
}

function readHistory(file: string, keyIds: Set<string>): HistoryFileContents {
  let text: string;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new HistoryFileError('not a regular file');
    if (stats.size > MAX_HISTORY_FILE_BYTES) throw new HistoryFileError(`${stats.size} bytes: larger than any workflow history Temporal keeps`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof HistoryFileError) throw error;
    throw new HistoryFileError(`cannot read it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const contents = parseHistoryFile(text);
  if (contents.workflowType !== INCIDENT_WORKFLOW_TYPE) {
    throw new HistoryFileError(`a ${JSON.stringify(contents.workflowType ?? 'unknown')} workflow, not an incident workflow (${INCIDENT_WORKFLOW_TYPE}): this build has no such workflow to replay it with`);
  }
  const missing = contents.encryptionKeyIds.filter((id) => !keyIds.has(id));
  if (missing.length > 0) {
    throw new HistoryFileError(
      `its payloads are encrypted with key ${missing.map((id) => `"${id}"`).join(', ')}, which ${keyIds.size === 0 ? 'is not configured' : 'is not among the configured keys'}: ` +
        'set PAYLOAD_ENCRYPTION_KEYS to the worker\'s keys (replay decrypts in memory only)',
    );
  }
  return contents;
}

function decryptingKeyIds(options: HistoryReplayOptions): Set<string> {
  const codecs = options.dataConverter?.payloadCodecs ?? [];
  return new Set(codecs.flatMap((codec) => (codec instanceof EncryptionCodec ? codec.toJSON().keyIds : [])));
}

function encodesFailures(options: HistoryReplayOptions): boolean {
  return options.dataConverter?.failureConverterPath !== undefined;
}

/** The worker's own choice of workflow code (workflowSource), bundled quietly here when it is the source. */
async function replaySource(options: HistoryReplayOptions): Promise<Pick<ReplayWorkerOptions, 'workflowBundle'>> {
  if (options.workflowBundle) return { workflowBundle: options.workflowBundle };
  const source = workflowSource(undefined, options.bundlePath, encodesFailures(options));
  if (source.workflowBundle) return { workflowBundle: source.workflowBundle };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: source.workflowsPath as string,
    failureConverterPath: options.dataConverter?.failureConverterPath,
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
  });
  return { workflowBundle };
}
