import { Command, CommanderError } from 'commander';
import { registerCasCommands } from './commands/cas.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDbCommands } from './commands/db.js';
import { registerDevCommands } from './commands/dev.js';
import { registerEventsCommands } from './commands/events.js';
import { registerInitCommands } from './commands/init.js';
import { registerJobsCommands } from './commands/jobs.js';
import { registerStoresCommands } from './commands/stores.js';
import { registerStudioCommands } from './commands/studio.js';

/** Builds the `foxctl` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('foxctl')
    .description('foxctl Storage Studio: stores, CAS, events and backups of a foxctl home')
    .option('--json', 'print one JSON envelope per line instead of text')
    .option('--config <file>', 'config file to use instead of ~/.foxctl/config.yaml')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  registerConfigCommands(program);
  registerInitCommands(program);
  registerStoresCommands(program);
  registerDbCommands(program);
  registerCasCommands(program);
  registerEventsCommands(program);
  registerJobsCommands(program);
  registerBackupCommands(program);
  registerStudioCommands(program);
  registerDevCommands(program);
  return program;
}

/** Runs the CLI with process.argv. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  // Commander copies exitOverride only to subcommands created after it: set it on every one.
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
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
