import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, DEFAULT_CODEC_PORT, DEFAULT_MAX_CACHED_WORKFLOWS, loadBridgeConfig, loadWorkerConfig } from '../src/config';
import { checkingIntervalFor } from '../src/bridge/listener';
import { deploymentOptions } from '../src/worker/postmortem-worker';
import { formatDuration, parseDuration } from '../src/domain/duration';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['6h', 21_600_000],
    ['2d', 172_800_000],
    ['1.5h', 5_400_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '30', 'ten minutes', '5 m', '-1s', '1w'])('rejects %p', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats for humans', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(21_600_000)).toBe('6h');
    expect(formatDuration(1_500_000)).toBe('25m');
  });
});

describe('bridge configuration', () => {
  /** A webhook secret long enough to be accepted (16 characters or more). */
  const SECRET = 'shared-test-secret-0001';

  it('refuses to start without any webhook secret, naming the variables', () => {
    expect(() => loadBridgeConfig({})).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: '  ' })).toThrow(/PAGERDUTY_WEBHOOK_SECRETS.*WEBHOOK_SECRET/s);
  });

  it('reads comma-separated signing secrets for rotation, and defaults', () => {
    const config = loadBridgeConfig({ PAGERDUTY_WEBHOOK_SECRETS: 'old-signing-secret-1, new-signing-secret-2,' });
    expect(config.webhookSigningSecrets).toEqual(['old-signing-secret-1', 'new-signing-secret-2']);
    expect(config.port).toBe(3000);
    expect(config.taskQueue).toBe('incident-postmortems');
  });

  it.each([
    [{ WEBHOOK_SECRET: 'x' }, /WEBHOOK_SECRET: must be at least 16 characters \(it has 1\)/],
    [{ WEBHOOK_SECRET: 'fifteen-chars!!' }, /WEBHOOK_SECRET: must be at least 16 characters \(it has 15\)/],
    [{ PAGERDUTY_WEBHOOK_SECRETS: 'short' }, /PAGERDUTY_WEBHOOK_SECRETS: entry 1 of 1 must be at least 16 characters \(it has 5\)/],
    [{ PAGERDUTY_WEBHOOK_SECRETS: `${SECRET},tiny` }, /PAGERDUTY_WEBHOOK_SECRETS: entry 2 of 2 must be at least 16 characters \(it has 4\)/],
  ])('refuses a webhook secret shorter than 16 characters, never echoing it: %p', (vars, message) => {
    let error: unknown;
    try {
      loadBridgeConfig(vars);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    for (const value of Object.values(vars)) for (const part of value.split(',')) expect((error as Error).message).not.toContain(`"${part}"`);
    expect((error as Error).message).not.toMatch(/"(x|short|tiny|fifteen-chars!!)"|\b(short|tiny)\b/);
  });

  it('reads GITHUB_WEBHOOK_SECRET (optional, at least 16 characters), never quoting a short one', () => {
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET }).githubWebhookSecret).toBeUndefined();
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, GITHUB_WEBHOOK_SECRET: '  ' }).githubWebhookSecret).toBeUndefined();
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, GITHUB_WEBHOOK_SECRET: 'github-hook-secret-16' }).githubWebhookSecret).toBe('github-hook-secret-16');
    let error: unknown;
    try {
      loadBridgeConfig({ WEBHOOK_SECRET: SECRET, GITHUB_WEBHOOK_SECRET: 'gh-short-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/GITHUB_WEBHOOK_SECRET: must be at least 16 characters \(it has 15\)/);
    expect((error as Error).message).not.toContain('gh-short-secret');
  });

  it('does not take GITHUB_WEBHOOK_SECRET as a way to authenticate PagerDuty', () => {
    expect(() => loadBridgeConfig({ GITHUB_WEBHOOK_SECRET: 'github-hook-secret-16' })).toThrow(/PAGERDUTY_WEBHOOK_SECRETS.*WEBHOOK_SECRET/s);
  });

  it("accepts 16 characters, PagerDuty's own signing secrets and npm run dev's", () => {
    expect(loadBridgeConfig({ WEBHOOK_SECRET: 'sixteen-chars-ok' }).sharedWebhookSecret).toBe('sixteen-chars-ok');
    // A subscription's signing secret as PagerDuty issues it (the go-pagerduty test vector): 64 characters.
    const published = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'published', 'pagerduty', 'go-pagerduty-incident.priority_updated.signature.json'), 'utf8')) as { secret: string };
    expect(loadBridgeConfig({ PAGERDUTY_WEBHOOK_SECRETS: published.secret }).webhookSigningSecrets).toEqual([published.secret]);
    // `npm run dev` generates 24 random bytes as base64url: 32 characters.
    expect(loadBridgeConfig({ PAGERDUTY_WEBHOOK_SECRETS: randomBytes(24).toString('base64url') }).webhookSigningSecrets).toHaveLength(1);
  });

  it('names a bad PORT', () => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: SECRET, PORT: 'eighty' })).toThrow(/PORT: must be a port number/);
  });

  it('puts the codec endpoint on its own port, on loopback, for the dev UI origin by default', () => {
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET }).codec).toEqual({ port: DEFAULT_CODEC_PORT, host: '127.0.0.1', allowedOrigins: ['http://localhost:8233'] });
    expect(DEFAULT_CODEC_PORT).not.toBe(loadBridgeConfig({ WEBHOOK_SECRET: SECRET }).port);
    const config = loadBridgeConfig({ WEBHOOK_SECRET: SECRET, CODEC_PORT: '9443', CODEC_HOST: '0.0.0.0', CODEC_CORS_ORIGINS: 'http://localhost:8080/, https://temporal.example.com' });
    expect(config.codec).toEqual({ port: 9443, host: '0.0.0.0', allowedOrigins: ['http://localhost:8080', 'https://temporal.example.com'] });
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, CODEC_HOST: '[::1]' }).codec.host).toBe('::1');
    // Both ephemeral (tests): two different ports in the end.
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, PORT: '0', CODEC_PORT: '0' }).codec.port).toBe(0);
  });

  it('limits slow and idle clients on every listener, and serves metrics on loopback, by default', () => {
    const config = loadBridgeConfig({ WEBHOOK_SECRET: SECRET });
    expect(config.listener).toEqual({ requestTimeoutMs: 10_000, headersTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000, maxConnections: 256 });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9465 });
    // Node checks the timeouts on a timer: often enough for the shortest to hold.
    expect(checkingIntervalFor(config.listener)).toBe(1_000);
    expect(checkingIntervalFor({ ...config.listener, headersTimeoutMs: 500, requestTimeoutMs: 1_000 })).toBe(100);
  });

  it('reads the listener limits and BRIDGE_METRICS_ADDRESS', () => {
    const config = loadBridgeConfig({
      WEBHOOK_SECRET: SECRET,
      BRIDGE_REQUEST_TIMEOUT: '30s',
      BRIDGE_HEADERS_TIMEOUT: '2s',
      BRIDGE_KEEP_ALIVE_TIMEOUT: '65s',
      BRIDGE_MAX_CONNECTIONS: '1000',
      BRIDGE_METRICS_ADDRESS: '0.0.0.0:9100',
    });
    expect(config.listener).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 2_000, keepAliveTimeoutMs: 65_000, maxConnections: 1000 });
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, BRIDGE_METRICS_ADDRESS: '[::1]:9465' }).metrics).toEqual({ host: '::1', port: 9465 });
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, BRIDGE_METRICS_ADDRESS: 'off' }).metrics).toBeUndefined();
    expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, BRIDGE_METRICS_ADDRESS: '' }).metrics).toEqual({ host: '127.0.0.1', port: 9465 });
  });

  it.each([
    [{ BRIDGE_REQUEST_TIMEOUT: 'soon' }, /BRIDGE_REQUEST_TIMEOUT: must be a duration/],
    [{ BRIDGE_REQUEST_TIMEOUT: '10ms' }, /BRIDGE_REQUEST_TIMEOUT: must be at least 100ms/],
    [{ BRIDGE_REQUEST_TIMEOUT: '4s' }, /BRIDGE_HEADERS_TIMEOUT: must not be longer than BRIDGE_REQUEST_TIMEOUT/],
    [{ BRIDGE_KEEP_ALIVE_TIMEOUT: '0s' }, /BRIDGE_KEEP_ALIVE_TIMEOUT: must be at least 100ms/],
    [{ BRIDGE_MAX_CONNECTIONS: '0' }, /BRIDGE_MAX_CONNECTIONS: must be a positive whole number/],
    [{ BRIDGE_METRICS_ADDRESS: '9465' }, /BRIDGE_METRICS_ADDRESS: must be host:port to listen on/],
    [{ BRIDGE_METRICS_ADDRESS: 'http://127.0.0.1:9465' }, /BRIDGE_METRICS_ADDRESS: must be host:port/],
    [{ BRIDGE_METRICS_ADDRESS: '127.0.0.1:99999' }, /BRIDGE_METRICS_ADDRESS: must be host:port/],
    [{ BRIDGE_METRICS_ADDRESS: '127.0.0.1:3000' }, /BRIDGE_METRICS_ADDRESS: port 3000 must differ from PORT and CODEC_PORT/],
    [{ BRIDGE_METRICS_ADDRESS: '0.0.0.0:3001' }, /BRIDGE_METRICS_ADDRESS: port 3001 must differ from PORT and CODEC_PORT/],
  ])('names a bad listener setting %p', (vars, message) => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...vars })).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...vars })).toThrow(message);
  });

  describe('codec endpoint authentication', () => {
    const TOKEN = 'c'.repeat(32);
    const JWT = { CODEC_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json', CODEC_JWT_ISSUER: 'https://idp.example.com/', CODEC_JWT_AUDIENCE: 'temporal-ui, codec' };

    it('is off by default; takes a token, a JWKS with its issuer and audiences, or both', () => {
      expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET }).codecAuth).toEqual({ token: undefined, jwt: undefined });
      expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, CODEC_AUTH_TOKEN: TOKEN }).codecAuth).toEqual({ token: TOKEN, jwt: undefined });
      const both = loadBridgeConfig({ WEBHOOK_SECRET: SECRET, CODEC_AUTH_TOKEN: TOKEN, ...JWT }).codecAuth;
      expect(both).toEqual({ token: TOKEN, jwt: { jwksUrl: JWT.CODEC_JWKS_URL, issuer: 'https://idp.example.com/', audience: ['temporal-ui', 'codec'] } });
      // http only on loopback (a local identity provider, the tests).
      for (const url of ['http://127.0.0.1:8080/jwks', 'http://localhost:8080/jwks', 'http://[::1]:8080/jwks']) {
        expect(loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...JWT, CODEC_JWKS_URL: url }).codecAuth.jwt?.jwksUrl).toBe(url);
      }
    });

    it.each([
      [{ CODEC_AUTH_TOKEN: 'short-token' }, /CODEC_AUTH_TOKEN: must be at least 32 characters \(it has 11\)/],
      [{ CODEC_AUTH_TOKEN: `${'x'.repeat(20)} ${'y'.repeat(20)}` }, /CODEC_AUTH_TOKEN: must be printable ASCII without spaces/],
      [{ ...JWT, CODEC_JWKS_URL: 'http://idp.example.com/jwks' }, /CODEC_JWKS_URL: must be https \(http only on loopback\)/],
      [{ ...JWT, CODEC_JWKS_URL: 'idp.example.com/jwks' }, /CODEC_JWKS_URL: must be the https URL of the identity provider's JWKS/],
      [{ ...JWT, CODEC_JWKS_URL: 'https://user:pw@idp.example.com/jwks' }, /CODEC_JWKS_URL: must not carry credentials/],
      [{ ...JWT, CODEC_JWT_ISSUER: '' }, /CODEC_JWT_ISSUER: is required with CODEC_JWKS_URL/],
      [{ ...JWT, CODEC_JWT_AUDIENCE: ' , ' }, /CODEC_JWT_AUDIENCE: is required with CODEC_JWKS_URL/],
      [{ CODEC_JWT_ISSUER: 'https://idp.example.com/' }, /CODEC_JWT_ISSUER: is only used with CODEC_JWKS_URL/],
      [{ CODEC_JWT_AUDIENCE: 'codec' }, /CODEC_JWT_AUDIENCE: is only used with CODEC_JWKS_URL/],
    ])('names a bad setting %p, never quoting a token', (vars, message) => {
      let error: unknown;
      try {
        loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...vars });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      if ('CODEC_AUTH_TOKEN' in vars) expect((error as Error).message).not.toContain(vars.CODEC_AUTH_TOKEN);
      expect((error as Error).message).not.toContain(':pw@');
    });
  });

  it.each([
    [{ CODEC_PORT: '70000' }, /CODEC_PORT: must be a port number 0-65535 \(got "70000"\)/],
    [{ CODEC_PORT: 'codec' }, /CODEC_PORT: must be a port number/],
    [{ CODEC_PORT: '3000' }, /CODEC_PORT: must differ from PORT \(both 3000\)/],
    [{ PORT: '8080', CODEC_PORT: '8080' }, /CODEC_PORT: must differ from PORT \(both 8080\)/],
    [{ CODEC_HOST: 'http://0.0.0.0' }, /CODEC_HOST: must be an IP address or host name/],
    [{ CODEC_CORS_ORIGINS: 'localhost:8233' }, /CODEC_CORS_ORIGINS: must be comma-separated origins/],
    [{ CODEC_CORS_ORIGINS: 'http://localhost:8233/codec' }, /CODEC_CORS_ORIGINS: must be comma-separated origins .*got "http:\/\/localhost:8233\/codec"/],
  ])('names a bad codec setting %p', (vars, message) => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...vars })).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: SECRET, ...vars })).toThrow(message);
  });
});

describe('worker configuration', () => {
  it('defaults to dry run and webhook-only context', () => {
    const config = loadWorkerConfig({});
    expect(config.devin).toBeUndefined();
    expect(config.pagerDuty).toBeUndefined();
    expect(config.devinPollIntervalMs).toBe(30_000);
    expect(config.devinMaxWaitMs).toBe(6 * 3_600_000);
    expect(config.devinBaseUrl).toBe('https://api.devin.ai/v3');
    expect(config.pagerDutyBaseUrl).toBe('https://api.pagerduty.com');
  });

  it('requires DEVIN_ORG_ID with DEVIN_API_KEY', () => {
    expect(() => loadWorkerConfig({ DEVIN_API_KEY: 'cog_x' })).toThrow(/DEVIN_ORG_ID: is required when DEVIN_API_KEY is set/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ DEVIN_POLL_INTERVAL: 'often', DEVIN_API_BASE_URL: 'ftp://x', PAGERDUTY_API_BASE_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DEVIN_POLL_INTERVAL: must be a duration like 30s, 10m or 6h \(got "often"\)/);
    expect(message).toMatch(/DEVIN_API_BASE_URL: must be an http\(s\) URL/);
    expect(message).toMatch(/PAGERDUTY_API_BASE_URL: must be an http\(s\) URL/);
  });

  it('builds the API settings and trims trailing slashes', () => {
    const config = loadWorkerConfig({
      DEVIN_API_KEY: 'cog_key',
      DEVIN_ORG_ID: 'org-1',
      DEVIN_API_BASE_URL: 'http://127.0.0.1:9/v3/',
      PAGERDUTY_API_TOKEN: 'pd-token',
      DEVIN_POLL_INTERVAL: '5s',
      DEVIN_MAX_WAIT: '2h',
    });
    expect(config.devin).toEqual({ apiKey: 'cog_key', orgId: 'org-1', baseUrl: 'http://127.0.0.1:9/v3' });
    expect(config.pagerDuty).toEqual({ token: 'pd-token', baseUrl: 'https://api.pagerduty.com' });
    expect(config.devinPollIntervalMs).toBe(5_000);
    expect(config.devinMaxWaitMs).toBe(7_200_000);
  });

  it('bounds the workflow cache (WORKER_MAX_CACHED_WORKFLOWS)', () => {
    expect(loadWorkerConfig({}).workerMaxCachedWorkflows).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1000' }).workerMaxCachedWorkflows).toBe(1000);
    expect(() => loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS: must be a positive whole number/);
  });

  it('has V8 favour memory in the worker unless WORKER_OPTIMIZE_FOR_SIZE=false', () => {
    expect(loadWorkerConfig({}).workerOptimizeForSize).toBe(true);
    expect(loadWorkerConfig({ WORKER_OPTIMIZE_FOR_SIZE: 'false' }).workerOptimizeForSize).toBe(false);
    expect(() => loadWorkerConfig({ WORKER_OPTIMIZE_FOR_SIZE: 'sometimes' })).toThrow(/WORKER_OPTIMIZE_FOR_SIZE: must be true or false/);
  });

  it('joins a Worker Deployment only with WORKER_BUILD_ID; WORKER_DEPLOYMENT_NAME defaults to the package name', () => {
    expect(loadWorkerConfig({}).workerDeployment).toBeUndefined();
    expect(deploymentOptions(loadWorkerConfig({}))).toEqual({});
    const packageName = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { name: string }).name;
    const versioned = loadWorkerConfig({ WORKER_BUILD_ID: '0.1.0-3f2a9c1' });
    expect(versioned.workerDeployment).toEqual({ deploymentName: packageName, buildId: '0.1.0-3f2a9c1' });
    expect(deploymentOptions(versioned)).toEqual({
      workerDeploymentOptions: { version: { deploymentName: packageName, buildId: '0.1.0-3f2a9c1' }, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' },
    });
    expect(loadWorkerConfig({ WORKER_BUILD_ID: 'b2', WORKER_DEPLOYMENT_NAME: 'postmortems-eu' }).workerDeployment).toEqual({ deploymentName: 'postmortems-eu', buildId: 'b2' });
    expect(() => loadWorkerConfig({ WORKER_BUILD_ID: 'build 2' })).toThrow(/WORKER_BUILD_ID: must be letters, digits and \. _ \+ -/);
    expect(() => loadWorkerConfig({ WORKER_BUILD_ID: 'b2', WORKER_DEPLOYMENT_NAME: 'post.mortems' })).toThrow(/WORKER_DEPLOYMENT_NAME: must be letters, digits, _ and - \(no dot/);
  });

  it('POSTMORTEM_MIN_PRIORITY: P1…P9 and SEV numbers work without the API; the account\'s own names need PAGERDUTY_API_TOKEN', () => {
    expect(loadWorkerConfig({}).routing).toEqual({ minPriority: 2, minPriorityName: 'P2', noPriority: 'urgency' });
    expect(loadWorkerConfig({ POSTMORTEM_MIN_PRIORITY: 'p3' }).routing).toMatchObject({ minPriority: 3, minPriorityName: 'P3' });
    expect(loadWorkerConfig({ POSTMORTEM_MIN_PRIORITY: 'SEV-1' }).routing).toMatchObject({ minPriority: 1, minPriorityName: 'SEV-1' });
    expect(() => loadWorkerConfig({ POSTMORTEM_MIN_PRIORITY: 'Critical' })).toThrow(
      /POSTMORTEM_MIN_PRIORITY: "Critical" is not P1…P9 or SEV1…: naming one of the account's own priorities needs PAGERDUTY_API_TOKEN/,
    );
    const custom = loadWorkerConfig({ POSTMORTEM_MIN_PRIORITY: 'Critical', PAGERDUTY_API_TOKEN: 'pd-token' }).routing;
    expect(custom).toEqual({ minPriorityName: 'Critical', noPriority: 'urgency' });
    expect(() => loadWorkerConfig({ POSTMORTEM_MIN_PRIORITY: 'P1,P2', PAGERDUTY_API_TOKEN: 'pd-token' })).toThrow(/POSTMORTEM_MIN_PRIORITY: must be one priority's name/);
  });
});
