// The evidence check: a postmortem draft held to the evidence pack it was written from. Pure (no I/O):
// the CLI checks a local file with it, and the workflow's check run (later) the PR's file. Each finding
// names its line, so it can be an annotation there. Checks, as issue 14 lists them: the required
// sections and the header table against the incident's facts; a source for every timeline row and the
// root cause; every PagerDuty (or change-event) link in the pack; the root cause a hypothesis unless
// confirmed; action items with owners; no secret or personal data, by the scanner that guards the prompt;
// and (issue 15) the front matter parsing and matching the incident (./front-matter-check.ts).
import { formatDuration } from '../domain/duration';
import type { IncidentContext } from '../domain/evidence';
import { incidentDuration } from '../domain/incident';
import type { PostmortemReport } from '../domain/postmortem-output';
import { PERSONAL_DATA_KINDS, type RedactionKind } from '../domain/redaction-report';
import { EvidenceLinks } from './evidence-links';
import { frontMatterFindings } from './front-matter-check';
import { listItems, linksIn, outlineLines, type OutlineLine, type Section, sections, tables, type TableRow } from './markdown-outline';
import { timestamp } from './prompt-text';
import { redactText } from './redaction';
import { DEFAULT_POSTMORTEM_SECTIONS, sectionKey } from './sections';

export type FindingKind =
  | 'missing_section'
  | 'header_table'
  | 'uncited_timeline_row'
  | 'uncited_root_cause'
  | 'invented_link'
  | 'unverified_link'
  | 'root_cause_not_hypothesis'
  | 'no_action_items'
  | 'action_item_without_owner'
  | 'secret'
  | 'personal_data'
  | 'front_matter';

export interface EvidenceFinding {
  severity: 'error' | 'warning';
  kind: FindingKind;
  /** 1-based line of the draft. */
  line: number;
  message: string;
}

export interface EvidenceCheckInput {
  markdown: string;
  pack: IncidentContext;
  /** The session's structured output: only a confirmed root cause may be stated as fact. */
  report?: Pick<PostmortemReport, 'rootCauseConfirmed'>;
  /** Required sections: the template's (templateSections) or, by default, the prompt's. */
  requiredSections?: readonly string[];
  /** Personal data counts as a finding (REDACT_PERSONAL_DATA; default true). Secrets always do. */
  personalData?: boolean;
}

/** A duration in the header may be rounded: within a minute, or 2 %, of the incident's own. */
const DURATION_SLACK_MS = 60_000;
const DURATION_SLACK_RATIO = 0.02;
/** Draft text quoted in a message, redacted and clipped: findings go to check runs, statuses and terminals. */
function quoted(text: string): string {
  const { text: safe } = redactText(text);
  return safe.length <= QUOTE_CHARS ? safe : `${safe.slice(0, QUOTE_CHARS - 1)}…`;
}
const QUOTE_CHARS = 160;

/** An owner in an action item's text: `Owner: …`, an @handle, or an explicit placeholder (TBD, <owner>). */
const OWNER_IN_TEXT = /\b(?:owner|assignee)\s*[:=]\s*\S|(?:^|\s)@[\w-]+|\b(?:tbd|tba|unassigned)\b|<[^>]*owner[^>]*>|\[[^\]]*owner[^\]]*\]/i;

export function checkPostmortem(input: EvidenceCheckInput): EvidenceFinding[] {
  const lines = outlineLines(input.markdown);
  const all = sections(lines);
  const links = new EvidenceLinks(input.pack);
  const findings: EvidenceFinding[] = [];
  const find = (key: string) => all.find((s) => s.key === sectionKey(key));

  for (const name of input.requiredSections ?? DEFAULT_POSTMORTEM_SECTIONS) {
    if (!find(name)) findings.push({ severity: 'error', kind: 'missing_section', line: 1, message: `the "${name}" section is missing` });
  }
  findings.push(...headerTable(lines, all, input.pack));
  findings.push(...linkFindings(lines, links));

  const timeline = find('Timeline');
  if (timeline) {
    for (const row of entries(timeline)) {
      if (!linksIn(row.text).some((url) => links.cites(url))) {
        findings.push({ severity: 'error', kind: 'uncited_timeline_row', line: row.line, message: 'timeline row cites no source (a PagerDuty log entry, alert or change-event link from the evidence, or a Datadog/Sentry link)' });
      }
    }
  }
  const rootCause = find('Root Cause');
  if (rootCause) findings.push(...rootCauseFindings(rootCause, links, input.report?.rootCauseConfirmed === true));
  const actions = find('Action Items');
  if (actions) findings.push(...actionItemFindings(actions));
  findings.push(...frontMatterFindings(input.markdown, input.pack, actions ? entries(actions).length : undefined));
  findings.push(...sensitiveData(lines, input.personalData ?? true));
  return findings.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
}

/** A section's entries: its table rows (not blank ones) and list items. */
function entries(section: Section): TableRow[] {
  const rows = tables(section.body).flatMap((t) => t.rows.filter((r) => r.cells.some((c) => c.length > 0)));
  const items = listItems(section.body).map((item) => ({ line: item.line, cells: [item.text], text: item.text }));
  return [...rows, ...items].sort((a, b) => a.line - b.line);
}

function headerTable(lines: OutlineLine[], all: Section[], pack: IncidentContext): EvidenceFinding[] {
  // The header table comes before the first required section; any table with the three columns counts.
  const table = tables(lines).find((t) => ['date', 'duration', 'severity'].every((h) => t.header.some((c) => sectionKey(c) === h)));
  const row = table?.rows[0];
  if (!table || !row) {
    return [{ severity: 'error', kind: 'header_table', line: all[0]?.line ?? 1, message: 'no header table with Date, Duration and Severity' }];
  }
  const cell = (name: string) => row.cells[table.header.findIndex((c) => sectionKey(c) === name)] ?? '';
  const { incident } = pack;
  const findings: EvidenceFinding[] = [];
  const wrong = (message: string, severity: 'error' | 'warning' = 'error') => findings.push({ severity, kind: 'header_table', line: row.line, message });

  const day = (timestamp(incident.resolvedAt) ?? timestamp(incident.createdAt))?.slice(0, 10);
  const date = cell('date');
  if (day && !date.includes(day)) {
    const parsed = Date.parse(date);
    if (!Number.isFinite(parsed) || new Date(parsed).toISOString().slice(0, 10) !== day) wrong(`Date is "${quoted(date)}", the incident's is ${day}`);
  }
  const actual = incidentDuration(incident);
  if (actual !== undefined) {
    const written = spokenDuration(cell('duration'));
    if (written === undefined) wrong(`Duration "${quoted(cell('duration'))}" is not a duration (the incident's is ${formatDuration(actual)})`, 'warning');
    else if (Math.abs(written - actual) > Math.max(DURATION_SLACK_MS, actual * DURATION_SLACK_RATIO)) wrong(`Duration is ${formatDuration(written)}, the incident's is ${formatDuration(actual)}`);
  }
  const severity = incident.priority ?? incident.urgency;
  if (severity && !new RegExp(`(^|[^a-z0-9])${severity.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9])`, 'i').test(cell('severity'))) {
    wrong(`Severity is "${quoted(cell('severity'))}", the incident's ${incident.priority ? 'priority' : 'urgency'} is ${severity}`, incident.priority ? 'error' : 'warning');
  }
  return findings;
}

/** `1h23m`, `1h 23m`, `83 minutes`, `1 hour 23 minutes`, `45s`: the sum, or undefined. */
export function spokenDuration(text: string): number | undefined {
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
  let total = 0;
  let found = false;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)\s*(d(?:ays?)?|h(?:(?:ou)?rs?)?|m(?:in(?:ute)?s?)?|s(?:ec(?:ond)?s?)?)(?![a-z])/gi)) {
    total += Number(match[1]) * (units[match[2]!.toLowerCase()[0]!] ?? 0);
    found = true;
  }
  return found ? Math.round(total) : undefined;
}

function linkFindings(lines: OutlineLine[], links: EvidenceLinks): EvidenceFinding[] {
  return lines.flatMap((line) =>
    linksIn(line.text).flatMap((url): EvidenceFinding[] => {
      const kind = links.kindOf(url);
      if (kind === 'invented') return [{ severity: 'error', kind: 'invented_link', line: line.number, message: `${quoted(url)} is not in the incident's evidence (no such log entry, alert or change event)` }];
      if (kind === 'other') return [{ severity: 'warning', kind: 'unverified_link', line: line.number, message: `${quoted(url)} is neither in the evidence nor a Datadog/Sentry link: it cannot be checked and cites nothing` }];
      return [];
    }),
  );
}

function rootCauseFindings(section: Section, links: EvidenceLinks, confirmed: boolean): EvidenceFinding[] {
  const text = section.body.filter((l) => !l.fenced).map((l) => l.text).join('\n');
  const findings: EvidenceFinding[] = [];
  if (!linksIn(text).some((url) => links.cites(url))) {
    findings.push({ severity: 'error', kind: 'uncited_root_cause', line: section.line, message: 'the root cause cites no source from the evidence (or Datadog/Sentry)' });
  }
  if (!confirmed && !/hypothes[ie]s|hypothetical/i.test(text)) {
    findings.push({ severity: 'error', kind: 'root_cause_not_hypothesis', line: section.line, message: 'the root cause is stated as fact: mark it **Hypothesis** (the session did not report it confirmed)' });
  }
  return findings;
}

function actionItemFindings(section: Section): EvidenceFinding[] {
  const items = entries(section);
  if (items.length === 0) return [{ severity: 'error', kind: 'no_action_items', line: section.line, message: 'no action items' }];
  const table = tables(section.body)[0];
  const ownerColumn = table ? table.header.findIndex((h) => /owner|assignee/i.test(h)) : -1;
  return items.flatMap((item): EvidenceFinding[] => {
    // In a table with an Owner column the cell says it (a placeholder is text too); elsewhere the item's text.
    const row = ownerColumn >= 0 ? table?.rows.find((r) => r.line === item.line) : undefined;
    const named = row ? (row.cells[ownerColumn] ?? '').length > 0 : OWNER_IN_TEXT.test(item.text);
    return named ? [] : [{ severity: 'error', kind: 'action_item_without_owner', line: item.line, message: 'action item has no owner (name one, or write an explicit placeholder such as "Owner: TBD")' }];
  });
}

function sensitiveData(lines: OutlineLine[], personalData: boolean): EvidenceFinding[] {
  const finding = (kind: RedactionKind, line: number): EvidenceFinding => {
    const personal = PERSONAL_DATA_KINDS.includes(kind);
    // The value itself is never quoted: the finding goes to a check run, a status and a terminal.
    return { severity: 'error', kind: personal ? 'personal_data' : 'secret', line, message: `${personal ? 'personal data' : 'a secret'} (${kind.replace(/_/g, ' ')}): remove it` };
  };
  const seen = new Set<RedactionKind>();
  const findings = lines.flatMap((line) =>
    (Object.keys(redactText(line.text, { personalData }).report) as RedactionKind[]).map((kind) => {
      seen.add(kind);
      return finding(kind, line.number);
    }),
  );
  // A secret spread over lines (a key split by line breaks) is only seen whole: said at the top.
  const whole = Object.keys(redactText(lines.map((l) => l.text).join('\n'), { personalData }).report) as RedactionKind[];
  return [...findings, ...whole.filter((kind) => !seen.has(kind)).map((kind) => finding(kind, 1))];
}
