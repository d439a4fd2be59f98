import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';

/** Flushes a file's data to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const h = await fs.promises.open(file, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Flushes a directory entry (after a rename or link) so the new name survives a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    // Some filesystems refuse fsync on directories; the rename itself already happened.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw toFoxError(err, dir);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Name of a temp file next to `file`, owned by this process (`.name.<tag>-<pid>-<random>.tmp`):
 * the pid lets a later run remove it when this process died, the random part keeps two jobs of
 * one process apart.
 */
export function tempNameFor(file: string, tag: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return path.join(path.dirname(file), `.${path.basename(file)}.${tag}-${process.pid}-${rand}.tmp`);
}

const TEMP_RE = /^\..+\.(?:create|restore|verify)-(\d+)-[a-z0-9]+\.tmp$/;
const STAGING_RE = /^\.(?:staging|verify|rehearse)-(\d+)-[A-Za-z0-9]+$/;

/**
 * Removes temp files and staging dirs in `dir` left by a process that died (kill -9, power
 * loss): their pid is no longer alive. Our own and other live processes' temps are left alone.
 * Returns the removed names.
 */
export function removeLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_RE.exec(n) ?? STAGING_RE.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

/** Creates a private staging directory in `dir` (`.<kind>-<pid>-<random>`), removed by the caller. */
export function makeStagingDir(dir: string, kind: 'staging' | 'verify' | 'rehearse'): string {
  fs.mkdirSync(dir, { recursive: true });
  const rand = Math.random().toString(36).slice(2, 10);
  const p = path.join(dir, `.${kind}-${process.pid}-${rand}`);
  fs.mkdirSync(p, { mode: 0o700 });
  return p;
}

/** Whether `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
