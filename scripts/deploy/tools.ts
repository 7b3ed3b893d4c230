// The real tools behind the deployment checks (scripts/validate-compose.ts), as scripts/install-deploy-tools.sh
// puts them in .tools/bin (DOCKER_COMPOSE_PATH / HADOLINT_PATH point elsewhere). Each run takes a few tens of ms.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface Finding {
  file: string;
  rule: string;
  message: string;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const TOOLS = { 'docker-compose': 'DOCKER_COMPOSE_PATH', hadolint: 'HADOLINT_PATH' } as const;
export type Tool = keyof typeof TOOLS;

export function toolPath(tool: Tool): string {
  const file = process.env[TOOLS[tool]] || path.join(PROJECT_ROOT, '.tools', 'bin', tool);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${tool} not found at ${file}: run \`bash scripts/install-deploy-tools.sh\` (npm test's pretest does)`);
  }
  return file;
}

export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool with exactly `env` plus PATH and HOME, so that nothing from the caller's shell (COMPOSE_FILE,
 * COMPOSE_PROFILES, a real POSTGRES_PASSWORD…) changes what it reports. `input` goes to its stdin.
 */
export function runTool(tool: Tool, args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): ToolRun {
  const result = spawnSync(toolPath(tool), args, {
    input: options.input,
    cwd: options.cwd ?? PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}
