// The extract phase of a restore: from a backup to checked temp files next to their
// destinations, every byte verified before the install phase may touch the home. An archive's
// entries are hashed against its manifest; a snapshot's files are re-assembled from blobs that
// are each re-hashed on worker threads, and the whole file checked against its SHA-256 (assembleFile).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canceled, FoxError, isFoxError, throwIfAborted } from '../errors.js';
import { assertScanUsable, scanArchive } from './archive-reader.js';
import { destinationOf, storeOfEntry } from './entry-paths.js';
import { fileSink } from './file-sink.js';
import { fsyncFile } from './fs-util.js';
import { parseComponents } from './manifest.js';
import { assembleFile } from './repo/assemble-file.js';
import { loadIndex } from './repo/index-file.js';
import type { RepoPaths } from './repo/layout.js';
import { ParallelBlobReader } from './repo/parallel-reader.js';
import { snapshotAsManifest } from './repo/snapshot-as-manifest.js';
import type { Snapshot } from './repo/snapshot-file.js';
import { prepareRestoredDatabase, restoredDatabaseDamaged } from './restore-db.js';
import type { StagedRestore } from './restore-install.js';
import { NOT_ADDED_REASON, planRestore, selectedStores } from './restore-plan.js';
import { stageTemp, type RestoreRun } from './restore-run.js';
import { SnapshotWorker } from './snapshot.js';
import { totalRows } from './table-counts.js';
import { COMPONENTS, type Component, type RestoreFile } from './types.js';
import { compareWithManifest } from './verify.js';

/**
 * One pass over the archive: the manifest is its last entry, so the plan is unknown while the
 * files stream by; every candidate whose destination does not exist or will be replaced is
 * extracted, and the plan decided after. Any selected entry that does not match the manifest
 * (or any unsafe entry) is CORRUPT before anything is installed.
 */
export async function extractArchive(run: RestoreRun, file: string): Promise<StagedRestore> {
  const rows = isCountingDryRun(run) ? new RowCopies() : undefined;
  try {
    return await extractArchiveInto(run, file, rows);
  } finally {
    rows?.remove();
  }
}

/** Whether this run is a dry run that counts rows. */
function isCountingDryRun(run: RestoreRun): boolean {
  return run.opts.dryRun === true && run.opts.countRows === true;
}

/** Private copies of a backup's databases, for a dry run's row counts (never in the home). */
class RowCopies {
  private dir: string | undefined;
  readonly files = new Map<string, string>();
  /** A new temp file for entry `p`'s copy. */
  fileFor(p: string): string {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-restore-rows-'));
    const f = path.join(this.dir, `${this.files.size}.db`);
    this.files.set(p, f);
    return f;
  }
  remove(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sets `rows` on every database of the plan: its rows now (the live or --target copy) and in the backup copy. */
function countPlanRows(plan: RestoreFile[], copyOf: (p: string) => string | undefined): void {
  for (const f of plan) {
    if (!f.path.endsWith('.db') || f.reason === NOT_ADDED_REASON) continue;
    const copy = copyOf(f.path);
    f.rows = { now: f.through ? null : totalRows(f.destination), backup: copy === undefined ? null : totalRows(copy) };
  }
}

async function extractArchiveInto(run: RestoreRun, file: string, rows: RowCopies | undefined): Promise<StagedRestore> {
  const { opts, target, sink, name } = run;
  const config = run.host.config;
  const components = parseComponents(opts.components);
  const stores = selectedStores(opts);
  // Filters known from the path alone, so `--store MEMORY` does not extract the whole archive.
  const selected = (p: string): boolean => {
    const owner = storeOfEntry(p);
    if (stores && (owner === undefined || !stores.includes(owner.store))) return false;
    // storage/ holds databases and (as cas.db, in our archives) CAS content; Go files cas.db under databases.
    const first = p.split('/')[0]!;
    const possible: string[] = first === 'storage' ? (owner?.store === 'CAS' ? ['databases', 'cas'] : ['databases']) : (COMPONENTS as readonly string[]).includes(first) ? [first] : [...COMPONENTS];
    return !components || possible.some((c) => components.includes(c as Component));
  };
  const mayExtract = (p: string): string | undefined => {
    if (opts.dryRun || !selected(p)) return undefined;
    const dest = destinationOf(config, p, target);
    if (fs.existsSync(dest) && !opts.force) return undefined;
    return dest;
  };
  const scan = await scanArchive(file, {
    signal: sink.signal,
    onProgress: (read, total, entry) => sink.progress?.(read, total, entry),
    sinkFor: async (p) => {
      let dest: string | undefined;
      try {
        // A dry run's row counts read a private copy of each selected database.
        if (rows && p.endsWith('.db') && selected(p)) return fileSink(rows.fileFor(p), { sync: false });
        dest = mayExtract(p);
      } catch {
        return undefined;
      }
      if (dest === undefined) return undefined;
      return fileSink(stageTemp(run, p, dest), { sync: opts.durable !== false });
    },
  });
  const manifest = assertScanUsable(scan, file);
  const plan = planRestore(config, manifest, opts, target);
  const wanted = new Set(plan.map((f) => f.path));
  const compared = compareWithManifest(scan, manifest);
  const checks = compared.filter((c) => c.status !== 'ok' && c.status !== 'not_added' && (c.status === 'unsafe' || wanted.has(c.path)));
  if (checks.length > 0) {
    const c = checks[0]!;
    throw new FoxError('CORRUPT', `${file}: ${c.path}: ${c.status.replace('_', ' ')}: ${c.detail ?? ''}; nothing was restored${checks.length > 1 ? ` (${checks.length} bad files; run "foxctl backup verify ${name}")` : ''}`, { subject: c.path });
  }
  // A file a Go create could not add is not in the archive: nothing to restore, and said so.
  const notAdded = new Set(compared.filter((c) => c.status === 'not_added').map((c) => c.path));
  for (const f of plan) {
    if (!notAdded.has(f.path)) continue;
    f.action = 'would-skip';
    f.reason = NOT_ADDED_REASON;
  }
  if (rows) countPlanRows(plan, (p) => rows.files.get(p));
  return { plan, total: scan.archiveSize };
}

/** Files re-assembled at once: their opens and frames overlap. */
const FILES_AT_ONCE = 4;
/**
 * Restored files flushed to disk at once, once all are written: the fsyncs of a home's thousand
 * small files (CAS objects, their .json) overlap, and the kernel commits them together, where one
 * after each file held its lane for a journal commit (1,656 fsyncs of 0.9 ms each, measured).
 */
const SYNCS_AT_ONCE = 16;

/**
 * The snapshot's plan first (its file list is known up front), then the planned files
 * re-assembled into their temps, a few at once, their frames inflated and every blob re-hashed
 * against its id on worker threads (ParallelBlobReader) before a byte is written, and each file
 * checked against its size and SHA-256. Each database is checked (header, then quick_check on a
 * worker thread) as soon as it is written, while the next files are, so installStaged has nothing
 * left to check. A blob that does not match its id, a missing pack or a file that comes out
 * different is CORRUPT naming the file, before anything is installed; the first failure stops
 * the other files. Progress is in bytes of the files being restored.
 */
export async function extractSnapshot(run: RestoreRun, repo: RepoPaths, snap: Snapshot): Promise<StagedRestore> {
  const { opts, target, sink, name } = run;
  const plan = planRestore(run.host.config, snapshotAsManifest(snap), opts, target);
  const todo = plan.filter((f) => f.action !== 'would-skip');
  const total = todo.reduce((a, f) => a + f.size, 0);
  const entries = new Map(snap.files.map((f) => [f.path, f]));
  if (opts.dryRun && opts.countRows) await countSnapshotRows(run, repo, plan, entries);
  if (opts.dryRun || todo.length === 0) return { plan, total };
  for (const f of todo) if (!entries.has(f.path)) throw new FoxError('CORRUPT', `snapshot ${name}: ${f.path} is planned but not in the snapshot`, { subject: f.path });
  const reader = new ParallelBlobReader(repo, await loadIndex(repo));
  const checkDbs = opts.checkDatabases !== false;
  const checked = new Set<string>();
  let checker: SnapshotWorker | undefined;
  // The first failure stops the files still being written.
  const stop = new AbortController();
  const signal = sink.signal ? AbortSignal.any([sink.signal, stop.signal]) : stop.signal;
  let failed: unknown;
  let done = 0;
  let next = 0;
  const written: string[] = [];
  const one = async (f: RestoreFile): Promise<void> => {
    sink.progress?.(done, total, f.path);
    const tmp = stageTemp(run, f.path, f.destination);
    try {
      // Flushed with the others at the end (SYNCS_AT_ONCE), before anything is installed.
      await assembleFile(reader, entries.get(f.path)!, tmp, { signal, sync: false });
      written.push(tmp);
    } catch (err) {
      if (isFoxError(err, 'CORRUPT') || isFoxError(err, 'NOT_FOUND')) {
        throw new FoxError('CORRUPT', `snapshot ${name}: ${f.path}: ${err.message.replace(tmp, 'its restored copy')}; nothing was restored (run "foxctl backup verify ${name}")`, { subject: f.path, cause: err });
      }
      throw err;
    }
    if (checkDbs && f.destination.endsWith('.db')) {
      throwIfAborted(signal, 'backup restore');
      sink.progress?.(done, total, `quick_check ${f.path}`);
      prepareRestoredDatabase(tmp, f.path);
      checker ??= new SnapshotWorker();
      const res = await checker.check(tmp, 'quick', false);
      if (res.problems.length > 0) throw restoredDatabaseDamaged(f.path, res.problems[0]!.detail);
      checked.add(f.path);
    }
    done += f.size;
  };
  const lane = async (): Promise<void> => {
    while (failed === undefined && next < todo.length) {
      const f = todo[next++]!;
      try {
        throwIfAborted(sink.signal, 'backup restore');
        await one(f);
      } catch (err) {
        // A cancel that the first failure caused is not the news: the failure is.
        failed ??= sink.signal?.aborted ? canceled(sink.signal, 'backup restore') : err;
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, todo.length) }, lane));
  } finally {
    await reader.close();
    await checker?.close();
  }
  if (failed !== undefined) throw failed;
  if (opts.durable !== false) {
    sink.progress?.(total, total, 'flushing to disk');
    let k = 0;
    const flush = async (): Promise<void> => {
      while (k < written.length) {
        throwIfAborted(sink.signal, 'backup restore');
        await fsyncFile(written[k++]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYNCS_AT_ONCE, written.length) }, flush));
  }
  sink.progress?.(total, total, 'checking');
  return { plan, total, checked };
}

/** A dry run's row counts of a snapshot: each planned database re-assembled (blobs re-hashed) into a private temp, counted, removed. */
async function countSnapshotRows(run: RestoreRun, repo: RepoPaths, plan: RestoreFile[], entries: Map<string, Snapshot['files'][number]>): Promise<void> {
  const dbs = plan.filter((f) => f.path.endsWith('.db') && entries.has(f.path));
  if (dbs.length === 0) return;
  const rows = new RowCopies();
  const reader = new ParallelBlobReader(repo, await loadIndex(repo));
  try {
    for (const [i, f] of dbs.entries()) {
      throwIfAborted(run.sink.signal, 'backup restore');
      run.sink.progress?.(i, dbs.length, `counting rows of ${f.path}`);
      const tmp = rows.fileFor(f.path);
      try {
        await assembleFile(reader, entries.get(f.path)!, tmp, { ...(run.sink.signal ? { signal: run.sink.signal } : {}), sync: false });
      } catch (err) {
        if (isFoxError(err, 'CORRUPT') || isFoxError(err, 'NOT_FOUND')) {
          throw new FoxError('CORRUPT', `snapshot ${run.name}: ${f.path}: ${err.message.replace(tmp, 'its copy')}; nothing was restored (run "foxctl backup verify ${run.name}")`, { subject: f.path, cause: err });
        }
        throw err;
      }
    }
    countPlanRows(plan, (p) => rows.files.get(p));
  } finally {
    await reader.close();
    rows.remove();
  }
}
