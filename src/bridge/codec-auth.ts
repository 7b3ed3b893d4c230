// Authentication of the codec endpoint: `Authorization: Bearer <credential>`, where the credential is
// CODEC_AUTH_TOKEN (compared in constant time) or a JWT verified against the identity provider's JWKS
// (signature, issuer, audience, expiry, with a bounded clock tolerance). The credential itself never
// reaches a log line or an error message: only why it was refused.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { CodecAuthConfig } from '../config/codec-auth';

/** How far a JWT's exp/nbf/iat may be off from this machine's clock. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;
/** Asymmetric signatures only: the JWKS holds public keys, so an HMAC or "none" token proves nothing. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export type CodecAuthResult = { ok: true; via: 'token' | 'jwt'; subject?: string } | { ok: false; reason: string; credentialGiven: boolean };

export interface CodecAuthenticator {
  (authorization: string | undefined): Promise<CodecAuthResult>;
  /** What is accepted, for the startup log: never a credential. */
  accepts: string[];
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal-length digests: the comparison takes the same time whatever the credential's length or content. */
function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** jose's codes and messages name the failed check ("exp" claim timestamp check failed), never the token. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return `JWKS unavailable: ${error instanceof Error ? error.message : String(error)}`;
}

/** undefined when neither CODEC_AUTH_TOKEN nor CODEC_JWKS_URL is set: the endpoint is open. */
export function createCodecAuthenticator(config: CodecAuthConfig): CodecAuthenticator | undefined {
  const { token, jwt } = config;
  if (!token && !jwt) return undefined;
  const expected = token ? digest(token) : undefined;
  const keys = jwt ? createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }) : undefined;

  const authenticate = async (authorization: string | undefined): Promise<CodecAuthResult> => {
    if (!authorization) return { ok: false, reason: 'no Authorization header', credentialGiven: false };
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    const credential = match?.[1];
    if (!credential) return { ok: false, reason: 'Authorization is not "Bearer <credential>"', credentialGiven: true };
    if (expected && sameSecret(credential, expected)) return { ok: true, via: 'token' };
    if (!jwt || !keys) return { ok: false, reason: 'the bearer credential is not CODEC_AUTH_TOKEN', credentialGiven: true };
    try {
      const { payload } = await jwtVerify(credential, keys, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: JWT_ALGORITHMS,
        clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      });
      return { ok: true, via: 'jwt', subject: typeof payload.sub === 'string' ? payload.sub : undefined };
    } catch (error) {
      const reason = reasonOf(error);
      return { ok: false, reason: expected ? `not CODEC_AUTH_TOKEN, and not a valid JWT: ${reason}` : `not a valid JWT: ${reason}`, credentialGiven: true };
    }
  };
  const accepts = [
    token ? 'bearer token (CODEC_AUTH_TOKEN)' : undefined,
    jwt ? `JWT from ${jwt.issuer} for ${jwt.audience.join(', ')} (keys: ${new URL(jwt.jwksUrl).origin}${new URL(jwt.jwksUrl).pathname})` : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  return Object.assign(authenticate, { accepts });
}
