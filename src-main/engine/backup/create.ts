import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { sqliteSettings } from '../db/connections.js';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { lookupStore } from '../registry/stores.js';
import { nowRfc3339 } from '../util/time.js';
import { writeArchive, type ArchiveItem } from './archive-writer.js';
import { writeManifestCache } from './catalog.js';
import { makeStagingDir, removeLeftovers } from './fs-util.js';
import { MANIFEST_VERSION, parseComponents } from './manifest.js';
import { archiveFileName, defaultName, validateName } from './names.js';
import { SnapshotWorker } from './snapshot.js';
import { createSnapshotBackup } from './create-snapshot-backup.js';
import { casFileProblems, sortProblems, strictError } from './problems.js';
import { dumpRemoteStore } from './remote-dump.js';
import { findSnapshot, snapshotRepoRoot } from './resolve-backup.js';
import { collectSources, type Source, type SourcePlan } from './sources.js';
import { BACKUP_FORMATS, COMPONENTS, type BackupFormat, type BackupProblem, type CheckMode, type CreateBackupOptions, type CreateBackupResult, type Manifest } from './types.js';

/** What we write as the manifest's `agentctl_version` (the Go field naming the writer). */
export const WRITER_VERSION = 'foxctl-studio 0.1.0';

/** The slice of a job's context that create uses. */
export interface ProgressSink {
  signal?: AbortSignal | undefined;
  progress?: (done: number, total: number | null, message?: string) => void;
}

/** Where the archive goes: `-o` (a file, or a directory to put the usual name in) or the backups dir. */
function outputPath(config: FoxConfig, name: string, output: string | undefined): string {
  if (output === undefined || output.trim() === '') return path.join(config.backupsDir, archiveFileName(name));
  const p = path.resolve(output.trim());
  try {
    if (fs.statSync(p).isDirectory()) return path.join(p, archiveFileName(name));
  } catch {
    // Not there yet: it names the archive file itself.
  }
  if (!p.endsWith('.tar.gz')) throw new FoxError('INVALID_INPUT', `--output ${output} must be a directory or a file name ending in .tar.gz`);
  return p;
}

/** How create checks what it archives. */
export interface CheckOptions {
  /** quick_check (default) or integrity_check of every snapshot. */
  check?: CheckMode;
  /** Write nothing when a check finds a problem. */
  strict?: boolean;
  /**
   * A store that cannot be snapshotted at all (locked past the busy timeout, too damaged to
   * copy): `fail` (default) stops the backup with its error, `problem` leaves it out and names it.
   * Only a user's backup of many stores leaves stores out; a safety backup before a restore
   * must hold every file it stands for, so it keeps the default.
   */
  unreadable?: 'fail' | 'problem';
}

/** A snapshot that could not be taken: a problem (locked, damaged) or a reason to stop (disk full, ...). */
export function snapshotProblem(err: unknown, s: Source): BackupProblem | undefined {
  const fe = toFoxError(err);
  if (fe.code !== 'UNAVAILABLE' && fe.code !== 'CORRUPT') return undefined;
  return { kind: fe.code === 'UNAVAILABLE' ? 'store_unavailable' : 'store', ...(s.store ? { store: s.store } : {}), path: s.entryPath, detail: `${fe.code}: ${fe.message}` };
}

/**
 * Queues one database's snapshot into `staged` on the worker (with the store's own busy timeout,
 * FOXCTL_<STORE>_DB_TIMEOUT, as its other users wait), then its check. `ready` resolves false when
 * the store could not be read and `unreadable` is `problem` (the problem is pushed); `checked`
 * pushes what the check found (run on `checker`, by default the same worker). `onSnapshot` runs
 * as the snapshot ends (progress). Both promises are awaited by the caller; a failure after a
 * cancel is never unhandled.
 */
export function stageSnapshot(
  config: FoxConfig,
  worker: SnapshotWorker,
  s: Source,
  staged: string,
  mode: CheckMode,
  problems: BackupProblem[],
  opts: CheckOptions,
  onSnapshot?: (taken: boolean) => void,
  checker: () => SnapshotWorker = () => worker,
): { ready: Promise<boolean>; checked: Promise<void> } {
  const timeoutMs = s.store ? sqliteSettings(config, lookupStore(s.store)).timeoutMs : 5000;
  // A store on a server is copied through its driver; a local one by SQLite's backup API.
  const taken = s.remote && s.store ? dumpRemoteStore(config, s.store, staged).then(() => undefined) : worker.snapshot(s.src, staged, s.store ? `store ${s.store}` : s.src, timeoutMs);
  const ready = taken.then(
    () => {
      onSnapshot?.(true);
      return true;
    },
    (err: unknown) => {
      const problem = opts.unreadable === 'problem' ? snapshotProblem(err, s) : undefined;
      if (!problem) throw err;
      problems.push(problem);
      onSnapshot?.(false);
      return false;
    },
  );
  // The check reads the staged copy while the caller may stream it: closing our descriptor
  // drops the worker's POSIX locks on it, which is harmless for a private, never-written copy.
  const checked = ready.then(async (taken) => {
    if (!taken) return;
    const res = await checker().check(staged, mode, s.store === 'CAS');
    for (const p of res.problems) problems.push({ ...p, ...(s.store ? { store: s.store } : {}), path: s.entryPath });
  });
  ready.catch(() => undefined);
  checked.catch(() => undefined);
  return { ready, checked };
}

/**
 * Writes the archive of a source plan: snapshots every database into a staging directory on a
 * worker thread, back to back (so they are taken close together, not spread over the slow
 * compression), then checks each staged snapshot on the same worker while this thread streams
 * finished snapshots and then plain files through sha256 + tar + gzip. A store that fails its
 * check, cannot be read (locked past the busy timeout, damaged) or a CAS object that does not
 * hash to its name is a problem: the backup completes with problems, named in the result and
 * the manifest, or with `strict` is not written. The staging dir is removed however it ends.
 */
export async function createFromPlan(config: FoxConfig, plan: SourcePlan, name: string, out: string, sink: ProgressSink, opts: CheckOptions = {}): Promise<CreateBackupResult> {
  const started = Date.now();
  const signal = sink.signal;
  const mode: CheckMode = opts.check ?? 'quick';
  throwIfAborted(signal, 'backup create');
  if (plan.sources.length === 0) {
    throw new FoxError('INVALID_INPUT', `nothing to back up: the components ${plan.components.join(', ')} hold no files under ${config.home}`);
  }
  // Progress is in bytes of the home archived, of the home's size: a database's snapshot is not
  // counted as well (that made an 878 MB home "903 MB of 1.7 GB"); as each snapshot is taken its
  // staged size replaces its live db + -wal size in the total.
  let total = plan.sources.reduce((a, s) => a + s.size, 0);
  sink.progress?.(0, total, 'snapshotting databases');
  const staging = makeStagingDir(path.dirname(out), 'staging');
  const worker = new SnapshotWorker();
  const problems: BackupProblem[] = [...(plan.problems ?? [])];
  const checks: Promise<void>[] = [];
  try {
    // Every snapshot is queued at once: the worker takes them back to back (close together in
    // time, never waiting for compression) while this thread already archives the first ones.
    // Each check is queued when its snapshot is done, i.e. behind every snapshot.
    let archived = 0;
    const items: ArchiveItem[] = plan.sources.map((s, i): ArchiveItem => {
      const common = { entryPath: s.entryPath, originalPath: s.src, mtime: s.mtime, component: s.component, ...(s.store ? { store: s.store } : {}) };
      if (s.kind !== 'sqlite') return { ...common, read: s.src, mayVanish: true };
      const staged = path.join(staging, `${i}.db`);
      const { ready, checked } = stageSnapshot(config, worker, s, staged, mode, problems, opts, (taken) => {
        if (taken) total += fs.statSync(staged).size - s.size;
        else total -= s.size;
        if (taken) sink.progress?.(Math.min(archived, total), total, `snapshot ${s.entryPath}`);
      });
      checks.push(checked);
      return { ...common, read: staged, mayVanish: false, ready };
    });
    const createdAt = nowRfc3339();
    let sorted: BackupProblem[] = [];
    const { manifest, compressedSize, warnings } = await writeArchive({
      out,
      items,
      signal,
      onBytes: (bytes, entry) => sink.progress?.((archived = Math.min(bytes, total)), total, entry),
      manifest: async (files, compressedSoFar): Promise<Manifest> => {
        sink.progress?.(total, total, `checking snapshots (${mode === 'full' ? 'integrity_check' : 'quick_check'})`);
        await Promise.all(checks);
        sorted = sortProblems([...problems, ...casFileProblems(files)]);
        if (opts.strict && sorted.length > 0) throw strictError(name, sorted);
        return {
          version: MANIFEST_VERSION,
          created_at: createdAt,
          agentctl_version: WRITER_VERSION,
          components: plan.components,
          files,
          stats: {
            total_files: files.length,
            total_size: files.reduce((a, f) => a + f.size, 0),
            // The manifest is inside the archive, so it cannot hold the final size: like the Go
            // tool's, this is the size written before it (list and info report the real size).
            compressed_size: compressedSoFar,
            database_count: files.filter((f) => f.path.endsWith('.db')).length,
          },
          skipped_stores: plan.skipped,
          check: mode,
          status: sorted.length > 0 ? 'completed_with_problems' : 'ok',
          problems: sorted,
        };
      },
    });
    writeManifestCache(out, manifest, []);
    return {
      name,
      format: 'tar',
      path: out,
      added_bytes: compressedSize,
      referenced_bytes: manifest.stats.total_size,
      created_at: createdAt,
      components: plan.components,
      files: manifest.stats.total_files,
      total_size: manifest.stats.total_size,
      compressed_size: compressedSize,
      database_count: manifest.stats.database_count,
      stores: [...new Set(manifest.files.map((f) => f.store).filter((s): s is string => s !== undefined))],
      skipped_stores: plan.skipped,
      warnings: [...plan.warnings, ...warnings],
      status: sorted.length > 0 ? 'completed_with_problems' : 'ok',
      problems: sorted,
      check: mode,
      duration_ms: Date.now() - started,
    };
  } finally {
    await worker.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The file `-o` names when it names a file (not a directory): then the name cannot change the path. */
function fixedOutput(output: string | undefined): string | undefined {
  if (output === undefined || output.trim() === '') return undefined;
  const p = path.resolve(output.trim());
  try {
    if (fs.statSync(p).isDirectory()) return undefined;
  } catch {
    // Not there yet: a file name.
  }
  return p;
}

/** Whether a backup of this name exists in either form (an archive at `out`, or a snapshot). */
function taken(config: FoxConfig, name: string, out: string): string | undefined {
  if (fs.existsSync(out)) return out;
  return findSnapshot(config, name)?.path;
}

/** Checks create's options and resolves name, format, components and output path (before any I/O). */
export function prepareCreate(config: FoxConfig, opts: CreateBackupOptions): { name: string; out: string; format: BackupFormat; components: (typeof COMPONENTS)[number][] } {
  const format = opts.format ?? 'snapshot';
  if (!BACKUP_FORMATS.includes(format)) throw new FoxError('INVALID_INPUT', `format must be ${BACKUP_FORMATS.join(' or ')} (got ${JSON.stringify(opts.format)})`);
  if (format === 'snapshot' && opts.output !== undefined && opts.output.trim() !== '') {
    throw new FoxError('INVALID_INPUT', `--output writes an archive; a snapshot goes into ${snapshotRepoRoot(config)} (use --format tar with --output, or backup export NAME --out FILE)`);
  }
  const wanted = parseComponents(opts.components) ?? [...COMPONENTS];
  const excluded = parseComponents(opts.exclude) ?? [];
  const components = wanted.filter((c) => !excluded.includes(c));
  if (components.length === 0) throw new FoxError('INVALID_INPUT', 'no components left to back up after --exclude');
  if (opts.check !== undefined && opts.check !== 'quick' && opts.check !== 'full') throw new FoxError('INVALID_INPUT', `check must be quick or full (got ${JSON.stringify(opts.check)})`);
  const name = opts.name !== undefined ? validateName(opts.name) : defaultName();
  const out = outputPath(config, name, opts.output);
  const fixed = fixedOutput(opts.output);
  if (fixed !== undefined || opts.name !== undefined) {
    const there = fixed !== undefined ? (fs.existsSync(out) ? out : undefined) : taken(config, name, out);
    if (there !== undefined) {
      const msg = fixed !== undefined ? `${out} already exists; backups are never overwritten: choose another --output file, or a directory` : `a backup named "${name}" already exists at ${there}; choose another name or delete it first`;
      throw new FoxError('CONFLICT', msg, { subject: fixed ?? `backup ${name}` });
    }
    return { name, out, format, components };
  }
  // Two default-named backups within one second get a suffix instead of failing.
  let unique = name;
  for (let i = 2; taken(config, unique, outputPath(config, unique, opts.output)) !== undefined; i++) unique = `${name}_${i}`;
  return { name: unique, out: outputPath(config, unique, opts.output), format, components };
}

/** Creates a backup: the job body behind BackupService.create. */
export async function createBackup(config: FoxConfig, opts: CreateBackupOptions, sink: ProgressSink): Promise<CreateBackupResult> {
  const { name, out, format, components } = prepareCreate(config, opts);
  removeLeftovers(format === 'snapshot' ? config.backupsDir : path.dirname(out));
  const plan = collectSources(config, components, opts.includeLocalOnly === true);
  const checks: CheckOptions = { ...(opts.check ? { check: opts.check } : {}), ...(opts.strict ? { strict: true } : {}), unreadable: 'problem' };
  if (format === 'snapshot') return createSnapshotBackup(config, plan, name, sink, checks);
  return createFromPlan(config, plan, name, out, sink, checks);
}
