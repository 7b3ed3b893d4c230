// Temporal connection settings come from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / temporal.toml), so Temporal Cloud works unchanged.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

export function loadTemporalSettings(env: Record<string, string | undefined> = process.env): TemporalSettings {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
    namespace: namespace ?? 'default',
  };
}

/**
 * A lazy connection: the bridge starts and answers 503 while Temporal is unreachable, rather than
 * refusing to start, so PagerDuty keeps retrying instead of losing events.
 */
export function createLazyClient(settings: TemporalSettings, dataConverter?: DataConverter): Client {
  const { address, tls, apiKey, metadata } = settings.connectionOptions;
  const connection = Connection.lazy({ address, tls, apiKey, metadata, connectTimeout: '3s' });
  return new Client({ connection, namespace: settings.namespace, dataConverter });
}

export function describeTarget(settings: TemporalSettings): string {
  return `${settings.connectionOptions.address} (namespace ${settings.namespace})`;
}
