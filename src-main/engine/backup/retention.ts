import { parseRfc3339 } from '../util/time.js';
import type { BackupSummary } from './types.js';

/** The rules of a prune: keep the newest N clean backups and/or those younger than a duration. */
export interface RetentionRules {
  keepLast?: number;
  olderThanMs?: number;
}

/** What the rules keep and delete. */
export interface RetentionPlan {
  kept: BackupSummary[];
  deleted: BackupSummary[];
  /** Kept backups that are not clean, so they did not use up one of the keepLast places (names). */
  not_counted: string[];
  /** The newest clean backup, when the rules alone would have deleted it, else null. */
  protected: string | null;
}

/**
 * Decides which backups a prune keeps (`backups` newest first). Only clean backups count toward
 * keepLast: one with problems, damaged, unchecked or failed by a verify never takes the place of
 * a clean one. Such a backup is kept while it is newer than the keepLast-th clean backup (it may
 * still hold the freshest copy of the stores that were fine) and deleted once that many clean
 * backups are newer than it. A backup younger than olderThanMs is kept whatever it is. The
 * newest clean backup is never deleted, whatever the rules say (with no clean backup at all, the
 * newest readable one stands in for it).
 */
export function planRetention(backups: BackupSummary[], rules: RetentionRules, now: number = Date.now()): RetentionPlan {
  const guard = backups.find((b) => b.clean) ?? backups.find((b) => b.status !== 'damaged');
  const plan: RetentionPlan = { kept: [], deleted: [], not_counted: [], protected: null };
  let counted = 0;
  for (const b of backups) {
    const keptByAge = rules.olderThanMs !== undefined && now - parseRfc3339(b.created_at) < rules.olderThanMs;
    let keptByCount = false;
    if (rules.keepLast !== undefined) {
      // A clean backup takes a place; any other is kept while places are still open above it.
      keptByCount = counted < rules.keepLast;
      if (b.clean) counted++;
    }
    if (keptByCount || keptByAge) {
      plan.kept.push(b);
      if (!b.clean) plan.not_counted.push(b.name);
    } else if (b === guard) {
      plan.kept.push(b);
      plan.protected = b.name;
      if (!b.clean) plan.not_counted.push(b.name);
    } else plan.deleted.push(b);
  }
  return plan;
}
