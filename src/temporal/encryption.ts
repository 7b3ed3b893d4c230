// Optional encryption at rest in Temporal: every payload (webhook events, evidence, prompts, results)
// is AES-256-GCM encrypted before it leaves the process, with key ids so keys can be rotated.
// Search attributes are not payloads: they stay in clear, which is why they never hold incident text.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { type EncryptionKey, EncryptionConfigError, loadEncryptionKeys } from '../config/temporal';

export { EncryptionConfigError, parseEncryptionKeys } from '../config/temporal';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  // #private, not `private`: invisible to JSON.stringify, util.inspect and the SDK's debug records of
  // the worker's options, so no logger can print the key bytes.
  readonly #current: EncryptionKey;
  readonly #byId: Map<string, Buffer>;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new EncryptionConfigError('EncryptionCodec needs at least one key');
    this.#current = keys[0] as EncryptionKey;
    this.#byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** What a log line may say about the codec: the key ids, never the keys. */
  toJSON(): { codec: string; keyIds: string[] } {
    return { codec: ENCRYPTED_ENCODING, keyIds: [...this.#byId.keys()] };
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.#current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), 'encryption-key-id': Buffer.from(current.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString();
      const key = this.#byId.get(keyId);
      if (!key) throw new EncryptionConfigError(`payload encrypted with unknown key id "${keyId}": add it to PAYLOAD_ENCRYPTION_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv(ALGORITHM, key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/**
 * The data converter for clients and workers: none when no keys are configured. Failures too: their
 * message and stack trace (which can quote an incident's text or an API's answer) move into an encoded
 * payload, so the history shows "Encoded failure" until the codec decodes it.
 */
export function encryptionDataConverter(env: Record<string, string | undefined> = process.env) {
  const keys = loadEncryptionKeys(env);
  return keys.length > 0 ? { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: ENCODED_FAILURES_PATH } : undefined;
}

/** ./encoded-failures, wherever it is loaded from (tsx, the compiled build). */
export const ENCODED_FAILURES_PATH = require.resolve('./encoded-failures');
