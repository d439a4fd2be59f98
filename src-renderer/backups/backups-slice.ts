import type { StateCreator } from 'zustand';
import type { Backup, BackupSchedule, CallArgs, CallOutput, RepoStats } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import { isFinal } from '../jobs/jobs-slice';
import type { StudioState } from '../store';

/** An action the Backups view started: its job (when it is one) and its `foxctl backup` line. */
export interface BackupActionRef {
  kind: 'create' | 'verify' | 'verifyAll' | 'rehearse' | 'restore' | 'schedule' | 'push' | 'pull';
  /** The backup it acts on ('' for a create before its name is known). */
  name: string;
  jobId: string;
  cli: string;
}

/** The Backups view's data: the archives, newest first, and the actions started from the view. */
export interface BackupsSlice {
  backups: Backup[] | null;
  /** The snapshot repository's size against the homes it holds (null until loaded). */
  repoStats: RepoStats | null;
  /** Actions started from the view, newest last (their jobs live in the jobs slice). */
  backupActions: BackupActionRef[];
  loadBackups(): Promise<void>;
  startBackup(opts: CallArgs<'backups.create'>): Promise<BackupActionRef | undefined>;
  verifyBackup(name: string): Promise<BackupActionRef | undefined>;
  /** Verifies every archive and snapshot, as one job. */
  verifyAllBackups(): Promise<BackupActionRef | undefined>;
  rehearseBackup(name: string): Promise<BackupActionRef | undefined>;
  planRestore(input: Omit<CallArgs<'backups.restore'>, 'dryRun'>): Promise<CallOutput<'backups.restore'> | undefined>;
  startRestore(input: Omit<CallArgs<'backups.restore'>, 'dryRun'>): Promise<BackupActionRef | undefined>;
  /** A dry run that also counts each database's rows now and in the backup (tracked apart from the plan: it can take a while). */
  countRestoreRows(input: Omit<CallArgs<'backups.restore'>, 'dryRun' | 'countRows'>): Promise<CallOutput<'backups.restore'> | undefined>;
  backupInfo(name: string): Promise<CallOutput<'backups.info'> | undefined>;
  deleteBackup(name: string): Promise<CallOutput<'backups.delete'> | undefined>;
  pruneBackups(input: CallArgs<'backups.prune'>): Promise<CallOutput<'backups.prune'> | undefined>;
  /** The nightly schedule (null until loaded). */
  backupSchedule: BackupSchedule | null;
  loadBackupSchedule(): Promise<void>;
  saveBackupSchedule(input: CallArgs<'backups.setSchedule'>): Promise<boolean>;
  runBackupScheduleNow(): Promise<void>;
  /** A restore asked for from elsewhere (the Overview's "Restore X from B"): the Backups view opens its wizard. */
  restoreAsk: { backup: string; store: string } | null;
  askRestore(ask: { backup: string; store: string } | null): void;
  /** The backup bucket's backups (null until loaded). */
  remoteBackups: CallOutput<'backups.remote'> | null;
  loadRemoteBackups(): Promise<void>;
  pushBackup(name: string): Promise<BackupActionRef | undefined>;
  pullBackup(name: string): Promise<BackupActionRef | undefined>;
}

/** Creates the backups slice. */
export const createBackupsSlice: StateCreator<StudioState, [], [], BackupsSlice> = (set, get) => {
  const remember = (ref: BackupActionRef): BackupActionRef => {
    set((s) => ({ backupActions: [...s.backupActions.slice(-49), ref] }));
    return ref;
  };
  return {
    backups: null,
    repoStats: null,
    backupActions: [],
    backupSchedule: null,
    remoteBackups: null,
    restoreAsk: null,
    askRestore: (ask) => set({ restoreAsk: ask }),
    loadRemoteBackups: async () => {
      const r = await get().track('backups.remote', () => call('backups.remote', {}));
      if (r) set({ remoteBackups: r });
    },
    pushBackup: async (name) => {
      const r = await get().track(`backups.push:${name}`, () => call('backups.push', { name }));
      return r && remember({ kind: 'push', name, ...r });
    },
    pullBackup: async (name) => {
      const r = await get().track(`backups.pull:${name}`, () => call('backups.pull', { name }));
      return r && remember({ kind: 'pull', name, ...r });
    },
    loadBackupSchedule: async () => {
      // A run's retention follows its job's end: while the job is over but the run is not, ask again.
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await get().track('backups.schedule', () => call('backups.schedule', {}));
        if (!r) return;
        set({ backupSchedule: r });
        const jobId = r.last_run?.state === 'running' ? r.last_run.job_id : null;
        const job = jobId ? get().jobs[jobId] : undefined;
        if (!job || !isFinal(job.state)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    saveBackupSchedule: async (input) => {
      const r = await get().track('backups.setSchedule', () => call('backups.setSchedule', input));
      if (r) set({ backupSchedule: r });
      return !!r;
    },
    runBackupScheduleNow: async () => {
      const r = await get().track('backups.runSchedule', () => call('backups.runSchedule', {}));
      if (!r) return;
      set({ backupSchedule: r.schedule });
      remember({ kind: 'schedule', name: r.schedule.last_run?.backup ?? '', jobId: r.jobId, cli: r.schedule.cli });
    },
    loadBackups: async () => {
      const backups = await get().track('backups', () => call('backups.list', {}));
      if (backups) set({ backups });
      // Sized after the list, so the figure matches the snapshots it shows.
      const repoStats = await get().track('backups.repoStats', () => call('backups.repoStats', {}));
      if (repoStats) set({ repoStats });
    },
    startBackup: async (opts) => {
      const r = await get().track('backups.create', () => call('backups.create', opts));
      return r && remember({ kind: 'create', name: opts.name ?? '', jobId: r.jobId, cli: r.cli });
    },
    verifyBackup: async (name) => {
      const r = await get().track(`backups.verify:${name}`, () => call('backups.verify', { name }));
      return r && remember({ kind: 'verify', name, ...r });
    },
    verifyAllBackups: async () => {
      const r = await get().track('backups.verifyAll', () => call('backups.verifyAll', {}));
      return r && remember({ kind: 'verifyAll', name: '', ...r });
    },
    rehearseBackup: async (name) => {
      const r = await get().track(`backups.rehearse:${name}`, () => call('backups.rehearse', { name }));
      return r && remember({ kind: 'rehearse', name, ...r });
    },
    planRestore: async (input) => get().track(`backups.restore:${input.name}`, () => call('backups.restore', { ...input, dryRun: true })),
    countRestoreRows: async (input) => get().track(`backups.restoreRows:${input.name}`, () => call('backups.restore', { ...input, dryRun: true, countRows: true })),
    startRestore: async (input) => {
      const r = await get().track(`backups.restore:${input.name}`, () => call('backups.restore', { ...input, dryRun: false }));
      return r && remember({ kind: 'restore', name: input.name, jobId: r.jobId, cli: r.cli });
    },
    backupInfo: async (name) => get().track(`backups.info:${name}`, () => call('backups.info', { name })),
    deleteBackup: async (name) => {
      const r = await get().track(`backups.delete:${name}`, () => call('backups.delete', { name }));
      if (r) await get().loadBackups();
      return r;
    },
    pruneBackups: async (input) => {
      const r = await get().track('backups.prune', () => call('backups.prune', input));
      if (r && !r.dry_run) await get().loadBackups();
      return r;
    },
  };
};
