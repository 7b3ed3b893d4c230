// Identifiers from webhooks and API answers are checked where they become file names and URL paths
// (the bridge's 400s are in bridge.test.ts, backfill's in cli.test.ts; the published PagerDuty samples
// still parse in pagerduty-contract.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { fileInside } from '../activities/dry-run';
import { toActivityFailure } from '../activities/failures';
import { describeId, isDeliveryId, isPagerDutyId } from '../src/domain/identifiers';
import { PagerDutyClient } from '../src/integrations/pagerduty/client';
import { FakePagerDutyApi } from './fakes/pagerduty-api';

describe('the identifier patterns', () => {
  it('PagerDuty ids are 1-64 uppercase letters and digits; delivery ids are ULIDs or UUIDs', () => {
    for (const ok of ['Q1ABC2DEF3GHI4', 'PWIXJZS', 'P1', 'A'.repeat(64)]) expect(isPagerDutyId(ok)).toBe(true);
    for (const bad of ['', '..', 'q1abc', 'Q1\nQ2', 'Q1/Q2', 'Q 1', 'A'.repeat(65), 12, null]) expect(isPagerDutyId(bad)).toBe(false);
    for (const ok of ['01DEN7H4M8SLKZFN3SSFNMX6B1', 'f2b4e3a8-0c1d-4e5f-9a6b-7c8d9e0f1a2b']) expect(isDeliveryId(ok)).toBe(true);
    for (const bad of ['-lead', 'a/b', 'a\nb', 'a'.repeat(65)]) expect(isDeliveryId(bad)).toBe(false);
  });

  it('describeId shows an untrusted id on one bounded line', () => {
    expect(describeId('Q1\nQ2')).toBe('"Q1?Q2"');
    expect(describeId('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
    expect(describeId({ id: 1 })).toBe('"{\\"id\\":1}"');
  });
});

describe('fileInside: the dry run writes only inside POSTMORTEM_OUTPUT_DIR', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pm-inside-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps an ordinary name inside the directory', () => {
    expect(fileInside(dir, 'Q1ABC-dry-run-prompt.md')).toBe(path.join(dir, 'Q1ABC-dry-run-prompt.md'));
  });

  it.each(['../../../../tmp/NAME-dry-run-prompt.md', 'sub/NAME.md', '..', '.', 'a\nb.md', 'a\\b.md', '/etc/passwd'])('refuses %j (non-retryable)', (name) => {
    let caught: unknown;
    try {
      fileInside(dir, name);
    } catch (error) {
      caught = error;
    }
    const failure = toActivityFailure(caught);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(/^refusing to write ".*" outside /);
  });
});

describe('the PagerDuty client builds paths from PagerDuty ids only', () => {
  let api: FakePagerDutyApi;
  beforeAll(async () => {
    api = await FakePagerDutyApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(['..', '../log_entries', 'Q1%2F..', 'Q1\r\nX-Injected: 1'])('refuses %j before any request', async (id) => {
    const client = new PagerDutyClient({ baseUrl: api.baseUrl, token: api.token }, 5_000);
    const before = api.requests.length;
    await expect(client.incident(id)).rejects.toThrow(/not a PagerDuty id/);
    await expect(client.logEntries(id)).rejects.toThrow(/not a PagerDuty id/);
    await expect(client.serviceChangeEvents(id, new Date(0), new Date(), 10)).rejects.toThrow(/not a PagerDuty id/);
    await expect(client.addNote(id, 'x', 'ops@example.com')).rejects.toThrow(/not a PagerDuty id/);
    expect(api.requests.length).toBe(before);
  });
});
