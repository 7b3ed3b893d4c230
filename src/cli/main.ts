// `postmortem`: the operator CLI. Looks at and steers incident workflows (status, list, retry, skip,
// cancel), feeds a saved PagerDuty webhook through the bridge's own path (replay-webhook), starts
// postmortems for incidents resolved before this service saw them (backfill), exports and replays
// incident histories (the upgrade gate), checks a postmortem draft against its evidence pack, and runs
// the simulator.
// Exit codes: 0 ok, 1 operational failure, 2 usage error.
import { Command, CommanderError } from 'commander';
import { loadDotEnv } from '../config/env-file';
import { registerBackfill } from './commands/backfill';
import { registerCheck } from './commands/check';
import { registerFollowUps } from './commands/followups';
import { registerHistories } from './commands/histories';
import { registerList } from './commands/list';
import { registerOperatorCommands } from './commands/operator';
import { registerReplayWebhook } from './commands/replay-webhook';
import { registerReport } from './commands/report';
import { registerSimulate } from './commands/simulate';
import { registerStatus } from './commands/status';
import { type CliIo, type Context, createContext } from './context';
import { CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, messageOf, UsageError } from './errors';
import { isUnavailable, unreachable } from './grpc';
import { ambiguousOptionValue, usageMessage } from './parse-errors';
import { USAGE } from './usage';

export type { CliIo } from './context';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors';
export { formatStatus } from './format';
export { listQuery, quoteQueryValue } from './commands/list';
export { USAGE } from './usage';

/** A usage error found by commander while parsing one command's arguments. */
class ParseError extends UsageError {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** No such command (or no command at all). */
class UnknownCommand extends Error {}

/** A new program for every run: commander keeps parsed state on its commands. */
function createProgram(ctx: Context, argv: string[]): Command {
  const program = new Command('postmortem')
    .configureOutput({
      writeOut: (text) => void ctx.stdout.write(text),
      writeErr: (text) => void ctx.stderr.write(text),
      // Errors are printed by runCli, worded as before and followed by the usage.
      outputError: () => undefined,
    })
    // One help text for the program and every command: USAGE.
    .configureHelp({ formatHelp: () => USAGE })
    .helpCommand(false)
    .showSuggestionAfterError(false)
    .allowExcessArguments(false)
    .exitOverride();

  // Settings above are inherited by the commands registered here.
  for (const register of [registerStatus, registerList, registerFollowUps, registerOperatorCommands, registerReplayWebhook, registerBackfill, registerHistories, registerCheck, registerReport, registerSimulate]) {
    register(program, ctx);
  }
  for (const command of withSubcommands(program.commands)) {
    const name = commandPath(command);
    command.exitOverride((error) => {
      if (error.code === 'commander.helpDisplayed') throw error;
      throw new ParseError(name, usageMessage(command, error, name));
    });
  }

  // Anything that is not a command ends here: `help`, `--help` and `-h` print the usage; the rest is
  // a usage error.
  program
    .helpOption(false)
    .argument('[command]')
    .allowExcessArguments(true)
    .allowUnknownOption(true)
    .action(() => {
      const [name] = argv;
      if (name === '--help' || name === '-h' || name === 'help') {
        ctx.out(USAGE);
        return;
      }
      throw new UnknownCommand(name === undefined ? '' : `unknown command "${name}"`);
    });
  return program;
}

/** The commands and their subcommands (`histories export`), depth first. */
function withSubcommands(commands: readonly Command[]): Command[] {
  return commands.flatMap((command) => [command, ...withSubcommands(command.commands)]);
}

/** `histories export`: the command's name after its parents', without the program's. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The command (or subcommand) that argv names, and the arguments after its name. */
function findCommand(program: Command, argv: string[]): { command: Command; args: string[] } | undefined {
  let command = program.commands.find((c) => c.name() === argv[0]);
  if (!command) return undefined;
  let args = argv.slice(1);
  const sub = command.commands.find((c) => c.name() === args[0]);
  if (sub) [command, args] = [sub, args.slice(1)];
  return { command, args };
}

/** Runs one command; resolves the exit code. Never throws, never calls process.exit. */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const ctx = createContext(io);
  let name = argv[0];
  try {
    const program = createProgram(ctx, argv);
    const found = findCommand(program, argv);
    if (found) name = commandPath(found.command);
    const ambiguous = found && ambiguousOptionValue(found.command, found.args);
    if (found && ambiguous) throw new ParseError(commandPath(found.command), ambiguous);
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return report(ctx, name, error);
  } finally {
    await ctx.close();
  }
}

/** An error from a command (or from parsing it), printed for the operator; resolves the exit code. */
function report(ctx: Context, name: string | undefined, error: unknown): number {
  if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') return EXIT_OK;
  if (error instanceof UnknownCommand) {
    if (error.message) ctx.err(`postmortem: ${error.message}\n`);
    ctx.err(USAGE);
    return EXIT_USAGE;
  }
  const command = error instanceof ParseError ? error.command : name;
  if (error instanceof UsageError) {
    ctx.err(`postmortem ${command}: ${error.message}\n`);
    ctx.err(USAGE);
    return EXIT_USAGE;
  }
  if (error instanceof CliFailure) {
    ctx.err(`postmortem ${command}: ${error.message}`);
    return EXIT_FAILURE;
  }
  if (ctx.settings && isUnavailable(error)) {
    ctx.err(`postmortem ${command}: ${unreachable(ctx.settings, error)}`);
    return EXIT_FAILURE;
  }
  ctx.err(`postmortem ${command}: ${messageOf(error)}`);
  return EXIT_FAILURE;
}

/** `bin/postmortem.js` and `tsx src/cli/main.ts`: reads `.env` like the other processes, then runs. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  loadDotEnv();
  process.exitCode = await runCli(argv);
}

if (require.main === module) {
  void main();
}
