import fs from 'node:fs/promises';
import path from 'node:path';
import { FoxError, toFoxError } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import type { StoredFile } from './file-blobs.js';
import { publishFile, type RepoPaths } from './layout.js';

/** One file of the home in a snapshot (docs/snapshot-repository.md "Snapshots"). */
export interface SnapshotEntry extends StoredFile {
  /** Relative to the home, as the Go manifest names it. */
  path: string;
  component: string;
  store: string | null;
  kind: 'sqlite' | 'file';
  mode: number;
  mtime: string;
  /**
   * The live file's identity when it was read (device, inode, size, mtime and ctime in ns, and
   * its -wal's size and mtime): equal next time means unchanged, so it is named again unread.
   */
  source_id?: string;
}

/** A snapshot: the root that keeps its blobs alive. */
export interface Snapshot {
  version: 1;
  name: string;
  created_at: string;
  tool: { name: string; version: string };
  home: string;
  status: 'ok' | 'problems';
  problems: { kind: string; store?: string; path?: string; detail: string }[];
  components: string[];
  /** Stores the class policy left out, as an archive's manifest names them (absent in older snapshots). */
  skipped_stores?: { store: string; class: string; file: string; reason: string }[];
  /** How create checked each staged database: quick_check or integrity_check (absent in older snapshots). */
  check?: 'quick' | 'full';
  files: SnapshotEntry[];
  stats: { files: number; bytes: number; new_blobs: number; new_bytes: number; new_stored_bytes: number; reused_bytes: number; /** Files named again unread (unchanged since the last snapshot). */ unchanged_files: number };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The file of the snapshot named `name` (the name checked: no path can escape snapshots/). */
export function snapshotPath(paths: RepoPaths, name: string): string {
  if (!NAME_RE.test(name) || name.endsWith('.tmp')) {
    throw new FoxError('INVALID_INPUT', `snapshot name ${JSON.stringify(name)} is not valid: letters, digits, ".", "_" and "-", starting with a letter or digit`);
  }
  return path.join(paths.snapshots, `${name}.json`);
}

/** Publishes a snapshot (the last write of a backup); CONFLICT when the name is taken. */
export async function writeSnapshot(paths: RepoPaths, snap: Snapshot): Promise<void> {
  await publishFile(snapshotPath(paths, snap.name), `${JSON.stringify(snap, null, 1)}\n`, { exclusive: true });
}

/** Reads one snapshot; NOT_FOUND names the repository, CORRUPT the file. */
export async function readSnapshot(paths: RepoPaths, name: string): Promise<Snapshot> {
  const file = snapshotPath(paths, name);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new FoxError('NOT_FOUND', `no snapshot named ${name} in ${paths.root}`, { subject: paths.root });
    throw toFoxError(err, file);
  }
  try {
    const snap = JSON.parse(text) as Snapshot;
    if (snap.version !== 1 || !Array.isArray(snap.files)) throw new Error(`version ${String(snap.version)}, files ${typeof snap.files}`);
    return snap;
  } catch (err) {
    throw new FoxError('CORRUPT', `snapshot ${file} does not parse: ${(err as Error).message}`, { subject: file, cause: err });
  }
}

/** The snapshot created last (by created_at), or null in an empty repository. */
export async function latestSnapshot(paths: RepoPaths): Promise<Snapshot | null> {
  let latest: Snapshot | null = null;
  for (const name of await listSnapshotNames(paths)) {
    const s = await readSnapshot(paths, name);
    if (latest === null || s.created_at > latest.created_at) latest = s;
  }
  return latest;
}

/** The names of every snapshot, oldest first by name (names sort by time when they are times). */
export async function listSnapshotNames(paths: RepoPaths): Promise<string[]> {
  try {
    return (await fs.readdir(paths.snapshots))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length))
      .filter((n) => NAME_RE.test(n))
      .sort();
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw toFoxError(err, paths.snapshots);
  }
}
