import fsSync, { type Stats } from 'node:fs';
import path from 'node:path';
import { FoxError, toFoxError } from '../errors.js';

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** statfs types of Linux file systems that hold no files of ours (linux/magic.h). */
const SPECIAL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0xcafe4a11, 'bpffs'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
]);

function what(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a directory';
}

/**
 * `mkdir -p` for a store's directory, refusing places that cannot hold it with a FoxError that
 * names the path and why. Node's recursive mkdir is not used: under /proc it loops forever (mkdir
 * answers ENOENT below a directory that exists) and never returns, so even SIGTERM cannot end
 * the command. `subject` names the setting, e.g. "the file CAS (paths.cas, $FOXCTL_PATHS_CAS)".
 */
export async function ensureDir(dir: string, subject: string): Promise<void> {
  // A few stat and mkdir calls, once when a store opens: the synchronous walk serves both.
  ensureDirSync(dir, subject);
}

/** The special file system `dir` is on, or null (also where statfs is not available). */
function specialFsSync(dir: string): string | null {
  try {
    return SPECIAL_FS.get(Number(fsSync.statfsSync(dir).type)) ?? null;
  } catch {
    return null;
  }
}

/** ensureDir for synchronous callers (opening a store, appending an event line). */
export function ensureDirSync(dir: string, subject: string): void {
  const target = path.resolve(dir);
  const refuse = (why: string): FoxError => new FoxError('INVALID_INPUT', `cannot use ${target} for ${subject}: ${why}`, { subject: target });
  const missing: string[] = [];
  let cur = target;
  for (;;) {
    let st: Stats;
    try {
      st = fsSync.statSync(cur);
    } catch (err) {
      const up = path.dirname(cur);
      if ((isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) && up !== cur) {
        missing.push(cur);
        cur = up;
        continue;
      }
      throw toFoxError(err, `cannot use ${target} for ${subject}`);
    }
    if (!st.isDirectory()) throw refuse(`${cur} is ${what(st)}, not a directory`);
    break;
  }
  const special = specialFsSync(cur);
  if (special) throw refuse(`${cur} is on ${special}, a special file system that cannot hold files; choose a directory on a disk`);
  for (const d of missing.reverse()) {
    try {
      fsSync.mkdirSync(d);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) {
        const st = fsSync.statSync(d);
        if (st.isDirectory()) continue;
        throw refuse(`${d} is ${what(st)}, not a directory`);
      }
      if (isErrno(err, 'ENOENT')) throw refuse(`${path.dirname(d)} exists but does not accept new directories (a special file system?); choose a directory on a disk`);
      throw toFoxError(err, `cannot create ${d} for ${subject}`);
    }
  }
}
