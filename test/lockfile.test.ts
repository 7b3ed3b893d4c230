// `npm ci` installs exactly the lockfile, and refuses one out of step with package.json. So the lockfile
// must agree with package.json and lock every platform's native binary, not only this machine's: a clean
// install on macOS or an arm64 Linux takes @swc/core's (and the others') binary from here or not at all.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
interface Locked {
  version?: string;
  integrity?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
  link?: boolean;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, Locked> };
const root = lock.packages[''] ?? {};

/** Where node resolves `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveLocked(from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent >= 0 ? dir.slice(0, parent) : '';
  }
}

// The platforms the README names: glibc Linux and macOS, on x64 and arm64.
const PLATFORMS = [
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { os: 'darwin', cpu: 'x64' },
  { os: 'darwin', cpu: 'arm64' },
];

describe('package-lock.json', () => {
  test('is the lockfile npm ci expects: version 3, the same dependencies and engines as package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
    expect(root.engines).toEqual(manifest.engines);
  });

  test('every package, optional platform binaries included, is locked with its integrity', () => {
    const unlocked = Object.entries(lock.packages).filter(([key, entry]) => key !== '' && !entry.link && !entry.integrity);
    expect(unlocked.map(([key]) => key)).toEqual([]);
  });

  test("every optional dependency of every locked package is itself locked (npm ci on another platform finds it)", () => {
    const missing: string[] = [];
    for (const [key, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolveLocked(key, name)) missing.push(`${key || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('each native package with per-platform binaries has one for every platform the README names', () => {
    const gaps: string[] = [];
    let nativePackages = 0;
    for (const [key, entry] of Object.entries(lock.packages)) {
      const binaries = Object.keys(entry.optionalDependencies ?? {})
        .map((name) => lock.packages[resolveLocked(key, name) ?? ''])
        .filter((bin): bin is Locked => bin?.os !== undefined && bin.cpu !== undefined);
      if (binaries.length < 2) continue;
      nativePackages += 1;
      for (const platform of PLATFORMS) {
        const fits = binaries.some((bin) => bin.os?.includes(platform.os) && bin.cpu?.includes(platform.cpu) && (!bin.libc || !platform.libc || bin.libc.includes(platform.libc)));
        if (!fits) gaps.push(`${key}: no binary for ${platform.os}-${platform.cpu}${platform.libc ? `-${platform.libc}` : ''}`);
      }
    }
    expect(gaps).toEqual([]);
    expect(nativePackages).toBeGreaterThanOrEqual(2); // @swc/core and unrs-resolver at least: the check looked at something
    expect(resolveLocked('', '@swc/core-darwin-arm64')).toBeDefined();
  });
});
