// `npm run dev` is read by a person: coloured lines instead of JSON, webpack's bundle report out of the
// way, and the startup banner first. The production processes keep their JSON.
import path from 'node:path';
import { bundleWorkflowCode, type LogLevel } from '@temporalio/worker';
import { ConfigError } from '../src/config';
import { loadDevSettings } from '../src/config/dev';
import { createLogger } from '../src/config/logger';
import { devLogOutput } from '../src/dev/log-output';
import { sdkLogMethod } from '../src/worker/runtime';

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
}

describe("npm run dev's log output", () => {
  test('holds every record until the banner is out, then prints them in order and writes through', () => {
    const { written, out } = terminal(false);
    const logs = devLogOutput('pretty', out);
    const log = createLogger('bridge', 'info', logs);
    log.info({ port: 3000 }, 'bridge listening');
    log.warn('second');
    expect(written).toEqual([]);
    logs.release();
    expect(written).toHaveLength(2);
    log.info('after the banner');
    expect(written).toHaveLength(3);
    logs.release(); // a second release changes nothing
    expect(written).toHaveLength(3);
  });

  test('pretty: one human line per record with time, level, process and message, then its fields', () => {
    const { written, out } = terminal(false);
    const logs = devLogOutput('pretty', out);
    logs.release();
    createLogger('worker', 'info', logs).info({ incidentId: 'Q1ABC' }, 'worker started');
    const [line] = written;
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(worker\): worker started \{"incidentId":"Q1ABC"\}\n$/);
    expect(line).not.toMatch(/^\{/);
    expect(line).not.toContain('\u001b['); // not a terminal: no colour codes
  });

  test('pretty on a terminal is coloured; json is the production line, unchanged', () => {
    const tty = terminal(true);
    const coloured = devLogOutput('pretty', tty.out);
    coloured.release();
    createLogger('dev', 'info', coloured).warn('careful');
    expect(tty.written[0]).toContain('\u001b[');

    const plain = terminal(true);
    const json = devLogOutput('json', plain.out);
    json.release();
    createLogger('dev', 'info', json).info({ a: 1 }, 'hello');
    expect(JSON.parse(plain.written[0] ?? '')).toMatchObject({ level: 30, name: 'dev', msg: 'hello', a: 1 });
  });

  test('credentials are still censored in pretty lines', () => {
    const { written, out } = terminal(false);
    const logs = devLogOutput('pretty', out);
    logs.release();
    createLogger('bridge', 'info', logs).info({ headers: { authorization: 'Token token=abc123secret' } }, 'request');
    expect(written.join('')).not.toContain('abc123secret');
    expect(written.join('')).toContain('[redacted]');
  });

  test('DEV_LOG_FORMAT is pretty by default, json on request, anything else a ConfigError naming it', () => {
    const secret = () => 'local-secret-0123456789';
    expect(loadDevSettings({}, secret).logFormat).toBe('pretty');
    expect(loadDevSettings({ DEV_LOG_FORMAT: ' json ' }, secret).logFormat).toBe('json');
    expect(() => loadDevSettings({ DEV_LOG_FORMAT: 'colour' }, secret)).toThrow(ConfigError);
    expect(() => loadDevSettings({ DEV_LOG_FORMAT: 'colour' }, secret)).toThrow('DEV_LOG_FORMAT: must be pretty or json');
  });
});

describe("the SDK's records", () => {
  test("webpack's bundle report, as the SDK's bundler really logs it, goes to debug; the bundle's own line stays info", async () => {
    {
      const workflows = path.join(__dirname, 'support', 'tiny-workflows.ts');
      const records: Array<{ level: LogLevel; message: string }> = [];
      const capture = (level: LogLevel) => (message: string) => records.push({ level, message });
      await bundleWorkflowCode({
        workflowsPath: workflows,
        logger: { trace: capture('TRACE'), debug: capture('DEBUG'), info: capture('INFO'), warn: capture('WARN'), error: capture('ERROR'), log: (level, message) => records.push({ level, message }) },
      });
      const report = records.find((r) => /compiled/.test(r.message));
      expect(report?.level).toBe('INFO');
      expect(sdkLogMethod('INFO', report?.message ?? '')).toBe('debug');
      const created = records.find((r) => r.message === 'Workflow bundle created');
      expect(sdkLogMethod('INFO', created?.message ?? '')).toBe('info');
    }
  });

  test('every other record keeps its level', () => {
    expect(sdkLogMethod('INFO', 'Worker state changed')).toBe('info');
    expect(sdkLogMethod('WARN', 'webpack 5.99.0 compiled with 1 warning')).toBe('warn');
    expect(sdkLogMethod('ERROR', 'Workflow failed')).toBe('error');
    expect(sdkLogMethod('DEBUG', 'x')).toBe('debug');
    // what this worker leaves out on purpose (the Devin-session queue has no workflows; no Nexus) is no warning
    expect(sdkLogMethod('WARN', 'No workflows registered, not polling for workflow tasks')).toBe('debug');
    expect(sdkLogMethod('INFO', 'No Nexus services registered, not polling for Nexus tasks')).toBe('debug');
    expect(sdkLogMethod('TRACE', 'x')).toBe('trace');
  });
});
