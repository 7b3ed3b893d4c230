// What every command gets: the environment, line writers for stdout and stderr, the task queue, and
// one Temporal client made on first use (and closed by runCli when the command is done).
import type { Client } from '@temporalio/client';
import { loadCliConfig } from '../config/cli';
import { loadTemporalSettings, type TemporalSettings } from '../config/temporal';
import { connectClient, type ConnectedClient } from '../temporal/connection';
import { EncryptionConfigError, encryptionDataConverter } from '../temporal/encryption';
import { CliFailure, EXIT_OK } from './errors';
import { unreachable } from './grpc';

import type { Env } from '../config/values';

export type { Env };

export interface Writer {
  write(chunk: string): unknown;
}

export interface CliIo {
  /** Default: process.env. Temporal settings, the task queue and (for backfill) the worker's configuration. */
  env?: Env;
  stdout?: Writer;
  stderr?: Writer;
}

export interface Context {
  env: Env;
  /** One line (a newline is added when missing). */
  out(text: string): void;
  err(text: string): void;
  /** Raw output, as is. */
  stdout: Writer;
  stderr: Writer;
  taskQueue: string;
  /** Connects on first use; a connection failure is a CliFailure naming the target. */
  temporal(): Promise<Client>;
  /** Known once temporal() has been called. */
  readonly settings: TemporalSettings | undefined;
  /** The exit code of the command that ran (set through `run`). */
  readonly exitCode: number;
  /** Wraps a command's action: what it resolves becomes the exit code. */
  run<A extends unknown[]>(action: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  close(): Promise<void>;
}

const line = (writer: Writer) => (text: string) => void writer.write(text.endsWith('\n') ? text : `${text}\n`);

export function createContext(io: CliIo = {}): Context {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let settings: TemporalSettings | undefined;
  let connected: ConnectedClient | undefined;
  let exitCode = EXIT_OK;

  return {
    env,
    out: line(stdout),
    err: line(stderr),
    stdout,
    stderr,
    taskQueue: loadCliConfig(env).taskQueue,
    get settings() {
      return settings;
    },
    get exitCode() {
      return exitCode;
    },
    async temporal() {
      if (connected) return connected.client;
      settings = loadTemporalSettings(env);
      // The same payload encryption as the bridge and the worker, or nothing they write is readable.
      let dataConverter: ReturnType<typeof encryptionDataConverter>;
      try {
        dataConverter = encryptionDataConverter(env);
      } catch (error) {
        if (error instanceof EncryptionConfigError) throw new CliFailure(error.message);
        throw error;
      }
      try {
        connected = await connectClient(settings, { dataConverter, connectTimeout: '5s' });
      } catch (error) {
        throw new CliFailure(unreachable(settings, error));
      }
      return connected.client;
    },
    run(action) {
      return async (...args) => {
        exitCode = await action(...args);
      };
    },
    async close() {
      await connected?.close().catch(() => undefined);
    },
  };
}
