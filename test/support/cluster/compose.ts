// What docker-compose.yml says, read from the file itself, so the test cluster is configured like the
// compose deployment and follows it when it changes (image versions, setup jobs' environment).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
}

function service(name: string): ComposeService {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services?: Record<string, ComposeService> };
  const found = compose.services?.[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/**
 * A service's `environment`, with interpolations (`${POSTGRES_PASSWORD:?…}`) dropped: those are the
 * secrets and host values that the test supplies itself.
 */
export function composeEnvironment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries: [string, string][] = Array.isArray(env)
    ? env.map((line) => [line.split('=')[0] ?? '', line.slice(line.indexOf('=') + 1)])
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.filter(([k, v]) => k !== '' && !v.includes('${')));
}

/** The tag of the service's image, e.g. 1.31.0 for `temporalio/server:1.31.0`. */
export function composeImageVersion(name: string, image: string): string {
  const ref = service(name).image ?? '';
  const [repo, tag] = ref.split(':');
  if (repo !== image || !tag) throw new Error(`docker-compose.yml: service ${name} does not run ${image}:<version> (found "${ref}")`);
  return tag;
}
