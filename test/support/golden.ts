// Golden files under test/fixtures/golden: the test compares its output with the file. UPDATE_GOLDEN=1
// (re)writes them; without it a missing golden file fails the test instead of being created silently,
// so a typo in a name or a deleted file cannot turn a golden test into one that always passes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const GOLDEN_DIR = path.join(__dirname, '..', 'fixtures', 'golden');

/** UPDATE_GOLDEN set to anything but empty, `0` or `false`. */
export function updatingGolden(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.UPDATE_GOLDEN?.trim().toLowerCase();
  return Boolean(value) && value !== '0' && value !== 'false';
}

export function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (updatingGolden()) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  } else if (!existsSync(file)) {
    throw new Error(`golden file ${path.relative(process.cwd(), file)} is missing: run this test with UPDATE_GOLDEN=1 to create it, then review it`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
