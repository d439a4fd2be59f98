import fs from 'node:fs';
import type { SnapshotEntry } from './snapshot-file.js';

/**
 * Seconds of mtime a file system may round away (FAT: 2 s, some network file systems: 1 s). A file
 * written within this long before it was read may change again with the same mtime and size.
 */
const MTIME_SLACK_NS = 2_000_000_000n;

/**
 * A live file's identity, from stat alone (no descriptor is opened, so no SQLite lock is dropped):
 * device, inode, size, mtime and ctime in ns, the time it was taken, and for a database its -wal's
 * size and mtime (a WAL commit changes only the -wal). Undefined when the file cannot be stat'ed.
 */
export function sourceIdentity(file: string, kind: 'sqlite' | 'file'): string | undefined {
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    const st = fs.statSync(file, { bigint: true });
    let id = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (kind === 'sqlite') {
      const wal = fs.statSync(`${file}-wal`, { bigint: true, throwIfNoEntry: false });
      // Not its ctime: SQLite truncates an empty -wal when a reader (our own snapshot) closes.
      id += wal ? `|wal:${wal.size}:${wal.mtimeNs}:-` : '|wal:none';
    }
    return `${id}@${now}`;
  } catch {
    return undefined;
  }
}

/** The identity without the time it was taken: what must be equal for a file to be unchanged. */
export function sameFile(a: string, b: string): boolean {
  return a.split('@')[0] === b.split('@')[0];
}

/**
 * Whether an entry was read so soon after its last change that a later change could keep the same
 * identity ("racily clean", as git calls it): such a file is read again rather than trusted.
 */
export function racilyClean(entry: SnapshotEntry): boolean {
  if (!entry.source_id) return true;
  const [id, at] = entry.source_id.split('@');
  const times = id!
    .split('|')
    .filter((part) => part !== 'wal:none')
    .map((part) => BigInt(part.split(':').at(-2) ?? '0'));
  const readAt = BigInt(at ?? '0');
  return times.some((mtime) => readAt - mtime < MTIME_SLACK_NS);
}
