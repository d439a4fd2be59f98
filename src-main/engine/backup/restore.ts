import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { describeHolders, otherLockHolders } from '../db/lock-holders.js';
import { storePath } from '../registry/paths.js';
import { lookupStore, normalizeStoreName, STORES } from '../registry/stores.js';
import { assertScanUsable, scanArchive } from './archive-reader.js';
import { createFromPlan, type ProgressSink } from './create.js';
import { archiveRoots, destinationOf, safeEntryPath, storeOfEntry } from './entry-paths.js';
import { fileSink } from './file-sink.js';
import { fsyncDir, isInside, removeLeftovers, tempNameFor } from './fs-util.js';
import { isGoManifest, parseComponents } from './manifest.js';
import { archiveFileName, defaultName } from './names.js';
import { checkRestoredDatabase, inUseBy, removeSideFiles, writeThroughSqlite } from './restore-db.js';
import { acquireRestoreLock } from './restore-lock.js';
import type { Source } from './sources.js';
import { COMPONENTS, type Component, type Manifest, type RestoreFile, type RestoreOptions, type RestoreResult } from './types.js';
import { compareWithManifest } from './verify.js';

/** What restore needs of the engine: its config and a way to close its connection to a file. */
export interface RestoreHost {
  config: FoxConfig;
  closeFile(file: string): boolean;
}

const NOT_ADDED_REASON = 'not in the archive: the Go foxctl could not add it when it made this backup';

/** The store of a manifest file: recorded by us, inferred from the path for Go archives. */
function storeOf(f: Manifest['files'][number]): string | undefined {
  if (f.store !== undefined) return f.store;
  try {
    return storeOfEntry(safeEntryPath(f.path))?.store;
  } catch {
    return undefined;
  }
}

/**
 * Decides what happens to each file of the manifest: filtered by components and stores, mapped
 * to its destination, and marked would-create / would-replace (force) / would-skip. Read-only
 * (external) stores are never written.
 */
export function planRestore(config: FoxConfig, manifest: Manifest, opts: RestoreOptions, target: string | undefined): RestoreFile[] {
  const components = parseComponents(opts.components);
  const stores = opts.stores?.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => lookupStore(s).name);
  for (const c of components ?? []) {
    if (!manifest.components.includes(c)) throw new FoxError('NOT_FOUND', `the backup has no "${c}" component (it has ${manifest.components.join(', ')})`);
  }
  const out: RestoreFile[] = [];
  for (const f of manifest.files) {
    if (components && !components.includes(f.component)) continue;
    const store = storeOf(f);
    if (stores && (store === undefined || !stores.includes(normalizeStoreName(store)))) continue;
    const destination = destinationOf(config, f.path, target);
    const rec: RestoreFile = { path: safeEntryPath(f.path), destination, component: f.component, size: f.size, action: 'would-create' };
    if (store !== undefined) rec.store = store;
    if (f.checksum === '' && isGoManifest(manifest)) {
      // Go's Create lists a file it failed to add with checksum "": nothing to restore.
      rec.action = 'would-skip';
      rec.reason = NOT_ADDED_REASON;
    } else if (store !== undefined && target === undefined && lookupStore(store).readOnly) {
      rec.action = 'would-skip';
      rec.reason = `store ${store} belongs to another tool and is never written`;
    } else if (fs.existsSync(destination)) {
      rec.action = opts.force ? 'would-replace' : 'would-skip';
      if (!opts.force) rec.reason = 'exists (pass --force to replace it)';
    }
    out.push(rec);
  }
  for (const s of stores ?? []) {
    if (!out.some((f) => f.store === s)) throw new FoxError('NOT_FOUND', `the backup holds no database of store ${s}`, { subject: `store ${s}` });
  }
  return out;
}

/** The live files a restore will replace, as a source plan for the automatic safety backup. */
function safetySources(files: RestoreFile[]): Source[] {
  return files
    .filter((f) => f.action === 'would-replace')
    .map((f): Source => {
      const st = fs.statSync(f.destination);
      const isDb = f.destination.endsWith('.db');
      return { kind: isDb ? 'sqlite' : 'file', src: f.destination, entryPath: f.path, component: f.component, ...(f.store ? { store: f.store } : {}), size: st.size, mtime: st.mtime };
    });
}

/** The live places of a home (real paths): what a restore must treat with care. */
function liveRoots(config: FoxConfig): string[] {
  const dirs = [config.home, ...archiveRoots(config).map((r) => r.dir), ...STORES.filter((d) => !d.keyed).map((d) => storePath(config, d))];
  return [...new Set(dirs.map(realish))];
}

/** The real path of `p`, resolving the part that exists (so a file not created yet still maps through symlinked dirs). */
function realish(p: string): string {
  const rest: string[] = [];
  for (let cur = path.resolve(p); ; cur = path.dirname(cur)) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      if (path.dirname(cur) === cur) return path.resolve(p);
      rest.push(path.basename(cur));
    }
  }
}

/** Creates the missing directories up to `dir`, recording the ones it made (removed again on failure). */
function mkdirTracked(dir: string, made: string[]): void {
  const missing: string[] = [];
  for (let cur = dir; !fs.existsSync(cur); cur = path.dirname(cur)) {
    missing.push(cur);
    if (path.dirname(cur) === cur) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
      made.push(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toFoxError(err, d);
    }
  }
}

/** The error for a live database another process has open. */
function inUseError(f: RestoreFile, by: string): FoxError {
  const who = f.store ?? f.path;
  return new FoxError(
    'CONFLICT',
    `${who} is in use by another process (${by} has ${f.destination} open); stop it or pass --force-in-use (that process then goes on with the restored data); nothing was restored`,
    { subject: f.store ? `store ${f.store}` : f.destination },
  );
}

/**
 * Restores a backup. One pass over the archive extracts the selected files to temp files next
 * to their destinations while hashing them; nothing live changes until the whole archive read
 * cleanly, every selected file matches the manifest and every database passes a header check
 * and `PRAGMA quick_check` in its temp file. Then, for the files that replace live ones (in the
 * home, whether named as such or through --target): a database another process has open is
 * refused (CONFLICT) unless `forceInUse`; an automatic safety backup is taken; the engine's own
 * connections are closed; an existing database is written over through SQLite's backup API
 * (under its locks, so a process that has it open never keeps writing into an unlinked file),
 * anything else is renamed into place. One restore runs at a time per home (CONFLICT). A
 * failure before the first change removes every temp file and directory it made. `durable:
 * false` skips the fsyncs (a throwaway tree, as rehearse makes); `checkDatabases: false` leaves
 * the integrity checking to the caller (rehearse runs a full integrity_check and reports it).
 */
export async function restoreArchive(
  host: RestoreHost,
  name: string,
  file: string,
  opts: RestoreOptions & { durable?: boolean; checkDatabases?: boolean },
  sink: ProgressSink,
): Promise<RestoreResult> {
  const config = host.config;
  let target = opts.target === undefined ? undefined : path.resolve(opts.target);
  if (target !== undefined && fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new FoxError('INVALID_INPUT', `--target ${opts.target} is not a directory`);
  }
  // A --target that is the live home (through a symlink, a trailing slash, ..) is a live restore.
  if (target !== undefined && realish(target) === realish(config.home)) target = undefined;
  const live = liveRoots(config);
  const isLive = (dest: string): boolean => {
    const real = realish(dest);
    return live.some((root) => isInside(real, root));
  };
  const temps = new Map<string, string>();
  const madeDirs: string[] = [];
  let changed = false;
  // The manifest is the archive's last entry, so the plan is unknown while the files stream by:
  // extract every candidate whose destination does not exist or will be replaced, decide after.
  const components = parseComponents(opts.components);
  const stores = opts.stores?.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => lookupStore(s).name);
  const cleaned = new Set<string>();
  const mayExtract = (p: string): string | undefined => {
    if (opts.dryRun) return undefined;
    // Filters known from the path alone, so `--store MEMORY` does not extract the whole archive.
    const owner = storeOfEntry(p);
    if (stores && (owner === undefined || !stores.includes(owner.store))) return undefined;
    // storage/ holds databases and (as cas.db, in our archives) CAS content; Go files cas.db under databases.
    const first = p.split('/')[0]!;
    const possible: string[] = first === 'storage' ? (owner?.store === 'CAS' ? ['databases', 'cas'] : ['databases']) : (COMPONENTS as readonly string[]).includes(first) ? [first] : [...COMPONENTS];
    if (components && !possible.some((c) => components.includes(c as Component))) return undefined;
    const dest = destinationOf(config, p, target);
    if (fs.existsSync(dest) && !opts.force) return undefined;
    return dest;
  };
  if (!opts.dryRun) mkdirTracked(target ?? config.home, madeDirs);
  let release: () => void;
  try {
    release = opts.dryRun ? () => undefined : acquireRestoreLock(target ?? config.home, name);
  } catch (err) {
    for (const d of madeDirs.reverse()) fs.rmdirSync(d);
    throw err;
  }
  try {
    const scan = await scanArchive(file, {
      signal: sink.signal,
      onProgress: (read, total, entry) => sink.progress?.(read, total, entry),
      sinkFor: async (p) => {
        let dest: string | undefined;
        try {
          dest = mayExtract(p);
        } catch {
          return undefined;
        }
        if (dest === undefined) return undefined;
        mkdirTracked(path.dirname(dest), madeDirs);
        if (!cleaned.has(path.dirname(dest))) {
          cleaned.add(path.dirname(dest));
          removeLeftovers(path.dirname(dest));
        }
        const tmp = tempNameFor(dest, 'restore');
        temps.set(p, tmp);
        return fileSink(tmp, { sync: opts.durable !== false });
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
    const result: RestoreResult = { name, dry_run: opts.dryRun === true, target: target ?? null, files: plan, created: 0, replaced: 0, skipped: 0, bytes: 0, safety_backup: null, closed_connections: [] };
    const isDb = (f: RestoreFile): boolean => f.destination.endsWith('.db');
    const liveDbs = plan.filter((f) => f.action === 'would-replace' && isDb(f) && isLive(f.destination));
    if (opts.dryRun) {
      // Only what can be seen without touching the file (no exclusive-lock probe in a dry run).
      for (const f of liveDbs) {
        const holders = otherLockHolders(f.destination);
        if (holders && holders.length > 0) f.in_use = describeHolders(holders);
      }
      result.skipped = plan.filter((f) => f.action === 'would-skip').length;
      result.bytes = plan.filter((f) => f.action !== 'would-skip').reduce((a, f) => a + f.size, 0);
      return result;
    }
    throwIfAborted(sink.signal, 'backup restore');
    // A destination that appeared or vanished between the scan and now: refuse before any change.
    const unextracted = plan.find((f) => f.action !== 'would-skip' && !temps.has(f.path));
    if (unextracted) throw new FoxError('CONFLICT', `${unextracted.destination} changed while the restore ran; nothing was restored, run it again`, { subject: unextracted.destination });
    if (opts.checkDatabases !== false) {
      for (const f of plan) {
        if (f.action === 'would-skip' || !isDb(f)) continue;
        throwIfAborted(sink.signal, 'backup restore');
        sink.progress?.(scan.archiveSize, scan.archiveSize, `quick_check ${f.path}`);
        checkRestoredDatabase(temps.get(f.path)!, f.path);
      }
    }
    const refuseInUse = (): void => {
      for (const f of liveDbs) {
        // Our own connections first: SQLite counts the locks of one process together.
        if (host.closeFile(f.destination) && !result.closed_connections.includes(f.destination)) result.closed_connections.push(f.destination);
        const by = opts.forceInUse ? null : inUseBy(f.destination, f.store ? `store ${f.store}` : f.destination);
        if (by !== null) throw inUseError(f, by);
      }
    };
    refuseInUse();
    const replacing = safetySources(plan.filter((f) => isLive(f.destination)));
    if (replacing.length > 0) {
      let safetyName = `pre-restore-${defaultName()}`;
      for (let i = 2; fs.existsSync(path.join(config.backupsDir, archiveFileName(safetyName))); i++) safetyName = `pre-restore-${defaultName()}_${i}`;
      sink.progress?.(scan.archiveSize, scan.archiveSize, `safety backup ${safetyName}`);
      const components = [...new Set(replacing.map((s) => s.component))];
      const safety = await createFromPlan(config, { components, sources: replacing, skipped: [], warnings: [] }, safetyName, path.join(config.backupsDir, archiveFileName(safetyName)), { signal: sink.signal });
      result.safety_backup = { name: safety.name, path: safety.path };
    }
    throwIfAborted(sink.signal, 'backup restore');
    // Again, right before the first change: a process may have opened a store meanwhile.
    refuseInUse();
    // Past this point the restore runs to the end: a cancel now would leave a half-restored home.
    const dirs = new Set<string>();
    for (const f of plan) {
      if (f.action === 'would-skip') {
        f.action = 'skipped';
        result.skipped++;
        continue;
      }
      const tmp = temps.get(f.path)!;
      if (host.closeFile(f.destination) && !result.closed_connections.includes(f.destination)) result.closed_connections.push(f.destination);
      const replaced = f.action === 'would-replace';
      changed = true;
      const written = replaced && isDb(f) && (await writeThroughSqlite(tmp, f.destination, f.store ? `store ${f.store}` : f.destination));
      if (written) {
        fs.rmSync(tmp, { force: true });
      } else {
        if (isDb(f)) removeSideFiles(f.destination);
        try {
          fs.renameSync(tmp, f.destination);
        } catch (err) {
          throw toFoxError(err, f.destination);
        }
      }
      temps.delete(f.path);
      dirs.add(path.dirname(f.destination));
      f.action = replaced ? 'replaced' : 'created';
      if (replaced) result.replaced++;
      else result.created++;
      result.bytes += f.size;
    }
    for (const d of dirs) fsyncDir(d);
    return result;
  } finally {
    for (const tmp of temps.values()) {
      fs.rmSync(tmp, { force: true });
      removeSideFiles(tmp);
    }
    release();
    // A restore that changed nothing leaves no trace: not even the directories it made for temps.
    if (!changed) {
      for (const d of madeDirs.reverse()) {
        try {
          fs.rmdirSync(d);
        } catch {
          // Not empty: something else put a file there meanwhile; it stays.
        }
      }
    }
  }
}
