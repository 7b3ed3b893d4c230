// commander's parse errors, worded as the CLI has always worded them: its own arity messages, and
// node:util parseArgs' for options (what it printed before it ran on commander).
import type { Command, CommanderError } from 'commander';

/** `name`: how the command is called (`histories replay`); its own name by default. */
export function usageMessage(command: Command, error: CommanderError, name = command.name()): string {
  const positionals = command.registeredArguments.map((argument) => `<${argument.name()}>`).join(' ');
  switch (error.code) {
    case 'commander.missingArgument':
      return `${name} needs ${positionals}`;
    case 'commander.excessArguments':
      return positionals === ''
        ? `${name} takes no arguments (got ${command.args.map((arg) => `"${arg}"`).join(' ')})`
        : `${name} needs ${positionals} and nothing more`;
    case 'commander.unknownOption': {
      const flag = /unknown option '(.*)'$/s.exec(error.message)?.[1] ?? '';
      // `--json=yes`: commander sees an unknown option, parseArgs a flag given a value.
      const flagWithValue = command.options.find((option) => !option.required && !option.optional && option.long && flag.startsWith(`${option.long}=`));
      if (flagWithValue) return `Option '${flagWithValue.long}' does not take an argument`;
      return `Unknown option '${flag}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "${flag}"`;
    }
    case 'commander.optionMissingArgument': {
      const long = /option '(?:-\w, )?(--[\w-]+)/.exec(error.message)?.[1] ?? '';
      return `Option '${long} <value>' argument missing`;
    }
    default:
      return error.message.replace(/^error: /, '');
  }
}

/**
 * `--reason -x`: commander takes `-x` as the value; parseArgs (and so this CLI, always) refused it as
 * ambiguous — more likely a forgotten value than a reason starting with a dash. `--reason=-x` is clear.
 */
export function ambiguousOptionValue(command: Command, args: string[]): string | undefined {
  for (let i = 0; i < args.length - 1; i++) {
    const option = command.options.find((o) => o.required && (o.long === args[i] || o.short === args[i]));
    const next = args[i + 1] ?? '';
    if (option?.long && next.startsWith('-') && next !== '-') {
      return `Option '${option.long} <value>' argument is ambiguous.\nDid you forget to specify the option argument for '${option.long}'?\nTo specify an option argument starting with a dash use '${option.long}=-XYZ'.`;
    }
  }
  return undefined;
}
