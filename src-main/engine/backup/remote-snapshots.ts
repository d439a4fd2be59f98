import fs from 'node:fs';
import type { FoxConfig } from '../config/resolve.js';
import type { S3Settings } from '../cas/s3-config.js';
import type { OpOptions } from '../errors.js';
import { ensureDir } from '../util/ensure-dir.js';
import { openRepo, publishFile, repoPaths } from './repo/layout.js';
import { RemoteRepo } from './repo/remote-repo.js';
import { snapshotPath } from './repo/snapshot-file.js';
import { findSnapshot, snapshotRepoRoot } from './resolve-backup.js';

export { snapshotRepoRoot };

/** Whether the home's repository holds a snapshot of that name (a plain stat, no repository lock). */
export function hasLocalSnapshot(config: FoxConfig, name: string): boolean {
  return findSnapshot(config, name) !== undefined;
}

/** What pushing or pulling one snapshot moved: packs the other side lacked, and their bytes. */
export interface SnapshotTransfer {
  name: string;
  path: string;
  remote: string;
  format: 'snapshot';
  /** Bytes of the packs sent or fetched. */
  size: number;
  sha256: '';
  /** False when the other side already held the snapshot and every pack it needs. */
  transferred: boolean;
  packs_needed: number;
  packs_moved: number;
}

/** Options of a snapshot transfer. */
export interface SnapshotTransferOptions extends OpOptions {
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Pushes one local snapshot: only the packs the bucket lacks, then its index and the snapshot file. */
export async function pushSnapshot(config: FoxConfig, settings: S3Settings, name: string, opts: SnapshotTransferOptions = {}): Promise<SnapshotTransfer> {
  const local = await openRepo(snapshotRepoRoot(config));
  const remote = new RemoteRepo(settings);
  try {
    const had = await remote.hasSnapshot(name, opts);
    const t = await remote.push(local, name, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    return {
      name,
      path: snapshotPath(local.paths, name),
      remote: `${remote.location}/snapshots/${name}.json`,
      format: 'snapshot',
      size: t.bytesMoved,
      sha256: '',
      transferred: !had || t.packsMoved > 0,
      packs_needed: t.packsNeeded,
      packs_moved: t.packsMoved,
    };
  } finally {
    remote.close();
  }
}

/**
 * Pulls one snapshot into the home's repository (packs checked against their names before they
 * are kept). A home without a repository takes the bucket's config, so both stay one repository
 * and a later push from here is not refused as another one.
 */
export async function pullSnapshot(config: FoxConfig, settings: S3Settings, name: string, opts: SnapshotTransferOptions = {}): Promise<SnapshotTransfer> {
  const remote = new RemoteRepo(settings);
  try {
    const root = snapshotRepoRoot(config);
    const paths = repoPaths(root);
    if (!fs.existsSync(paths.config)) {
      const cfg = await remote.remoteConfig(opts);
      if (cfg) {
        for (const dir of [paths.root, paths.packs, paths.index, paths.snapshots, paths.locks]) await ensureDir(dir, 'the snapshot repository');
        await publishFile(paths.config, `${JSON.stringify(cfg, null, 2)}\n`, { exclusive: true }).catch(() => undefined);
      }
    }
    const local = await openRepo(root, { create: true });
    const dest = snapshotPath(local.paths, name);
    if (fs.existsSync(dest)) {
      return { name, path: dest, remote: `${remote.location}/snapshots/${name}.json`, format: 'snapshot', size: 0, sha256: '', transferred: false, packs_needed: 0, packs_moved: 0 };
    }
    const t = await remote.pull(local, name, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    return { name, path: dest, remote: `${remote.location}/snapshots/${name}.json`, format: 'snapshot', size: t.bytesMoved, sha256: '', transferred: true, packs_needed: t.packsNeeded, packs_moved: t.packsMoved };
  } finally {
    remote.close();
  }
}

/** A snapshot in the bucket, in the shape `backup list --remote` prints. */
export interface RemoteSnapshotEntry {
  name: string;
  file: string;
  key: string;
  format: 'snapshot';
  /** Bytes of the home it holds. */
  size: number;
  sha256: '';
  created_at: string | null;
  components: string[];
  pushed_at: string;
  pushed_from: string;
  problem?: string;
}

/** The snapshots pushed to the bucket. */
export async function listRemoteSnapshots(settings: S3Settings, opts: OpOptions = {}): Promise<RemoteSnapshotEntry[]> {
  const remote = new RemoteRepo(settings);
  try {
    return (await remote.snapshots(opts)).map((s) => ({
      name: s.name,
      file: `repository/snapshots/${s.name}.json`,
      key: `${settings.prefix}repository/snapshots/${s.name}.json`,
      format: 'snapshot',
      size: s.snapshot?.stats?.bytes ?? 0,
      sha256: '',
      created_at: s.snapshot?.created_at ?? null,
      components: s.snapshot?.components ?? [],
      pushed_at: '',
      pushed_from: '',
      ...(s.problem ? { problem: s.problem } : {}),
    }));
  } finally {
    remote.close();
  }
}
