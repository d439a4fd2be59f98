import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FoxError, toFoxError } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import { processAlive } from '../fs-util.js';
import { ensureDir } from '../../util/ensure-dir.js';
import type { RepoPaths } from './layout.js';

/** A backup lock is shared (backups run side by side); a prune lock is exclusive. */
export type LockKind = 'backup' | 'prune';

/** What a lock file holds. */
export interface LockInfo {
  kind: LockKind;
  host: string;
  pid: number;
  started_at: string;
}

/** A lock held by this process. */
export interface RepoLock {
  readonly file: string;
  /** Locks of dead processes this acquire removed, for a line saying so. */
  readonly removedStale: LockInfo[];
  release(): Promise<void>;
}

/** A lock not refreshed for this long is stale even when its host cannot be asked. */
export const STALE_AFTER_MS = 24 * 3600 * 1000;
const REFRESH_MS = 10 * 60 * 1000;

/** Whether a lock belongs to a process that is gone (same host, pid not running) or was abandoned. */
function isStale(info: LockInfo, mtimeMs: number, now: number): boolean {
  if (info.host === os.hostname() && info.pid !== process.pid && !processAlive(info.pid)) return true;
  return now - mtimeMs > STALE_AFTER_MS;
}

/** Every lock file in the repository, stale ones included. */
export async function listLocks(paths: RepoPaths): Promise<{ file: string; info: LockInfo; mtimeMs: number }[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.locks);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw toFoxError(err, paths.locks);
  }
  const out: { file: string; info: LockInfo; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(paths.locks, name);
    try {
      const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
      out.push({ file, info: JSON.parse(text) as LockInfo, mtimeMs: st.mtimeMs });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue; // Released meanwhile.
      // A lock being written (empty or half a line) counts as live: never run over it.
      out.push({ file, info: { kind: name.startsWith('prune-') ? 'prune' : 'backup', host: '?', pid: 0, started_at: '?' }, mtimeMs: Date.now() });
    }
  }
  return out;
}

/**
 * Takes a lock: writes this process's lock file (exclusive create), then lists the others. A prune
 * beside any live lock, or a backup beside a live prune, removes its own file and is refused with
 * CONFLICT naming the other; two starting at once may both be refused, never both run. Locks of
 * dead processes are removed on the way. The file's mtime is refreshed while it is held.
 */
export async function acquireLock(paths: RepoPaths, kind: LockKind): Promise<RepoLock> {
  await ensureDir(paths.locks, 'the snapshot repository');
  const info: LockInfo = { kind, host: os.hostname(), pid: process.pid, started_at: new Date().toISOString() };
  const file = path.join(paths.locks, `${kind}-${info.host.replace(/[^A-Za-z0-9.-]/g, '_')}-${process.pid}-${crypto.randomBytes(4).toString('hex')}.json`);
  const fh = await fs.open(file, 'wx', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(info)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const removedStale: LockInfo[] = [];
  const now = Date.now();
  for (const other of await listLocks(paths)) {
    if (other.file === file) continue;
    if (isStale(other.info, other.mtimeMs, now)) {
      await fs.rm(other.file, { force: true });
      removedStale.push(other.info);
      continue;
    }
    if (kind === 'prune' || other.info.kind === 'prune') {
      await fs.rm(file, { force: true });
      const what = other.info.kind === 'prune' ? 'a prune' : 'a backup';
      throw new FoxError('CONFLICT', `${what} of this repository is running (pid ${other.info.pid} on ${other.info.host}, since ${other.info.started_at}); ${kind === 'prune' ? 'prune again once it has finished' : 'back up again once the prune has finished'}`, {
        subject: paths.root,
      });
    }
  }
  const timer = setInterval(() => {
    const t = new Date();
    fs.utimes(file, t, t).catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    file,
    removedStale,
    release: async () => {
      clearInterval(timer);
      await fs.rm(file, { force: true });
    },
  };
}
