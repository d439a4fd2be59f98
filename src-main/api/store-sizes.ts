import type { Engine } from '../engine/engine.js';
import { isFoxError, toFoxError } from '../engine/errors.js';
import type { StoreStatus } from '../engine/stores/list-stores.js';

/** How long the Stores view and the Overview wait for one remote server's answer. */
export const SERVER_SIZE_TIMEOUT_MS = 3_000;

/**
 * Fills in what only the server knows of each store on turso, libsql or postgres: whether it
 * exists, its size (engine.inspect.info: pg_total_relation_size / page_count x page_size) and its
 * schema version, so the views do not show remote stores as "0 B". All servers are asked at once,
 * each for at most SERVER_SIZE_TIMEOUT_MS; one that does not answer gets its error, the rest stand.
 */
export async function withServerSizes(engine: Engine, stores: StoreStatus[], signal?: AbortSignal): Promise<StoreStatus[]> {
  return Promise.all(
    stores.map(async (s) => {
      if (s.driver === null || s.driver === 'sqlite' || s.error !== null || s.keyed) return s;
      const limit = AbortSignal.timeout(SERVER_SIZE_TIMEOUT_MS);
      try {
        const info = await engine.inspect.info(s.name, { signal: signal ? AbortSignal.any([signal, limit]) : limit });
        return { ...s, exists: true, size_bytes: info.size_bytes, wal_bytes: info.wal_bytes, schema_version: info.schema_version };
      } catch (err) {
        if (signal?.aborted) throw err;
        if (isFoxError(err, 'NOT_FOUND')) return { ...s, exists: false };
        const why = limit.aborted ? `the server did not answer within ${SERVER_SIZE_TIMEOUT_MS / 1000} s` : toFoxError(err).message;
        return { ...s, error: why };
      }
    }),
  );
}
