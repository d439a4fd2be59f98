import type { Overview } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import { CLASS_DESCRIPTIONS, STORE_CLASSES } from '../engine/registry/stores.js';
import { listStores } from '../engine/stores/list-stores.js';
import { nowRfc3339 } from '../engine/util/time.js';
import { summarizeBackups, syncerStatus } from './areas.js';
import { gatherAttention } from './attention.js';
import { schedulerFor } from './backup-schedule.js';
import { diskUsage } from './disk-usage.js';
import { withServerSizes } from './store-sizes.js';

/** The paths the Overview lists, with the label a user reads. */
const PATHS: { key: 'storageRoot' | 'casDir' | 'obsDir' | 'backupsDir' | 'jobsDir' | 'cacheDir'; label: string }[] = [
  { key: 'storageRoot', label: 'Stores' },
  { key: 'casDir', label: 'CAS' },
  { key: 'obsDir', label: 'Events' },
  { key: 'backupsDir', label: 'Backups' },
  { key: 'jobsDir', label: 'Jobs' },
  { key: 'cacheDir', label: 'Cache' },
];

/** Gathers everything the Overview shows: paths, stores by class, disk, backups, syncer, jobs. */
export async function buildOverview(engine: Engine, signal?: AbortSignal): Promise<Overview> {
  const c = engine.config;
  const stores = await withServerSizes(engine, await listStores(c, { signal }), signal);
  const classes = STORE_CLASSES.map((cls) => {
    const of = stores.filter((s) => s.class === cls);
    return {
      class: cls,
      description: CLASS_DESCRIPTIONS[cls],
      stores: new Set(of.map((s) => s.name)).size,
      present: new Set(of.filter((s) => s.exists).map((s) => s.name)).size,
      bytes: of.reduce((n, s) => n + s.size_bytes, 0),
    };
  });
  const [cas, events, backupsDisk, backups, syncer, schedule] = await Promise.all([
    diskUsage(c.casDir, { signal }),
    diskUsage(c.obsDir, { signal }),
    diskUsage(c.backupsDir, { signal }),
    engine.backups.list({ signal }),
    syncerStatus(engine),
    // A schedule that cannot be read is its own problem, shown in Backups; the Overview still loads.
    schedulerFor(engine)
      .status()
      .catch(() => null),
  ]);
  return {
    home: c.home,
    configFile: c.configFile,
    configFileLoaded: c.configFileLoaded,
    paths: PATHS.map((p) => ({ key: p.key, label: p.label, path: c[p.key] })),
    classes,
    disk: { cas, events, backups: backupsDisk },
    backups: summarizeBackups(backups, stores),
    syncer,
    jobs: engine.jobs.active(),
    attention: gatherAttention(engine, { stores, backups, syncer, schedule }),
    generatedAt: nowRfc3339(),
  };
}
