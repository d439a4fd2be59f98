import type { FoxConfig } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import type { OpenTargetDriver } from './migrate-data.js';

/**
 * The engine's opener of `db migrate` targets: the store drivers (postgres: the store's schema in
 * the DSN's database; turso: the store's libSQL URL and token).
 */
export function targetOpener(_config: FoxConfig): OpenTargetDriver {
  return async (store) => {
    throw new FoxError('UNSUPPORTED', `store ${store.name}: the PostgreSQL and Turso store drivers are not in this build yet`);
  };
}
