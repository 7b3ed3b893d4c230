// The Devin output contract, once: what the session reports about the postmortem it produced. The zod
// schema is the source; the JSON Schema sent as `structured_output_schema` is derived from it, and the
// session's answer is read back through it. The workflow imports only the types (erased at bundling),
// so zod never enters the workflow bundle.
import { z } from 'zod';

/** Clip for any one reported text: the report travels in workflow history. */
const TEXT_CHARS = 2_000;
const MAX_ACTION_ITEMS = 50;

export const PostmortemOutput = z
  .strictObject({
    pr_url: z.string().meta({ description: 'URL of the pull request adding the postmortem (repo destination)' }).optional(),
    page_url: z.string().meta({ description: 'URL of the published wiki page (wiki destination)' }).optional(),
    postmortem_path: z.string().meta({ description: 'Path of the postmortem file in the repository' }).optional(),
    root_cause: z.string().meta({ description: 'One or two sentences; prefix with "Hypothesis:" unless the evidence confirms it' }),
    root_cause_confirmed: z.boolean().meta({ description: 'True only when cited evidence confirms the root cause' }).optional(),
    action_items: z.array(z.string()).meta({ description: 'Each action item, one line' }),
  })
  .meta({ title: 'PostmortemOutput' });

export type PostmortemOutput = z.infer<typeof PostmortemOutput>;

/** What the session reported, as the workflow carries it: trimmed, clipped, each field optional. */
export interface PostmortemReport {
  prUrl?: string;
  pageUrl?: string;
  postmortemPath?: string;
  rootCause?: string;
  rootCauseConfirmed?: boolean;
  actionItems?: string[];
}

/** The report as the workflow's result names it. */
export interface PostmortemSummary {
  path?: PostmortemReport['postmortemPath'];
  rootCause?: PostmortemReport['rootCause'];
  rootCauseConfirmed?: PostmortemReport['rootCauseConfirmed'];
  actionItems?: PostmortemReport['actionItems'];
}

// JSON Schema keywords in the order the schema has always been sent in (Devin receives these bytes).
const KEY_ORDER = ['$schema', 'title', 'type', 'items', 'properties', 'description', 'required', 'additionalProperties'];

function ordered(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(ordered);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const rank = (key: string) => (KEY_ORDER.includes(key) ? KEY_ORDER.indexOf(key) : KEY_ORDER.length);
  const isMap = (key: string) => key === 'properties';
  return Object.fromEntries(
    entries
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([key, value]) => [key, isMap(key) ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, ordered(v)])) : ordered(value)]),
  );
}

/** Sent as `structured_output_schema` (draft-07, as Devin documents it). */
export const POSTMORTEM_OUTPUT_SCHEMA: Record<string, unknown> = ordered(z.toJSONSchema(PostmortemOutput, { target: 'draft-7' })) as Record<string, unknown>;

const shape = PostmortemOutput.shape;
/** Every text field of the contract is a plain string, as root_cause is. */
const textField = shape.root_cause;

function text(value: unknown): string | undefined {
  const parsed = textField.safeParse(value);
  if (!parsed.success) return undefined;
  const trimmed = parsed.data.trim();
  return trimmed.length > 0 ? trimmed.slice(0, TEXT_CHARS) : undefined;
}

/** An action item as a line; sessions sometimes report `{title}` or `{description}` objects instead. */
function actionItem(item: unknown): string | undefined {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const record = item as Record<string, unknown>;
    return text(record.title ?? record.description);
  }
  return text(item);
}

/**
 * Reads the session's `structured_output` leniently, field by field: Devin fills it in as it works, so a
 * field that does not fit the contract yet is left out rather than failing the whole report.
 */
export function readPostmortemReport(output: unknown): PostmortemReport | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const raw = output as Record<string, unknown>;
  const confirmed = shape.root_cause_confirmed.safeParse(raw.root_cause_confirmed);
  const items = Array.isArray(raw.action_items)
    ? raw.action_items
        .map(actionItem)
        .filter((item): item is string => item !== undefined)
        .slice(0, MAX_ACTION_ITEMS)
    : undefined;
  return {
    prUrl: text(raw.pr_url),
    pageUrl: text(raw.page_url),
    postmortemPath: text(raw.postmortem_path),
    rootCause: text(raw.root_cause),
    rootCauseConfirmed: confirmed.success ? confirmed.data : undefined,
    actionItems: items,
  };
}
