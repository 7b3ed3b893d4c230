// The production deployment files (docker-compose.yml, Dockerfile, .dockerignore, deploy/) checked
// without a Docker engine: the validator (docker compose config, hadolint, Docker's .dockerignore rules and
// the project's own rules) passes on them and flags each kind of mistake it claims to catch; the namespace
// job's script runs against a real Temporal dev server; the workflow bundle that the image builds loads
// into a worker; the health checks written in the compose file are executed.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { buildWorkflowBundle, WORKFLOWS_ENTRY } from '../scripts/build-workflow-bundle';
import { runTool } from '../scripts/deploy/tools';
import {
  composeConfig,
  durationSeconds,
  type Finding,
  MIN_RETENTION_SECONDS,
  PROJECT_ROOT,
  parseImageRef,
  validateComposeText,
  validateDeployment,
  WORKER_SHUTDOWN_GRACE_SECONDS,
} from '../scripts/validate-compose';
import { dockerignoreExcludes, validateDockerfileText, validateDockerignoreText } from '../scripts/deploy/dockerfile';
import { encodedFailuresBundle, MIN_RETENTION_MS, WORKFLOWS_PATH, workflowSource } from '../src/worker/postmortem-worker';
import { encryptionDataConverter } from '../src/temporal/encryption';
import { SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { CLI_TYPES, INDEXED_VALUE_TYPES } from '../src/temporal/search-attribute-types';
import { startDevServer, temporalCli } from './support/temporal';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const COMPOSE = read('docker-compose.yml');
const DOCKERFILE = read('Dockerfile');
const DOCKERIGNORE = read('.dockerignore');

type Json = Record<string, unknown>;
let committedModel: { services: Record<string, Json> } | undefined;
/** The committed file as `docker compose config` normalizes it (x-app merged, environment as a map…). */
function composeModel(): { services: Record<string, Json> } {
  if (committedModel) return committedModel;
  const config = composeConfig();
  if (Array.isArray(config)) throw new Error(`docker compose config failed: ${JSON.stringify(config)}`);
  committedModel = config.model as { services: Record<string, Json> };
  return committedModel;
}
const serviceEnv = (service: string) => composeModel().services[service]?.environment as Record<string, string>;

/** Replaces `from` (which must be there, so a later edit of the file cannot make a case vacuous). */
function mutate(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture out of date: ${JSON.stringify(from)} is not in the file`);
  return text.replace(from, to);
}
const rules = (findings: Finding[]) => findings.map((f) => f.rule);

describe('the deployment files as committed', () => {
  test('pass every check: docker compose config, hadolint, .dockerignore, project rules', () => {
    expect(validateDeployment()).toEqual([]);
  });

  test('the tools that check them are the versions scripts/install-deploy-tools.sh pins', () => {
    const script = read('scripts/install-deploy-tools.sh');
    const pinned = (name: string) => new RegExp(`${name}:-([0-9.]+)`).exec(script)?.[1];
    expect(runTool('docker-compose', ['version', '--short']).stdout.trim()).toBe(pinned('COMPOSE_VERSION'));
    expect(runTool('hadolint', ['--version']).stdout).toContain(`Linter ${pinned('HADOLINT_VERSION') ?? '?'}`);
  });

  test('the validator and the bundle script agree with the code they stand for', () => {
    expect(MIN_RETENTION_SECONDS * 1000).toBe(MIN_RETENTION_MS);
    expect(WORKFLOWS_ENTRY).toBe(WORKFLOWS_PATH);
    expect(WORKER_SHUTDOWN_GRACE_SECONDS).toBe(30); // shutdownGraceTime in src/worker/postmortem-worker.ts
    const setup = serviceEnv('temporal-setup');
    expect((setup.SEARCH_ATTRIBUTES ?? '').split(',')).toEqual(SEARCH_ATTRIBUTES.map((key) => `${key.name}=${CLI_TYPES[key.type]}`));
    expect(durationSeconds(setup.NAMESPACE_RETENTION ?? '')).toBeGreaterThanOrEqual(MIN_RETENTION_SECONDS);
  });

  test("a local .env and the caller's environment change nothing: no secret from them is read or reported", () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'deploy-env-'));
    try {
      for (const file of ['docker-compose.yml', 'Dockerfile', '.dockerignore', '.hadolint.yaml', 'deploy', 'package.json']) cpSync(path.join(PROJECT_ROOT, file), path.join(copy, file), { recursive: true });
      writeFileSync(path.join(copy, '.env'), 'DEVIN_API_KEY=cog_local_secret\nCOMPOSE_FILE=missing.yml\nPOSTGRES_PASSWORD=local\n');
      const saved = process.env.COMPOSE_PROFILES;
      process.env.COMPOSE_PROFILES = 'nothing';
      try {
        expect(validateDeployment(copy)).toEqual([]);
        const config = composeConfig(copy);
        expect(JSON.stringify(config)).not.toContain('cog_local_secret');
      } finally {
        if (saved === undefined) delete process.env.COMPOSE_PROFILES;
        else process.env.COMPOSE_PROFILES = saved;
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('the command-line validator exits 0 here and 1 on a broken copy, naming the problem', () => {
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate-compose.ts'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const copy = mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
    try {
      for (const file of ['Dockerfile', '.dockerignore', '.hadolint.yaml', 'deploy', 'package.json']) cpSync(path.join(PROJECT_ROOT, file), path.join(copy, file), { recursive: true });
      writeFileSync(path.join(copy, 'docker-compose.yml'), mutate(COMPOSE, 'image: postgres:16.15-bookworm', 'image: postgres:16.15-alpine'));
      const bad = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/validate-compose.ts'), copy], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('[no-alpine] postgresql: image "postgres:16.15-alpine" is Alpine');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('docker-compose.yml checks fail when they should', () => {
  // [what, text in the file, replaced by, rule, and for compose's own errors a part of its message]
  const cases: Array<[string, string, string, string, string?]> = [
    ['an Alpine image', 'image: postgres:16.15-bookworm', 'image: postgres:16-alpine', 'no-alpine'],
    ['the latest tag', 'image: temporalio/ui:2.49.1', 'image: temporalio/ui:latest', 'image-pinned'],
    ['no tag at all', 'image: temporalio/ui:2.49.1', 'image: temporalio/ui', 'image-pinned'],
    ['a tag from a variable', 'image: temporalio/ui:2.49.1', 'image: temporalio/ui:${UI_VERSION:-2.49.1}', 'image-pinned'],
    ['the deprecated auto-setup image', 'image: temporalio/server:1.31.0', 'image: temporalio/auto-setup:1.31.0', 'no-auto-setup'],
    ['admin-tools of another release', 'image: temporalio/admin-tools:1.31.0\n    entrypoint: ["/bin/sh", "/deploy/setup-schema.sh"]', 'image: temporalio/admin-tools:1.30.1\n    entrypoint: ["/bin/sh", "/deploy/setup-schema.sh"]', 'temporal-versions'],
    ['an inline API key', 'PORT: "3000"', 'PORT: "3000"\n      DEVIN_API_KEY: cog_0123456789abcdef', 'no-inline-secret'],
    ['an inline webhook secret', 'PORT: "3000"', 'PORT: "3000"\n      PAGERDUTY_WEBHOOK_SECRETS: whsec-abc', 'no-inline-secret'],
    [
      'an inline secret in list-form environment',
      /environment:\n {6}TEMPORAL_ADDRESS: temporal:7233\n {6}TEMPORAL_NAMESPACE: default\n {6}PORT: "3000"\n( {6}.*\n)*? {4}ports:/.exec(COMPOSE)?.[0] ?? 'bridge environment',
      'environment:\n      - TEMPORAL_ADDRESS=temporal:7233\n      - WEBHOOK_SECRET=shared-secret-123\n    ports:',
      'no-inline-secret',
    ],
    ['a token in the worker', 'WORKER_METRICS_ADDRESS: 0.0.0.0:9464', 'WORKER_METRICS_ADDRESS: 0.0.0.0:9464\n      PAGERDUTY_API_TOKEN: u+abcdef', 'no-inline-secret'],
    ['a password with a default', 'POSTGRES_PWD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}', 'POSTGRES_PWD: ${POSTGRES_PASSWORD:-temporal}', 'no-inline-secret'],
    ['a literal database password', 'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}', 'POSTGRES_PASSWORD: temporal', 'no-inline-secret'],
    ['a required .env', '    - path: .env\n      required: false', '    - path: .env\n      required: true', 'env-file'],
    ['no .env for the app', '  env_file:\n    - path: .env\n      required: false\n', '', 'env-file'],
    ['a retention under 72h', 'NAMESPACE_RETENTION: 72h', 'NAMESPACE_RETENTION: 48h', 'retention'],
    ['a retention that is no duration', 'NAMESPACE_RETENTION: 72h', 'NAMESPACE_RETENTION: three days', 'retention'],
    ['a missing search attribute', 'IncidentPriority=Keyword,', '', 'search-attributes'],
    ['a search attribute of the wrong type', 'PostmortemPhase=Keyword', 'PostmortemPhase=Text', 'search-attributes'],
    ['PostgreSQL without healthcheck', 'test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "temporal", "-d", "postgres"]', 'disable: true', 'healthcheck'],
    ['Temporal without healthcheck', 'test: ["CMD", "nc", "-z", "127.0.0.1", "7233"]', 'disable: true', 'healthcheck'],
    ['the bridge without healthcheck', `test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:3000/healthz')`, `test: ["NONE", "node", "-e", "fetch('http://127.0.0.1:3000/healthz')`, 'healthcheck'],
    ['a dependency without condition', '    depends_on:\n      temporal-schema:\n        condition: service_completed_successfully', '    depends_on: [temporal-schema]', 'depends-on'],
    ['waiting for a restarting service to complete', 'condition: service_healthy\n    restart: "no"', 'condition: service_healthy\n    restart: on-failure', 'depends-on'],
    ['the app not waiting for the namespace', 'temporal-setup:\n      condition: service_completed_successfully', 'temporal-setup:\n      condition: service_healthy', 'namespace-setup'],
    ['the app on another namespace', 'TEMPORAL_NAMESPACE: default\n      PORT: "3000"', 'TEMPORAL_NAMESPACE: incidents\n      PORT: "3000"', 'namespace-setup'],
    ['a schema job preparing another database', '      DBNAME: temporal\n      VISIBILITY_DBNAME: temporal_visibility\n    volumes:', '      DBNAME: temporal_main\n      VISIBILITY_DBNAME: temporal_visibility\n    volumes:', 'schema-setup'],
    ['a missing setup script', '/deploy/setup-namespace.sh"]', '/deploy/setup-namespaces.sh"]', 'setup-jobs'],
    ['a dynamic config file that is not there', 'config/dynamicconfig/production-sql.yaml', 'config/dynamicconfig/development-sql.yaml', 'dynamic-config'],
    ['the UI published on all interfaces', '"127.0.0.1:8080:8080"', '"8080:8080"', 'private-ports'],
    ['the codec endpoint published on all interfaces', '"127.0.0.1:3001:3001"', '"3001:3001"', 'private-ports'],
    ['the codec endpoint published but listening on the container loopback', 'CODEC_HOST: 0.0.0.0', 'CODEC_HOST: 127.0.0.1', 'codec-endpoint'],
    ['the codec endpoint on the webhook port', 'CODEC_PORT: "3001"', 'CODEC_PORT: "3000"', 'codec-endpoint'],
    ['the bridge metrics published on all interfaces', '      - "127.0.0.1:3001:3001"', '      - "127.0.0.1:3001:3001"\n      - "9465:9465"', 'private-ports'],
    ['a bridge healthcheck on /metrics of the webhook port', "fetch('http://127.0.0.1:3000/healthz')", "fetch('http://127.0.0.1:3000/metrics')", 'bridge-healthcheck'],
    ['PostgreSQL published', '    command: ["postgres", "-c", "max_connections=200"]', '    command: ["postgres", "-c", "max_connections=200"]\n    ports: ["5432:5432"]', 'private-ports'],
    ['PostgreSQL data not on a volume', '    volumes:\n      - postgres-data:/var/lib/postgresql/data\n', '', 'postgres-volume'],
    ['a build from another Dockerfile', '    dockerfile: Dockerfile', '    dockerfile: Dockerfile.dev', 'build-dockerfile'],
    ['a worker run from the TypeScript sources', 'command: ["node", "dist/src/worker/main.js"]', 'command: ["node", "--import", "tsx", "src/worker/main.ts"]', 'app-compiled'],
    ['a bridge run from the TypeScript sources', 'command: ["node", "dist/src/bridge/main.js"]', 'command: ["npx", "tsx", "src/bridge/main.ts"]', 'app-compiled'],
    ['no bridge at all', 'command: ["node", "dist/src/bridge/main.js"]', 'command: ["node", "dist/src/cli/main.js"]', 'app-services'],
    ['a worker killed before its drain', 'stop_grace_period: 45s', 'stop_grace_period: 30s', 'worker-shutdown'],
    ['a worker healthcheck on a port nothing serves', 'WORKER_METRICS_ADDRESS: 0.0.0.0:9464', 'WORKER_METRICS_ADDRESS: 0.0.0.0:9100', 'worker-healthcheck'],
    // Caught by docker compose config itself:
    ['a key the Compose specification does not have', '    stop_grace_period: 15s', '    stop_grace_period: 15s\n    restart_policy: always', 'compose-config', 'services.bridge.restart_policy'],
    ['a depends_on condition that does not exist', 'condition: service_healthy\n    restart: "no"', 'condition: service_ready\n    restart: "no"', 'compose-config', "condition value must be one of 'service_started'"],
    ['a duplicated key', '      DBNAME: temporal\n', '      DBNAME: temporal\n      DBNAME: temporal2\n', 'compose-config', 'mapping key "DBNAME" already defined'],
    ['a dependency on a service that does not exist', 'temporal-setup:\n      condition: service_completed_successfully', 'temporal-init:\n      condition: service_completed_successfully', 'compose-config', 'depends on undefined service "temporal-init"'],
    ['a port that is no port', '"127.0.0.1:8080:8080"', '"127.0.0.1:80x80:8080"', 'compose-config', 'invalid hostPort: 80x80'],
  ];

  // Every row as five values: Jest would take a missing fifth for its done callback.
  test.each(cases.map(([what, from, to, rule, message]) => [what, from, to, rule, message ?? ''] as const))('%s', (_what, from, to, rule, message) => {
    const findings = validateComposeText(mutate(COMPOSE, from, to));
    expect(rules(findings)).toContain(rule);
    if (message) expect(findings.filter((f) => f.rule === rule).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  test('image references are read correctly, registry ports included', () => {
    expect(parseImageRef('postgres:16.15-bookworm')).toEqual({ repository: 'postgres', tag: '16.15-bookworm', digest: undefined });
    expect(parseImageRef('registry.local:5000/team/app')).toEqual({ repository: 'registry.local:5000/team/app', digest: undefined });
    expect(parseImageRef('node@sha256:abc')).toEqual({ repository: 'node', digest: 'sha256:abc' });
  });

  test('durations are read as Compose and the Temporal CLI write them', () => {
    expect(durationSeconds('72h')).toBe(259200);
    expect(durationSeconds('3d')).toBe(259200);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('45s')).toBe(45);
    expect(durationSeconds('three days')).toBeUndefined();
  });
});

describe('Dockerfile checks fail when they should', () => {
  const cases: Array<[string, string, string, string]> = [
    ['an Alpine base', 'FROM node:20-bookworm-slim AS base', 'FROM node:20-alpine AS base', 'dockerfile-base'],
    ['a full (non-slim) base', 'FROM node:20-bookworm-slim AS base', 'FROM node:20-bookworm AS base', 'dockerfile-base'],
    ['no USER', 'USER 1000:1000\n', '', 'dockerfile-user'],
    ['no CMD', 'CMD ["node", "dist/src/worker/main.js"]', '', 'dockerfile-cmd'],
    ['a CMD running the TypeScript sources', 'CMD ["node", "dist/src/worker/main.js"]', 'CMD ["node", "--import", "tsx", "src/worker/main.ts"]', 'dockerfile-cmd'],
    // Caught by hadolint (the rule is its code):
    ['USER root', 'USER 1000:1000\n', 'USER root\n', 'DL3002'],
    ['a shell-form CMD', 'CMD ["node", "dist/src/worker/main.js"]', 'CMD node dist/src/worker/main.js', 'DL3025'],
    ['an untagged base', 'FROM node:20-bookworm-slim AS base', 'FROM node AS base', 'DL3006'],
    ['a secret in an ARG', 'WORKDIR /app\n', 'WORKDIR /app\nARG DEVIN_API_KEY\n', 'DL3064'],
    ['a relative WORKDIR', 'WORKDIR /app\n', 'WORKDIR app\n', 'DL3000'],
    ['an instruction Docker does not have', 'WORKDIR /app\n', 'WORKDIR /app\nWORKDIRS /srv\n', 'DL1000'],
    ['no build step', 'RUN npm run build', 'RUN true', 'dockerfile-build'],
    ['a build the final image never copies', 'COPY --from=build /app/dist ./dist\n', 'COPY src ./src\n', 'dockerfile-build'],
    ['no WORKER_BUILD_ID', '    WORKER_BUILD_ID=${APP_VERSION}-${GIT_COMMIT} \\\n', '', 'dockerfile-build-id'],
    ['a build id without the commit', 'WORKER_BUILD_ID=${APP_VERSION}-${GIT_COMMIT}', 'WORKER_BUILD_ID=${APP_VERSION}', 'dockerfile-build-id'],
    ['an APP_VERSION that is not the package version', 'ARG APP_VERSION=0.1.0', 'ARG APP_VERSION=9.9.9', 'dockerfile-build-id'],
    ['no WORKFLOW_BUNDLE_PATH', 'ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \\\n    POSTMORTEM', 'ENV POSTMORTEM', 'dockerfile-bundle'],
    ['dev dependencies in the image', 'RUN npm ci --omit=dev', 'RUN npm ci', 'dockerfile-deps'],
    ['no CA certificates', 'ca-certificates', 'curl', 'dockerfile-ca'],
  ];
  test.each(cases)('%s', (_what, from, to, rule) => {
    expect(rules(validateDockerfileText(mutate(DOCKERFILE, from, to)))).toContain(rule);
  });
});

describe('.dockerignore', () => {
  test('keeps secrets, local state and tools out of the build context and lets the sources in', () => {
    for (const file of ['.env', 'src/.env', '.env.local', '.data/dev-webhook-secret', '.tools/bin/temporal', '.git/config', 'node_modules/x/index.js']) {
      expect([file, dockerignoreExcludes(DOCKERIGNORE, file)]).toEqual([file, true]);
    }
    for (const file of ['package-lock.json', 'src/config/index.ts', 'workflows/index.ts', 'activities/index.ts', 'scripts/build-workflow-bundle.ts']) {
      expect([file, dockerignoreExcludes(DOCKERIGNORE, file)]).toEqual([file, false]);
    }
  });

  test('a deny-list that forgets .env is flagged', () => {
    const findings = validateDockerignoreText('node_modules\n.git\n');
    expect(findings.map((f) => f.message)).toEqual(expect.arrayContaining(['.env would be sent to the build context']));
  });
});

describe('the health checks in docker-compose.yml, executed', () => {
  const probe = (service: string) => (composeModel().services[service]?.healthcheck as { test: string[] }).test;

  /** Runs a service's healthcheck command with its fixed port pointed at a local server. */
  function runProbe(service: string, fixedPort: number, port: number): Promise<number | null> {
    const [kind, command, ...args] = probe(service);
    expect(kind).toBe('CMD');
    const rewritten = args.map((arg) => arg.replace(`:${fixedPort}/`, `:${port}/`));
    return new Promise((resolve) => {
      const child = spawn(command === 'node' ? process.execPath : String(command), rewritten, { stdio: 'ignore' });
      child.on('exit', (code) => resolve(code));
    });
  }

  async function serve(status: number, body: string): Promise<{ port: number; close: () => Promise<void> }> {
    const server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  // The SDK's Prometheus text, as a running worker serves it (recorded from `npm run worker` with WORKER_METRICS_ADDRESS).
  const polling = [
    '# HELP temporal_num_pollers Current number of active pollers per queue type',
    '# TYPE temporal_num_pollers gauge',
    'temporal_num_pollers{namespace="default",poller_type="activity_task",service_name="temporal-core-sdk",task_queue="incident-postmortems"} 5',
    'temporal_num_pollers{namespace="default",poller_type="workflow_task",service_name="temporal-core-sdk",task_queue="incident-postmortems"} 2',
    'temporal_worker_start{namespace="default",service_name="temporal-core-sdk",task_queue="incident-postmortems"} 1',
  ].join('\n');
  const notPolling = polling.replace('poller_type="workflow_task",service_name="temporal-core-sdk",task_queue="incident-postmortems"} 2', 'poller_type="workflow_task",service_name="temporal-core-sdk",task_queue="incident-postmortems"} 0');

  test.each([
    ['worker, polling its task queue', 'worker', 9464, 200, polling, 0],
    ['worker, metrics up but no workflow pollers', 'worker', 9464, 200, notPolling, 1],
    ['worker, runtime started before any worker', 'worker', 9464, 200, '# no worker yet\n', 1],
    ['bridge, /healthz 200', 'bridge', 3000, 200, '{"status":"ok"}', 0],
    ['bridge, /healthz 503', 'bridge', 3000, 503, 'no', 1],
  ])('%s', async (_what, service, fixedPort, status, body, expected) => {
    const server = await serve(status, body);
    try {
      expect(await runProbe(service, fixedPort, server.port)).toBe(expected);
    } finally {
      await server.close();
    }
  });

  test('nothing listening means unhealthy', async () => {
    const server = await serve(200, polling);
    await server.close(); // a port that was just free
    expect(await runProbe('worker', 9464, server.port)).toBe(1);
    expect(await runProbe('bridge', 3000, server.port)).toBe(1);
  });
});

describe('against a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  const work = mkdtempSync(path.join(os.tmpdir(), 'deploy-bundle-'));

  beforeAll(async () => {
    env = await startDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  /** deploy/temporal/setup-namespace.sh under a POSIX sh, with the temporal-setup service's environment. */
  function setupNamespace(overrides: Record<string, string> = {}) {
    const cli = temporalCli();
    const result = spawnSync('sh', [path.join(PROJECT_ROOT, 'deploy/temporal/setup-namespace.sh')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: os.tmpdir(),
        ...serviceEnv('temporal-setup'),
        TEMPORAL_ADDRESS: env.address,
        ATTEMPTS: '30',
        ...overrides,
      },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  async function namespaceState(namespace: string) {
    const described = await env.client.workflowService.describeNamespace({ namespace });
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace });
    return { retentionSeconds: Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0), customAttributes: customAttributes ?? {} };
  }

  test("setup-namespace.sh raises the dev server's 24h default to 72h and registers the search attributes with their types, idempotently", async () => {
    expect((await namespaceState('default')).retentionSeconds).toBeLessThan(MIN_RETENTION_SECONDS);
    const first = setupNamespace();
    expect(first.output).toContain('retention of default raised to 72h');
    expect(first.status).toBe(0);
    const state = await namespaceState('default');
    expect(state.retentionSeconds).toBe(MIN_RETENTION_SECONDS);
    for (const key of SEARCH_ATTRIBUTES) {
      expect([key.name, state.customAttributes[key.name]]).toEqual([key.name, INDEXED_VALUE_TYPES[key.type]]);
    }
    const again = setupNamespace();
    expect(again.status).toBe(0);
    expect(again.output).toContain('retention 259200s >= 72h');
  });

  test('setup-namespace.sh creates a missing namespace, never lowers a longer retention, and fails on a type clash', async () => {
    const namespace = `deploy-${process.pid}`;
    const created = setupNamespace({ TEMPORAL_NAMESPACE: namespace });
    expect(created.output).toContain(`namespace ${namespace} created with retention 72h`);
    expect(created.status).toBe(0);
    expect(Object.keys((await namespaceState(namespace)).customAttributes).sort()).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name).sort());

    const raised = spawnSync(temporalCli(), ['operator', 'namespace', 'update', '--address', env.address, '--namespace', namespace, '--retention', '240h'], { encoding: 'utf8' });
    expect(raised.status).toBe(0);
    expect(setupNamespace({ TEMPORAL_NAMESPACE: namespace }).status).toBe(0);
    expect((await namespaceState(namespace)).retentionSeconds).toBe(240 * 3600);

    const clash = setupNamespace({ TEMPORAL_NAMESPACE: namespace, SEARCH_ATTRIBUTES: 'PostmortemPhase=Text' });
    expect(clash.status).toBe(1);
    expect(clash.output).toContain('cannot register search attribute PostmortemPhase (Text)');
  });

  test('the workflow bundle built by scripts/build-workflow-bundle.ts runs in a worker via workflowBundle.codePath', async () => {
    const codePath = path.join(work, 'dist', 'workflow-bundle.js');
    const built = await buildWorkflowBundle(codePath);
    const encoded = encodedFailuresBundle(codePath);
    expect(built.map((b) => b.path)).toEqual([codePath, encoded]);
    for (const { path: file, bytes } of built) expect(existsSync(file) && statSync(file).size).toBe(bytes);
    // The variant a worker with PAYLOAD_ENCRYPTION_KEYS picks, built with the failure converter it loads.
    const dataConverter = encryptionDataConverter({ PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` });
    expect(workflowSource(undefined, codePath, dataConverter?.failureConverterPath !== undefined)).toEqual({ workflowBundle: { codePath: encoded } });
    expect(workflowSource(undefined, codePath, false)).toEqual({ workflowBundle: { codePath } });
    expect(readFileSync(encoded, 'utf8')).toContain('encodeCommonAttributes: true');
    expect(readFileSync(codePath, 'utf8')).not.toContain('encodeCommonAttributes: true');
    for (const [file, converter] of [[codePath, undefined], [encoded, dataConverter]] as const) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: `deploy-bundle-${process.pid}`,
        workflowBundle: { codePath: file },
        dataConverter: converter,
      });
      await worker.runUntil(new Promise((resolve) => setTimeout(resolve, 500)));
      expect(worker.getState()).toBe('STOPPED');
    }
  });
});
