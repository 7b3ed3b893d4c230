// Nothing outlives the test process, even when it dies without running afterAll (Ctrl-C, a CI timeout's
// SIGKILL, a crash). Jest hands test code a copy of `process` whose 'exit' and signal listeners the real
// process never calls, so the cleanup is left to the kernel and to a watchdog:
//  - the server and the app processes are started under `setpriv --pdeathsig SIGKILL`: the kernel kills
//    them when the test process goes;
//  - what is not a child (PostgreSQL, which pg_ctl detaches) and the temp dirs get a reaper: a detached
//    shell that waits for the test process to go and then runs its cleanup. cancel() ends it once the
//    normal teardown has done the work.
import { spawn, spawnSync } from 'node:child_process';

const hasSetpriv = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

/** Command prefix that makes a child die with the test process (empty where setpriv is missing). */
export const DIE_WITH_PARENT: readonly string[] = hasSetpriv ? ['setpriv', '--pdeathsig', 'SIGKILL', '--'] : [];

/** `spawn` arguments for `command args…` under DIE_WITH_PARENT. */
export function dieWithParent(command: string, args: string[]): [string, string[]] {
  const [first, ...rest] = [...DIE_WITH_PARENT, command, ...args];
  return [first as string, rest];
}

/**
 * Runs `script` (sh; its arguments are $1…) once this process has exited, unless cancelled first.
 * The script gets the arguments as positional parameters, so paths need no quoting.
 */
export function reapAfterExit(script: string, args: string[]): { cancel(): void } {
  const watcher = `parent=$1; shift; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; ${script}`;
  const child = spawn('/bin/sh', ['-c', watcher, 'reaper', String(process.pid), ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    cancel() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
