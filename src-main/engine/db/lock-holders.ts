import fs from 'node:fs';

/** A process that holds a lock on a database. */
export interface LockHolder {
  pid: number;
  /** Its command name (`/proc/<pid>/comm`), e.g. `sqlite3`, `foxctl`, `python3`. */
  command: string;
}

/** Major and minor of a Linux dev_t, as /proc/locks prints them (hex). */
function devParts(dev: number): [number, number] {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return [major, minor];
}

/**
 * The other processes that hold a POSIX lock on a database file or its -shm, read from Linux's
 * /proc/locks: a SQLite connection in WAL mode keeps a shared lock on both while it is open after
 * its first read, so this lists who has the database open, without touching it (no connection,
 * no descriptor). This process is left out. Returns null where /proc/locks does not exist
 * (macOS, Windows): the caller falls back to asking SQLite for an exclusive lock.
 */
export function otherLockHolders(file: string): LockHolder[] | null {
  let table: string;
  try {
    table = fs.readFileSync('/proc/locks', 'utf8');
  } catch {
    return null;
  }
  const ids = new Set<string>();
  for (const f of [file, `${file}-shm`]) {
    try {
      const st = fs.statSync(f);
      const [major, minor] = devParts(st.dev);
      ids.add(`${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${st.ino}`);
    } catch {
      // No -shm: not in WAL mode, or nobody has it open.
    }
  }
  const pids = new Set<number>();
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  READ 14581 fe:00:2154644 1073741826 1073742335" (a "->" prefix marks a waiter).
    const m = /^\d+:\s+(?:->\s+)?(POSIX|OFDLCK|FLOCK)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+:[0-9a-f]+:\d+)\s/.exec(line);
    if (!m || !ids.has(m[3]!)) continue;
    // An open-file-description lock shows pid -1: some process, unnamed (SQLite itself uses POSIX locks).
    const pid = Number(m[2]);
    if (pid !== process.pid) pids.add(pid);
  }
  return [...pids].sort((a, b) => a - b).map((pid) => {
    let command = pid > 0 ? '?' : 'a process';
    try {
      if (pid <= 0) throw new Error('no pid');
      command = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // Ended meanwhile.
    }
    return { pid, command };
  });
}

/** "sqlite3 (pid 4711), python3 (pid 4712)". */
export function describeHolders(holders: LockHolder[]): string {
  return holders.map((h) => (h.pid > 0 ? `${h.command} (pid ${h.pid})` : `${h.command} (an open-file lock)`)).join(', ');
}
