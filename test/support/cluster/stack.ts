// The whole production shape for one test file (test/production/): PostgreSQL, the Temporal server of
// docker-compose.yml with its schema, namespace and search attributes set up by the compose jobs' scripts,
// the fake Devin and PagerDuty APIs, and any number of worker and bridge processes against them. Started
// once in beforeAll; teardown() (afterAll) stops everything even after a failure, and a test process that
// dies without teardown still takes the server, the apps and PostgreSQL with it (orphans.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadTemporalSettings } from '../../../src/config/temporal';
import { DEFAULT_TASK_QUEUE } from '../../../src/config';
import { createLazyClient } from '../../../src/temporal/connection';
import { FakeDevinApi } from '../../fakes/devin-api';
import { FakePagerDutyApi } from '../../fakes/pagerduty-api';
import { fakeApiVars } from '../pipeline';
import { appEntry, type AppProcess, startApp, workflowBundleFor } from './apps';
import { reapAfterExit } from './orphans';
import { freePort } from './ports';
import { type Postgres, startPostgres } from './postgres';
import {
  chooseServerPorts,
  COMPOSE_DYNAMIC_CONFIG,
  serverTools,
  type ServerTools,
  setupNamespace,
  setupSchema,
  TemporalServerProcess,
  validateDynamicConfig,
  writeDynamicConfig,
  writeServerConfig,
} from './temporal-server';

export const NAMESPACE = 'default';

export interface StackOptions {
  /** For the output and the temp dir's name. */
  name: string;
  /** Dynamic config keys on top of the compose file's, in a test-only file (e.g. fast drainage). */
  extraDynamicConfig?: Record<string, unknown>;
}

export interface RunningBridgeProcess extends AppProcess {
  port: number;
  url: string;
}

export interface Stack {
  address: string;
  namespace: string;
  taskQueue: string;
  client: Client;
  server: TemporalServerProcess;
  tools: ServerTools;
  postgres: Postgres;
  devin: FakeDevinApi;
  pagerDuty: FakePagerDutyApi;
  workDir: string;
  /** Random for this run: the bridges' PagerDuty v3 signing secret. */
  signingSecret: string;
  /** The worker variables every worker gets (server, fakes, fast polling, the bundle). */
  workerEnv: Record<string, string>;
  /** The namespace's custom search attributes right after setup-namespace.sh, before any worker ran (name → type). */
  searchAttributesAtSetup: Record<string, string>;
  /** Every app process started, alive or not. */
  apps: AppProcess[];
  /** What runs: the commands, the bundle, the server and PostgreSQL versions, setup timings. */
  summary: string;
  startWorker(name: string, extra?: Record<string, string>): Promise<AppProcess>;
  startBridge(name: string, extra?: Record<string, string>): Promise<RunningBridgeProcess>;
  /** The apps' and the server's recent output, for a failure message. */
  logs(): string;
  teardown(): Promise<void>;
}

const secret = (bytes: number) => randomBytes(bytes).toString('hex');

export async function startStack(options: StackOptions): Promise<Stack> {
  const t0 = Date.now();
  const timings: string[] = [];
  const mark = (what: string, since: number) => timings.push(`${what} ${((Date.now() - since) / 1000).toFixed(1)}s`);
  const tools = serverTools();
  const workDir = mkdtempSync(path.join(os.tmpdir(), `pm-${options.name}-`));
  // The apps and the server die with this process (orphans.ts); their dir is removed after it, too.
  const reaper = reapAfterExit('sleep 1; rm -rf "$1"', [workDir]);
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(workDir, { recursive: true, force: true }), () => reaper.cancel()];
  const apps: AppProcess[] = [];
  /** App starts still under way: teardown waits for them, so that none comes up after it. */
  const starting = new Set<Promise<AppProcess>>();
  const track = (start: Promise<AppProcess>) => {
    starting.add(start);
    void start.then((app) => apps.push(app), () => undefined).finally(() => starting.delete(start));
    return start;
  };
  const teardown = async () => {
    await Promise.allSettled([...starting]);
    await Promise.allSettled(apps.map((a) => a.kill()));
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`${options.name} teardown:`, error);
      }
    }
  };

  try {
    let t = Date.now();
    const [postgres, devin, pagerDuty] = await Promise.all([
      startPostgres(),
      FakeDevinApi.start({ apiKey: `cog_${secret(16)}`, listLagMs: 100 }),
      FakePagerDutyApi.start({ token: `u+${secret(10)}` }),
    ]);
    cleanups.push(() => postgres.stop(), () => devin.close(), () => pagerDuty.close());
    mark('postgres', t);

    t = Date.now();
    await setupSchema(tools, postgres);
    mark('schema (deploy/temporal/setup-schema.sh)', t);

    const dynamicConfig = options.extraDynamicConfig ? writeDynamicConfig(path.join(workDir, 'dynamicconfig.yaml'), options.extraDynamicConfig) : COMPOSE_DYNAMIC_CONFIG;
    const findings = await validateDynamicConfig(tools, dynamicConfig);
    if (findings.length > 0) throw new Error(`temporal-server ${tools.version} does not accept ${dynamicConfig}: ${findings.join('; ')}`);
    const ports = await chooseServerPorts();
    const configFile = path.join(workDir, 'temporal-server.yaml');
    writeServerConfig(tools, configFile, postgres, ports, dynamicConfig, path.join(workDir, 'temporal-server.log'));
    const server = new TemporalServerProcess(tools, configFile, ports, path.join(workDir, 'temporal-server.log'));
    cleanups.push(() => server.dispose());
    t = Date.now();
    const bundling = workflowBundleFor(workDir);
    bundling.catch(() => undefined);
    await server.start();
    mark('server', t);
    t = Date.now();
    await setupNamespace(server.address);
    mark('namespace (deploy/temporal/setup-namespace.sh)', t);

    const client = createLazyClient(loadTemporalSettings({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE }));
    cleanups.push(() => client.connection.close());
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    const searchAttributesAtSetup = Object.fromEntries(
      Object.entries(customAttributes ?? {}).map(([name, type]) => [name, temporal.api.enums.v1.IndexedValueType[type as number] ?? String(type)]),
    );
    const bundle = await bundling;

    const postmortems = path.join(workDir, 'postmortems');
    mkdirSync(postmortems);
    const common = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, LOG_LEVEL: 'info', HOME: workDir };
    const workerEnv: Record<string, string> = {
      ...common,
      ...fakeApiVars(devin, pagerDuty),
      WORKFLOW_BUNDLE_PATH: bundle.path,
      POSTMORTEM_OUTPUT_DIR: postmortems,
      DEVIN_POLL_INTERVAL: '1s',
      DEVIN_MAX_WAIT: '10m',
      DEVIN_LIST_LAG: '2s',
      RESOLVE_QUIET_PERIOD: '0s',
      HTTP_TIMEOUT: '5s',
      // The product's cap (10 a minute) would space a test's sessions 6 s apart; the cap has its own test.
      DEVIN_MAX_SESSIONS_PER_MINUTE: '600',
    };
    const signingSecret = secret(32);
    const summary =
      `Temporal server ${tools.version} (${path.relative(process.cwd(), tools.server)}) on ${postgres.version}, ` +
      `dynamic config ${path.basename(dynamicConfig)}${options.extraDynamicConfig ? ` (test-only: ${path.relative(process.cwd(), COMPOSE_DYNAMIC_CONFIG)} + ${Object.keys(options.extraDynamicConfig).join(', ')})` : ''}; ` +
      `worker: ${appEntry('worker').command}; bridge: ${appEntry('bridge').command}; workflow bundle: ${bundle.source}; ` +
      `setup ${((Date.now() - t0) / 1000).toFixed(1)}s (${timings.join(', ')})`;

    const stack: Stack = {
      address: server.address,
      namespace: NAMESPACE,
      taskQueue: DEFAULT_TASK_QUEUE,
      client,
      server,
      tools,
      postgres,
      devin,
      pagerDuty,
      workDir,
      signingSecret,
      workerEnv,
      searchAttributesAtSetup,
      apps,
      summary,
      startWorker(name, extra = {}) {
        return track(startApp('worker', name, { ...workerEnv, ...extra }));
      },
      async startBridge(name, extra = {}) {
        const port = await freePort();
        const app = await track(startApp('bridge', name, { ...common, PORT: String(port), BRIDGE_METRICS_ADDRESS: 'off', PAGERDUTY_WEBHOOK_SECRETS: signingSecret, ...extra }));
        return Object.assign(app, { port, url: `http://127.0.0.1:${port}/webhooks/pagerduty` });
      },
      logs() {
        const parts = apps.map((a) => `--- ${a.name} (${a.app}, pid ${a.child.pid}, exit ${a.child.exitCode}, signal ${a.child.signalCode}) ---\n${a.output().slice(-4_000)}`);
        return [...parts, `--- temporal-server ---\n${server.logTail(4_000)}`].join('\n');
      },
      teardown,
    };
    return stack;
  } catch (error) {
    await teardown();
    throw error;
  }
}
