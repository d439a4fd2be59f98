import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { lookupStore, normalizeStoreName } from '../registry/stores.js';
import { assertScanUsable, scanArchive } from './archive-reader.js';
import { createFromPlan, type ProgressSink } from './create.js';
import { destinationOf, safeEntryPath, storeOfEntry } from './entry-paths.js';
import { fileSink } from './file-sink.js';
import { fsyncDir, removeLeftovers, tempNameFor } from './fs-util.js';
import { parseComponents } from './manifest.js';
import { archiveFileName, defaultName } from './names.js';
import type { Source } from './sources.js';
import { COMPONENTS, type Component, type Manifest, type RestoreFile, type RestoreOptions, type RestoreResult } from './types.js';
import { compareWithManifest } from './verify.js';

/** What restore needs of the engine: its config and a way to close its connection to a file. */
export interface RestoreHost {
  config: FoxConfig;
  closeFile(file: string): boolean;
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];

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
    if (store !== undefined && target === undefined && lookupStore(store).readOnly) {
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

/**
 * Restores a backup. One pass over the archive extracts the selected files to temp files next
 * to their destinations while hashing them; only when the whole archive read cleanly and every
 * selected file matches the manifest does anything live change: first an automatic safety
 * backup of the files to be replaced, then the engine's connections to them are closed, stale
 * -wal/-shm/-journal files removed, and each temp renamed into place. Any failure before that
 * removes the temps and leaves the home as it was. `durable: false` skips the fsyncs (a
 * throwaway tree, as rehearse makes).
 */
export async function restoreArchive(
  host: RestoreHost,
  name: string,
  file: string,
  opts: RestoreOptions & { durable?: boolean },
  sink: ProgressSink,
): Promise<RestoreResult> {
  const config = host.config;
  const target = opts.target === undefined ? undefined : path.resolve(opts.target);
  if (target !== undefined && fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new FoxError('INVALID_INPUT', `--target ${opts.target} is not a directory`);
  }
  const temps = new Map<string, string>();
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
    const checks = compareWithManifest(scan, manifest).filter((c) => c.status !== 'ok' && (c.status === 'unsafe' || wanted.has(c.path)));
    if (checks.length > 0) {
      const c = checks[0]!;
      throw new FoxError('CORRUPT', `${file}: ${c.path}: ${c.status.replace('_', ' ')}: ${c.detail ?? ''}; nothing was restored${checks.length > 1 ? ` (${checks.length} bad files; run "foxctl backup verify ${name}")` : ''}`, { subject: c.path });
    }
    const result: RestoreResult = { name, dry_run: opts.dryRun === true, target: target ?? null, files: plan, created: 0, replaced: 0, skipped: 0, bytes: 0, safety_backup: null, closed_connections: [] };
    if (opts.dryRun) {
      result.skipped = plan.filter((f) => f.action === 'would-skip').length;
      result.bytes = plan.filter((f) => f.action !== 'would-skip').reduce((a, f) => a + f.size, 0);
      return result;
    }
    throwIfAborted(sink.signal, 'backup restore');
    // A destination that appeared or vanished between the scan and now: refuse before any change.
    const unextracted = plan.find((f) => f.action !== 'would-skip' && !temps.has(f.path));
    if (unextracted) throw new FoxError('CONFLICT', `${unextracted.destination} changed while the restore ran; nothing was restored, run it again`, { subject: unextracted.destination });
    const replacing = safetySources(plan);
    if (replacing.length > 0 && target === undefined) {
      let safetyName = `pre-restore-${defaultName()}`;
      for (let i = 2; fs.existsSync(path.join(config.backupsDir, archiveFileName(safetyName))); i++) safetyName = `pre-restore-${defaultName()}_${i}`;
      sink.progress?.(scan.archiveSize, scan.archiveSize, `safety backup ${safetyName}`);
      const components = [...new Set(replacing.map((s) => s.component))];
      const safety = await createFromPlan(config, { components, sources: replacing, skipped: [], warnings: [] }, safetyName, path.join(config.backupsDir, archiveFileName(safetyName)), { signal: sink.signal });
      result.safety_backup = { name: safety.name, path: safety.path };
    }
    // Past this point the restore runs to the end: a cancel now would leave a half-restored home.
    const dirs = new Set<string>();
    for (const f of plan) {
      if (f.action === 'would-skip') {
        f.action = 'skipped';
        result.skipped++;
        continue;
      }
      const tmp = temps.get(f.path)!;
      if (host.closeFile(f.destination)) result.closed_connections.push(f.destination);
      const replaced = f.action === 'would-replace';
      if (f.destination.endsWith('.db')) for (const s of SIDE_FILES) fs.rmSync(`${f.destination}${s}`, { force: true });
      try {
        fs.renameSync(tmp, f.destination);
      } catch (err) {
        throw toFoxError(err, f.destination);
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
    for (const tmp of temps.values()) fs.rmSync(tmp, { force: true });
  }
}
