import type { FoxConfig } from '../config/resolve.js';
import { storeDriverName, type DbDriverName } from '../db/connections.js';
import { isFoxError } from '../errors.js';
import { STORES, type StoreDef } from '../registry/stores.js';
import type { Source } from './sources.js';
import type { BackupProblem } from './types.js';

/** The stores of a backup that live on a server, and the entry paths they take over. */
export interface RemotePlan {
  sources: Source[];
  /** Entry paths (`storage/<file>`) whose local file is not the store's data. */
  claimed: Set<string>;
  problems: BackupProblem[];
  warnings: string[];
}

/** Whether a store can sit on another driver at all: one file under the storage root, not CAS. */
function movable(def: StoreDef): boolean {
  return def.location.kind === 'storage' && !def.keyed && def.name !== 'CAS' && def.class !== 'external';
}

/**
 * Stores whose driver is PostgreSQL, Turso or libSQL are backed up from the server (a copy taken
 * through the driver, archived as `storage/<file>` like a local store), and a leftover local file
 * at that path is left out: it is not the store's data. A store whose driver name is unknown is a
 * problem naming where the name came from, and neither copy is archived (which one holds the data
 * cannot be told). `skip` says whether the class policy leaves a store out.
 */
export function remoteStoreSources(config: FoxConfig, skip: (def: StoreDef) => boolean, localExists: (entryPath: string) => boolean): RemotePlan {
  const plan: RemotePlan = { sources: [], claimed: new Set(), problems: [], warnings: [] };
  for (const def of STORES) {
    if (!movable(def) || skip(def)) continue;
    const entryPath = `storage/${def.file}`;
    let driver: DbDriverName;
    try {
      driver = storeDriverName(config, def);
    } catch (err) {
      if (!isFoxError(err, 'INVALID_INPUT')) throw err;
      plan.claimed.add(entryPath);
      plan.problems.push({ kind: 'store_unavailable', store: def.name, path: entryPath, detail: `INVALID_INPUT: ${err.message}; the store was not backed up` });
      continue;
    }
    if (driver === 'sqlite') continue;
    plan.claimed.add(entryPath);
    if (localExists(entryPath)) plan.warnings.push(`store ${def.name} uses the ${driver} driver: backed up from the server; the local file ${entryPath} is not its data and was left out`);
    plan.sources.push({ kind: 'sqlite', src: `${driver} store ${def.name}`, entryPath, component: 'databases', store: def.name, size: 0, mtime: new Date(), remote: { driver } });
  }
  return plan;
}
