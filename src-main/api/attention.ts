// What is wrong in a home, gathered for the top of the Overview: every failure a user should see
// without looking for it, each with the view (and the button there) that fixes it.
import type { Attention, Backup, Store, SyncerStatus } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import type { ScheduleStatus } from './backup-schedule.js';

/** The newest clean backup that holds a store, to restore it from. */
function backupWith(backups: Backup[], store: string): Backup | undefined {
  return backups.filter((b) => b.clean && b.stores.includes(store)).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
}

/** Stores that cannot be read: their file is not SQLite, their driver name is unknown, the server refused. */
function storeItems(stores: Store[], backups: Backup[]): Attention[] {
  return stores
    .filter((s) => s.error !== null)
    .map((s): Attention => {
      const from = backupWith(backups, s.name);
      return {
        id: `store:${s.name}${s.key ? `:${s.key}` : ''}`,
        severity: 'bad',
        title: `Store ${s.name} cannot be read`,
        detail: s.error!,
        action: from ? { kind: 'restore-store', label: `Restore ${s.name} from ${from.name}`, store: s.name, backup: from.name } : { kind: 'open', label: 'Open Stores', view: 'stores' },
      };
    });
}

/** The newest backup, when it is damaged, finished with problems or failed its verify. */
function backupItems(backups: Backup[]): Attention[] {
  const newest = [...backups].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
  if (!newest) return [];
  const why = newest.status === 'damaged' ? 'is damaged' : newest.status === 'completed_with_problems' ? 'finished with problems' : newest.verified?.ok === false ? 'failed its verify' : null;
  if (!why) return [];
  return [{ id: `backup:${newest.name}`, severity: 'bad', title: `The newest backup, ${newest.name}, ${why}`, detail: newest.problem ?? 'It does not count as a clean backup; back up again once the named problems are fixed.', action: { kind: 'open', label: 'Open Backups', view: 'backups' } }];
}

/** The last nightly run: failed, finished with problems, or its push failed. */
function scheduleItems(schedule: ScheduleStatus | null): Attention[] {
  const run = schedule?.last_run;
  if (!run) return [];
  const out: Attention[] = [];
  if (run.state === 'error') {
    out.push({ id: 'nightly:error', severity: 'bad', title: 'The last nightly backup failed', detail: run.error?.message ?? 'no message', action: { kind: 'open', label: 'Open Backups', view: 'backups' } });
  } else if (run.state === 'completed_with_problems') {
    out.push({ id: 'nightly:problems', severity: 'bad', title: `The last nightly backup (${run.backup ?? ''}) finished with problems`, detail: 'Some stores failed their check or could not be read; the backup lists them.', action: { kind: 'open', label: 'See the problems', view: 'backups' } });
  }
  if (run.push?.state === 'error') {
    out.push({ id: 'nightly:push', severity: 'warn', title: 'The last nightly backup was not pushed to the bucket', detail: run.push.error?.message ?? 'no message', action: { kind: 'open', label: 'Open Backups', view: 'backups' } });
  }
  if (schedule?.problem) out.push({ id: 'nightly:plan', severity: 'warn', title: 'No nightly backup is planned', detail: schedule.problem, action: { kind: 'open', label: 'Open the schedule', view: 'backups' } });
  return out;
}

/** The syncer: failing, or lines it rejected (they are kept, to be looked at). */
function syncerItems(s: SyncerStatus): Attention[] {
  const out: Attention[] = [];
  if (s.lastError) out.push({ id: 'syncer:error', severity: 'bad', title: 'The events syncer is failing', detail: `${s.lastError.code}: ${s.lastError.message}`, action: { kind: 'open', label: 'Open Events', view: 'events' } });
  if (s.rejectedTotal > 0) {
    out.push({
      id: 'syncer:rejects',
      severity: 'warn',
      title: `${s.rejectedTotal} event line${s.rejectedTotal === 1 ? ' was' : 's were'} rejected by the syncer`,
      detail: 'Lines that are not valid events (truncated, not JSON, no timestamp) are kept aside, not lost.',
      action: { kind: 'open-rejects', label: 'Open the rejects', view: 'events' },
    });
  }
  return out;
}

/** The newest CAS verify of this home, when it found problems. */
function casItems(engine: Engine): Attention[] {
  const job = engine.jobs.list({ limit: 500 }).find((j) => j.kind === 'cas.verify' && j.state === 'ok');
  const r = job?.result as { ok?: boolean; problems?: unknown[]; objects_checked?: number } | null | undefined;
  if (!job || !r || r.ok !== false) return [];
  const n = r.problems?.length ?? 0;
  return [{ id: `cas:verify:${job.id}`, severity: 'bad', title: `The last CAS verify found ${n} problem${n === 1 ? '' : 's'}`, detail: `Verified ${job.finished_at ?? job.created_at}: objects whose bytes are missing or do not match their digest.`, action: { kind: 'open', label: 'Open CAS', view: 'cas' } }];
}

/**
 * Everything the Overview must show in red or amber, worst first: unreadable stores, the newest
 * backup when it is damaged or has problems, the last nightly run, the syncer, the last CAS verify.
 */
export function gatherAttention(engine: Engine, parts: { stores: Store[]; backups: Backup[]; syncer: SyncerStatus; schedule: ScheduleStatus | null }): Attention[] {
  const items = [...storeItems(parts.stores, parts.backups), ...backupItems(parts.backups), ...scheduleItems(parts.schedule), ...syncerItems(parts.syncer), ...casItems(engine)];
  // The nightly run's problems are the newest backup's: say them once.
  if (items.some((i) => i.id === 'nightly:problems')) return sortItems(items.filter((i) => !i.id.startsWith('backup:')));
  return sortItems(items);
}

function sortItems(items: Attention[]): Attention[] {
  return [...items].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'bad' ? -1 : 1));
}
