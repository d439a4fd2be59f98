import type { Backup, BackupSummary, Store, SyncerStatus } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import type { SyncStatus } from '../engine/events/sync-status.js';

/** Areas of the engine that a build may not have yet (the CAS is wired into the engine separately). */
export interface AreaFeatures {
  cas: boolean;
}

/** Which optional areas this engine has. */
export function areaFeatures(engine: Engine): AreaFeatures {
  return { cas: 'cas' in engine };
}

/** The engine's syncer status in the contract's terms. */
export function summarizeSyncStatus(s: SyncStatus): SyncerStatus {
  return {
    running: s.running,
    syncing: s.syncing,
    lastRunAt: s.last_run,
    lastError: s.last_error,
    pendingLines: s.pending_lines,
    pendingExact: s.pending_lines_exact,
    lagBytes: s.lag_bytes,
    syncedTotal: s.synced_total,
    rejectedTotal: s.rejected_total,
    intervalMs: s.interval_ms,
  };
}

/** The events syncer's status, summarized for the GUI. */
export async function syncerStatus(engine: Engine): Promise<SyncerStatus> {
  return summarizeSyncStatus(await engine.events.syncer.status());
}

/**
 * The newest backup (damaged or with problems too: the Overview must not hide them behind an
 * older good one), the newest clean one, and the sync_critical stores with data that the
 * newest lacks: the facts behind the Overview's backup card.
 */
export function summarizeBackups(backups: Backup[], stores: Store[]): BackupSummary {
  const newestOf = (list: Backup[]): Backup | null => list.reduce<Backup | null>((a, b) => (a === null || Date.parse(b.created_at) > Date.parse(a.created_at) ? b : a), null);
  const newest = newestOf(backups);
  const critical = [...new Set(stores.filter((s) => s.class === 'sync_critical' && s.exists).map((s) => s.name))];
  const included = new Set(newest?.stores ?? []);
  const readable = backups.filter((b) => b.problem === undefined);
  return { count: readable.length, newest, lastClean: newestOf(backups.filter((b) => b.clean)), missingCritical: newest && !newest.problem ? critical.filter((n) => !included.has(n)) : [] };
}
