import { parseRfc3339 } from '../util/time.js';
import type { BackupSummary } from './types.js';

/**
 * The rules of a prune (Kopia's, plus an age): keep the newest N clean backups (keepLast, also
 * spelt --keep-latest), the newest clean backup of each of the last N days / ISO weeks / months
 * that have one (local time), and/or those younger than a duration. A backup any rule keeps stays.
 */
export interface RetentionRules {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  olderThanMs?: number;
}

/** The count rules, each with the period a clean backup fills (keepLast: every backup is its own). */
export const COUNT_RULES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/** One of COUNT_RULES. */
export type CountRule = (typeof COUNT_RULES)[number];

const pad = (n: number): string => String(n).padStart(2, '0');

/** The ISO 8601 week of a local date (`2026-W27`): weeks start on Monday, week 1 holds the first Thursday. */
function isoWeek(d: Date): string {
  const t = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  t.setDate(t.getDate() + 3 - ((t.getDay() + 6) % 7)); // The Thursday of its week decides the year.
  const jan4 = new Date(t.getFullYear(), 0, 4);
  const week = 1 + Math.round((t.getTime() - jan4.getTime()) / 86_400_000 / 7 - (3 - ((jan4.getDay() + 6) % 7)) / 7);
  return `${t.getFullYear()}-W${pad(week)}`;
}

/** The period of a backup under one rule. */
function periodOf(rule: CountRule, b: BackupSummary): string {
  const d = new Date(parseRfc3339(b.created_at));
  switch (rule) {
    case 'keepLast':
      return `${b.format}:${b.name}`;
    case 'keepDaily':
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case 'keepWeekly':
      return isoWeek(d);
    case 'keepMonthly':
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
  }
}

/** What the rules keep and delete. */
export interface RetentionPlan {
  kept: BackupSummary[];
  deleted: BackupSummary[];
  /** Kept backups that are not clean, so they did not use up one of the rules' places (names). */
  not_counted: string[];
  /** The newest clean backup, when the rules alone would have deleted it, else null. */
  protected: string | null;
  /** Safety backups a restore took (`pre-restore-…`) that are kept apart from the rules (names). */
  safety: string[];
}

/** Whether a backup is the safety copy a restore took of what it replaced. */
export function isSafetyBackup(name: string): boolean {
  return name.startsWith('pre-restore-');
}

/**
 * Decides which backups a prune keeps (`backups` newest first, archives and snapshots alike).
 * Only clean backups fill a rule's places: one with problems, damaged, unchecked or failed by a
 * verify never takes the place of a clean one. Such a backup is kept while a count rule still
 * has open places above it (it may hold the freshest copy of the stores that were fine) and
 * deleted once every rule's places are filled by newer clean backups. A backup younger than
 * olderThanMs is kept whatever it is. The newest clean backup is never deleted, whatever the
 * rules say (with no clean backup at all, the newest readable one stands in for it).
 */
export function planRetention(backups: BackupSummary[], rules: RetentionRules, now: number = Date.now()): RetentionPlan {
  // A restore's safety copy is the undo of that restore, not a backup of the home: it takes no
  // rule's place (the newest one would push out a real backup) and no rule but age deletes it.
  const regular = backups.filter((b) => !isSafetyBackup(b.name));
  const guard = regular.find((b) => b.clean) ?? regular.find((b) => b.status !== 'damaged');
  const plan: RetentionPlan = { kept: [], deleted: [], not_counted: [], protected: null, safety: [] };
  const filled = new Map<CountRule, Set<string>>(COUNT_RULES.filter((r) => rules[r] !== undefined).map((r) => [r, new Set<string>()]));
  for (const b of backups) {
    const keptByAge = rules.olderThanMs !== undefined && now - parseRfc3339(b.created_at) < rules.olderThanMs;
    if (isSafetyBackup(b.name)) {
      if (rules.olderThanMs !== undefined && !keptByAge) plan.deleted.push(b);
      else {
        plan.kept.push(b);
        plan.safety.push(b.name);
      }
      continue;
    }
    let keptByCount = false;
    for (const [rule, periods] of filled) {
      const places = rules[rule]!;
      if (periods.size >= places) continue;
      if (!b.clean) {
        keptByCount = true; // Places still open above it.
        continue;
      }
      const period = periodOf(rule, b);
      if (periods.has(period)) continue; // A newer clean backup already stands for this period.
      periods.add(period);
      keptByCount = true;
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
