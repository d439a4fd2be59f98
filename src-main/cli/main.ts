import fs from 'node:fs';
import { Command, CommanderError } from 'commander';

/** A module that adds one top-level command (and its subcommands) to the program. */
type Register = (program: Command) => void;

/**
 * Every top-level command and how to load it. Only the module of the command being run is
 * imported (with its engine parts and libraries): `foxctl stores list` must not parse the AWS
 * SDK, pg, libSQL or the studio server. The order is the order of `foxctl --help`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  config: async () => (await import('./commands/config.js')).registerConfigCommands,
  init: async () => (await import('./commands/init.js')).registerInitCommands,
  stores: async () => (await import('./commands/stores.js')).registerStoresCommands,
  db: async () => (await import('./commands/db.js')).registerDbCommands,
  cas: async () => (await import('./commands/cas.js')).registerCasCommands,
  events: async () => (await import('./commands/events.js')).registerEventsCommands,
  jobs: async () => (await import('./commands/jobs.js')).registerJobsCommands,
  backup: async () => (await import('./commands/backup.js')).registerBackupCommands,
  studio: async () => (await import('./commands/studio.js')).registerStudioCommands,
  dev: async () => (await import('./commands/dev.js')).registerDevCommands,
};

/** Global options that take a value: their value is not the command name. */
const VALUE_OPTIONS = new Set(['--config']);

/**
 * The top-level commands to load for `args` (argv without node and the script): the one named,
 * none for `--version`, and all of them otherwise (help, no command, an unknown word), so that
 * help lists every command and a typo gets commander's suggestion.
 */
export function commandsFor(args: string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === '-V' || a === '--version') return [];
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    if (Object.hasOwn(COMMANDS, a)) return [a];
    break;
  }
  return Object.keys(COMMANDS);
}

/** This package's version, from the nearest package.json of ours above this module (source, out/cli or a test bundle). */
export function cliVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; ) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'foxctl-storage-studio' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: go up
    }
    const up = new URL('..', dir);
    if (up.href === dir.href) return 'unknown';
    dir = up;
  }
}

/**
 * Builds the `foxctl` program for `args`: the global options, `--version`, and the command
 * `args` names (every command when it names none).
 */
export async function buildProgram(args: string[] = []): Promise<Command> {
  const program = new Command('foxctl')
    .description('foxctl Storage Studio: stores, CAS, events and backups of a foxctl home')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--json', 'print one JSON envelope per line instead of text')
    .option('--config <file>', 'config file to use instead of ~/.foxctl/config.yaml')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  const registers = await Promise.all(commandsFor(args).map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI with process.argv. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = await buildProgram(argv.slice(2));
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
