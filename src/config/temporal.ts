// Where Temporal is and how payloads are encrypted. Connection settings come from
// @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// TEMPORAL_PROFILE / temporal.toml), so Temporal Cloud works unchanged.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from './values';


export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

export function loadTemporalSettings(env: Env = process.env): TemporalSettings {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
    namespace: namespace ?? 'default',
  };
}

export function describeTarget(settings: TemporalSettings): string {
  return `${settings.connectionOptions.address} (namespace ${settings.namespace})`;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class EncryptionConfigError extends Error {
  override name = 'EncryptionConfigError';
}

/**
 * `PAYLOAD_ENCRYPTION_KEYS=key-2024-11:<base64 32 bytes>,key-2024-05:<base64 32 bytes>` — the first key
 * encrypts; all of them decrypt, so old histories stay readable during a rotation.
 */
export function parseEncryptionKeys(text: string | undefined): EncryptionKey[] {
  if (!text || text.trim() === '') return [];
  return text.split(',').map((entry, index) => {
    const [id, material] = entry.trim().split(':');
    if (!id || !material || !/^[\w.-]{1,64}$/.test(id)) {
      throw new EncryptionConfigError(`PAYLOAD_ENCRYPTION_KEYS: entry ${index + 1} must be <key id>:<base64 key>`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      throw new EncryptionConfigError(`PAYLOAD_ENCRYPTION_KEYS: key "${id}" must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
    }
    return { id, key };
  });
}

export function loadEncryptionKeys(env: Env = process.env): EncryptionKey[] {
  return parseEncryptionKeys(env.PAYLOAD_ENCRYPTION_KEYS);
}
