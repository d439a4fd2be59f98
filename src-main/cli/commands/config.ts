import type { Command } from 'commander';
import { describeSource } from '../../engine/config/resolve.js';
import { action } from '../context.js';
import { formatTable } from '../output.js';

/** `foxctl config show`: every effective value with where it came from. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('show the effective configuration');
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
            ].join('\n'),
        };
      }),
    );
}
