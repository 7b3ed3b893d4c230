// `postmortem histories export|replay`: recorded histories as the upgrade gate. Export the histories of
// recent incidents from a namespace, then replay the folder against a new build before deploying it
// (also `npm run histories:export -- …` and `npm run histories:replay -- <dir>`).
import type { Command } from 'commander';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { type ExportOptions, exportHistories } from './histories-export';
import { type ReplayOptions, replayHistories } from './histories-replay';

export { DEFAULT_EXPORT_LIMIT, DEFAULT_EXPORT_SINCE, exportQuery } from './histories-export';

export const HISTORIES_SUBCOMMANDS = ['export', 'replay'] as const;

export function registerHistories(program: Command, ctx: Context): void {
  const histories = program.command('histories');
  histories
    .command('export')
    .option('--out <dir>')
    .option('--query <value>')
    .option('--since <value>')
    .option('--limit <value>')
    .option('--force')
    .option('--json')
    .action(ctx.run((options: ExportOptions) => exportHistories(ctx, options)));
  histories
    .command('replay')
    .argument('<dir>')
    .option('--bundle <file>')
    .option('--json')
    .action(ctx.run((dir: string, options: ReplayOptions) => replayHistories(ctx, dir, options)));

  // `histories` alone, or with anything but a subcommand, is a usage error (set after the subcommands,
  // which would inherit it).
  histories
    .argument('[subcommand]')
    .allowExcessArguments(true)
    .allowUnknownOption(true)
    .action((subcommand: string | undefined) => {
      const expected = HISTORIES_SUBCOMMANDS.join(' or ');
      throw new UsageError(subcommand === undefined ? `histories needs a subcommand: ${expected}` : `unknown subcommand "${subcommand}": ${expected}`);
    });
}
