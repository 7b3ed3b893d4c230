// The one place Temporal connections and clients are made, for every process: the bridge (lazy), the
// CLI and the simulator (connect now, fail fast), the worker (native connection).
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { TemporalSettings } from '../config/temporal';

function clientOptions(settings: TemporalSettings) {
  const { address, tls, apiKey, metadata } = settings.connectionOptions;
  return { address, tls, apiKey, metadata };
}

/**
 * A lazy connection: the bridge starts and answers 503 while Temporal is unreachable, rather than
 * refusing to start, so PagerDuty keeps retrying instead of losing events.
 */
export function createLazyClient(settings: TemporalSettings, dataConverter?: DataConverter): Client {
  const connection = Connection.lazy({ ...clientOptions(settings), connectTimeout: '3s' });
  return new Client({ connection, namespace: settings.namespace, dataConverter });
}

export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

/** Connects now (a CLI command should fail fast when Temporal is down). */
export async function connectClient(
  settings: TemporalSettings,
  options: { dataConverter?: DataConverter; connectTimeout?: string } = {},
): Promise<ConnectedClient> {
  const connection = await Connection.connect({ ...clientOptions(settings), connectTimeout: (options.connectTimeout ?? '5s') as '5s' });
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: options.dataConverter });
  return { client, close: () => connection.close() };
}

/**
 * The worker's connection (Rust core). Loaded on use: @temporalio/worker brings webpack and the native
 * core, which the bridge and the CLI should not pay for at startup.
 */
export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(settings.connectionOptions);
}
