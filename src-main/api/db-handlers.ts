import type { CallInput } from '../../src-preload/contract.js';
import { maskDsn, startDbMigrate, targetOpener } from '../engine/db/copy/index.js';
import type { Engine } from '../engine/engine.js';
import { shellWord } from './backup-cli.js';
import type { Handlers } from './handlers.js';

/** The `foxctl db migrate ...` line of a db.migrate call: the DSN's password masked, the token as `***` in an env variable. */
export function dbMigrateCli(input: CallInput<'db.migrate'>): string {
  const words = ['foxctl', 'db', 'migrate', '--target-dsn', maskDsn(input.targetDsn)];
  if (input.stores && input.stores.length > 0) words.push('--stores', input.stores.map((s) => s.trim().toUpperCase()).join(','));
  if (input.batchSize !== undefined) words.push('--batch-size', String(input.batchSize));
  if (input.dryRun) words.push('--dry-run');
  if (input.continueOnError) words.push('--continue-on-error');
  if (input.drop) words.push('--drop');
  const line = words.map(shellWord).join(' ');
  return input.targetToken ? `FOXCTL_TURSO_TOKEN='***' ${line}` : line;
}

/** The data-migration call of the Stores view: starts `db migrate` as a job. */
export function createDbMigrateHandlers(engine: Engine): Pick<Handlers, 'db.migrate'> {
  return {
    'db.migrate': async (input) => ({
      jobId: startDbMigrate(engine, input, targetOpener(engine.config)).id,
      cli: dbMigrateCli(input),
    }),
  };
}
