// Validates the deployment files without a Docker engine, with the real tools plus this project's rules:
//   docker-compose.yml  `docker compose config` (Docker Compose itself) parses, interpolates and validates
//                       it (deploy/compose-config.ts); the project rules read its normalized JSON
//                       (deploy/compose-rules.ts)
//   Dockerfile          hadolint (.hadolint.yaml) and the project rules (deploy/dockerfile.ts)
//   .dockerignore       Docker's matching rules (@balena/dockerignore): secrets out, sources in
//
//   npx tsx scripts/validate-compose.ts [project-dir]     exit 0: clean; exit 1: findings printed
//
// The tools come from scripts/install-deploy-tools.sh (.tools/bin; npm test's pretest and
// `npm run validate:deploy` run it first).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPOSE, composeConfig } from './deploy/compose-config';
import { projectFindings } from './deploy/compose-rules';
import { DOCKERFILE, DOCKERIGNORE, validateDockerfileText, validateDockerignoreText } from './deploy/dockerfile';
import { type Finding, PROJECT_ROOT } from './deploy/tools';

export { composeConfig, durationSeconds, parseImageRef } from './deploy/compose-config';
export { MIN_RETENTION_SECONDS, WORKER_SHUTDOWN_GRACE_SECONDS } from './deploy/compose-rules';
export { type Finding, PROJECT_ROOT } from './deploy/tools';

/** docker compose config, then the project rules; `text`, when given, stands in for docker-compose.yml in `root`. */
export function validateComposeText(text: string | undefined, root = PROJECT_ROOT): Finding[] {
  const compose = composeConfig(root, text);
  return Array.isArray(compose) ? compose : projectFindings(compose, root);
}

export function validateDeployment(root = PROJECT_ROOT): Finding[] {
  const read = (file: string) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : undefined);
  const missing = (file: string) => [{ file, rule: 'missing', message: 'missing' }];
  const dockerfile = read(DOCKERFILE);
  const dockerignore = read(DOCKERIGNORE);
  return [
    ...(existsSync(path.join(root, COMPOSE)) ? validateComposeText(undefined, root) : missing(COMPOSE)),
    ...(dockerfile === undefined ? missing(DOCKERFILE) : validateDockerfileText(dockerfile, root)),
    ...(dockerignore === undefined ? missing(DOCKERIGNORE) : validateDockerignoreText(dockerignore)),
  ];
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? PROJECT_ROOT);
  const findings = validateDeployment(root);
  for (const f of findings) console.error(`${f.file}: [${f.rule}] ${f.message}`);
  if (findings.length > 0) {
    console.error(`${findings.length} problem(s) in the deployment files`);
    process.exit(1);
  }
  console.log(`${COMPOSE}, ${DOCKERFILE}, ${DOCKERIGNORE}: valid (docker compose config, hadolint, .dockerignore matching, project rules)`);
}
