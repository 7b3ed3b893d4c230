// Who may use the bridge's codec endpoint (/codec/encode, /codec/decode): a static bearer token
// (CODEC_AUTH_TOKEN: the temporal CLI's --codec-auth, a proxy that adds the header) and/or a JWT from an
// identity provider (CODEC_JWKS_URL: what the Temporal UI forwards with codec.passAccessToken). Either
// is accepted when both are set; with neither, whoever reaches the listener can decrypt.
import { z } from 'zod';
import { isLoopbackHost, list, optionalText } from './values';

/** A static token shorter than this is refused: it guards every incident's decrypted data. */
export const MIN_CODEC_TOKEN_LENGTH = 32;

export interface CodecAuthConfig {
  /** Accepted as `Authorization: Bearer <token>`, compared in constant time. */
  token?: string;
  /** A JWT in `Authorization: Bearer <jwt>`, verified against the issuer's published keys. */
  jwt?: { jwksUrl: string; issuer: string; audience: string[] };
}

/** Never echoed: the message counts characters only. */
const codecToken = optionalText.superRefine((token, ctx) => {
  if (token === undefined) return;
  if (token.length < MIN_CODEC_TOKEN_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_CODEC_TOKEN_LENGTH} characters (it has ${token.length}); generate one with: openssl rand -base64 32` });
  } else if (!/^[\x21-\x7e]+$/.test(token)) {
    ctx.addIssue({ code: 'custom', message: 'must be printable ASCII without spaces (it is sent in an HTTP header); generate one with: openssl rand -base64 32' });
  }
});

/** https, or http on loopback only (a local identity provider, a test): the keys decide who may decrypt. */
const jwksUrl = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const shown = url ? `${url.protocol}//${url.host}${url.pathname}` : value;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    ctx.addIssue({ code: 'custom', message: `must be the https URL of the identity provider's JWKS, e.g. https://idp.example.com/.well-known/jwks.json (got "${shown}")` });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: `must not carry credentials (got "${shown}" with a user name or password)` });
    return z.NEVER;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({ code: 'custom', message: `must be https (http only on loopback): the keys fetched from it decide who may decrypt (got "${shown}")` });
    return z.NEVER;
  }
  return url.toString();
});

export const codecAuthFields = {
  CODEC_AUTH_TOKEN: codecToken,
  CODEC_JWKS_URL: jwksUrl,
  CODEC_JWT_ISSUER: optionalText,
  CODEC_JWT_AUDIENCE: list,
};

interface CodecAuthVars {
  CODEC_AUTH_TOKEN?: string;
  CODEC_JWKS_URL?: string;
  CODEC_JWT_ISSUER?: string;
  CODEC_JWT_AUDIENCE: string[];
}

/** CODEC_JWT_ISSUER and CODEC_JWT_AUDIENCE come with CODEC_JWKS_URL, and only with it. */
export function checkCodecAuth(env: CodecAuthVars, ctx: z.RefinementCtx): void {
  if (env.CODEC_JWKS_URL) {
    if (!env.CODEC_JWT_ISSUER) ctx.addIssue({ code: 'custom', path: ['CODEC_JWT_ISSUER'], message: "is required with CODEC_JWKS_URL: the identity provider's issuer (the JWT's iss)" });
    if (env.CODEC_JWT_AUDIENCE.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['CODEC_JWT_AUDIENCE'], message: 'is required with CODEC_JWKS_URL: the audience the JWT must be issued for (its aud), comma-separated if several' });
    }
  } else {
    for (const name of ['CODEC_JWT_ISSUER', 'CODEC_JWT_AUDIENCE'] as const) {
      if (name === 'CODEC_JWT_ISSUER' ? env.CODEC_JWT_ISSUER : env.CODEC_JWT_AUDIENCE.length > 0) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is only used with CODEC_JWKS_URL (set it, or unset this)' });
      }
    }
  }
}

export function codecAuthConfig(env: CodecAuthVars): CodecAuthConfig {
  return {
    token: env.CODEC_AUTH_TOKEN,
    jwt: env.CODEC_JWKS_URL && env.CODEC_JWT_ISSUER ? { jwksUrl: env.CODEC_JWKS_URL, issuer: env.CODEC_JWT_ISSUER, audience: env.CODEC_JWT_AUDIENCE } : undefined,
  };
}
