// The project's root directory, found the same way from the sources (src/config, run through tsx) and
// from the compiled build (dist/src/config): the nearest directory upwards holding package.json.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}

export const PROJECT_ROOT = findRoot(__dirname);

/** True when this module runs from the compiled build (`npm run build`, the image) rather than through tsx. */
export const RUNNING_COMPILED = path.extname(__filename) === '.js';

/** Where `npm run build` writes the workflow bundle (and its `.encoded-failures.js` variant). */
export const BUILT_WORKFLOW_BUNDLE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
