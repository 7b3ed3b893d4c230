// A postmortem's markdown read into what the evidence check needs: numbered lines, sections by
// heading, table rows and list items, and links. Pure and forgiving: a draft is checked, not rendered,
// so anything unrecognised is simply text.
import { frontMatterBlock } from './front-matter';
import { sectionKey } from './sections';

export interface OutlineLine {
  /** 1-based, as an editor and a check-run annotation count. */
  number: number;
  text: string;
  /** Inside a ``` or ~~~ fence, or the front matter. */
  fenced: boolean;
}

export interface Section {
  name: string;
  key: string;
  level: number;
  /** The heading's line. */
  line: number;
  /** The lines after the heading up to the next heading of the same or a higher level. */
  body: OutlineLine[];
}

export interface TableRow {
  line: number;
  cells: string[];
  /** The text of the whole row (links included). */
  text: string;
}

export interface Table {
  line: number;
  header: string[];
  rows: TableRow[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$/;

export function outlineLines(markdown: string): OutlineLine[] {
  let fence: string | undefined;
  // The front matter is data, not Markdown: its lines count as fenced (a `# comment` is no heading).
  const front = frontMatterBlock(markdown);
  return markdown.split(/\r?\n/).map((text, index) => {
    if (front && index + 1 >= front.openingLine && index + 1 <= front.closingLine) return { number: index + 1, text, fenced: true };
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      const opening = fence === undefined;
      fence = opening ? marker : undefined;
      return { number: index + 1, text, fenced: true };
    }
    return { number: index + 1, text, fenced: fence !== undefined };
  });
}

export function sections(lines: OutlineLine[]): Section[] {
  const headings = lines.flatMap((line) => {
    const match = line.fenced ? null : HEADING.exec(line.text);
    return match ? [{ name: match[2]!.trim(), key: sectionKey(match[2]!), level: match[1]!.length, line: line.number }] : [];
  });
  // Each section's body: from its heading to the next heading of the same or a higher level.
  return headings.map((heading, i) => {
    const end = headings.slice(i + 1).find((next) => next.level <= heading.level)?.line ?? Number.MAX_SAFE_INTEGER;
    return { ...heading, body: lines.filter((l) => l.number > heading.line && l.number < end) };
  });
}

/** Cells of a `| a | b |` row; `\|` is a pipe inside a cell. */
function cellsOf(text: string): string[] {
  return text
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.replace(/\\\|/g, '|').trim());
}

/** The tables among these lines: a header row, a separator row, then rows. */
export function tables(lines: OutlineLine[]): Table[] {
  const found: Table[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!;
    const separator = lines[i + 1];
    if (head.fenced || !TABLE_ROW.test(head.text) || !separator || !SEPARATOR.test(separator.text)) continue;
    const table: Table = { line: head.number, header: cellsOf(head.text), rows: [] };
    let j = i + 2;
    for (; j < lines.length && !lines[j]!.fenced && TABLE_ROW.test(lines[j]!.text); j++) {
      table.rows.push({ line: lines[j]!.number, cells: cellsOf(lines[j]!.text), text: lines[j]!.text });
    }
    found.push(table);
    i = j - 1;
  }
  return found;
}

/** List items (`-`, `*`, `1.`, `- [ ]`), outside fences. */
export function listItems(lines: OutlineLine[]): { line: number; text: string }[] {
  return lines.flatMap((l) => {
    const match = l.fenced ? null : LIST_ITEM.exec(l.text);
    return match ? [{ line: l.number, text: match[1]! }] : [];
  });
}

/** Every http(s) URL in a line: `[text](url)`, `<url>` and bare URLs. */
export function linksIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\]\((https?:\/\/[^)\s]+)\)|<(https?:\/\/[^>\s]+)>|(https?:\/\/[^\s<>()[\]|`'"]+)/g)) {
    const url = (match[1] ?? match[2] ?? match[3] ?? '').replace(/[.,;:!?*_]+$/, '');
    if (url) found.add(url);
  }
  return [...found];
}
