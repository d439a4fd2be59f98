import type { FoxConfig } from '../../config/resolve.js';
import { openStoreDriver } from '../drivers/open.js';
import type { OpenTargetDriver } from './migrate-data.js';
import { tursoTokenFor, tursoUrlFor } from './target.js';

/**
 * The engine's opener of `db migrate` targets, through the store drivers: PostgreSQL opens the
 * store's schema in the DSN's database; libSQL opens the store's URL (`{store}` filled in) with
 * its token.
 */
export function targetOpener(config: FoxConfig): OpenTargetDriver {
  return async (store, target) => {
    if (target.kind === 'postgres') return openStoreDriver(config, store.name, { target: { dsn: target.dsn } });
    const token = tursoTokenFor(target, store, config.env);
    return openStoreDriver(config, store.name, { target: { url: tursoUrlFor(target.url, store), ...(token ? { token } : {}) } });
  };
}
