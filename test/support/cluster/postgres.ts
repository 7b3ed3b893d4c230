// A throwaway PostgreSQL for the real-cluster tests (test/production/): Debian's server binaries
// (/usr/lib/postgresql/<major>/bin, whichever is installed), initdb into a temp dir, pg_ctl on a free
// port with its unix socket in that dir, a random password that is never printed. stop() stops it and
// deletes the dir. initdb refuses to run as root: as root, every PostgreSQL command runs as `postgres`.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { reapAfterExit } from './orphans';

const run = promisify(execFile);

/** The superuser, like POSTGRES_USER in docker-compose.yml's postgresql service. */
export const POSTGRES_USER = 'temporal';

export interface Postgres {
  host: string;
  port: number;
  user: string;
  /** Random, generated for this instance; pass it on through the environment only. */
  password: string;
  /** `psql`-style major version of the server binaries used. */
  version: string;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major>/bin that has initdb (Debian's layout), or POSTGRES_BIN_DIR. */
export function findPostgresBin(): string {
  const override = process.env.POSTGRES_BIN_DIR;
  if (override) return override;
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => /^\d+$/.test(d) && existsSync(path.join(base, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) throw new Error('No PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian\'s `postgresql` package (.ci/run does)');
  return path.join(base, majors[0] as string, 'bin');
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function runAsPostgres(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root and there is no `postgres` user to run initdb as');
  return { uid, gid };
}

export async function startPostgres(): Promise<Postgres> {
  const bin = findPostgresBin();
  const as = runAsPostgres();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-postgres-'));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const data = path.join(dir, 'data');
  const password = randomBytes(24).toString('base64url');
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  const opts = { ...as, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } };

  let started = false;
  const stopSync = () => {
    if (started) {
      try {
        execFileSync(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w'], { ...opts, stdio: 'ignore' });
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // pg_ctl detaches the server: should this process die without stop(), an immediate shutdown (SIGQUIT to
  // the postmaster) and the dir's removal follow it.
  const reaper = reapAfterExit('[ -f "$1/postmaster.pid" ] && kill -QUIT "$(head -n 1 "$1/postmaster.pid")"; sleep 2; rm -rf "$2"', [data, dir]);
  const release = () => reaper.cancel();

  try {
    // The password reaches initdb through a file of its own (0600, deleted at once), never an argument.
    const pwfile = path.join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (as.uid !== undefined && as.gid !== undefined) chownSync(pwfile, as.uid, as.gid);
    await run(path.join(bin, 'initdb'), ['-D', data, '-U', POSTGRES_USER, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-instructions'], opts);
    rmSync(pwfile);
    // max_connections as docker-compose.yml sets it (Temporal's four services keep pools of 20 + 10 each).
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
    await run(pgCtl, ['start', '-D', data, '-w', '-t', '60', '-l', path.join(dir, 'postgres.log'), '-o', serverOptions], opts);
    started = true;
  } catch (error) {
    release();
    stopSync();
    throw new Error(`PostgreSQL (${bin}) did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const version = (await run(path.join(bin, 'postgres'), ['--version'], opts)).stdout.trim();

  return {
    host: '127.0.0.1',
    port,
    user: POSTGRES_USER,
    password,
    version,
    async stop() {
      release();
      try {
        await run(pgCtl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30'], opts);
      } catch {
        stopSync();
      }
      started = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
