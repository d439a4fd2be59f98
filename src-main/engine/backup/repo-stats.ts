import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { throwIfAborted, toFoxError } from '../errors.js';
import { isErrno } from '../cas/fs-util.js';
import { repoPaths } from './repo/layout.js';
import { listSnapshotNames, readSnapshot } from './repo/snapshot-file.js';
import { snapshotRepoRoot } from './resolve-backup.js';

/** The snapshot repository's size against what it holds: the Backups view's dedup figure. */
export interface RepoStats {
  /** The repository directory (it may not exist yet). */
  root: string;
  exists: boolean;
  snapshots: number;
  packs: number;
  /** Bytes of every file in the repository (packs, index, snapshots). */
  size: number;
  /** Sum over its snapshots of the bytes of the home each holds (what as many full copies would be, uncompressed). */
  referenced_bytes: number;
}

/** Bytes and files under `dir`, recursively (0 when it is not there). */
async function du(dir: string, signal?: AbortSignal): Promise<{ bytes: number; files: number }> {
  let names: Dirent[];
  try {
    names = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { bytes: 0, files: 0 };
    throw toFoxError(err, dir);
  }
  const out = { bytes: 0, files: 0 };
  for (const d of names) {
    throwIfAborted(signal, 'repository stats');
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      const sub = await du(p, signal);
      out.bytes += sub.bytes;
      out.files += sub.files;
    } else if (d.isFile()) {
      try {
        out.bytes += (await fs.stat(p)).size;
        out.files++;
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw toFoxError(err, p);
      }
    }
  }
  return out;
}

/** Sizes the home's repository: stats of its files and the snapshot JSONs, no pack is read. */
export async function repoStats(config: FoxConfig, signal?: AbortSignal): Promise<RepoStats> {
  const paths = repoPaths(snapshotRepoRoot(config));
  const all = await du(paths.root, signal);
  const packs = await du(paths.packs, signal);
  let referenced = 0;
  let snapshots = 0;
  for (const name of await listSnapshotNames(paths)) {
    try {
      referenced += (await readSnapshot(paths, name)).stats.bytes;
      snapshots++;
    } catch {
      // A damaged snapshot file is listed as such by backup list; it holds nothing countable.
    }
  }
  return { root: paths.root, exists: all.files > 0, snapshots, packs: packs.files, size: all.bytes, referenced_bytes: referenced };
}
