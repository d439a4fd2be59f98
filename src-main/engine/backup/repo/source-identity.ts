import fs from 'node:fs';
import type { SnapshotEntry } from './snapshot-file.js';

/**
 * Seconds of mtime a file system may round away (FAT: 2 s, ext4 with small inodes, HFS+ and some
 * network file systems: 1 s). A file written within this long before it was read may change
 * again with the same mtime and size.
 */
const MTIME_SLACK_NS = 2_000_000_000n;

/**
 * The slack on a local Linux file system that keeps nanosecond timestamps (ext4 with large
 * inodes, xfs, btrfs, tmpfs, ...): the kernel stamps mtime from its coarse clock, which moves on
 * every tick (HZ >= 100: at most 10 ms), and the file keeps every digit of it. A write more than
 * one tick after another therefore gets a later mtime; 100 ms is ten ticks. A time without
 * digits below 10 ms (a coarse file system behind an overlay, or chance) gets MTIME_SLACK_NS.
 */
const FINE_SLACK_NS = 100_000_000n;

/** statfs f_type of the local Linux file systems with nanosecond timestamps taken from the kernel's clock. */
const FINE_FILE_SYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
  0xca451a4e, // bcachefs
  0x794c7630, // overlayfs (its upper's times; coarse ones fail the digit check)
]);

/** Per device (st_dev as the identity names it): whether its file system keeps fine timestamps. */
const fineByDevice = new Map<string, boolean>();

/**
 * Whether the file system holding `file` is a local Linux one whose mtimes are nanosecond stamps
 * of the kernel's clock (network file systems take the server's clock, macOS and Windows are not
 * told apart here: they keep the 2 s slack). `dev` caches the answer per device.
 */
export function fineMtimes(file: string, dev?: string): boolean {
  if (process.platform !== 'linux') return false;
  const known = dev !== undefined ? fineByDevice.get(dev) : undefined;
  if (known !== undefined) return known;
  let fine = false;
  try {
    fine = FINE_FILE_SYSTEMS.has(fs.statfsSync(file).type);
  } catch {
    fine = false;
  }
  if (dev !== undefined) fineByDevice.set(dev, fine);
  return fine;
}

/**
 * A live file's identity, from stat alone (no descriptor is opened, so no SQLite lock is dropped):
 * device, inode, size, mtime and ctime in ns, the time it was taken, and for a database its -wal's
 * size and mtime (a WAL commit changes only the -wal). Undefined when the file cannot be stat'ed.
 * A -wal of 0 bytes is named as no -wal: it holds no frame, so the database is its main file
 * alone either way (and our own snapshot's reader creates one where there was none).
 */
export function sourceIdentity(file: string, kind: 'sqlite' | 'file'): string | undefined {
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    const st = fs.statSync(file, { bigint: true });
    let id = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (kind === 'sqlite') {
      const wal = fs.statSync(`${file}-wal`, { bigint: true, throwIfNoEntry: false });
      // Not its ctime: SQLite truncates an empty -wal when a reader (our own snapshot) closes.
      id += wal && wal.size > 0n ? `|wal:${wal.size}:${wal.mtimeNs}:-` : '|wal:none';
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
 * identity ("racily clean", as git calls it): such a file is read again rather than trusted. The
 * slack is one mtime granule of the file system holding `file` (the live file, on the device the
 * identity names): 100 ms where timestamps are fine (see FINE_SLACK_NS), else 2 s.
 */
export function racilyClean(entry: SnapshotEntry, file: string): boolean {
  if (!entry.source_id) return true;
  const [id, at] = entry.source_id.split('@');
  const times = id!
    .split('|')
    .filter((part) => part !== 'wal:none')
    .map((part) => BigInt(part.split(':').at(-2) ?? '0'));
  const readAt = BigInt(at ?? '0');
  const fine = times.every((t) => t % 10_000_000n !== 0n) && fineMtimes(file, id!.split(':')[0]);
  const slack = fine ? FINE_SLACK_NS : MTIME_SLACK_NS;
  return times.some((mtime) => readAt - mtime < slack);
}
