// The Temporal server of docker-compose.yml, built from its Go module at the pinned version
// (scripts/install-temporal-server.sh caches it in .tools/temporal-server/<version>/), on a PostgreSQL of
// our own: the schema set up by deploy/temporal/setup-schema.sh, the server configured the way the
// temporalio/server image configures itself from the compose service's environment (DB, NUM_HISTORY_SHARDS,
// DYNAMIC_CONFIG_FILE_PATH…), with free ports chosen at runtime, and the namespace and search attributes
// set up by deploy/temporal/setup-namespace.sh with the compose file's SEARCH_ATTRIBUTES.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { dieWithParent } from './orphans';
import type { Postgres } from './postgres';
import { freePorts, waitForPort } from './ports';
import { composeEnvironment, composeImageVersion, ROOT } from './compose';

const run = promisify(execFile);

export const COMPOSE_DYNAMIC_CONFIG = path.join(ROOT, 'deploy', 'temporal', 'dynamicconfig', 'production-sql.yaml');
const LOCAL_BIN = path.join(ROOT, '.tools', 'bin');

export interface ServerTools {
  version: string;
  dir: string;
  server: string;
  sqlTool: string;
  schemaRoot: string;
  configTemplate: string;
}

/** The build of the version docker-compose.yml pins, or an error saying how to get it. */
export function serverTools(): ServerTools {
  const version = composeImageVersion('temporal', 'temporalio/server');
  const dir = path.join(ROOT, '.tools', 'temporal-server', version);
  const tools = {
    version,
    dir,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    schemaRoot: path.join(dir, 'schema', 'postgresql', 'v12'),
    configTemplate: path.join(dir, 'config', 'development-postgres12.yaml'),
  };
  const built = existsSync(path.join(dir, '.version')) && readFileSync(path.join(dir, '.version'), 'utf8').trim() === version;
  if (!built || ![tools.server, tools.sqlTool, tools.schemaRoot, tools.configTemplate].every((f) => existsSync(f))) {
    throw new Error(`Temporal server ${version} is not built in ${dir}: run \`bash scripts/install-temporal-server.sh\` (npm run test:production does)`);
  }
  return tools;
}

/** Runs one of deploy/temporal's setup scripts, as the compose one-shot jobs do; its output is returned. */
async function runSetupScript(script: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await run('/bin/sh', [path.join(ROOT, 'deploy', 'temporal', script)], { env, timeout: timeoutMs, encoding: 'utf8' });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`deploy/temporal/${script} failed: ${e.message ?? String(error)}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
  }
}

/** deploy/temporal/setup-schema.sh with the compose `temporal-schema` job's variables, pointed at our PostgreSQL. */
export function setupSchema(tools: ServerTools, pg: Postgres): Promise<string> {
  const compose = composeEnvironment('temporal-schema');
  return runSetupScript(
    'setup-schema.sh',
    {
      ...compose,
      PATH: `${path.dirname(tools.sqlTool)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      SCHEMA_ROOT: tools.schemaRoot,
      SQL_HOST: pg.host,
      SQL_PORT: String(pg.port),
      SQL_USER: pg.user,
      SQL_PASSWORD: pg.password,
      ATTEMPTS: '5',
    },
    120_000,
  );
}

/** deploy/temporal/setup-namespace.sh with the compose `temporal-setup` job's variables (SEARCH_ATTRIBUTES…). */
export function setupNamespace(address: string): Promise<string> {
  const compose = composeEnvironment('temporal-setup');
  return runSetupScript('setup-namespace.sh', { ...compose, PATH: `${LOCAL_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/tmp', TEMPORAL_ADDRESS: address, ATTEMPTS: '60' }, 180_000);
}

/**
 * `temporal-server validate-dynamic-config`: the server's own check of a dynamic config file's keys and
 * values. Returns its findings (`error: …`, `warning: unregistered key …`); [] = the server takes every key.
 */
export async function validateDynamicConfig(tools: ServerTools, file: string): Promise<string[]> {
  let out: string;
  try {
    out = (await run(tools.server, ['validate-dynamic-config', file], { encoding: 'utf8' })).stdout;
  } catch (error) {
    out = (error as { stdout?: string }).stdout ?? String(error);
  }
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(error|warning):/.test(line));
}

/** The compose file's dynamic config plus `extra` keys (a test-only file; the compose one is never changed). */
export function writeDynamicConfig(file: string, extra: Record<string, unknown>): string {
  const values = { ...(parse(readFileSync(COMPOSE_DYNAMIC_CONFIG, 'utf8')) as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) values[key] = [{ value, constraints: {} }];
  writeFileSync(file, `# Test only: ${path.relative(ROOT, COMPOSE_DYNAMIC_CONFIG)} plus ${Object.keys(extra).join(', ')}\n${stringify(values)}`);
  return file;
}

export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
  metrics: number;
}

/**
 * The server's config file: the module's development-postgres12.yaml with what the temporalio/server image
 * takes from docker-compose.yml's `temporal` service (DB plugin, database names, NUM_HISTORY_SHARDS, the
 * dynamic config file, the image's pool sizes and 60 s poll), and this run's PostgreSQL and ports.
 */
export function writeServerConfig(tools: ServerTools, file: string, pg: Postgres, ports: ServerPorts, dynamicConfigFile: string, logFile: string): void {
  const env = composeEnvironment('temporal');
  const config = parse(readFileSync(tools.configTemplate, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const shards = Number(env.NUM_HISTORY_SHARDS);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`docker-compose.yml: temporal NUM_HISTORY_SHARDS is not a number (${env.NUM_HISTORY_SHARDS})`);
  const store = (database: string | undefined, pool: number) => ({
    sql: {
      pluginName: env.DB,
      databaseName: database,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns: pool,
      maxIdleConns: pool,
      maxConnLifetime: '1h',
    },
  });
  config.log = { stdout: false, level: 'warn', outputFile: logFile };
  config.persistence = {
    defaultStore: 'default',
    visibilityStore: 'visibility',
    numHistoryShards: shards,
    datastores: { default: store(env.DBNAME ?? 'temporal', 20), visibility: store(env.VISIBILITY_DBNAME ?? 'temporal_visibility', 10) },
  };
  config.global.membership = { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' };
  config.global.pprof = { port: 0 };
  config.global.metrics = { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` } };
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...extra } });
  config.services = {
    frontend: rpc(ports.frontendGrpc, ports.frontendMembership, { httpPort: ports.frontendHttp }),
    matching: rpc(ports.matchingGrpc, ports.matchingMembership),
    history: rpc(ports.historyGrpc, ports.historyMembership),
    worker: rpc(ports.workerGrpc, ports.workerMembership),
  };
  config.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${ports.frontendGrpc}`;
  config.clusterMetadata.clusterInformation.active.httpAddress = `127.0.0.1:${ports.frontendHttp}`;
  config.dynamicConfigClient = { filepath: dynamicConfigFile, pollInterval: '60s' };
  writeFileSync(file, stringify(config), { mode: 0o600 });
}

export async function chooseServerPorts(): Promise<ServerPorts> {
  const [frontendGrpc, frontendHttp, frontendMembership, historyGrpc, historyMembership, matchingGrpc, matchingMembership, workerGrpc, workerMembership, metrics] =
    (await freePorts(10, 32_768)) as [number, number, number, number, number, number, number, number, number, number];
  return { frontendGrpc, frontendHttp, frontendMembership, historyGrpc, historyMembership, matchingGrpc, matchingMembership, workerGrpc, workerMembership, metrics };
}

/** The server process: start() and stop() may be repeated (a restart keeps its config, ports and data). */
export class TemporalServerProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    private readonly tools: ServerTools,
    private readonly configFile: string,
    readonly ports: ServerPorts,
    readonly logFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.ports.frontendGrpc}`;
  }

  /** The server's process id while it runs (the bench reads its CPU time). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    // stdout/stderr (panics, startup errors) go to the log file beside the server's own log lines.
    const out = openSync(this.logFile, 'a');
    // Under DIE_WITH_PARENT: a test process that dies without its teardown takes the server with it.
    const [command, args] = dieWithParent(this.tools.server, ['--config-file', this.configFile, '--allow-no-auth', 'start']);
    const child = spawn(command, args, { cwd: this.tools.dir, stdio: ['ignore', out, out], env: { PATH: process.env.PATH ?? '' } });
    closeSync(out);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const died = this.exited.then(() => {
      throw new Error(`temporal-server exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${this.logTail()}`);
    });
    await Promise.race([waitForPort(this.ports.frontendGrpc, timeoutMs), died]);
    // Accepting connections is not serving: wait for the frontend's health check, as temporal-setup does.
    await Promise.race([this.waitServing(timeoutMs), died]);
  }

  private async waitServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await run(path.join(LOCAL_BIN, 'temporal'), ['operator', 'cluster', 'health', '--address', this.address], { timeout: 10_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`temporal-server at ${this.address} not SERVING after ${timeoutMs} ms: ${String(error)}\n${this.logTail()}`, { cause: error });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** SIGTERM (the server's graceful stop), SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop(5_000);
  }

  logTail(chars = 6_000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '(no server log)';
    }
  }
}
