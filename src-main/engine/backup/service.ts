import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import type { StoreConnections } from '../db/connections.js';
import type { DbInspector } from '../db/inspect/inspector.js';
import { FoxError, isFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/manager.js';
import type { JobContext } from '../jobs/types.js';
import { deleteBackup, listBackups, pruneBackups, readManifest, summarize } from './catalog.js';
import { createBackup, prepareCreate, type ProgressSink } from './create.js';
import { assertScanUsable } from './archive-reader.js';
import { resolveBackupSource } from './backup-source.js';
import { BackupBrowser, type BrowseBackup, type BrowseRows, type BrowseTables } from './browse.js';
import { rehearseBackup } from './rehearse.js';
import { planRestore, restoreBackup } from './restore.js';
import type {
  BackupFormat,
  BackupInfo,
  BackupSummary,
  CreateBackupOptions,
  CreateBackupResult,
  PruneOptions,
  PruneResult,
  RehearseResult,
  RestoreOptions,
  RestoreResult,
  VerifyResult,
} from './types.js';
import { verifyArchive } from './verify.js';
import { recordOutcome, snapshotRecordFile } from './verify-record.js';
import { verifyAll, type VerifyAllItem, type VerifyAllResult } from './verify-all.js';
import { exportSnapshot } from './repo/export-snapshot.js';
import { verifySnapshot } from './verify-snapshot.js';
import type { RepoPaths } from './repo/layout.js';
import { readSnapshot } from './repo/snapshot-file.js';
import { repoStats, type RepoStats } from './repo-stats.js';
import { resolveBackup, SNAPSHOT_PREFIX, snapshotRepoRoot } from './resolve-backup.js';
import { repoPaths } from './repo/layout.js';
import { pruneRepo } from './repo/prune-repo.js';
import { deleteSnapshot, snapshotManifest, summarizeSnapshot } from './snapshot-catalog.js';
import { exportTarget, type ExportOptions, type ExportResult } from './export.js';

/** What the backup service needs of the engine. */
export interface BackupHost {
  config: FoxConfig;
  stores: StoreConnections;
  jobs: JobManager;
  /** Read-only inspection: browse reads a backup's tables and rows through it. */
  inspect: DbInspector;
}

function sinkOf(ctx: JobContext): ProgressSink {
  return { signal: ctx.signal, progress: (done, total, message) => ctx.progress(done, total, message) };
}

/**
 * Backups of a foxctl home in the Go foxctl's archive format. Long operations (create, verify,
 * restore, rehearse) are jobs with progress in bytes and cancel; the rest are plain async calls.
 * Every result is a plain JSON-able object.
 */
export class BackupService {
  private browser?: BackupBrowser;

  constructor(private readonly host: BackupHost) {}

  private browsing(): BackupBrowser {
    return (this.browser ??= new BackupBrowser(this.host.config, () => this.host.inspect));
  }

  /** The databases a backup (archive or snapshot) holds, without restoring anything. */
  async browse(name: string, opts: OpOptions = {}): Promise<BrowseBackup> {
    return this.browsing().stores(name, opts);
  }

  /** The tables of one store of a backup (its database materialized and checked once per session). */
  async browseTables(name: string, store: string, opts: OpOptions = {}): Promise<BrowseTables> {
    return this.browsing().tables(name, store, opts);
  }

  /** A page of one table of one store of a backup, read-only. */
  async browseRows(name: string, store: string, table: string, opts: OpOptions & { limit?: number; offset?: number } = {}): Promise<BrowseRows> {
    return this.browsing().rows(name, store, table, opts);
  }

  /** Removes what browse materialized (engine close). */
  close(): void {
    this.browser?.close();
  }

  /** Starts a backup; options are checked (name, components, existing name) before the job starts. */
  create(opts: CreateBackupOptions = {}): JobHandle<CreateBackupResult> {
    const config = this.host.config;
    const { name } = prepareCreate(config, opts);
    return this.host.jobs.start({ kind: 'backup.create', title: `backup create ${name}`, unit: 'bytes', signal: opts.signal }, (ctx) =>
      createBackup(config, { ...opts, name }, sinkOf(ctx)),
    );
  }

  /** Every backup in the backups dir, newest first (damaged ones with their problem). */
  async list(opts: OpOptions = {}): Promise<BackupSummary[]> {
    return listBackups(this.host.config, opts.signal);
  }

  /** A backup's manifest (for a snapshot, its equivalent) and what a restore (without force) would do with each file. */
  async info(name: string, opts: OpOptions = {}): Promise<BackupInfo> {
    const found = resolveBackup(this.host.config, name);
    if (found.format === 'snapshot') {
      const snap = await readSnapshot(found.repo, found.name);
      const manifest = snapshotManifest(snap);
      return { ...summarizeSnapshot(this.host.config, found.path, snap), manifest, restore_plan: planRestore(this.host.config, manifest, {}, undefined) };
    }
    const archive = found;
    const { manifest, problems } = await readManifest(archive.path, opts.signal);
    const usable = assertScanUsable({ entries: [], manifest, problems, archiveSize: 0 }, archive.path);
    return { ...summarize(archive.path, manifest, problems), manifest: usable, restore_plan: planRestore(this.host.config, usable, {}, undefined) };
  }

  /**
   * Verifies every file's checksum and every database's integrity, without touching live files,
   * and records the outcome beside the archive (list shows it; retention stops counting a
   * backup that failed).
   */
  verify(name: string, opts: OpOptions = {}): JobHandle<VerifyResult> {
    const found = resolveBackup(this.host.config, name);
    if (found.format === 'snapshot') return this.verifySnapshot(found, opts);
    const archive = found;
    return this.host.jobs.start({ kind: 'backup.verify', title: `backup verify ${archive.name}`, unit: 'bytes', signal: opts.signal }, async (ctx) => {
      const v = await verifyArchive(archive.name, archive.path, sinkOf(ctx));
      recordOutcome(archive.path, v);
      return v;
    });
  }

  /**
   * Verifies every archive and snapshot in the backups dir as one job (see verifyAll: blobs
   * several snapshots share are hashed once), recording each outcome as `verify` does.
   * `onBackup` hears of each backup as it finishes.
   */
  verifyAll(opts: OpOptions & { onBackup?: (item: VerifyAllItem, done: number, total: number) => void } = {}): JobHandle<VerifyAllResult> {
    return this.host.jobs.start({ kind: 'backup.verify', title: 'backup verify --all', unit: 'bytes', signal: opts.signal }, (ctx) =>
      verifyAll(this.host.config, sinkOf(ctx), opts.onBackup ? { onBackup: opts.onBackup } : {}),
    );
  }

  /** Restores (or with dryRun, plans) a backup; see restoreArchive for the safety steps. */
  restore(name: string, opts: RestoreOptions = {}): JobHandle<RestoreResult> {
    const source = resolveBackupSource(this.host.config, name);
    const title = `backup restore ${source.name}${opts.dryRun ? ' (dry run)' : ''}`;
    return this.host.jobs.start({ kind: 'backup.restore', title, unit: 'bytes', signal: opts.signal }, (ctx) => restoreBackup(this.restoreHost(), source, opts, sinkOf(ctx)));
  }

  /** Restores into a throwaway home, checks integrity and compares row counts with the live stores. */
  rehearse(name: string, opts: OpOptions = {}): JobHandle<RehearseResult> {
    const source = resolveBackupSource(this.host.config, name);
    return this.host.jobs.start({ kind: 'backup.rehearse', title: `backup rehearse ${source.name}`, unit: 'bytes', signal: opts.signal }, (ctx) => rehearseBackup(this.restoreHost(), source, sinkOf(ctx)));
  }

  /** Deletes one backup (a snapshot's file only: prune frees the blobs no snapshot uses). */
  async delete(name: string, opts: OpOptions = {}): Promise<{ name: string; format: BackupFormat; path: string; size: number }> {
    throwIfAborted(opts.signal, 'backup delete');
    const found = resolveBackup(this.host.config, name);
    if (found.format === 'snapshot') return { format: 'snapshot', ...(await deleteSnapshot(this.host.config, found.name)) };
    return { format: 'tar', ...deleteBackup(this.host.config, found.path) };
  }

  /** Writes a snapshot as one Go-format archive (`--out`, default `backup_<name>.tar.gz` in the working directory). */
  export(name: string, opts: ExportOptions = {}): JobHandle<ExportResult> {
    const found = resolveBackup(this.host.config, name.startsWith(SNAPSHOT_PREFIX) ? name : `${SNAPSHOT_PREFIX}${name}`);
    if (found.format !== 'snapshot') throw new FoxError('INVALID_INPUT', `${name} is an archive already`);
    const out = exportTarget(found.name, opts.out);
    if (fs.existsSync(out)) throw new FoxError('CONFLICT', `${out} already exists; an export never overwrites a file`, { subject: out });
    return this.host.jobs.start({ kind: 'backup.export', title: `backup export ${found.name}`, unit: 'bytes', signal: opts.signal }, async (ctx) => {
      const r = await exportSnapshot(found.repo, found.name, out, sinkOf(ctx));
      return { name: found.name, path: out, size: fs.statSync(out).size, files: r.manifest.stats.total_files, total_size: r.manifest.stats.total_size };
    });
  }

  /**
   * Frees the repository packs no snapshot uses any more (after snapshots were deleted one by one,
   * as the nightly retention does), by the two-phase prune. Null when there is no repository or a
   * backup holds it (the next call frees them).
   */
  async freeUnused(opts: OpOptions = {}): Promise<{ freed_bytes: number; deleted_packs: number } | null> {
    const root = snapshotRepoRoot(this.host.config);
    if (!fs.existsSync(path.join(root, 'config.json'))) return null;
    try {
      const r = await pruneRepo(repoPaths(root), [], opts.signal ? { signal: opts.signal } : {});
      return { freed_bytes: r.freedBytes, deleted_packs: r.deletedPacks };
    } catch (err) {
      if (isFoxError(err, 'CONFLICT')) return null;
      throw err;
    }
  }

  /** The snapshot repository's size on disk against the sum of the homes its snapshots hold. */
  async repoStats(opts: OpOptions = {}): Promise<RepoStats> {
    return repoStats(this.host.config, opts.signal);
  }

  private verifySnapshot(found: { name: string; path: string; repo: RepoPaths }, opts: OpOptions): JobHandle<VerifyResult> {
    return this.host.jobs.start({ kind: 'backup.verify', title: `backup verify ${found.name}`, unit: 'bytes', signal: opts.signal }, async (ctx) => {
      const v = await verifySnapshot(found.repo, found.name, sinkOf(ctx));
      recordOutcome(found.path, v, snapshotRecordFile(this.host.config.backupsDir, found.name));
      return v;
    });
  }

  /** Deletes backups beyond the newest keepLast and/or older than olderThanMs (dryRun lists them). */
  async prune(opts: PruneOptions): Promise<PruneResult> {
    return pruneBackups(this.host.config, opts);
  }

  private restoreHost(): { config: FoxConfig; closeFile(file: string): boolean } {
    const stores = this.host.stores;
    return {
      config: this.host.config,
      closeFile: (file) => {
        try {
          return stores.closeFile(file);
        } catch {
          return false;
        }
      },
    };
  }
}

/** The backup service of an engine (used by its lazy `backups` getter). */
export function createBackupService(host: BackupHost): BackupService {
  return new BackupService(host);
}
