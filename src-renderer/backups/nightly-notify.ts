import type { Job } from '../../src-preload/contract';
import { isFinal } from '../jobs/jobs-slice';
import { useStudio } from '../store';

/** A scheduled backup's job: `backup create nightly-YYYYMMDD-HHMMSS` (the scheduler names it so). */
function isNightly(j: Job): boolean {
  return j.kind === 'backup.create' && /^backup create nightly-\d{8}-\d{6}$/.test(j.title);
}

/** What to say about a nightly job that went wrong, or null. */
export function nightlyNotice(j: Job): { title: string; body: string } | null {
  if (j.state === 'error') return { title: 'Nightly backup failed', body: j.error?.message ?? 'Open Backups for details.' };
  if (j.state === 'ok' && (j.result as { status?: string } | null)?.status === 'completed_with_problems') {
    return { title: 'Nightly backup finished with problems', body: `${j.title.slice('backup create '.length)} names stores that failed their check or could not be read.` };
  }
  return null;
}

/** Whether this browser can show notifications and the user allowed them. */
export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/**
 * Browser mode: a desktop notification when a nightly backup's job ends badly while the page is
 * open (the Electron app notifies from its main process, window or not). Returns the unsubscribe.
 */
export function watchNightlyFailures(): () => void {
  return useStudio.subscribe((now, before) => {
    if (now.info?.mode !== 'browser' || !notificationsAllowed()) return;
    for (const j of Object.values(now.jobs)) {
      const was = before.jobs[j.id];
      if (!isNightly(j) || !isFinal(j.state) || (was && isFinal(was.state))) continue;
      const notice = nightlyNotice(j);
      if (notice) new Notification(notice.title, { body: notice.body, tag: j.id });
    }
  });
}
