// The service's own processes for the real-cluster tests: the worker and the bridge, each a separate OS
// process configured by environment variables only. The compiled entry points (`npm run build`:
// dist/src/<app>/main.js, plain node) when they exist, else the sources through tsx; and the workflow
// bundle the worker loads (WORKFLOW_BUNDLE_PATH), as the image ships one: dist/workflow-bundle.js beside a
// compiled worker, else one bundle built from the sources once per test file.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflows } from '../temporal';
import { type NodeProcess, startNodeProcess } from '../worker-process';
import { ROOT } from './compose';
import { DIE_WITH_PARENT } from './orphans';

export type AppName = 'worker' | 'bridge';

const READY: Record<AppName, RegExp> = { worker: /"msg":"worker started"/, bridge: /"msg":"bridge listening"/ };

export interface AppEntry {
  entry: string;
  /** The command line, for the test output. */
  command: string;
  compiled: boolean;
}

export function appEntry(app: AppName): AppEntry {
  const compiled = `dist/src/${app}/main.js`;
  if (existsSync(path.join(ROOT, compiled))) return { entry: compiled, command: `node ${compiled}`, compiled: true };
  const source = `src/${app}/main.ts`;
  return { entry: source, command: `node --import tsx ${source}`, compiled: false };
}

/** The bundle the workers run: the prebuilt one beside a compiled worker, else built now into `dir`. */
export async function workflowBundleFor(dir: string): Promise<{ path: string; source: string }> {
  const prebuilt = path.join(ROOT, 'dist', 'workflow-bundle.js');
  if (appEntry('worker').compiled && existsSync(prebuilt)) return { path: prebuilt, source: 'dist/workflow-bundle.js (npm run build)' };
  const file = path.join(dir, 'workflow-bundle.js');
  const { code } = await bundleWorkflows();
  await writeFile(file, code);
  return { path: file, source: 'bundled from workflows/ for this run' };
}

export interface AppProcess extends NodeProcess {
  readonly name: string;
  readonly app: AppName;
}

/** Starts the app and waits for its "started"/"listening" log line. */
export async function startApp(app: AppName, name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<AppProcess> {
  const { entry } = appEntry(app);
  // Under DIE_WITH_PARENT: a test process that dies without its teardown takes the app with it.
  const process = await startNodeProcess(entry, env, READY[app], timeoutMs, DIE_WITH_PARENT);
  return Object.assign(process, { name, app });
}
