// LOG_LEVEL is checked like every other variable: an unknown level stops a process at startup with a
// message naming LOG_LEVEL, instead of pino's bare "unknown level" error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { ConfigError, LOG_LEVELS, loadBridgeConfig, loadLogLevel, loadWorkerConfig } from '../src/config';
import { censorLogFields, createLogger } from '../src/config/logger';
import { EncryptionCodec } from '../src/temporal/encryption';

const ROOT = path.resolve(__dirname, '..');
const LEVEL_MESSAGE = /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)/;

describe('LOG_LEVEL', () => {
  it('defaults to info, unset or blank, and accepts every pino level and silent', () => {
    expect(loadLogLevel({})).toBe('info');
    expect(loadLogLevel({ LOG_LEVEL: '' })).toBe('info');
    expect(loadLogLevel({ LOG_LEVEL: ' debug ' })).toBe('debug');
    expect(LOG_LEVELS).toEqual(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
    for (const level of LOG_LEVELS) expect(loadLogLevel({ LOG_LEVEL: level })).toBe(level);
  });

  it.each(['verbose', 'INFO', 'warning', '30'])('rejects %p with a ConfigError naming LOG_LEVEL', (value) => {
    expect(() => loadLogLevel({ LOG_LEVEL: value })).toThrow(ConfigError);
    expect(() => loadLogLevel({ LOG_LEVEL: value })).toThrow(`LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "${value}")`);
  });

  it('is the same check in the bridge and worker configuration', () => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRET: 'shared-test-secret-0001', LOG_LEVEL: 'verbose' })).toThrow(LEVEL_MESSAGE);
    expect(() => loadWorkerConfig({ LOG_LEVEL: 'verbose' })).toThrow(LEVEL_MESSAGE);
  });

  describe('createLogger', () => {
    const saved = process.env.LOG_LEVEL;
    afterEach(() => {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    });

    it('takes its level from LOG_LEVEL', () => {
      process.env.LOG_LEVEL = 'warn';
      expect(createLogger('test').level).toBe('warn');
      delete process.env.LOG_LEVEL;
      expect(createLogger('test').level).toBe('info');
      expect(createLogger('test', 'silent').level).toBe('silent');
    });

    it('throws a ConfigError naming LOG_LEVEL, not pino\'s "unknown level"', () => {
      process.env.LOG_LEVEL = 'verbose';
      let error: unknown;
      try {
        createLogger('test');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(LEVEL_MESSAGE);
      expect((error as Error).message).not.toMatch(/unknown level|custom levels/);
    });
  });

  // The entry points as `npm run bridge|worker|dev` run them, from a directory without .env. Each must
  // stop before it does anything (no server, no Temporal connection) with the variable in its message.
  describe('at startup', () => {
    let cwd: string;
    beforeAll(() => {
      cwd = mkdtempSync(path.join(os.tmpdir(), 'log-level-'));
    });
    afterAll(() => rmSync(cwd, { recursive: true, force: true }));

    it.each(['bridge', 'worker', 'dev'])('%s exits 1 and names LOG_LEVEL', (entry) => {
      const result = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, path.join(ROOT, 'src', entry, 'main.ts')], {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'verbose', WEBHOOK_SECRET: 'local-test-only-secret', TEMPORAL_ADDRESS: '127.0.0.1:1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^${entry}: Invalid configuration:`, 'm'));
      expect(result.stderr).toMatch(LEVEL_MESSAGE);
      expect(result.stderr).not.toMatch(/unknown level|custom levels/);
      expect(result.stdout).not.toMatch(/listening|worker started|pipeline is running/);
    }, 90_000);
  });
});

describe('the SDK’s log metadata', () => {
  const key = Buffer.alloc(32, 7);
  it('is printed without codecs, converters, TLS material, API keys or bytes, at any depth', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const meta = {
      options: {
        taskQueue: 'postmortems',
        dataConverter: { payloadCodecs: [new EncryptionCodec([{ id: 'k1', key }])] },
        connection: { options: { tls: { clientCertPair: { crt: key, key } }, apiKey: 'tmprl-key', metadata: { authorization: 'Bearer x' } } },
        nested: { deeper: { bytes: new Uint8Array(key) } },
        cyclic,
      },
      error: new Error('boom'),
    };
    const censored = censorLogFields(meta) as { options: Record<string, unknown>; error: { message: string } };
    const text = JSON.stringify(censored);
    expect(text).not.toContain('tmprl-key');
    expect(text).not.toContain('Bearer');
    expect(text).not.toContain([...key.subarray(0, 4)].join(','));
    expect(text).not.toContain(key.toString('base64'));
    expect(censored.options).toMatchObject({
      taskQueue: 'postmortems',
      dataConverter: '[censored]',
      connection: { options: { tls: '[censored]', apiKey: '[censored]', metadata: '[censored]' } },
      nested: { deeper: { bytes: '[32 bytes]' } },
      cyclic: { name: 'loop', self: '[…]' },
    });
    expect(censored.error.message).toBe('boom');
  });

  it('the codec itself shows its key ids and nothing else, however it is printed', () => {
    const codec = new EncryptionCodec([{ id: 'k2', key }, { id: 'k1', key: Buffer.alloc(32, 9) }]);
    expect(JSON.stringify(codec)).toBe('{"codec":"binary/encrypted","keyIds":["k2","k1"]}');
    expect(inspect(codec, { depth: 10, showHidden: true })).not.toMatch(/07 07|7, 7/);
    expect(Object.keys(codec)).toEqual([]);
  });
});
