// `npm run bench -- --server cluster`: the A/B pair again on the production topology's server — the
// Temporal server docker-compose.yml pins, built from its Go module, on a throwaway PostgreSQL, set up by
// the compose deployment's own scripts (the same pieces as `npm run test:production`, test/support/cluster/).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../test/support/cluster/postgres';
import {
  chooseServerPorts,
  COMPOSE_DYNAMIC_CONFIG,
  serverTools,
  setupNamespace,
  setupSchema,
  TemporalServerProcess,
  writeServerConfig,
} from '../test/support/cluster/temporal-server';

export interface ClusterServer {
  address: string;
  namespace: string;
  /** The temporal-server process (PostgreSQL's own CPU is not counted). */
  pid: number | undefined;
  description: string;
  stop(): Promise<void>;
}

export async function startClusterServer(): Promise<ClusterServer> {
  const tools = serverTools(); // says how to build it when it is not there
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'pm-bench-cluster-'));
  const postgres = await startPostgres();
  let server: TemporalServerProcess | undefined;
  const stop = async () => {
    await server?.dispose();
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await setupSchema(tools, postgres);
    const ports = await chooseServerPorts();
    const configFile = path.join(workDir, 'temporal-server.yaml');
    const logFile = path.join(workDir, 'temporal-server.log');
    writeServerConfig(tools, configFile, postgres, ports, COMPOSE_DYNAMIC_CONFIG, logFile);
    server = new TemporalServerProcess(tools, configFile, ports, logFile);
    await server.start();
    await setupNamespace(server.address);
    return {
      address: server.address,
      namespace: 'default',
      pid: server.pid,
      description: `temporal-server ${tools.version} (go.temporal.io/server) on PostgreSQL ${postgres.version}, docker-compose.yml's configuration`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
