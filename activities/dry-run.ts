// Without DEVIN_API_KEY: the prompt that would have been sent and a postmortem skeleton, as files under
// POSTMORTEM_OUTPUT_DIR, so a team can try the pipeline (and still get the timeline laid out) without Devin.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncidentContext } from '../src/domain/evidence';
import { FailureTypes, TypedFailure } from '../src/domain/failures';
import { describeId } from '../src/domain/identifiers';
import type { SessionStart } from '../src/domain/session';
import { postmortemPath } from '../src/postmortem/prompt';
import { renderPostmortemSkeleton } from '../src/postmortem/skeleton';

/**
 * `name` as a file directly inside `dir`, whatever it holds: a name with a separator, `..`, a control
 * character or that resolves elsewhere is refused (non-retryable: the incident waits for an operator).
 */
export function fileInside(dir: string, name: string): string {
  const root = path.resolve(dir);
  const file = path.resolve(root, name);
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\\/\u0000-\u001f\u007f]/.test(name) || name === '..' || name === '.' || path.dirname(file) !== root) {
    throw new TypedFailure(FailureTypes.rejected, `refusing to write ${describeId(name)} outside ${root}`);
  }
  return file;
}

export async function writeDryRun(context: IncidentContext, prompt: string, outputDir: string): Promise<Extract<SessionStart, { dryRun: true }>> {
  const promptPath = fileInside(outputDir, `${context.incident.id}-dry-run-prompt.md`);
  const skeletonPath = fileInside(outputDir, path.basename(postmortemPath(context)));
  await mkdir(outputDir, { recursive: true });
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
