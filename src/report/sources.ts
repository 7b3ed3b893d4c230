// Where the report's figures come from (figures.ts computes them): the merged postmortems' front
// matter in POSTMORTEM_REPO, the notes the workflow left on each incident in PagerDuty, the tracker's
// issues, and the incident workflows Temporal still lists. Each source behind the narrow shape of the
// one client that reads it, so the CLI passes the real clients and the tests can pass fakes' clients.
import { itemLabels } from '../domain/follow-up';
import type { TrackedIssue } from '../domain/tracker';
import { noteMarker, parseFiguresLine } from '../domain/write-back';
import { parseFrontMatter } from '../postmortem/front-matter';
import { missingFolder } from '../postmortem/earlier-postmortems';
import { POSTMORTEM_FOLDER } from '../postmortem/prompt';
import type { IncidentWorkflow, ItemIssue, MergedPostmortem, ReportInput } from './figures';

export interface PostmortemFiles {
  listDirectory(repository: { owner: string; repo: string }, path: string): Promise<{ name: string; type: string }[] | undefined>;
  readFile(repository: { owner: string; repo: string }, path: string): Promise<{ text: string; url?: string }>;
}

export interface IssueLister {
  listIssues(repository: string, labels: string[]): Promise<TrackedIssue[]>;
}

export interface IncidentNotes {
  notes(incidentId: string): Promise<{ content: string; created_at: string }[]>;
}

export interface ReportSources {
  files: PostmortemFiles;
  /** The tracker, and the repository its issues are in (ACTION_ITEMS_REPO, else POSTMORTEM_REPO). */
  tracker: IssueLister;
  trackerRepository: string;
  /** Without PagerDuty (no PAGERDUTY_API_TOKEN), the figures that come from notes are not counted. */
  notes?: IncidentNotes;
  workflows: () => Promise<IncidentWorkflow[]>;
}

/** Files are named `<resolution date>-<service>-<title>.md`: only those from a day before `since` on are read. */
export function filesSince(names: string[], since: string): string[] {
  const from = new Date(Date.parse(since) - 86_400_000).toISOString().slice(0, 10);
  return names.filter((n) => /^\d{4}-\d{2}-\d{2}-.*\.md$/.test(n) && n.slice(0, 10) >= from).sort();
}

/** What the incident's notes say: the PR opening (the "ready" note), the merge and its figures, a repeat. */
export function readNotes(notes: { content: string; created_at: string }[]): NonNullable<MergedPostmortem['notes']> {
  const find = (kind: Parameters<typeof noteMarker>[0]) => notes.find((n) => n.content.includes(noteMarker(kind)));
  const published = find('published');
  const merged = find('merged');
  const drafting = find('drafting');
  const figures = merged ? parseFiguresLine(merged.content) : undefined;
  return {
    ...(published ? { prOpenedAt: published.created_at } : {}),
    ...(merged ? { mergedAt: merged.created_at } : {}),
    ...(figures ? { figures } : {}),
    repeat: drafting?.content.includes(' — repeat: ') ?? false,
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function gatherReport(sources: ReportSources, window: { since: string; until: string; service?: string; repository: string }): Promise<ReportInput> {
  const [owner, repo] = window.repository.split('/') as [string, string];
  const problems: string[] = [];
  const entries = await sources.files.listDirectory({ owner, repo }, POSTMORTEM_FOLDER);
  if (!entries) problems.push(missingFolder(window.repository, POSTMORTEM_FOLDER));
  const merged: MergedPostmortem[] = [];
  for (const name of filesSince((entries ?? []).filter((e) => e.type === 'file').map((e) => e.name), window.since)) {
    const path = `${POSTMORTEM_FOLDER}/${name}`;
    let file: { text: string; url?: string };
    try {
      file = await sources.files.readFile({ owner, repo }, path);
    } catch (error) {
      problems.push(`${path}: could not be read (${messageOf(error)})`);
      continue;
    }
    const { frontMatter, problems: found } = parseFrontMatter(file.text);
    if (!frontMatter) {
      problems.push(`${path}: no usable front matter (${found.map((p) => p.message).join('; ') || 'none found'})`);
      continue;
    }
    merged.push({
      incidentId: frontMatter.incidentId,
      path,
      url: file.url ?? path,
      ...(frontMatter.service ? { service: frontMatter.service } : {}),
      ...(frontMatter.resolvedAt ? { resolvedAt: new Date(Date.parse(frontMatter.resolvedAt)).toISOString() } : {}),
      ...(frontMatter.rootCauseCategory ? { rootCauseCategory: frontMatter.rootCauseCategory } : {}),
      actionItems: frontMatter.actionItems.length,
      ...(frontMatter.devinAcus !== undefined ? { devinAcus: frontMatter.devinAcus } : {}),
    });
    if (!frontMatter.resolvedAt) problems.push(`${path}: no resolved_at in its front matter`);
  }
  const wanted = merged.filter((p) => p.resolvedAt && p.resolvedAt >= window.since && (!window.service || (p.service ?? '').toLowerCase() === window.service.toLowerCase()));

  if (sources.notes) {
    for (const postmortem of wanted) {
      try {
        postmortem.notes = readNotes(await sources.notes.notes(postmortem.incidentId));
      } catch (error) {
        problems.push(`incident ${postmortem.incidentId}: its PagerDuty notes could not be read (${messageOf(error)})`);
      }
    }
  } else {
    problems.push('PAGERDUTY_API_TOKEN is not set: times to PR and merge, the first-try check, repeats and ACUs from the notes are not counted');
  }

  const issues: ItemIssue[] = [];
  for (const postmortem of wanted) {
    try {
      for (const issue of await sources.tracker.listIssues(sources.trackerRepository, itemLabels(postmortem.incidentId))) {
        issues.push({ incidentId: postmortem.incidentId, state: issue.state, ...(issue.due ? { due: issue.due } : {}) });
      }
    } catch (error) {
      problems.push(`incident ${postmortem.incidentId}: its action items' issues could not be read (${messageOf(error)})`);
    }
  }
  return { ...window, merged, issues, workflows: await sources.workflows(), problems };
}
