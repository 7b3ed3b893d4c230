// `postmortem simulate`: the same as `npm run simulate`, run in this process with the CLI's
// environment and output.
import type { Command } from 'commander';
import { CliConfigError } from '../../config/cli';
import { loadSimulationSettings, runSimulation, type SimulationSettings } from '../../dev/simulate';
import { EncryptionConfigError } from '../../temporal/encryption';
import type { Context } from '../context';
import { CliFailure, EXIT_FAILURE, EXIT_OK } from '../errors';

async function simulate(ctx: Context): Promise<number> {
  let settings: SimulationSettings;
  try {
    settings = loadSimulationSettings(ctx.env);
  } catch (error) {
    if (error instanceof CliConfigError || error instanceof EncryptionConfigError) throw new CliFailure(error.message);
    throw error;
  }
  const code = await runSimulation(settings, { stdout: ctx.stdout, stderr: ctx.stderr });
  return code === 0 ? EXIT_OK : EXIT_FAILURE;
}

export function registerSimulate(program: Command, ctx: Context): void {
  program.command('simulate').action(ctx.run(() => simulate(ctx)));
}
