import type { FoxConfig } from '../../config/resolve.js';
import { throwIfAborted, type OpOptions } from '../../errors.js';
import type { StorePathOptions } from '../../registry/paths.js';
import { openStoreDriver, type DriverTarget } from './open.js';

/** What `foxctl db test STORE` reports. */
export interface StoreConnectionCheck {
  store: string;
  driver: string;
  /** Where it points, secrets masked. */
  location: string;
  /** PostgreSQL schema, else null. */
  schema: string | null;
  /** Server / library version. */
  version: string;
  /** The first round trip, connection set-up included (ms). */
  connect_ms: number;
  /** The median of the following round trips (ms). */
  latency_ms: number;
  /** Round trips measured after the first. */
  pings: number;
  /** Highest applied migration, or null when the database has no schema_migrations yet. */
  schema_version: number | null;
  read_only: boolean;
  /**
   * PostgreSQL: pgvector `enabled` in the database, `available` to enable (migrate does), or
   * `absent` (vectors disabled: embeddings stay bytes). Null on sqlite/turso.
   */
  pgvector: 'enabled' | 'available' | 'absent' | null;
}

/** Options of checkStoreConnection. */
export interface CheckOptions extends OpOptions, StorePathOptions {
  /** Check this target instead of the store's configured place. */
  target?: DriverTarget;
  /** Round trips after the first (default 5). */
  pings?: number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * Connects to a store through its driver read-only (nothing is created or written), measures the
 * round trip and reads the server version and schema version. Errors are the driver's:
 * UNAVAILABLE naming the store (secrets masked), INVALID_INPUT naming a bad variable, NOT_FOUND
 * for a SQLite file that does not exist yet.
 */
export async function checkStoreConnection(config: FoxConfig, storeName: string, opts: CheckOptions = {}): Promise<StoreConnectionCheck> {
  const t0 = performance.now();
  const d = await openStoreDriver(config, storeName, { readOnly: true, ...(opts.target ? { target: opts.target } : {}), ...(opts.key ? { key: opts.key } : {}), ...(opts.repo ? { repo: opts.repo } : {}) });
  try {
    const first = await d.ping();
    const connectMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < (opts.pings ?? 5); i++) {
      throwIfAborted(opts.signal, 'db test');
      times.push((await d.ping()).latencyMs);
    }
    times.sort((a, b) => a - b);
    const median = times.length ? times[Math.floor(times.length / 2)]! : first.latencyMs;
    let schemaVersion: number | null = null;
    try {
      const [row] = await d.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      schemaVersion = row?.v === null || row?.v === undefined ? null : Number(row.v);
    } catch {
      // No schema_migrations yet (a store never migrated here): not an error for a connectivity check.
    }
    let pgvector: StoreConnectionCheck['pgvector'] = null;
    if (d.dialect === 'postgres') {
      const [row] = await d.query<{ installed: string | null }>("SELECT installed_version AS installed FROM pg_available_extensions WHERE name = 'vector'");
      pgvector = row === undefined ? 'absent' : row.installed ? 'enabled' : 'available';
    }
    return {
      store: d.store.name,
      driver: d.driver,
      location: d.location,
      schema: d.schema,
      version: first.version,
      connect_ms: round(connectMs),
      latency_ms: round(median),
      pings: times.length,
      schema_version: schemaVersion,
      read_only: d.store.readOnly,
      pgvector,
    };
  } finally {
    await d.close();
  }
}
