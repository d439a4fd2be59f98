import type { BackupSummary } from '../../src-preload/contract';
import { ageMs } from '../format';

/** A backup older than this gets a warning on the Overview. */
export const BACKUP_MAX_AGE_MS = 24 * 3600 * 1000;

/** What the Overview warns about: no backup at all, a stale one, sync-critical stores it lacks. */
export interface BackupHealth {
  never: boolean;
  old: boolean;
  missing: string[];
  warn: boolean;
}

/** The warnings of the newest backup, as of `now`. */
export function backupHealth(b: BackupSummary, now = Date.now()): BackupHealth {
  if (!b.newest) return { never: true, old: false, missing: [], warn: true };
  const old = !(ageMs(b.newest.created_at, now) <= BACKUP_MAX_AGE_MS);
  return { never: false, old, missing: b.missingCritical, warn: old || b.missingCritical.length > 0 };
}
