// Repeat incidents: before Devin drafts, the service's earlier postmortems in POSTMORTEM_REPO (found by
// the file names this service gives them, read by their front matter) and their action items still open
// in the tracker. What reaches the prompt is what those merged postmortems say, redacted again.
import type { WorkerConfig } from '../src/config';
import { type EarlierPostmortem, itemLabels } from '../src/domain/follow-up';
import { GitHubClient } from '../src/integrations/github/client';
import { GitHubIssueTracker } from '../src/integrations/github/issue-tracker';
import { parseFrontMatter } from '../src/postmortem/front-matter';
import { POSTMORTEM_FOLDER, slugify } from '../src/postmortem/prompt';
import { missingFolder } from '../src/postmortem/earlier-postmortems';
import { redactText } from '../src/postmortem/redaction';
import { activitySignal, currentAttempt } from './context';
import { configurationMissing, inTemporalTerms } from './failures';

export interface EarlierPostmortemsRequest {
  incidentId: string;
  service: string;
  /** POSTMORTEM_REPO, owner/name. */
  repository: string;
  /** Where the action items' issues are (ACTION_ITEMS_REPO, else the postmortem repository). */
  trackerRepository?: string;
}

export interface EarlierPostmortemsFound {
  earlier: EarlierPostmortem[];
  /** Files of the service that could not be read or parsed, in words. */
  problems: string[];
}

/** The prompt names at most this many; a few more files are read in case some are unusable. */
export const EARLIER_POSTMORTEMS_KEPT = 5;
const FILES_READ = 10;
const OPEN_ITEMS_KEPT = 10;

/** `<date>-<service slug>-<title slug>.md` (postmortemPath): this service's files, newest first. */
export function serviceFiles(names: string[], service: string): string[] {
  const infix = `-${slugify(service, 32)}-`;
  return names.filter((name) => /^\d{4}-\d{2}-\d{2}-/.test(name) && name.endsWith('.md') && name.slice(10).startsWith(infix)).sort().reverse();
}

/** The web host of an API base: https://api.github.com → https://github.com; GHES https://h/api/v3 → https://h. */
export function webHost(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  return url.hostname === 'api.github.com' ? 'https://github.com' : url.origin;
}

export function earlierPostmortemActivities(config: WorkerConfig) {
  const clean = (text: string) => redactText(text, { personalData: config.redactPersonalData }).text;
  return {
    async findEarlierPostmortems(request: EarlierPostmortemsRequest): Promise<EarlierPostmortemsFound> {
      if (!config.github) throw configurationMissing('GITHUB_TOKEN is not set on this worker, but POSTMORTEM_REPO asks for earlier postmortems; set it and signal retry');
      const github = new GitHubClient(config.github, config.httpTimeoutMs, activitySignal());
      const tracker = new GitHubIssueTracker(github);
      return inTemporalTerms(async () => {
        const [owner, repo] = request.repository.split('/') as [string, string];
        const entries = await github.listDirectory({ owner, repo }, POSTMORTEM_FOLDER);
        const files = serviceFiles((entries ?? []).filter((e) => e.type === 'file').map((e) => e.name), request.service);
        const earlier: EarlierPostmortem[] = [];
        const problems: string[] = entries ? [] : [missingFolder(request.repository, POSTMORTEM_FOLDER)];
        for (const name of files.slice(0, FILES_READ)) {
          if (earlier.length >= EARLIER_POSTMORTEMS_KEPT) break;
          const path = `${POSTMORTEM_FOLDER}/${name}`;
          const file = await github.readFile({ owner, repo }, path);
          const { frontMatter, problems: found } = parseFrontMatter(file.text);
          if (!frontMatter) {
            problems.push(`${path}: ${found.map((p) => p.message).join('; ') || 'no front matter'}`);
            continue;
          }
          if (frontMatter.incidentId === request.incidentId) continue;
          if (frontMatter.service && frontMatter.service.toLowerCase() !== request.service.toLowerCase()) continue;
          const issues = await tracker.listIssues(request.trackerRepository ?? request.repository, itemLabels(frontMatter.incidentId));
          const openItems = issues
            .filter((issue) => issue.state === 'open')
            .slice(0, OPEN_ITEMS_KEPT)
            .map((issue) => ({ title: clean(issue.title.replace(/^\[postmortem [^\]]*\]\s*/, '')), url: issue.url }));
          earlier.push({
            incidentId: frontMatter.incidentId,
            path,
            url: file.url ?? `${webHost(config.github!.baseUrl)}/${owner}/${repo}/blob/HEAD/${path}`,
            ...(frontMatter.resolvedAt ? { resolvedAt: frontMatter.resolvedAt } : {}),
            ...(frontMatter.rootCause ? { rootCause: clean(frontMatter.rootCause) } : {}),
            ...(frontMatter.rootCauseCategory ? { rootCauseCategory: clean(frontMatter.rootCauseCategory) } : {}),
            openItems,
          });
        }
        return { earlier, problems };
      }, currentAttempt());
    },
  };
}

