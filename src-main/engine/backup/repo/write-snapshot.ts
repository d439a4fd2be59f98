import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { isErrno } from '../../cas/fs-util.js';
import { throwIfAborted, toFoxError, type OpOptions } from '../../errors.js';
import { storeFile, type StoredFile } from './file-blobs.js';
import { blobIdsOf, cacheBlobIds, loadBlobIds } from './blob-ids.js';
import { writeIndexFile } from './index-file.js';
import type { RepoConfig, RepoPaths } from './layout.js';
import { acquireLock } from './locks.js';
import { DEFAULT_PACK_SIZES, PackWriter, type PackSizes } from './pack-writer.js';
import { writeSnapshot, type Snapshot, type SnapshotEntry } from './snapshot-file.js';

/** A file to put in a snapshot: where to read it (a staged copy for a database) and how to name it. */
export interface SnapshotSource {
  /** The file to read: a staged snapshot for a database, the live file otherwise. */
  read: string;
  path: string;
  component: string;
  store: string | null;
  kind: 'sqlite' | 'file';
  /** Resolves once `read` exists (a staged snapshot being taken); false: leave the file out. */
  ready?: Promise<boolean>;
  /** A live file that may be deleted before it is read (a CAS object gc'd, a rotated log): skipped then. */
  mayVanish?: boolean;
  /** The live file's identity (see sourceIdentity): recorded, so the next backup can skip it unchanged. */
  sourceId?: string;
  /** The previous snapshot's entry, to name again without reading: the file has not changed since. */
  reuse?: SnapshotEntry;
  /** Called once the writer is done with `read` (stored or left out): a staged copy may go. */
  release?: () => void;
}

/** What the sources are chosen from, under the lock: the blobs indexed now. */
export interface SourceContext {
  has(blobId: string): boolean;
}

/** Options of writeSnapshotOf. */
export interface WriteSnapshotOptions extends OpOptions {
  onBytes?: (n: number) => void;
  packSizes?: PackSizes;
  /**
   * Called once every file is stored and indexed, before the snapshot is published: returns the
   * final status and problems, or throws to publish nothing (a strict backup with problems).
   */
  finalize?: (files: SnapshotEntry[]) => Promise<Pick<SnapshotMeta, 'status' | 'problems'>>;
}

/** What the snapshot says of itself besides its files. */
export type SnapshotMeta = Pick<Snapshot, 'name' | 'tool' | 'home' | 'status' | 'problems' | 'components'> & Partial<Pick<Snapshot, 'skipped_stores' | 'check'>>;

/**
 * Writes one snapshot: every source's new blobs into packs, then one index file of those packs,
 * then the snapshot file, each published only once whole (docs/snapshot-repository.md "How a crash
 * leaves the repository"). Deduplicates against every blob indexed when it starts, under the
 * shared backup lock (refused while a prune runs).
 */
export async function writeSnapshotOf(
  repo: { paths: RepoPaths; config: RepoConfig },
  sources: SnapshotSource[] | ((ctx: SourceContext) => Promise<SnapshotSource[]>),
  meta: SnapshotMeta,
  opts: WriteSnapshotOptions = {},
): Promise<Snapshot> {
  const lock = await acquireLock(repo.paths, 'backup');
  try {
    return await writeLocked(repo, sources, meta, opts);
  } finally {
    await lock.release();
  }
}

async function writeLocked(
  repo: { paths: RepoPaths; config: RepoConfig },
  sourcesOf: SnapshotSource[] | ((ctx: SourceContext) => Promise<SnapshotSource[]>),
  meta: SnapshotMeta,
  opts: WriteSnapshotOptions,
): Promise<Snapshot> {
  const known = await loadBlobIds(repo.paths);
  const writer = new PackWriter(repo.paths, (id) => known.has(id), opts.packSizes ?? DEFAULT_PACK_SIZES);
  const files: SnapshotEntry[] = [];
  // Chosen here, under the lock: a reused entry's blobs cannot be pruned until the snapshot is published.
  const sources = typeof sourcesOf === 'function' ? await sourcesOf({ has: (id) => known.has(id) }) : sourcesOf;
  let reusedFileBytes = 0;
  let unchanged = 0;
  try {
    for (const src of sources) {
      throwIfAborted(opts.signal, 'the backup');
      if (src.reuse && src.reuse.content.every((id) => known.has(id))) {
        files.push({ ...src.reuse, path: src.path, component: src.component, store: src.store, ...(src.sourceId ? { source_id: src.sourceId } : {}) });
        reusedFileBytes += src.reuse.size;
        unchanged++;
        opts.onBytes?.(src.reuse.size);
        continue;
      }
      let st: Stats;
      let stored: StoredFile;
      try {
        if (src.ready && !(await src.ready)) continue;
        st = await fs.stat(src.read);
        stored = await storeFile(writer, src.read, src.kind === 'sqlite' ? { kind: 'sqlite' } : { kind: 'file', sizes: repo.config.chunker }, opts);
      } catch (err) {
        if (src.mayVanish && isErrno(err, 'ENOENT')) continue;
        throw toFoxError(err, src.read);
      } finally {
        src.release?.();
      }
      files.push({ path: src.path, component: src.component, store: src.store, kind: src.kind, mode: st.mode & 0o777, mtime: st.mtime.toISOString(), ...stored, ...(src.sourceId ? { source_id: src.sourceId } : {}) });
    }
    const packs = await writer.finish();
    if (packs.length > 0) await cacheBlobIds(repo.paths, await writeIndexFile(repo.paths, packs), blobIdsOf(packs));
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const final = opts.finalize ? await opts.finalize(files) : {};
  const s = writer.stats;
  const snap: Snapshot = {
    version: 1,
    ...meta,
    ...final,
    created_at: new Date().toISOString(),
    files,
    stats: { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), new_blobs: s.newBlobs, new_bytes: s.newBytes, new_stored_bytes: s.storedBytes, reused_bytes: s.reusedBytes + reusedFileBytes, unchanged_files: unchanged },
  };
  await writeSnapshot(repo.paths, snap);
  return snap;
}
