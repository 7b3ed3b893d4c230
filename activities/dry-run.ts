// Without DEVIN_API_KEY: the prompt that would have been sent and a postmortem skeleton, as files under
// POSTMORTEM_OUTPUT_DIR, so a team can try the pipeline (and still get the timeline laid out) without Devin.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncidentContext } from '../src/domain/evidence';
import type { SessionStart } from '../src/domain/session';
import { postmortemPath } from '../src/postmortem/prompt';
import { renderPostmortemSkeleton } from '../src/postmortem/skeleton';

export async function writeDryRun(context: IncidentContext, prompt: string, outputDir: string): Promise<Extract<SessionStart, { dryRun: true }>> {
  await mkdir(outputDir, { recursive: true });
  const promptPath = path.join(outputDir, `${context.incident.id}-dry-run-prompt.md`);
  const skeletonPath = path.join(outputDir, path.basename(postmortemPath(context)));
  await writeFile(
    promptPath,
    [
      `<!-- DRY RUN: DEVIN_API_KEY is not set, so no Devin session was started. This is the prompt that would have been sent. -->`,
      `# DRY RUN — postmortem prompt for PagerDuty incident ${context.incident.id}`,
      '',
      `Would open: \`${postmortemPath(context)}\` · skeleton rendered to \`${skeletonPath}\``,
      '',
      prompt,
      '',
    ].join('\n'),
  );
  await writeFile(skeletonPath, renderPostmortemSkeleton(context));
  return { dryRun: true, prompt, promptPath, skeletonPath };
}
