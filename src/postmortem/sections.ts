// The sections a postmortem must have: the default structure the prompt asks for, or the `##`
// headings of the team's POSTMORTEM_TEMPLATE. The prompt and the evidence check read them from here.

/** The default sections, in the prompt's order (besides the header table, which is checked on its own). */
export const DEFAULT_POSTMORTEM_SECTIONS = ['Summary', 'Timeline', 'Root Cause', 'Action Items'] as const;

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** A heading's name as compared: case, numbering (`2.`), emphasis and punctuation do not count. */
export function sectionKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/^\s*\d+(?:\.\d+)*[.)]?\s+/, '')
    .replace(/[*_`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * A template's required sections: its headings of level 2 and below (a level-1 heading is the
 * document's title), or all of them when it has only level-1 headings. Headings inside fences do not count.
 */
export function templateSections(template: string): string[] {
  const headings: { level: number; name: string }[] = [];
  let fence: string | undefined;
  for (const line of template.split(/\r?\n/)) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const match = HEADING.exec(line);
    if (match) headings.push({ level: match[1]!.length, name: match[2]!.trim() });
  }
  const below = headings.filter((h) => h.level >= 2);
  return (below.length > 0 ? below : headings).map((h) => h.name);
}
