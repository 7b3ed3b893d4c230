// The codec endpoint's authentication, against the bridge's real codec listener: CODEC_AUTH_TOKEN (the
// temporal CLI's --codec-auth) and JWTs verified against a local JWKS served by a tiny HTTP server (what
// the Temporal UI forwards with codec.passAccessToken), and the startup warning when neither guards a
// non-loopback listener. No Temporal server: the codec never calls it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import request from 'supertest';
import { type RunningBridge, startBridge } from '../src/bridge/main';
import { capturingLogger } from './support/temporal';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'temporal-codec';
const TOKEN = randomBytes(32).toString('base64url'); // 43 characters
const UI = 'http://localhost:8233';
const sample = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"db down for acct 4471"').toString('base64') };

const { logger, lines } = capturingLogger('codec-auth');
const bridges: RunningBridge[] = [];
let jwks: http.Server;
let jwksUrl: string;
let jwksFetches = 0;
let signing: KeyLike;
let stranger: KeyLike;
const issued: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signing = pair.privateKey;
  stranger = (await generateKeyPair('ES256')).privateKey; // same kid, not in the JWKS: a forged signature
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = http.createServer((req, res) => {
    jwksFetches++;
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.close()));
  await new Promise((resolve) => jwks?.close(resolve));
});

async function bridge(vars: Record<string, string>): Promise<RunningBridge> {
  const running = await startBridge(
    {
      PORT: '0',
      CODEC_PORT: '0',
      BRIDGE_METRICS_ADDRESS: 'off',
      PAGERDUTY_WEBHOOK_SECRETS: 'whsec-codec-auth-test-0001',
      PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      ...vars,
    },
    logger,
  );
  bridges.push(running);
  return running;
}

async function jwt(claims: { iss?: string; aud?: string; exp?: number | null; key?: KeyLike; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let builder = new SignJWT({ email: 'oncall@example.com' })
    .setProtectedHeader({ alg: claims.alg ?? 'ES256', kid: 'k1' })
    .setSubject('user-1')
    .setIssuedAt(now - 60)
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE);
  if (claims.exp !== null) builder = builder.setExpirationTime(claims.exp ?? now + 600);
  const token = await builder.sign(claims.key ?? signing);
  issued.push(token);
  return token;
}

describe('with CODEC_AUTH_TOKEN and CODEC_JWKS_URL', () => {
  let codec: ReturnType<typeof request>;
  let encrypted: unknown;
  beforeAll(async () => {
    const running = await bridge({ CODEC_AUTH_TOKEN: TOKEN, CODEC_JWKS_URL: jwksUrl, CODEC_JWT_ISSUER: ISSUER, CODEC_JWT_AUDIENCE: AUDIENCE });
    codec = request(`http://127.0.0.1:${running.codec?.port}`);
    encrypted = (await codec.post('/codec/encode').set('authorization', `Bearer ${TOKEN}`).send({ payloads: [sample] })).body;
  });

  const decode = (authorization?: string, origin?: string) => {
    const req = codec.post('/codec/decode');
    if (authorization !== undefined) req.set('authorization', authorization);
    if (origin !== undefined) req.set('origin', origin);
    return req.send(encrypted as object);
  };

  it('refuses a request without credentials: 401, WWW-Authenticate: Bearer, a JSON error, nothing decoded', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const res = await codec.post(path).send(path.endsWith('decode') ? (encrypted as object) : { payloads: [sample] });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="codec"');
      expect(res.body).toEqual({ error: expect.stringContaining('Authorization: Bearer') });
      expect(res.body.payloads).toBeUndefined();
    }
  });

  it('answers the CORS preflight without credentials, and a refused browser request can read its 401', async () => {
    const preflight = await codec.options('/codec/decode').set('origin', UI).set('access-control-request-method', 'POST').set('access-control-request-headers', 'authorization, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/);
    const refused = await decode(undefined, UI);
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(UI);
    expect(refused.headers['access-control-expose-headers']).toMatch(/www-authenticate/);
  });

  it('takes the static token (the scheme in any case), and refuses another of the same length', async () => {
    const ok = await decode(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ payloads: [sample] });
    expect((await decode(`bearer ${TOKEN}`)).status).toBe(200);
    const wrong = await decode(`Bearer ${randomBytes(32).toString('base64url')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="codec", error="invalid_token"');
    expect((await decode(TOKEN)).status).toBe(401); // no scheme
    expect((await decode(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(401);
  });

  it('takes a JWT of the issuer for the audience, from the browser too', async () => {
    const res = await decode(`Bearer ${await jwt()}`, UI);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ payloads: [sample] });
    const within = Math.floor(Date.now() / 1000) - 10; // expired 10 s ago: inside the 30 s clock tolerance
    expect((await decode(`Bearer ${await jwt({ exp: within })}`)).status).toBe(200);
  });

  type Claims = { iss?: string; aud?: string; exp?: number | null; key?: 'stranger'; alg?: string };
  it.each<[string, Claims, string]>([
    ['a wrong issuer', { iss: 'https://evil.example.test/' }, 'unexpected "iss" claim value'],
    ['a wrong audience', { aud: 'another-app' }, 'unexpected "aud" claim value'],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }, 'ERR_JWT_EXPIRED'],
    ['a token without expiry', { exp: null }, 'missing required "exp" claim'],
    ['a bad signature', { key: 'stranger' }, 'signature verification failed'],
    ['an HMAC token', { alg: 'HS256' }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
  ])('refuses %s, with the reason in the log', async (_what, claims, reason) => {
    const key = claims.key === 'stranger' ? stranger : claims.alg === 'HS256' ? new Uint8Array(randomBytes(32)) : undefined;
    const token = await jwt({ ...claims, key: key as KeyLike | undefined }); // an HMAC secret is no KeyLike, which is the point
    const before = lines.length;
    const res = await decode(`Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.payloads).toBeUndefined();
    const refusals = lines
      .slice(before)
      .map((line) => JSON.parse(line) as { msg?: string; reason?: string })
      .filter((record) => record.msg === 'codec request refused');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.reason).toContain(reason);
  });

  it('refuses what is not a JWT, and fetches the JWKS once, not per request', async () => {
    expect((await decode('Bearer not.a.jwt')).status).toBe(401);
    expect((await decode('Bearer ')).status).toBe(401);
    expect(jwksFetches).toBeLessThanOrEqual(2); // the first JWT, and at most one refetch for an unknown signature
  });

  it('never logs a credential', () => {
    const all = lines.join('\n');
    expect(lines.some((line) => line.includes('codec request refused'))).toBe(true);
    expect(all).not.toContain(TOKEN);
    for (const token of issued) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[2]);
    }
    expect(all).toContain('bearer token (CODEC_AUTH_TOKEN)'); // what is accepted, in the startup line
  });
});

describe('with an identity provider that cannot be reached', () => {
  it('refuses (401, not 500), saying why', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const running = await bridge({ CODEC_JWKS_URL: `http://127.0.0.1:${port}/jwks`, CODEC_JWT_ISSUER: ISSUER, CODEC_JWT_AUDIENCE: AUDIENCE });
    const before = lines.length;
    const res = await request(`http://127.0.0.1:${running.codec?.port}`).post('/codec/encode').set('authorization', `Bearer ${await jwt()}`).send({ payloads: [sample] });
    expect(res.status).toBe(401);
    expect(lines.slice(before).join('\n')).toMatch(/not a valid JWT: JWKS unavailable: .*ECONNREFUSED/);
  });
});

describe('with CODEC_AUTH_TOKEN only', () => {
  it('takes the token and refuses even a valid JWT', async () => {
    const running = await bridge({ CODEC_AUTH_TOKEN: TOKEN });
    const codec = request(`http://127.0.0.1:${running.codec?.port}`);
    expect((await codec.post('/codec/encode').set('authorization', `Bearer ${TOKEN}`).send({ payloads: [sample] })).status).toBe(200);
    expect((await codec.post('/codec/encode').set('authorization', `Bearer ${await jwt()}`).send({ payloads: [sample] })).status).toBe(401);
    expect((await codec.post('/codec/encode').send({ payloads: [sample] })).status).toBe(401);
  });
});

describe('the startup warning', () => {
  const warned = (from: number) => lines.slice(from).filter((line) => line.includes('without authentication'));

  it('names CODEC_AUTH_TOKEN and CODEC_JWKS_URL when nothing guards a non-loopback codec listener', async () => {
    const before = lines.length;
    await bridge({ CODEC_HOST: '0.0.0.0' });
    const [warning] = warned(before);
    expect(warning).toContain('"level":40');
    expect(warning).toContain('CODEC_AUTH_TOKEN');
    expect(warning).toContain('CODEC_JWKS_URL');
  });

  it('is not given on loopback, nor with a token', async () => {
    const before = lines.length;
    await bridge({});
    await bridge({ CODEC_HOST: '0.0.0.0', CODEC_AUTH_TOKEN: TOKEN });
    expect(warned(before)).toEqual([]);
  });
});
