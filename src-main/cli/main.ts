import { Command, CommanderError } from 'commander';
import { registerConfigCommands } from './commands/config.js';

/** Builds the `foxctl` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('foxctl')
    .description('foxctl Storage Studio: stores, CAS, events and backups of a foxctl home')
    .option('--json', 'print one JSON envelope per line instead of text')
    .option('--config <file>', 'config file to use instead of ~/.foxctl/config.yaml')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  registerConfigCommands(program);
  return program;
}

/** Runs the CLI with process.argv. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors (unknown option, missing argument) exit 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}
