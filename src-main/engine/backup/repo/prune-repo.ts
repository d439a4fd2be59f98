import fs from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted, toFoxError, type OpOptions } from '../../errors.js';
import { fsyncDir, isErrno } from '../../cas/fs-util.js';
import { BlobReader } from './blob-reader.js';
import { parseList } from './file-blobs.js';
import { loadIndex, writeIndexFile, type IndexPack, type RepoIndex } from './index-file.js';
import { packPath, type RepoPaths } from './layout.js';
import { acquireLock } from './locks.js';
import { DEFAULT_PACK_SIZES, PackWriter, type PackSizes } from './pack-writer.js';
import { listSnapshotNames, readSnapshot, snapshotPath } from './snapshot-file.js';

/** The steps of a prune, in order (for progress, and for the crash tests to stop at). */
export type PrunePhase = 'snapshots-deleted' | 'marked' | 'repacked' | 'index-written' | 'old-index-deleted' | 'packs-deleted';

/** What a prune did (or, dry run, would do). */
export interface PruneRepoResult {
  dryRun: boolean;
  deletedSnapshots: string[];
  keptSnapshots: string[];
  /** Packs removed whole (no blob used) or after their used blobs were repacked. */
  deletedPacks: number;
  repackedPacks: number;
  /** Packs no index names (a backup killed before its index), and temp files. */
  orphans: number;
  freedBytes: number;
  keptBytes: number;
}

/** Repack a pack when less than this share of its raw bytes is still used. */
const REPACK_BELOW = 0.5;

/**
 * Deletes snapshots, then the blobs no remaining snapshot uses, in two phases (docs/
 * snapshot-repository.md "How a crash leaves the repository"): the used blobs of mostly-unused
 * packs are rewritten and a new index of every used blob is published before any old index file
 * or pack is removed, so a kill at any point leaves every remaining snapshot whole. Runs under
 * the exclusive lock: never beside a backup.
 */
export async function pruneRepo(
  paths: RepoPaths,
  remove: string[],
  opts: OpOptions & { dryRun?: boolean; onPhase?: (p: PrunePhase) => Promise<void> | void; packSizes?: PackSizes } = {},
): Promise<PruneRepoResult> {
  const lock = await acquireLock(paths, 'prune');
  try {
    const names = await listSnapshotNames(paths);
    const gone = names.filter((n) => remove.includes(n));
    const kept = names.filter((n) => !remove.includes(n));
    const result: PruneRepoResult = { dryRun: opts.dryRun === true, deletedSnapshots: gone, keptSnapshots: kept, deletedPacks: 0, repackedPacks: 0, orphans: 0, freedBytes: 0, keptBytes: 0 };
    if (!opts.dryRun) {
      for (const n of gone) await fs.rm(snapshotPath(paths, n), { force: true });
      if (gone.length) await fsyncDir(paths.snapshots);
      await opts.onPhase?.('snapshots-deleted');
    }
    const index = await loadIndex(paths);
    // Read before anything is deleted: a list blob that cannot be read stops the prune here.
    const used = await usedBlobs(paths, index, kept, opts);
    await opts.onPhase?.('marked');

    const keepWhole: IndexPack[] = [];
    const repack: IndexPack[] = [];
    const drop: IndexPack[] = [];
    for (const p of index.packs.values()) {
      let raw = 0;
      let live = 0;
      for (const f of p.frames) for (const b of f.blobs) {
        raw += b.length;
        if (used.has(b.id)) live += b.length;
      }
      if (live === 0) drop.push(p);
      else if (live < raw * REPACK_BELOW) repack.push(p);
      else keepWhole.push(p);
    }
    const orphans = await unindexedPacks(paths, index);
    result.orphans = orphans.length;
    result.deletedPacks = drop.length + repack.length;
    result.repackedPacks = repack.length;
    result.keptBytes = keepWhole.reduce((n, p) => n + p.size, 0);
    result.freedBytes = [...drop, ...repack].reduce((n, p) => n + p.size, 0) + orphans.reduce((n, o) => n + o.size, 0);
    if (opts.dryRun) return result;
    if (drop.length === 0 && repack.length === 0 && orphans.length === 0 && index.files.length <= 1) return result;

    // Phase 2: copy what is still used, publish one index of it all, then delete.
    const reader = new BlobReader(paths, index);
    const writer = new PackWriter(paths, () => false, opts.packSizes ?? DEFAULT_PACK_SIZES);
    const copied = new Set<string>();
    const inKept = new Set(keepWhole.flatMap((p) => p.frames.flatMap((f) => f.blobs.map((b) => b.id))));
    let newPacks: IndexPack[];
    try {
      for (const p of repack) {
        throwIfAborted(opts.signal, 'the prune');
        for (const f of p.frames) for (const b of f.blobs) {
          if (!used.has(b.id) || copied.has(b.id) || inKept.has(b.id)) continue;
          copied.add(b.id);
          await writer.add(await reader.read(b.id), b.type);
        }
      }
      newPacks = await writer.finish();
    } catch (err) {
      await writer.abort();
      throw err;
    } finally {
      await reader.close();
    }
    result.keptBytes += newPacks.reduce((n, p) => n + p.size, 0);
    await opts.onPhase?.('repacked');
    const newIndex = await writeIndexFile(paths, [...keepWhole, ...newPacks]);
    await opts.onPhase?.('index-written');
    for (const id of index.files) if (id !== newIndex) await fs.rm(path.join(paths.index, `${id}.json`), { force: true });
    await fsyncDir(paths.index);
    await opts.onPhase?.('old-index-deleted');
    // A pack is named by its bytes: one this prune wrote can have the name of an orphan a killed
    // prune left (the same blobs repacked the same way). What the new index names is never deleted.
    const live = new Set([...keepWhole, ...newPacks].map((p) => packPath(paths, p.pack)));
    for (const file of [...drop, ...repack].map((p) => packPath(paths, p.pack)).concat(orphans.map((o) => o.file))) {
      if (!live.has(file)) await fs.rm(file, { force: true });
    }
    await opts.onPhase?.('packs-deleted');
    return result;
  } finally {
    await lock.release();
  }
}

/** Every blob the named snapshots use (their list blobs and the data blobs those list). */
async function usedBlobs(paths: RepoPaths, index: RepoIndex, names: string[], opts: OpOptions): Promise<Set<string>> {
  const used = new Set<string>();
  const reader = new BlobReader(paths, index);
  try {
    for (const name of names) {
      for (const f of (await readSnapshot(paths, name)).files) {
        throwIfAborted(opts.signal, 'the prune');
        for (const listId of f.content) {
          used.add(listId);
          for (const id of parseList(await reader.read(listId), listId)) used.add(id);
        }
      }
    }
  } finally {
    await reader.close();
  }
  return used;
}

/** Pack files and temps under packs/ that no index names: what a killed backup left. */
async function unindexedPacks(paths: RepoPaths, index: RepoIndex): Promise<{ file: string; size: number }[]> {
  const out: { file: string; size: number }[] = [];
  let dirs: string[];
  try {
    dirs = await fs.readdir(paths.packs);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return out;
    throw toFoxError(err, paths.packs);
  }
  for (const d of dirs) {
    const dir = path.join(paths.packs, d);
    const st = await fs.stat(dir);
    const files = st.isDirectory() ? (await fs.readdir(dir)).map((n) => path.join(dir, n)) : [dir];
    for (const file of files) {
      const m = /^([0-9a-f]{64})\.pack$/.exec(path.basename(file));
      if (m && index.packs.has(m[1]!)) continue;
      if (!m && !file.endsWith('.tmp')) continue; // Not ours: never deleted.
      out.push({ file, size: (await fs.stat(file)).size });
    }
  }
  return out;
}
