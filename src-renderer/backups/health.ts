import type { BackupProblem, BackupSummary } from '../../src-preload/contract';
import { ageMs } from '../shared/format';

/** A backup older than this gets a warning on the Overview. */
export const BACKUP_MAX_AGE_MS = 24 * 3600 * 1000;

/** What the Overview warns about: no backup at all, a stale one, sync-critical stores it lacks, and what is wrong with it. */
export interface BackupHealth {
  never: boolean;
  old: boolean;
  missing: string[];
  warn: boolean;
  /** The newest backup has problems, cannot be read, or failed a verify: the card goes red. */
  bad: boolean;
  /** What is wrong with the newest backup, one line each. */
  problems: string[];
}

/** One line naming a problem that backup create found. */
export function describeProblem(p: BackupProblem): string {
  if (p.kind === 'cas_object') return `CAS object ${p.digest ?? p.path}: ${p.detail}`;
  return `${p.store ? `Store ${p.store}` : p.path}: ${p.detail}`;
}

/** The warnings of the newest backup, as of `now`. */
export function backupHealth(b: BackupSummary, now = Date.now()): BackupHealth {
  if (!b.newest) return { never: true, old: false, missing: [], warn: true, bad: false, problems: [] };
  const n = b.newest;
  const old = !(ageMs(n.created_at, now) <= BACKUP_MAX_AGE_MS);
  const problems = [
    ...(n.problem ? [`The archive cannot be read: ${n.problem}`] : []),
    ...(n.verified?.ok === false ? ['A verify found the archive damaged.'] : []),
    ...n.problems.map(describeProblem),
  ];
  const bad = problems.length > 0 || n.status === 'completed_with_problems' || n.status === 'damaged';
  return { never: false, old, missing: b.missingCritical, warn: old || b.missingCritical.length > 0 || bad, bad, problems };
}
