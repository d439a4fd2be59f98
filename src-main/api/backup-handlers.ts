import type { Engine } from '../engine/engine.js';
import { writerOf } from '../engine/backup/manifest.js';
import { FoxError } from '../engine/errors.js';
import { parseDuration } from '../engine/util/duration.js';
import { backupCliEquivalent } from './backup-cli.js';
import { schedulerFor } from './backup-schedule.js';
import type { Handlers } from './handlers.js';

/** The calls of the Backups view. */
export type BackupCallName =
  | 'backups.create'
  | 'backups.info'
  | 'backups.verify'
  | 'backups.verifyAll'
  | 'backups.restore'
  | 'backups.rehearse'
  | 'backups.delete'
  | 'backups.prune'
  | 'backups.repoStats'
  | 'backups.schedule'
  | 'backups.setSchedule'
  | 'backups.runSchedule';

/**
 * Handlers of the Backups view: each goes through engine.backups (so the engine checks names,
 * components and stores and fails with a FoxError naming what was wrong) and returns the
 * `foxctl backup ...` command line that does the same. Long work is a job; only a restore's dry
 * run is awaited, because the wizard shows its plan before anything changes.
 */
export function createBackupHandlers(engine: Engine): Pick<Handlers, BackupCallName> {
  return {
    'backups.create': async (input) => ({ jobId: engine.backups.create(input).id, cli: backupCliEquivalent({ action: 'create', ...input }) }),
    'backups.info': async (input, { signal }) => {
      const { manifest, ...info } = await engine.backups.info(input.name, { signal });
      return { ...info, written_by: writerOf(manifest) ?? null, skipped_stores: manifest.skipped_stores ?? [], cli: backupCliEquivalent({ action: 'info', name: input.name }) };
    },
    'backups.verify': async (input) => ({ jobId: engine.backups.verify(input.name).id, cli: backupCliEquivalent({ action: 'verify', name: input.name }) }),
    'backups.verifyAll': async () => ({ jobId: engine.backups.verifyAll().id, cli: backupCliEquivalent({ action: 'verify', all: true }) }),
    'backups.restore': async (input, { signal }) => {
      const cli = backupCliEquivalent({ action: 'restore', ...input });
      if (!input.dryRun) return { jobId: engine.backups.restore(input.name, input).id, cli, plan: null };
      // The request's signal cancels the dry-run job when the wizard is closed mid-plan.
      const job = engine.backups.restore(input.name, { ...input, signal });
      return { jobId: job.id, cli, plan: await job.done };
    },
    'backups.rehearse': async (input) => ({ jobId: engine.backups.rehearse(input.name).id, cli: backupCliEquivalent({ action: 'rehearse', name: input.name }) }),
    'backups.delete': async (input, { signal }) => ({ ...(await engine.backups.delete(input.name, { signal })), cli: backupCliEquivalent({ action: 'delete', name: input.name }) }),
    'backups.prune': async (input, { signal }) => {
      const olderThanMs = input.olderThan === undefined ? undefined : parseDuration(input.olderThan, 'olderThan');
      const r = await engine.backups.prune({ keepLast: input.keepLast, keepDaily: input.keepDaily, keepWeekly: input.keepWeekly, keepMonthly: input.keepMonthly, olderThanMs, dryRun: input.dryRun, signal });
      return { ...r, cli: backupCliEquivalent({ action: 'prune', ...input }) };
    },
    'backups.repoStats': async (_input, { signal }) => engine.backups.repoStats({ signal }),
    'backups.schedule': async () => schedulerFor(engine).status(),
    'backups.setSchedule': async (input) => schedulerFor(engine).update(input),
    'backups.runSchedule': async () => {
      const scheduler = schedulerFor(engine);
      // The run starts its job before its first await, so its id is known at once.
      void scheduler.runNow().catch(() => undefined);
      const schedule = await scheduler.status();
      if (!schedule.last_run?.job_id) throw new FoxError('UNAVAILABLE', schedule.last_run?.error?.message ?? 'the scheduled backup did not start');
      return { jobId: schedule.last_run.job_id, schedule };
    },
  };
}
