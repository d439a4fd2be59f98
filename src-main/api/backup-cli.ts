// "Show CLI equivalent": the `foxctl backup ...` command line that does what a Backups view
// action did, so a person can script it or run it over SSH. Pure functions, no engine.

/** What a Backups view action did, with the options that change its command line. */
export type BackupAction =
  | { action: 'create'; name?: string; format?: 'tar' | 'snapshot'; components?: string[]; includeLocalOnly?: boolean; check?: 'quick' | 'full'; strict?: boolean }
  | { action: 'info' | 'verify' | 'rehearse' | 'delete'; name: string }
  | { action: 'verify'; all: true }
  | { action: 'restore'; name: string; components?: string[]; stores?: string[]; force?: boolean; forceInUse?: boolean; dryRun?: boolean }
  | { action: 'prune'; keepLast?: number; keepDaily?: number; keepWeekly?: number; keepMonthly?: number; olderThan?: string; dryRun?: boolean };

/** Quotes a shell word only when it needs it (POSIX single quotes, `'` escaped). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9._\-/=:@+]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `foxctl backup ...` command line of an action. */
export function backupCliEquivalent(a: BackupAction): string {
  const words: string[] = ['foxctl', 'backup', a.action];
  switch (a.action) {
    case 'create':
      if (a.name) words.push('--name', a.name);
      if (a.format) words.push('--format', a.format);
      if (a.components && a.components.length > 0) words.push('--components', ...a.components);
      if (a.includeLocalOnly) words.push('--local-only');
      if (a.check === 'full') words.push('--integrity');
      if (a.strict) words.push('--strict');
      break;
    case 'restore':
      words.push(a.name);
      if (a.components && a.components.length > 0) words.push('--components', ...a.components);
      for (const s of a.stores ?? []) words.push('--store', s);
      if (a.force) words.push('--force');
      if (a.forceInUse) words.push('--force-in-use');
      if (a.dryRun) words.push('--dry-run');
      break;
    case 'prune':
      if (a.keepLast !== undefined) words.push('--keep-last', String(a.keepLast));
      if (a.keepDaily !== undefined) words.push('--keep-daily', String(a.keepDaily));
      if (a.keepWeekly !== undefined) words.push('--keep-weekly', String(a.keepWeekly));
      if (a.keepMonthly !== undefined) words.push('--keep-monthly', String(a.keepMonthly));
      if (a.olderThan !== undefined) words.push('--older-than', a.olderThan);
      if (a.dryRun) words.push('--dry-run');
      break;
    default:
      if ('all' in a) words.push('--all');
      else words.push(a.name);
  }
  return words.map(shellWord).join(' ');
}
