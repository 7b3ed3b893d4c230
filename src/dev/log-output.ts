// Where `npm run dev` writes its logs: for a person at a terminal, one coloured line per record
// (pino-pretty, a dev dependency; the production processes keep their JSON), and nothing before the
// startup banner — records are held until it is printed, so the banner is the first thing shown.
import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { DevLogFormat } from '../config/dev';

export interface DevLogOutput extends DestinationStream {
  /** Prints what was held (once the banner is out, or before a startup error), then writes through. */
  release(): void;
}

interface Terminal {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function devLogOutput(format: DevLogFormat, out: Terminal = process.stdout): DevLogOutput {
  const render = format === 'pretty'
    ? prettyFactory({ colorize: out.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true })
    : (line: string) => line;
  let held: string[] | undefined = [];
  return {
    write(line: string) {
      const text = render(line);
      if (held) held.push(text);
      else out.write(text);
    },
    release() {
      if (!held) return;
      const lines = held;
      held = undefined;
      for (const text of lines) out.write(text);
    },
  };
}
