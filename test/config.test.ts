import { ConfigError, DEFAULT_CODEC_PORT, DEFAULT_MAX_CACHED_WORKFLOWS, loadBridgeConfig, loadWorkerConfig } from '../src/config';
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
  it('refuses to start without any webhook secret, naming the variables', () => {
    expect(() => loadBridgeConfig({})).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: '  ' })).toThrow(/PAGERDUTY_WEBHOOK_SECRETS.*WEBHOOK_SECRET/s);
  });

  it('reads comma-separated signing secrets for rotation, and defaults', () => {
    const config = loadBridgeConfig({ PAGERDUTY_WEBHOOK_SECRETS: 'old-secret, new-secret,' });
    expect(config.webhookSigningSecrets).toEqual(['old-secret', 'new-secret']);
    expect(config.port).toBe(3000);
    expect(config.taskQueue).toBe('incident-postmortems');
  });

  it('names a bad PORT', () => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: 's', PORT: 'eighty' })).toThrow(/PORT: must be a port number/);
  });

  it('puts the codec endpoint on its own port, on loopback, for the dev UI origin by default', () => {
    expect(loadBridgeConfig({ WEBHOOK_SECRET: 's' }).codec).toEqual({ port: DEFAULT_CODEC_PORT, host: '127.0.0.1', allowedOrigins: ['http://localhost:8233'] });
    expect(DEFAULT_CODEC_PORT).not.toBe(loadBridgeConfig({ WEBHOOK_SECRET: 's' }).port);
    const config = loadBridgeConfig({ WEBHOOK_SECRET: 's', CODEC_PORT: '9443', CODEC_HOST: '0.0.0.0', CODEC_CORS_ORIGINS: 'http://localhost:8080/, https://temporal.example.com' });
    expect(config.codec).toEqual({ port: 9443, host: '0.0.0.0', allowedOrigins: ['http://localhost:8080', 'https://temporal.example.com'] });
    expect(loadBridgeConfig({ WEBHOOK_SECRET: 's', CODEC_HOST: '[::1]' }).codec.host).toBe('::1');
    // Both ephemeral (tests): two different ports in the end.
    expect(loadBridgeConfig({ WEBHOOK_SECRET: 's', PORT: '0', CODEC_PORT: '0' }).codec.port).toBe(0);
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
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: 's', ...vars })).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: 's', ...vars })).toThrow(message);
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
