// Postmortem drafts as Devin would push them, made from the incident's evidence pack (the dry run's
// skeleton with its blanks filled, its front matter carrying the root cause and the action items): one
// that follows the evidence, and one that cites a change event that is not in it.
import type { IncidentContext } from '../../src/domain/evidence';
import type { ActionItem } from '../../src/domain/follow-up';
import { frontMatterBlock, frontMatterFor, renderFrontMatter } from '../../src/postmortem/front-matter';
import { renderPostmortemSkeleton } from '../../src/postmortem/skeleton';

export interface Draft {
  markdown: string;
  /** 1-based line of the invented link, when there is one. */
  inventedLine?: number;
  inventedUrl?: string;
}

/** `resolvedAt`: when the test resolves the incident (the header's date and duration follow it). */
export interface DraftOptions {
  inventChangeEvent?: boolean;
  /** The action items, in the front matter and the Action Items table (default: one, owner TBD). */
  actionItems?: ActionItem[];
}

export function draftFromPack(pack: IncidentContext, resolvedAt: string, options: DraftOptions = {}): Draft {
  const withResolution: IncidentContext = { ...pack, incident: { ...pack.incident, resolvedAt } };
  const cited = pack.timeline.find((e) => e.url)?.url;
  if (!cited) throw new Error('the pack has no timeline entry with a link to cite');
  const items = options.actionItems ?? [{ title: 'Alert on connection pool saturation' }];
  const skeleton = renderPostmortemSkeleton(withResolution).split('\n').filter((line) => !line.startsWith('<!-- DRY RUN'));
  // The skeleton's front matter has no items yet: Devin's carries the root cause and the items.
  const front = frontMatterBlock(skeleton.join('\n'));
  if (!front) throw new Error('the skeleton has no front matter');
  const head = renderFrontMatter({ ...frontMatterFor(withResolution), rootCause: 'the latest deploy exhausted the connection pool', rootCauseCategory: 'deploy', actionItems: items });
  const body = skeleton.slice(front.closingLine).flatMap((line) => {
    if (line.startsWith('_What happened')) return ['Checkout requests failed for most of the incident; the rollback ended it.'];
    if (line.startsWith('_Hypothesis')) return [`**Hypothesis:** the latest deploy exhausted the connection pool ([log entry](${cited})).`];
    if (line === '|  |  |  |') return items.map((i) => `| ${i.title} | ${i.owner ?? 'Owner: TBD'} | ${i.due ?? 'TBD'} |`);
    return [line];
  });
  const lines = [...head.trimEnd().split('\n'), ...body];
  if (!options.inventChangeEvent) return { markdown: lines.join('\n') };
  const change = [...pack.changeEvents, ...(pack.serviceChanges ?? [])].find((c) => c.url);
  if (!change?.url) throw new Error('the pack has no change event with a link');
  const inventedUrl = `${new URL(change.url).origin}/acme/checkout-api/releases/tag/v0.0.0-never-deployed`;
  const row = lines.findIndex((line) => line.startsWith('| Time (UTC)')) + 2;
  lines.splice(row, 0, `| ${pack.incident.createdAt ?? ''} | Deploy v0.0.0 rolled out | Deploy bot | [change event](${inventedUrl}) |`);
  return { markdown: lines.join('\n'), inventedLine: row + 1, inventedUrl };
}
