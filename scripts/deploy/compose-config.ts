// `docker compose config` (Docker Compose, the Compose reference implementation): parses, interpolates,
// validates and normalizes docker-compose.yml without a Docker engine. Its JSON is what the project rules
// (compose-rules.ts) read.
import path from 'node:path';
import { type Finding, PROJECT_ROOT, runTool } from './tools';

export const COMPOSE = 'docker-compose.yml';

export type Json = Record<string, unknown>;
export const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const asRecord = (value: unknown): Json => (isRecord(value) ? value : {});
export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asStrings = (value: unknown): string[] => (typeof value === 'string' ? value.split(/\s+/) : asArray(value).map(String));

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001, ns: 1e-9 };
/** "72h", "3d", "1h30m", "45s" (Go durations plus the Temporal CLI's "d"). Undefined when not a duration. */
export function durationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|us|µs|ns|d|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|d|h|m|s)/g)) total += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 0);
  return total;
}

/** Splits "registry:5000/org/name:tag@sha256:…" into repository, tag and digest. */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  const [nameAndTag = '', digest] = ref.split('@', 2);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { repository: nameAndTag, digest };
}

export interface ComposeModel {
  /** Normalized and interpolated (required variables set to a placeholder). */
  model: Json;
  /** Normalized, variables left as written: what the file itself says. */
  raw: Json;
}

/**
 * `docker compose config` on the file (or on `text` in its place, paths relative to `root`). Never reads a
 * .env: neither for interpolation (--env-file /dev/null) nor for env_file (--no-env-resolution), so local
 * secrets stay out of the output and the result is the same on every machine.
 */
export function composeConfig(root = PROJECT_ROOT, text?: string): ComposeModel | Finding[] {
  const base = ['-f', text === undefined ? path.join(root, COMPOSE) : '-', '--project-directory', root, '--env-file', '/dev/null', 'config'];
  const run = (args: string[], env: Record<string, string> = {}) => {
    const result = runTool('docker-compose', [...base, ...args], { input: text ?? '', env, cwd: root });
    const failure = result.stderr
      .split('\n')
      .map((line) => line.trim().replace(/^(validating|failed to parse) -:/, `$1 ${COMPOSE}:`))
      .filter((line) => line && !/level=warning/.test(line))
      .map((message) => ({ file: COMPOSE, rule: 'compose-config', message }));
    return result.status === 0 ? { json: JSON.parse(result.stdout) as Json } : { failure: failure.length ? failure : [{ file: COMPOSE, rule: 'compose-config', message: `exit ${result.status}` }] };
  };
  const variables = run(['--variables', '--format', 'json']);
  if (variables.failure) return variables.failure;
  // Only to get past `${VAR:?…}`: the placeholder never reaches the rules that look at values as written.
  const placeholders = Object.fromEntries(Object.entries(variables.json).filter(([, v]) => asRecord(v).Required === true).map(([name]) => [name, '1']));
  const model = run(['--no-env-resolution', '--format', 'json'], placeholders);
  if (model.failure) return model.failure;
  const raw = run(['--no-env-resolution', '--no-interpolate', '--format', 'json']);
  if (raw.failure) return raw.failure;
  return { model: model.json, raw: raw.json };
}

