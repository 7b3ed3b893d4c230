// Where the `temporal` CLI (and so the dev server) comes from: TEMPORAL_CLI_PATH, then `temporal` on
// PATH, then the copy `npm run temporal:install` puts in .tools/bin. Undefined means "none here".
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT } from './project-root';

export { PROJECT_ROOT };
export const LOCAL_TEMPORAL_CLI = path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal');

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTemporalCli(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (executable(candidate)) return candidate;
  }
  return executable(LOCAL_TEMPORAL_CLI) ? LOCAL_TEMPORAL_CLI : undefined;
}
