// The Dockerfile and .dockerignore checks of scripts/validate-compose.ts. The Dockerfile goes through
// hadolint (configured in .hadolint.yaml: tags pinned, exec-form CMD/ENTRYPOINT, last USER not root, no
// secret-looking ENV/ARG, shell hygiene) and is read with dockerfile-ast (the parser of the VS Code
// Docker extension) for the rules that are this project's own. .dockerignore is matched with
// @balena/dockerignore, which implements Docker's rules (last match wins, a matched folder covers its files).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ignore from '@balena/dockerignore';
import { Copy, DockerfileParser, Env, From, type Instruction } from 'dockerfile-ast';
import { type Finding, PROJECT_ROOT, runTool } from './tools';

export const DOCKERFILE = 'Dockerfile';
export const DOCKERIGNORE = '.dockerignore';
export const HADOLINT_CONFIG = '.hadolint.yaml';

interface HadolintResult {
  code: string;
  level: string;
  line: number;
  message: string;
}

/** hadolint's findings, every level (the config's ignore list is the one place to waive a rule). */
export function hadolintFindings(text: string, root = PROJECT_ROOT): Finding[] {
  const config = path.join(root, HADOLINT_CONFIG);
  const args = [...(existsSync(config) ? ['--config', config] : []), '--format', 'json', '--no-fail', '-'];
  const run = runTool('hadolint', args, { input: text, cwd: root });
  if (run.status !== 0) return [{ file: DOCKERFILE, rule: 'hadolint', message: run.stderr.trim() || `exit ${run.status}` }];
  return (JSON.parse(run.stdout) as HadolintResult[]).map((r) => ({ file: DOCKERFILE, rule: r.code, message: `line ${r.line} (${r.level}): ${r.message}` }));
}

interface Stage {
  from: From;
  instructions: Instruction[];
}

/** The instructions that make up a stage, its parent stages' first (FROM <stage>). */
function lineage(stages: Stage[], stage: Stage): Instruction[] {
  const parent = stages.find((s) => s !== stage && s.from.getBuildStage() !== null && s.from.getBuildStage() === stage.from.getImage());
  return [...(parent ? lineage(stages, parent) : []), ...stage.instructions];
}

function packageVersion(root: string): string | undefined {
  const file = path.join(root, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : undefined;
}

export function validateDockerfileText(text: string, root = PROJECT_ROOT): Finding[] {
  const findings = hadolintFindings(text, root);
  const flag = (rule: string, message: string) => findings.push({ file: DOCKERFILE, rule, message });
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) stages.push({ from: instruction, instructions: [] });
    else stages[stages.length - 1]?.instructions.push(instruction);
  }
  const final = stages[stages.length - 1];
  if (!final) return [...findings, { file: DOCKERFILE, rule: 'dockerfile', message: 'no FROM instruction' }];
  const stageNames = new Set(stages.map((s) => s.from.getBuildStage()));

  // The worker's native core (@temporalio/core-bridge) is built for glibc: Debian slim Node, never Alpine.
  for (const { from } of stages) {
    const image = from.getImage() ?? '';
    if (stageNames.has(image)) continue;
    if (/alpine/i.test(image)) flag('dockerfile-base', `FROM ${image}: Alpine (musl) cannot load the Temporal worker's glibc native core`);
    else if (!/^node:[\w.-]*-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/.test(image)) flag('dockerfile-base', `FROM ${image}: use a Debian slim Node image (node:20-bookworm-slim)`);
  }

  const chain = lineage(stages, final);
  const args = (keyword: string) => chain.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');
  // hadolint's DL3002 rejects a last USER root; an image that never leaves root is this rule's.
  if (args('USER').length === 0) flag('dockerfile-user', 'the final image runs as root (no USER); switch to an unprivileged user');
  // hadolint's DL3025 wants the exec form; a final image without a CMD is this rule's.
  if (args('CMD').length === 0) flag('dockerfile-cmd', 'no CMD in the final image');

  const runs = args('RUN');
  const installs = runs.filter((run) => /\bnpm (ci|install|i)\b/.test(run));
  if (installs.length === 0) flag('dockerfile-deps', 'the final image installs no dependencies (npm ci --omit=dev)');
  for (const install of installs) {
    if (!/--omit=dev\b/.test(install)) flag('dockerfile-deps', `RUN ${install}: the runtime image must not carry dev dependencies (--omit=dev)`);
  }
  if (!runs.some((run) => /ca-certificates/.test(run))) flag('dockerfile-ca', 'ca-certificates is not installed (TLS to PagerDuty, Devin, Temporal Cloud)');

  // The product is compiled (`npm run build`: dist/ with both workflow bundles) in a stage of its own,
  // whose dist/ the final image copies and runs with plain node.
  const buildStage = stages.find((s) => s.instructions.some((i) => i.getKeyword() === 'RUN' && /\bnpm run build\b/.test(i.getArgumentsContent() ?? '')));
  if (!buildStage) flag('dockerfile-build', 'no stage runs `npm run build` (the compiled processes and the workflow bundles)');
  else if (buildStage !== final) {
    const name = buildStage.from.getBuildStage();
    const copied = chain.some((i) => i instanceof Copy && name !== null && i.getFromFlag()?.getValue() === name && /\/app\/dist\b/.test(i.getArgumentsContent() ?? ''));
    if (!copied) flag('dockerfile-build', `the final image does not COPY --from=${name ?? 'the build stage'} /app/dist`);
  }
  const cmd = args('CMD').at(-1) ?? '';
  if (cmd && (/\btsx\b|\.ts\b/.test(cmd) || !/dist\/src\/\w+\/main\.js/.test(cmd))) {
    flag('dockerfile-cmd', `CMD ${cmd}: run the compiled build with plain node (dist/src/worker/main.js), not the TypeScript sources`);
  }
  const env = new Map(chain.flatMap((i) => (i instanceof Env ? i.getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const) : [])));
  if (!env.get('WORKFLOW_BUNDLE_PATH')?.endsWith('dist/workflow-bundle.js')) flag('dockerfile-bundle', 'ENV WORKFLOW_BUNDLE_PATH does not point the worker at the built bundle (/app/dist/workflow-bundle.js)');
  // Worker Versioning: each image is its own build of the deployment (docs/operations.md).
  const buildId = env.get('WORKER_BUILD_ID') ?? '';
  if (!/\$\{?GIT_COMMIT\}?/.test(buildId)) flag('dockerfile-build-id', 'ENV WORKER_BUILD_ID is not set from the GIT_COMMIT build argument (<version>-<commit>)');
  const versionArg = chain.find((i) => i.getKeyword() === 'ARG' && /^APP_VERSION=/.test(i.getArgumentsContent() ?? ''));
  const declared = versionArg?.getArgumentsContent()?.split('=')[1];
  const version = packageVersion(root);
  if (/\$\{?APP_VERSION\}?/.test(buildId) && declared !== version) {
    flag('dockerfile-build-id', `ARG APP_VERSION=${declared ?? '(none)'} is not package.json's version ${version ?? '(no package.json beside the Dockerfile)'}`);
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------
// .dockerignore

export const MUST_EXCLUDE = ['.env', '.env.production', 'src/.env', '.data/dev-webhook-secret', '.git/HEAD', 'node_modules/express/package.json', '.tools/bin/temporal', 'postmortems/x.md', 'test/bridge.test.ts'];
export const MUST_INCLUDE = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin/postmortem.js', 'src/worker/main.ts', 'src/bridge/main.ts', 'workflows/index.ts', 'activities/index.ts', 'scripts/build-workflow-bundle.ts'];

/** Whether Docker leaves `file` (relative to the context) out of the build context. */
export function dockerignoreExcludes(text: string, file: string): boolean {
  return ignore({ ignorecase: false }).add(text).ignores(file);
}

export function validateDockerignoreText(text: string): Finding[] {
  const matcher = ignore({ ignorecase: false }).add(text);
  return [
    ...MUST_EXCLUDE.filter((file) => !matcher.ignores(file)).map((file) => `${file} would be sent to the build context`),
    ...MUST_INCLUDE.filter((file) => matcher.ignores(file)).map((file) => `${file} is excluded but the image needs it`),
  ].map((message) => ({ file: DOCKERIGNORE, rule: 'dockerignore', message }));
}
