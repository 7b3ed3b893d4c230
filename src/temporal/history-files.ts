// Workflow histories on disk, as `postmortem histories export` writes them and `histories replay` (and
// test/replay.test.ts) reads them: one JSON file per workflow execution, named
// `<workflow id>__<run id>.json`, in the proto JSON of `temporal workflow show --output json` — the
// format of test/fixtures/histories/ and of every Temporal tool. Payloads stay as Temporal stores them:
// encrypted when the worker encrypts them (PAYLOAD_ENCRYPTION_KEYS); nothing here decrypts.
import { type History, historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ENCRYPTED_ENCODING } from './encryption';

export type { History };

export const HISTORY_FILE_EXTENSION = '.json';
const SEPARATOR = '__';
/** A workflow id that can name a file as is: `incident-Q1ABCDEF234567` and the like — no path separator, no leading dot. */
const FILE_SAFE_WORKFLOW_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `incident-Q1ABCDEF234567__<run id>.json`, or undefined when either id could not name a file safely. */
export function historyFileName(workflowId: string, runId: string): string | undefined {
  if (!FILE_SAFE_WORKFLOW_ID.test(workflowId) || !RUN_ID.test(runId)) return undefined;
  return `${workflowId}${SEPARATOR}${runId}${HISTORY_FILE_EXTENSION}`;
}

/** The execution an exported file names; undefined for any other name (a recorded fixture, a renamed copy). */
export function executionOfHistoryFile(fileName: string): { workflowId: string; runId: string } | undefined {
  if (!fileName.endsWith(HISTORY_FILE_EXTENSION)) return undefined;
  const stem = fileName.slice(0, -HISTORY_FILE_EXTENSION.length);
  const at = stem.lastIndexOf(SEPARATOR);
  if (at < 0) return undefined;
  const execution = { workflowId: stem.slice(0, at), runId: stem.slice(at + SEPARATOR.length) };
  return historyFileName(execution.workflowId, execution.runId) === fileName ? execution : undefined;
}

/** The file's text: the history's proto JSON, as `temporal workflow show --output json` prints it. */
export function historyFileText(history: History): string {
  return `${historyToJSON(history)}\n`;
}

export class HistoryFileError extends Error {
  override name = 'HistoryFileError';
}

interface HistoryEventJson {
  eventType?: unknown;
  workflowExecutionStartedEventAttributes?: { workflowType?: { name?: unknown } };
}

/** A history read from its JSON, with what the replay checks before it runs it. */
export interface HistoryFileContents {
  history: History;
  events: number;
  workflowType: string | undefined;
  /** The key ids of its encrypted payloads (`encryption-key-id`), none when nothing is encrypted. */
  encryptionKeyIds: string[];
}

export function parseHistoryFile(text: string): HistoryFileContents {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HistoryFileError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const events = (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.length === 0) {
    throw new HistoryFileError('not a workflow history: expected {"events": [...]} as `temporal workflow show --output json` writes it');
  }
  const first = events[0] as HistoryEventJson;
  if (first.eventType !== 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' && first.eventType !== 'WorkflowExecutionStarted') {
    throw new HistoryFileError(`not a whole workflow history: its first event is ${JSON.stringify(first.eventType)}, not the workflow execution's start`);
  }
  const name = first.workflowExecutionStartedEventAttributes?.workflowType?.name;
  let history: History;
  try {
    history = historyFromJSON(json);
  } catch (error) {
    throw new HistoryFileError(`not a readable workflow history (${error instanceof Error ? error.message : String(error)})`);
  }
  return { history, events: events.length, workflowType: typeof name === 'string' ? name : undefined, encryptionKeyIds: encryptionKeyIdsIn(json) };
}

const ENCRYPTED = Buffer.from(ENCRYPTED_ENCODING).toString('base64');

/** Every `encryption-key-id` of a payload encoded `binary/encrypted`, anywhere in the history's JSON. */
function encryptionKeyIdsIn(json: unknown): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const metadata = (value as { metadata?: Record<string, unknown> }).metadata;
    if (metadata && typeof metadata === 'object' && metadata.encoding === ENCRYPTED) {
      const id = metadata['encryption-key-id'];
      ids.add(typeof id === 'string' ? Buffer.from(id, 'base64').toString('utf8') : '');
    }
    Object.values(value).forEach(visit);
  };
  visit(json);
  return [...ids].sort();
}
