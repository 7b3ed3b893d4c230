// What the worker checks in its namespace before it starts (src/worker/postmortem-worker.ts), against a real
// Temporal dev server: the retention warning (PagerDuty retries a delivery for 48 h, so closed workflows
// must outlive that) and the registration of missing search attributes on a fresh namespace.
import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checkRetention, ensureSearchAttributes, MIN_RETENTION_MS } from '../src/worker/postmortem-worker';
import { SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { INDEXED_VALUE_TYPES } from '../src/temporal/search-attribute-types';
import { capturingLogger, eventually, startDevServer } from './support/temporal';

const DAY_MS = 86_400_000;
const RETENTION_WARNING = 'namespace retention is shorter than 3 days';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startDevServer();
});

afterAll(async () => {
  await env?.teardown();
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}
const parsed = (lines: string[]): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
const WARN = 40;
const INFO = 30;

async function setRetention(namespace: string, ms: number): Promise<void> {
  // As src/dev/main.ts raises the dev server's default.
  await env.connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(ms) } });
  await eventually(async () => {
    const described = await env.connection.workflowService.describeNamespace({ namespace });
    return Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) * 1000 === ms ? true : undefined;
  }, `retention of ${namespace} to become ${ms} ms`);
}

describe('checkRetention', () => {
  test('a 1-day retention is returned and warned about, with the command that fixes it', async () => {
    await setRetention('default', DAY_MS);
    const { logger, lines } = capturingLogger('worker');
    expect(await checkRetention(env.nativeConnection, 'default', logger)).toBe(DAY_MS);
    const warnings = parsed(lines).filter((l) => l.level === WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ namespace: 'default', retentionHours: 24 });
    expect(warnings[0]?.msg).toContain(RETENTION_WARNING);
    expect(warnings[0]?.msg).toContain('temporal operator namespace update --retention 72h');
  });

  test('a 3-day retention (the minimum) is returned without a warning', async () => {
    await setRetention('default', 3 * DAY_MS);
    expect(3 * DAY_MS).toBe(MIN_RETENTION_MS);
    const { logger, lines } = capturingLogger('worker');
    expect(await checkRetention(env.nativeConnection, 'default', logger)).toBe(MIN_RETENTION_MS);
    expect(lines).toEqual([]);
  });

  test('a namespace it cannot describe is a warning, not a crash', async () => {
    const { logger, lines } = capturingLogger('worker');
    expect(await checkRetention(env.nativeConnection, 'no-such-namespace', logger)).toBeUndefined();
    const [line, ...rest] = parsed(lines);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ level: WARN, msg: 'could not read namespace retention' });
    expect(String(line?.err)).toMatch(/not found/i);
  });
});

describe('ensureSearchAttributes', () => {
  test('registers the search attributes, each with its type, on a fresh namespace, once', async () => {
    const namespace = `fresh-${process.pid}`;
    await env.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(MIN_RETENTION_MS) });
    const custom = () =>
      eventually(async () => (await env.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {}, `namespace ${namespace}`);
    const before = await custom();
    for (const key of SEARCH_ATTRIBUTES) expect(before[key.name]).toBeUndefined();

    const { logger, lines } = capturingLogger('worker');
    await ensureSearchAttributes(env.nativeConnection, namespace, logger);
    expect(parsed(lines)).toEqual([
      expect.objectContaining({ level: INFO, msg: 'registered search attributes', namespace, searchAttributes: SEARCH_ATTRIBUTES.map((k) => k.name) }),
    ]);
    const after = await custom();
    for (const key of SEARCH_ATTRIBUTES) {
      expect([key.name, after[key.name]]).toEqual([key.name, INDEXED_VALUE_TYPES[key.type]]);
    }

    // A restart finds them all and changes nothing.
    const again = capturingLogger('worker');
    await ensureSearchAttributes(env.nativeConnection, namespace, again.logger);
    expect(again.lines).toEqual([]);
  });
});
