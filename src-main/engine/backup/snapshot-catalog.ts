import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { isFoxError, throwIfAborted, toFoxError } from '../errors.js';
import { fsyncDir } from '../cas/fs-util.js';
import { acquireLock } from './repo/locks.js';
import { repoPaths } from './repo/layout.js';
import { listSnapshotNames, readSnapshot, snapshotPath, type Snapshot } from './repo/snapshot-file.js';
import { MANIFEST_VERSION } from './manifest.js';
import { findSnapshot, snapshotRepoRoot } from './resolve-backup.js';
import type { BackupProblem, BackupSummary, Component, Manifest } from './types.js';
import { forgetVerify, readVerify, snapshotRecordFile } from './verify-record.js';

/** A snapshot's problems in an archive's shape (a snapshot problem may lack a path). */
export function snapshotProblems(snap: Snapshot): BackupProblem[] {
  return snap.problems.map((p) => ({ ...p, path: p.path ?? '' }) as BackupProblem);
}

/** A list entry of a snapshot: size is what it added, total_size what it references. */
export function summarizeSnapshot(config: FoxConfig, file: string, snap: Snapshot): BackupSummary {
  const st = fs.statSync(file);
  const verified = readVerify(file, st, snapshotRecordFile(config.backupsDir, snap.name));
  const status = snap.status === 'ok' ? 'ok' : 'completed_with_problems';
  return {
    name: snap.name,
    format: 'snapshot',
    file: path.relative(config.backupsDir, file),
    path: file,
    created_at: snap.created_at,
    size: snap.stats.new_stored_bytes,
    added_bytes: snap.stats.new_stored_bytes,
    referenced_bytes: snap.stats.bytes,
    components: snap.components as Component[],
    stores: [...new Set(snap.files.map((f) => f.store).filter((s): s is string => s !== null))].sort(),
    skipped_stores: (snap.skipped_stores ?? []).map((s) => s.store).sort(),
    files: snap.files.length,
    total_size: snap.stats.bytes,
    go_format: false,
    status,
    problems: snapshotProblems(snap),
    verified,
    // The same rule as an archive's: created ok and no later verify failed.
    clean: status === 'ok' && verified?.ok !== false,
  };
}

/** A snapshot file that does not read: listed as damaged with its problem, never hidden. */
function damagedSnapshot(config: FoxConfig, name: string, file: string, problem: string): BackupSummary {
  let created = new Date(0).toISOString();
  try {
    created = fs.statSync(file).mtime.toISOString();
  } catch {
    // Gone meanwhile: listed with no time.
  }
  const none = { size: 0, added_bytes: 0, referenced_bytes: 0, files: 0, total_size: 0 };
  return { name, format: 'snapshot', file: path.relative(config.backupsDir, file), path: file, created_at: created, ...none, components: [], stores: [], skipped_stores: [], go_format: false, status: 'damaged', problem, problems: [], verified: null, clean: false };
}

/** Every snapshot of the home's repository (only the snapshot files are read, never a pack). */
export async function listSnapshots(config: FoxConfig, signal?: AbortSignal): Promise<BackupSummary[]> {
  const paths = repoPaths(snapshotRepoRoot(config));
  const out: BackupSummary[] = [];
  for (const name of await listSnapshotNames(paths)) {
    throwIfAborted(signal, 'backup list');
    const file = snapshotPath(paths, name);
    try {
      out.push(summarizeSnapshot(config, file, await readSnapshot(paths, name)));
    } catch (err) {
      if (isFoxError(err, 'NOT_FOUND')) continue; // Deleted meanwhile.
      out.push(damagedSnapshot(config, name, file, toFoxError(err).message));
    }
  }
  return out;
}

/** A snapshot as an archive's manifest would describe it, so info and restore plans read it alike. */
export function snapshotManifest(snap: Snapshot): Manifest {
  const files = snap.files.map((f) => ({
    path: f.path,
    original_path: path.join(snap.home, f.path),
    size: f.size,
    mod_time: f.mtime,
    checksum: f.sha256,
    component: f.component as Component,
    ...(f.store ? { store: f.store } : {}),
  }));
  return {
    version: MANIFEST_VERSION,
    created_at: snap.created_at,
    agentctl_version: `${snap.tool.name} ${snap.tool.version}`.trim(),
    components: snap.components as Component[],
    files,
    stats: { total_files: files.length, total_size: snap.stats.bytes, compressed_size: snap.stats.new_stored_bytes, database_count: snap.files.filter((f) => f.kind === 'sqlite').length },
    skipped_stores: snap.skipped_stores ?? [],
    ...(snap.check ? { check: snap.check } : {}),
    status: snap.status === 'ok' ? 'ok' : 'completed_with_problems',
    problems: snapshotProblems(snap),
  };
}

/**
 * Deletes one snapshot file (its blobs stay until a prune frees what no snapshot uses). Takes the
 * shared backup lock, so it is refused while a prune of the repository runs (a prune reads the
 * snapshots it keeps and must find them).
 */
export async function deleteSnapshot(config: FoxConfig, name: string): Promise<{ name: string; path: string; size: number }> {
  const snap = findSnapshot(config, name);
  const paths = repoPaths(snapshotRepoRoot(config));
  const file = snap?.path ?? snapshotPath(paths, name);
  const lock = await acquireLock(paths, 'backup');
  try {
    let size = 0;
    try {
      size = (await readSnapshot(paths, name)).stats.new_stored_bytes;
    } catch (err) {
      if (!isFoxError(err, 'CORRUPT')) throw err; // A damaged snapshot file can still be deleted.
    }
    try {
      fs.rmSync(file);
    } catch (err) {
      throw toFoxError(err, `snapshot ${name}`);
    }
    await fsyncDir(paths.snapshots);
    forgetVerify(file, snapshotRecordFile(config.backupsDir, name));
    return { name, path: file, size };
  } finally {
    await lock.release();
  }
}
