// `postmortem status <incident> [--json]`: the incident's postmortem status.
import type { Command } from 'commander';
import type { Context } from '../context';
import { EXIT_OK } from '../errors';
import { formatStatus } from '../format';
import { queryStatus } from '../status-query';
import { incidentIdArg } from '../validate';

export function registerStatus(program: Command, ctx: Context): void {
  program
    .command('status')
    .argument('<incident>')
    .option('--json')
    .action(
      ctx.run(async (incident: string, options: { json?: boolean }) => {
        const status = await queryStatus(ctx, incidentIdArg(incident));
        ctx.out(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
        return EXIT_OK;
      }),
    );
}
