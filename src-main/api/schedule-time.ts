// The clock arithmetic of the nightly backup: pure functions, no engine, no timers.
import { FoxError } from '../engine/errors.js';

/** Which clock a time of day is read on. */
export type ScheduleZone = 'local' | 'utc';

/** Parses `HH:MM` (24-hour, `7:05` accepted) into hours and minutes; INVALID_INPUT naming the value otherwise. */
export function parseTimeOfDay(text: string, what = 'backup.schedule.time'): { hours: number; minutes: number } {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  const hours = m ? Number(m[1]) : NaN;
  const minutes = m ? Number(m[2]) : NaN;
  if (!m || hours > 23 || minutes > 59) throw new FoxError('INVALID_INPUT', `${what} must be a time of day HH:MM from 00:00 to 23:59 (got ${JSON.stringify(text)})`, { subject: what });
  return { hours, minutes };
}

/** `HH:MM` with two digits each. */
export function formatTimeOfDay(t: { hours: number; minutes: number }): string {
  return `${String(t.hours).padStart(2, '0')}:${String(t.minutes).padStart(2, '0')}`;
}

/**
 * The first instant strictly after `now` whose wall clock (local or UTC) reads `time`. In local
 * time the calendar day is stepped, not 24 hours added, so a DST change keeps the wall-clock
 * time; a time that does not exist on a spring-forward day runs when the clock has jumped past it
 * (02:30 becomes 03:30), and a time that exists twice on a fall-back day runs at its first one.
 */
export function nextRunAt(now: Date, time: string, zone: ScheduleZone = 'local'): Date {
  const { hours, minutes } = parseTimeOfDay(time);
  const at = (dayOffset: number): Date => {
    if (zone === 'utc') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + dayOffset, hours, minutes));
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() + dayOffset, hours, minutes);
  };
  for (let day = 0; day < 3; day++) {
    const candidate = at(day);
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  // Unreachable: tomorrow's time is always after now; kept so the function is total.
  return at(1);
}

/** The name of a scheduled backup taken at `date`: `nightly-YYYYMMDD-HHMMSS` on the schedule's clock. */
export function scheduledBackupName(date: Date, zone: ScheduleZone = 'local'): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const utc = zone === 'utc';
  const y = utc ? date.getUTCFullYear() : date.getFullYear();
  const mo = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const d = utc ? date.getUTCDate() : date.getDate();
  const h = utc ? date.getUTCHours() : date.getHours();
  const mi = utc ? date.getUTCMinutes() : date.getMinutes();
  const s = utc ? date.getUTCSeconds() : date.getSeconds();
  return `${SCHEDULED_PREFIX}${y}${p(mo)}${p(d)}-${p(h)}${p(mi)}${p(s)}`;
}

/** Names of scheduled backups start with this. */
export const SCHEDULED_PREFIX = 'nightly-';

/** Whether a backup name is one the schedule took (the only ones its retention deletes). */
export function isScheduledName(name: string): boolean {
  return /^nightly-\d{8}-\d{6}$/.test(name);
}

/** When a scheduled backup was taken, read back from its name on the schedule's clock (null for other names). */
export function scheduledNameTime(name: string, zone: ScheduleZone = 'local'): Date | null {
  const m = /^nightly-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return zone === 'utc' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
}

/** What a desktop notification says about a scheduled run that went wrong, or null when it went well. */
export function runNotice(run: { state: string; backup: string | null; error: { message: string } | null; push: { state: string; error: { message: string } | null } | null }): { title: string; body: string } | null {
  if (run.state === 'error') return { title: 'Nightly backup failed', body: run.error?.message ?? 'The backup did not finish; open Backups for details.' };
  if (run.state === 'completed_with_problems') return { title: 'Nightly backup finished with problems', body: `${run.backup ?? 'The backup'} names stores that failed their check or could not be read; open Backups.` };
  if (run.push?.state === 'error') return { title: 'Nightly backup not pushed', body: run.push.error?.message ?? 'The push to the backup bucket failed.' };
  return null;
}
