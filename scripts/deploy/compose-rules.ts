// This project's rules for docker-compose.yml, on the model `docker compose config` normalized
// (compose-config.ts): what compose itself accepts but this service must not be deployed with.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_BRIDGE_METRICS_ADDRESS, DEFAULT_CODEC_PORT } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { CLI_TYPES } from '../../src/temporal/search-attribute-types';
import { asArray, asRecord, asString, asStrings, COMPOSE, type ComposeModel, durationSeconds, type Json, parseImageRef } from './compose-config';
import { DOCKERFILE } from './dockerfile';
import { type Finding, PROJECT_ROOT } from './tools';

/** PagerDuty retries a delivery for 48 h; MIN_RETENTION_MS in src/worker/postmortem-worker.ts is the same 72 h. */
export const MIN_RETENTION_SECONDS = 72 * 3600;
/** The worker's shutdownGraceTime (src/worker/postmortem-worker.ts): compose must wait longer before SIGKILL. */
export const WORKER_SHUTDOWN_GRACE_SECONDS = 30;

interface ServiceView {
  name: string;
  spec: Json;
  /** The image and environment as written, before interpolation. */
  rawImage?: string;
  rawEnvironment: Json;
  image?: string;
  command: string[];
  env: (key: string) => string | undefined;
}

function serviceViews({ model, raw }: ComposeModel): ServiceView[] {
  return Object.entries(asRecord(model.services)).map(([name, value]) => {
    const spec = asRecord(value);
    const rawSpec = asRecord(asRecord(raw.services)[name]);
    const environment = asRecord(spec.environment);
    return {
      name,
      spec,
      rawImage: asString(rawSpec.image),
      // Without interpolation compose leaves a list-form environment as written: KEY=value strings.
      rawEnvironment: Array.isArray(rawSpec.environment)
        ? Object.fromEntries(rawSpec.environment.map(String).map((entry) => [entry.split('=')[0], entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : null]))
        : asRecord(rawSpec.environment),
      image: asString(spec.image),
      command: [...asStrings(spec.entrypoint), ...asStrings(spec.command)],
      env: (key) => asString(environment[key]),
    };
  });
}

const SECRET_NAME = /(^|_)(API_?)?KEY($|_)|TOKEN|SECRET|PASSWORD|PASSWD|(^|_)PWD$|PRIVATE|CREDENTIAL/i;
/** A value that only refers to a variable set elsewhere (.env / the shell), with no default baked in. */
const REFERENCE_ONLY = /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/;

const volumes = (spec: Json) => asArray(spec.volumes).map(asRecord);
const ports = (spec: Json) => asArray(spec.ports).map(asRecord).map((p) => ({ hostIp: asString(p.host_ip), target: String(p.target) }));
const dependsOn = (spec: Json) => new Map(Object.entries(asRecord(spec.depends_on)).map(([name, dep]) => [name, asString(asRecord(dep).condition)]));
const hasHealthcheck = (spec: Json) => {
  const healthcheck = asRecord(spec.healthcheck);
  const test = asStrings(healthcheck.test);
  return healthcheck.disable !== true && test.length > 0 && test[0] !== 'NONE';
};
const isOneShot = (spec: Json) => spec.restart === undefined || spec.restart === 'no';

/** The host file behind a path inside the container, through the service's bind mounts (absolute sources). */
function hostPathOf(spec: Json, containerPath: string): string | undefined {
  for (const mount of volumes(spec).filter((v) => v.type === 'bind')) {
    const target = String(mount.target).replace(/\/+$/, '');
    if (containerPath === target || containerPath.startsWith(`${target}/`)) return path.join(String(mount.source), path.posix.relative(target, containerPath));
  }
  return undefined;
}

function scriptOf(service: ServiceView): { hostPath?: string; text?: string } {
  const script = service.command.find((word) => word.endsWith('.sh'));
  const hostPath = script ? hostPathOf(service.spec, script) : undefined;
  return { hostPath, text: hostPath && existsSync(hostPath) ? readFileSync(hostPath, 'utf8') : undefined };
}

export function projectFindings(compose: ComposeModel, root = PROJECT_ROOT): Finding[] {
  const findings: Finding[] = [];
  const flag = (rule: string, message: string) => findings.push({ file: COMPOSE, rule, message });
  const services = serviceViews(compose);
  const imageIs = (s: ServiceView, repository: string) => s.image !== undefined && parseImageRef(s.image).repository === repository;

  // Images: pinned, no Alpine, no deprecated auto-setup; built services use the project's Dockerfile.
  for (const s of services) {
    if (s.image !== undefined) {
      const { repository, tag, digest } = parseImageRef(s.image);
      if (s.rawImage?.includes('$')) flag('image-pinned', `${s.name}: image "${s.rawImage}" depends on a variable; write the pinned tag here`);
      else if (!digest && (!tag || tag === 'latest')) flag('image-pinned', `${s.name}: image "${s.image}" is not pinned to a version tag`);
      if (/alpine/i.test(s.image)) flag('no-alpine', `${s.name}: image "${s.image}" is Alpine (musl); use a Debian variant`);
      if (repository === 'temporalio/auto-setup') flag('no-auto-setup', `${s.name}: temporalio/auto-setup is deprecated; use temporalio/server with admin-tools jobs`);
    }
    const build = asRecord(s.spec.build);
    if (s.spec.build !== undefined) {
      const dockerfile = path.resolve(asString(build.context) ?? root, asString(build.dockerfile) ?? 'Dockerfile');
      if (dockerfile !== path.join(root, DOCKERFILE)) flag('build-dockerfile', `${s.name}: builds ${path.relative(root, dockerfile)}, not the project's Dockerfile`);
    }
  }

  // The two application processes, compiled (plain node, no TypeScript loader), both built from the
  // Dockerfile, secrets from an optional .env.
  const bridge = services.find((s) => /\bsrc\/bridge\/main\.[jt]s\b/.test(s.command.join(' ')));
  const worker = services.find((s) => /\bsrc\/worker\/main\.[jt]s\b/.test(s.command.join(' ')));
  if (!bridge) flag('app-services', 'no service runs the bridge (dist/src/bridge/main.js)');
  if (!worker) flag('app-services', 'no service runs the worker (dist/src/worker/main.js)');
  for (const app of [bridge, worker]) {
    if (!app) continue;
    const command = app.command.join(' ');
    if (/\btsx\b|\.ts\b/.test(command) || !/\bdist\/src\/(bridge|worker)\/main\.js\b/.test(command)) {
      flag('app-compiled', `${app.name}: runs "${command}"; run the compiled build, node dist/src/<process>/main.js (npm run build, the image's build stage)`);
    }
    if (app.spec.build === undefined) flag('build-dockerfile', `${app.name}: must be built from the project's Dockerfile`);
    const dotEnv = asArray(app.spec.env_file).map(asRecord).find((entry) => entry.path === path.join(root, '.env'));
    if (dotEnv === undefined) flag('env-file', `${app.name}: secrets must come from env_file .env`);
    else if (dotEnv.required !== false) flag('env-file', `${app.name}: .env should be optional (required: false)`);
  }

  // Secrets: never a literal value in the file (checked on the values as written).
  for (const s of services) {
    for (const [key, value] of Object.entries(s.rawEnvironment)) {
      if (SECRET_NAME.test(key) && typeof value === 'string' && value !== '' && !REFERENCE_ONLY.test(value)) {
        flag('no-inline-secret', `${s.name}: ${key} has a literal value; put it in .env (env_file) or reference a variable without a default, \${NAME}`);
      }
    }
  }

  // Health checks where something waits on them, and ordered start-up.
  const byName = new Map(services.map((s) => [s.name, s]));
  const postgres = services.filter((s) => imageIs(s, 'postgres'));
  const temporal = services.filter((s) => imageIs(s, 'temporalio/server'));
  const adminTools = services.filter((s) => imageIs(s, 'temporalio/admin-tools'));
  const ui = services.filter((s) => imageIs(s, 'temporalio/ui'));
  if (postgres.length === 0) flag('services', 'no PostgreSQL service (image postgres:<version>)');
  if (temporal.length === 0) flag('services', 'no Temporal server service (image temporalio/server:<version>)');
  if (ui.length === 0) flag('services', 'no Temporal UI service (image temporalio/ui:<version>)');
  for (const s of [bridge, worker, ...postgres, ...temporal]) if (s && !hasHealthcheck(s.spec)) flag('healthcheck', `${s.name}: no healthcheck`);
  for (const s of services) {
    for (const [dependency, condition] of dependsOn(s.spec)) {
      const target = byName.get(dependency)?.spec ?? {}; // compose config already rejects an unknown service
      if (condition === undefined || condition === 'service_started') flag('depends-on', `${s.name}: depends on ${dependency} without service_healthy / service_completed_successfully`);
      else if (condition === 'service_healthy' && !hasHealthcheck(target)) flag('depends-on', `${s.name}: waits for ${dependency} to be healthy, but it has no healthcheck`);
      else if (condition === 'service_completed_successfully' && !isOneShot(target)) flag('depends-on', `${s.name}: waits for ${dependency} to complete, but it restarts (restart: ${String(target.restart)})`);
    }
  }
  for (const s of postgres) {
    if (!volumes(s.spec).some((v) => String(v.target).startsWith('/var/lib/postgresql'))) flag('postgres-volume', `${s.name}: database files are not on a volume`);
    if (ports(s.spec).length > 0) flag('private-ports', `${s.name}: PostgreSQL must not publish ports`);
  }

  // Temporal: matching admin-tools, schema job before the server, namespace job before the app.
  const serverTags = new Set(temporal.map((s) => parseImageRef(s.image ?? '').tag));
  for (const s of serverTags.size > 0 ? adminTools : []) {
    const tag = parseImageRef(s.image ?? '').tag;
    if (!serverTags.has(tag)) flag('temporal-versions', `${s.name}: admin-tools ${tag} differs from temporalio/server ${[...serverTags].join(', ')}`);
  }
  const scripts = new Map(adminTools.map((s) => [s, scriptOf(s)]));
  for (const [s, script] of scripts) {
    if (!script.hostPath) flag('setup-jobs', `${s.name}: runs no script from a bind-mounted file`);
    else if (script.text === undefined) flag('setup-jobs', `${s.name}: script ${path.relative(root, script.hostPath)} does not exist`);
  }
  const schemaJobs = adminTools.filter((s) => /temporal-sql-tool/.test(scripts.get(s)?.text ?? ''));
  const namespaceJobs = adminTools.filter((s) => /operator namespace create/.test(scripts.get(s)?.text ?? ''));
  if (schemaJobs.length === 0) flag('schema-setup', 'no admin-tools job sets up the PostgreSQL schema with temporal-sql-tool');
  for (const s of schemaJobs) {
    for (const step of ['create-database', 'setup-schema', 'update-schema', 'visibility']) {
      if (!scripts.get(s)?.text?.includes(step)) flag('schema-setup', `${s.name}: schema script never runs "${step}"`);
    }
  }
  for (const t of temporal) {
    for (const job of schemaJobs) {
      for (const [key, fallback] of [['DBNAME', 'temporal'], ['VISIBILITY_DBNAME', 'temporal_visibility']] as const) {
        const server = t.env(key) ?? fallback;
        const prepared = job.env(key) ?? fallback;
        if (server !== prepared) flag('schema-setup', `${t.name}: ${key} ${server}, but ${job.name} prepares ${prepared}`);
      }
    }
    if (!schemaJobs.some((job) => dependsOn(t.spec).get(job.name) === 'service_completed_successfully')) flag('schema-setup', `${t.name}: must wait for the schema job (service_completed_successfully)`);
    const dynamicConfig = t.env('DYNAMIC_CONFIG_FILE_PATH');
    if (dynamicConfig) {
      const inContainer = path.posix.resolve('/etc/temporal', dynamicConfig);
      const host = hostPathOf(t.spec, inContainer);
      if (!host || !existsSync(host)) flag('dynamic-config', `${t.name}: DYNAMIC_CONFIG_FILE_PATH ${inContainer} is not a mounted file of this repository`);
      else {
        try {
          parseYaml(readFileSync(host, 'utf8'));
        } catch (error) {
          flag('dynamic-config', `${path.relative(root, host)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  if (namespaceJobs.length === 0) flag('namespace-setup', 'no admin-tools job creates the namespace');
  for (const job of namespaceJobs) {
    const text = scripts.get(job)?.text ?? '';
    if (!/--retention "\$RETENTION"/.test(text) || !/NAMESPACE_RETENTION/.test(text)) flag('namespace-setup', `${job.name}: script does not apply NAMESPACE_RETENTION`);
    if (!/search-attribute create/.test(text) || !/SEARCH_ATTRIBUTES/.test(text)) flag('namespace-setup', `${job.name}: script does not register SEARCH_ATTRIBUTES`);
    const retention = job.env('NAMESPACE_RETENTION');
    const seconds = retention ? durationSeconds(retention) : undefined;
    if (seconds === undefined) flag('retention', `${job.name}: NAMESPACE_RETENTION must be a duration like 72h (got ${retention ?? 'nothing'})`);
    else if (seconds < MIN_RETENTION_SECONDS) flag('retention', `${job.name}: retention ${retention} is under 72h; PagerDuty retries for 48 h and closed workflows must outlive that`);
    const registered = new Map((job.env('SEARCH_ATTRIBUTES') ?? '').split(',').map((pair) => [pair.trim().split('=')[0], pair.trim().split('=')[1]]));
    for (const key of SEARCH_ATTRIBUTES) {
      const type = CLI_TYPES[key.type];
      if (registered.get(key.name) !== type) flag('search-attributes', `${job.name}: search attribute ${key.name} (${type}) is not registered`);
    }
    const namespace = job.env('TEMPORAL_NAMESPACE') ?? 'default';
    for (const app of [bridge, worker]) {
      if (!app) continue;
      if (dependsOn(app.spec).get(job.name) !== 'service_completed_successfully') flag('namespace-setup', `${app.name}: must wait for ${job.name} (service_completed_successfully)`);
      const appNamespace = app.env('TEMPORAL_NAMESPACE') ?? 'default';
      if (appNamespace !== namespace) flag('namespace-setup', `${app.name}: uses namespace ${appNamespace}, but ${job.name} prepares ${namespace}`);
    }
  }

  // Surfaces without authentication stay on the loopback interface.
  for (const s of [...temporal, ...ui]) {
    for (const port of ports(s.spec)) if (port.hostIp !== '127.0.0.1') flag('private-ports', `${s.name}: port ${port.target} is published on all interfaces; bind it to 127.0.0.1`);
  }
  // The bridge's codec endpoint decodes incident data: its own port, published on loopback only.
  if (bridge) {
    const webhookPort = bridge.env('PORT') ?? '3000';
    const codecPort = bridge.env('CODEC_PORT') ?? String(DEFAULT_CODEC_PORT);
    const codecHost = bridge.env('CODEC_HOST') ?? '127.0.0.1';
    if (codecPort === webhookPort) flag('codec-endpoint', `${bridge.name}: CODEC_PORT ${codecPort} is the webhook PORT; the codec endpoint needs its own port`);
    const published = ports(bridge.spec).filter((port) => port.target === codecPort);
    for (const port of published) if (port.hostIp !== '127.0.0.1') flag('private-ports', `${bridge.name}: the codec port ${codecPort} is published on all interfaces; bind it to 127.0.0.1`);
    if (published.length > 0 && ['127.0.0.1', 'localhost', '::1'].includes(codecHost)) {
      flag('codec-endpoint', `${bridge.name}: the codec port ${codecPort} is published, but CODEC_HOST ${codecHost} only accepts connections from inside the container; set CODEC_HOST: 0.0.0.0`);
    }
    // Its metrics have a listener of their own (BRIDGE_METRICS_ADDRESS), for the compose network only.
    const metricsPort = (bridge.env('BRIDGE_METRICS_ADDRESS') ?? DEFAULT_BRIDGE_METRICS_ADDRESS).split(':').pop();
    for (const port of ports(bridge.spec).filter((p) => p.target === metricsPort)) {
      if (port.hostIp !== '127.0.0.1') flag('private-ports', `${bridge.name}: the metrics port ${metricsPort} is published on all interfaces; scrape it on the compose network or bind it to 127.0.0.1`);
    }
    const probe = asStrings(asRecord(bridge.spec.healthcheck).test).join(' ');
    if (probe.includes(`:${webhookPort}/metrics`)) flag('bridge-healthcheck', `${bridge.name}: the healthcheck reads /metrics on the webhook port, which serves /healthz and /readyz only`);
  }
  for (const s of ui) {
    if (!s.env('TEMPORAL_ADDRESS')) flag('ui', `${s.name}: TEMPORAL_ADDRESS is not set`);
    if (!ports(s.spec).some((p) => p.target === '8080')) flag('ui', `${s.name}: the UI listens on 8080 and is not published`);
  }

  // The worker: drained before it is killed, and a health check that tests what it claims.
  if (worker) {
    const grace = durationSeconds(asString(worker.spec.stop_grace_period) ?? '10s') ?? 10;
    if (grace <= WORKER_SHUTDOWN_GRACE_SECONDS) flag('worker-shutdown', `${worker.name}: stop_grace_period ${grace}s does not leave the ${WORKER_SHUTDOWN_GRACE_SECONDS}s activity drain time`);
    const metrics = worker.env('WORKER_METRICS_ADDRESS');
    const probe = asStrings(asRecord(worker.spec.healthcheck).test).join(' ');
    const port = metrics?.split(':').pop();
    if (/\/metrics/.test(probe) && (!port || !probe.includes(`:${port}/`))) {
      flag('worker-healthcheck', `${worker.name}: the healthcheck reads metrics on a port WORKER_METRICS_ADDRESS (${metrics ?? 'unset'}) does not serve`);
    }
  }
  return findings;
}

