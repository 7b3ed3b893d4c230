// The machine-readable head of every postmortem: YAML front matter between `---` lines. The follow-up
// reads the action items from it, the repeat-incident lookup the root cause, and `postmortem report` every
// figure it prints — so it is written for machines but edited by people: keys are matched loosely
// (`incident_id`, `incidentId`, `Incident ID`), numbers may be quoted, items may be plain strings, and
// unknown keys are kept out of the way rather than refused.
import { isMap, LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import type { ActionItem, PostmortemFrontMatter } from '../domain/follow-up';
import type { IncidentContext } from '../domain/evidence';
import { incidentDuration } from '../domain/incident';
import { fact, pagerDutyLink, timestamp } from './prompt-text';

export interface FrontMatterProblem {
  /** 1-based line of the whole file. */
  line: number;
  message: string;
}

export interface FrontMatterBlock {
  /** The YAML between the fences. */
  yaml: string;
  /** Lines of the opening and closing `---` (1-based). */
  openingLine: number;
  closingLine: number;
}

export interface ParsedFrontMatter {
  frontMatter?: PostmortemFrontMatter;
  problems: FrontMatterProblem[];
  block?: FrontMatterBlock;
}

/**
 * The front matter block: `---` as the first line, after blank lines and HTML comments only (the dry
 * run's banner, a licence header), up to the next `---` or `...` line.
 */
export function frontMatterBlock(markdown: string): FrontMatterBlock | undefined {
  const lines = markdown.split(/\r?\n/);
  let i = 0;
  let inComment = false;
  for (; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (inComment) {
      if (text.includes('-->')) inComment = false;
      continue;
    }
    if (text === '') continue;
    if (text.startsWith('<!--')) {
      inComment = !text.includes('-->');
      continue;
    }
    break;
  }
  if (lines[i]?.trim() !== '---') return undefined;
  const end = lines.findIndex((line, j) => j > i && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  if (end < 0) return undefined;
  return { yaml: lines.slice(i + 1, end).join('\n'), openingLine: i + 1, closingLine: end + 1 };
}

/** `Incident ID`, `incident-id`, `incidentId` → `incident_id`. */
function keyOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const text = z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string().trim().min(1));
const optionalText = z.preprocess((v) => (v === null || v === '' ? undefined : v), text.optional());
const minutes = z.preprocess((v) => (v === null || v === '' ? undefined : typeof v === 'string' ? Number(v.replace(/\s*(m|min|minutes?)$/i, '')) : v), z.number().finite().nonnegative().optional());
const acus = z.preprocess((v) => (v === null || v === '' ? undefined : typeof v === 'string' ? Number(v) : v), z.number().finite().nonnegative().optional());
/** A date (YYYY-MM-DD), or a timestamp cut to its day; anything else is dropped with a problem. */
const day = z.preprocess(
  (v) => (v === null || v === '' ? undefined : v instanceof Date ? v.toISOString() : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([T ].*)?$/, 'is not a date (YYYY-MM-DD)')
    .transform((s) => s.slice(0, 10))
    .optional(),
);
const instant = z.preprocess((v) => (v === null || v === '' ? undefined : v instanceof Date ? v.toISOString() : v), z.string().refine((s) => Number.isFinite(Date.parse(s)), 'is not a time').optional());

const item = z.preprocess(
  (v) => (typeof v === 'string' ? { title: v } : v),
  z.object({ title: text, owner: optionalText, due: day }),
);

const schema = z.object({
  incident_id: text,
  pagerduty_url: optionalText,
  service: optionalText,
  priority: optionalText,
  started_at: instant,
  resolved_at: instant,
  duration_minutes: minutes,
  time_to_acknowledge_minutes: minutes,
  root_cause: optionalText,
  root_cause_category: optionalText,
  devin_acus: acus,
  action_items: z.preprocess((v) => (v === null || v === undefined ? [] : v), z.array(item)),
});

export function parseFrontMatter(markdown: string): ParsedFrontMatter {
  const block = frontMatterBlock(markdown);
  if (!block) return { problems: [{ line: 1, message: 'no YAML front matter (a `---` line first, then the fields, then `---`)' }] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(block.yaml, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined) => block.openingLine + (offset === undefined ? 0 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    return { block, problems: doc.errors.map((e) => ({ line: at(e.pos[0]), message: `front matter is not valid YAML: ${e.message.split('\n')[0]}` })) };
  }
  if (!isMap(doc.contents)) return { block, problems: [{ line: block.openingLine, message: 'front matter is not a map of fields' }] };

  // Keys matched loosely; each field's line kept for the messages.
  const raw: Record<string, unknown> = {};
  const lineOf: Record<string, number> = {};
  for (const pair of doc.contents.items) {
    const name = keyOf(String((pair.key as { value?: unknown } | null)?.value ?? pair.key ?? ''));
    raw[name] = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    lineOf[name] = at((pair.key as { range?: [number, number, number] } | null)?.range?.[0]);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { block, problems: [], frontMatter: toFrontMatter(parsed.data) };

  // A bad optional field is dropped, not fatal: a person's typo in a due date must not lose the items.
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const where = issue.path.map(String).join('.');
    return { line: lineOf[field] ?? block.openingLine, message: `front matter ${where || 'field'}: ${issue.message}` };
  });
  const repaired = { ...raw };
  for (const issue of parsed.error.issues) dropAt(repaired, issue.path as (string | number)[]);
  // Dropped items are left as holes until every issue's path (an index into the original list) is handled.
  if (Array.isArray(repaired.action_items)) repaired.action_items = (repaired.action_items as unknown[]).filter((i) => i !== undefined);
  const second = schema.safeParse(repaired);
  return second.success ? { block, problems, frontMatter: toFrontMatter(second.data) } : { block, problems };
}

/** Removes the failing optional value (an item's due, a field); required ones stay and fail again. */
function dropAt(target: Record<string, unknown>, path: (string | number)[]): void {
  const [field, index, sub] = path;
  if (field === 'incident_id' || field === undefined) return;
  if (field === 'action_items' && typeof index === 'number' && Array.isArray(target.action_items)) {
    const items = [...(target.action_items as unknown[])];
    const entry = items[index];
    if (sub !== undefined && sub !== 'title' && entry && typeof entry === 'object') items[index] = { ...(entry as object), [sub]: undefined };
    else items[index] = undefined;
    target.action_items = items;
    return;
  }
  if (field === 'action_items' && index === undefined) target.action_items = [];
  else if (field !== 'action_items') target[String(field)] = undefined;
}

function toFrontMatter(data: z.infer<typeof schema>): PostmortemFrontMatter {
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    incidentId: data.incident_id,
    pagerDutyUrl: data.pagerduty_url,
    service: data.service,
    priority: data.priority,
    startedAt: data.started_at,
    resolvedAt: data.resolved_at,
    durationMinutes: data.duration_minutes,
    timeToAcknowledgeMinutes: data.time_to_acknowledge_minutes,
    rootCause: data.root_cause,
    rootCauseCategory: data.root_cause_category,
    devinAcus: data.devin_acus,
    actionItems: data.action_items.map((i) => defined<ActionItem>({ title: i.title, owner: i.owner, due: i.due })),
  });
}

/** The categories the prompt offers for `root_cause_category` (the report groups by them). */
export const ROOT_CAUSE_CATEGORIES = ['deploy', 'config_change', 'dependency', 'capacity', 'infrastructure', 'code_defect', 'data', 'security', 'unknown'] as const;

/** What the pipeline knows before anyone writes: the incident's facts; the rest is left blank. */
export function frontMatterFor(context: IncidentContext): PostmortemFrontMatter {
  const { incident } = context;
  const duration = incidentDuration(incident);
  const url = pagerDutyLink(incident.htmlUrl);
  const started = timestamp(incident.createdAt);
  const resolved = timestamp(incident.resolvedAt);
  return {
    incidentId: incident.id,
    ...(url ? { pagerDutyUrl: url } : {}),
    // PagerDuty's text, flattened as every fact in the prompt (the block is shown to Devin in a fence).
    ...(incident.service?.name ? { service: fact(incident.service.name) } : {}),
    ...(incident.priority ? { priority: fact(incident.priority, 40) } : {}),
    ...(started ? { startedAt: started } : {}),
    ...(resolved ? { resolvedAt: resolved } : {}),
    ...(duration !== undefined ? { durationMinutes: Math.round(duration / 60_000) } : {}),
    ...(context.metrics?.timeToAcknowledgeMs !== undefined ? { timeToAcknowledgeMinutes: Math.round(context.metrics.timeToAcknowledgeMs / 60_000) } : {}),
    actionItems: [],
  };
}

/** The block as a postmortem starts with it (fences included, newline-terminated); blanks are `null`. */
export function renderFrontMatter(fm: PostmortemFrontMatter): string {
  const body = {
    incident_id: fm.incidentId,
    pagerduty_url: fm.pagerDutyUrl ?? null,
    service: fm.service ?? null,
    priority: fm.priority ?? null,
    started_at: fm.startedAt ?? null,
    resolved_at: fm.resolvedAt ?? null,
    duration_minutes: fm.durationMinutes ?? null,
    time_to_acknowledge_minutes: fm.timeToAcknowledgeMinutes ?? null,
    root_cause: fm.rootCause ?? null,
    root_cause_category: fm.rootCauseCategory ?? null,
    devin_acus: fm.devinAcus ?? null,
    action_items: fm.actionItems.map((i) => ({ title: i.title, owner: i.owner ?? null, due: i.due ?? null })),
  };
  return `---\n${stringify(body, { lineWidth: 0 })}---\n`;
}
