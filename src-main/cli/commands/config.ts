import type { Command } from 'commander';
import { setConfigValue, type ConfigEditChange } from '../../engine/config/edit.js';
import { maskUrlSecrets } from '../../engine/config/mask.js';
import { describeSource, type FoxConfig } from '../../engine/config/resolve.js';
import { FoxError } from '../../engine/errors.js';
import { setStoreDriver, storeOfDriverKey } from '../../engine/stores/store-drivers.js';
import { action } from '../context.js';
import { formatTable } from '../output.js';

/** `foxctl config show|set|unset`: every effective value with where it came from; edits of config.yaml. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('show the effective configuration, or change config.yaml');
  config
    .command('show')
    .description('print every config value and its source (default, config file, or env variable)')
    .action(
      action('foxctl.config.show', async (ctx) => {
        const c = ctx.engine().config;
        const data = {
          home: c.home,
          config_file: c.configFile,
          config_file_loaded: c.configFileLoaded,
          values: c.values.map((v) => ({ key: v.key, value: v.value, source: v.source, env: v.env, description: v.description })),
          warnings: c.warnings,
        };
        return {
          data,
          human: () =>
            [
              `home         ${c.home}`,
              `config file  ${c.configFile}${c.configFileLoaded ? '' : ' (absent: defaults apply)'}`,
              '',
              formatTable(
                ['KEY', 'VALUE', 'SOURCE'],
                c.values.map((v) => [v.key, String(v.value), describeSource(v.source)]),
              ),
              ...(c.warnings.length > 0 ? ['', `${c.warnings.length === 1 ? '1 warning' : `${c.warnings.length} warnings`}:`, ...c.warnings.map((w) => `  ${w.message}`)] : []),
            ].join('\n'),
        };
      }, { configWarningsInOutput: true }),
    );

  config
    .command('set')
    .description('write KEY = VALUE into the config file (validated; comments and other keys kept; atomic)')
    .argument('<key>', 'a config key (foxctl config show lists them), or stores.<store>.driver')
    .argument('<value>', 'its new value')
    .addHelpText('after', '\nExamples:\n  foxctl config set events.sync_interval 1m\n  foxctl config set stores.memory.driver postgres   (after postgres.dsn is set)\n  foxctl config unset stores.memory.driver')
    .action(action('foxctl.config.set', async (ctx, key: string, value: string) => editReport(ctx.engine().config, key, value)));

  config
    .command('unset')
    .description('remove KEY from the config file: its default (or env variable) applies again')
    .argument('<key>', 'a config key')
    .action(action('foxctl.config.unset', async (ctx, key: string) => editReport(ctx.engine().config, key, null)));
}

/** Writes one key and reports what changed, and whether an env variable still decides. */
function editReport(config: FoxConfig, key: string, value: string | null): { data: ConfigEditChange & { file: string }; human: string } {
  const store = storeOfDriverKey(key);
  let change: ConfigEditChange;
  if (store !== null) {
    change = setStoreDriver(config, process.env, store, value);
  } else {
    if (value !== null && hasPassword(value)) {
      throw new FoxError('INVALID_INPUT', `${key}: the value holds a password; config.yaml is plain text. Give the DSN without it and keep the password in the environment (PGPASSWORD or the DSN variable) or in Storage Studio's Settings (secret store)`, { subject: 'config' });
    }
    change = setConfigValue(config.configFile, key, value, { env: process.env });
  }
  const what = change.value === null ? `removed ${change.key}` : `${change.key} = ${String(change.value)}`;
  const note = change.overriddenBy ? `\nnote: $${change.overriddenBy} is set and wins over the file until it is unset` : '';
  const previous = typeof change.previous === 'string' ? maskUrlSecrets(change.previous) : change.previous;
  return { data: { ...change, previous, file: config.configFile }, human: `${what} in ${config.configFile}${note}` };
}

/** Whether a value is a URL with a password in it. */
function hasPassword(value: string): boolean {
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}
