import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DiskUsage } from '../../src-preload/contract.js';
import { throwIfAborted, toFoxError } from '../engine/errors.js';

/** Bounds of a walk: a huge CAS must not freeze the Overview. */
export interface DiskUsageOptions {
  signal?: AbortSignal | undefined;
  /** Stop after this many entries (default 200,000) and report `truncated`. */
  maxEntries?: number;
  /** Stop after this many milliseconds (default 2,000) and report `truncated`. */
  maxMs?: number;
}

/**
 * Bytes and files under a directory, walked without following symlinks. A missing directory is
 * `exists: false` with zeros, not an error; an unreadable one is IO naming it.
 */
export async function diskUsage(dir: string, opts: DiskUsageOptions = {}): Promise<DiskUsage> {
  const maxEntries = opts.maxEntries ?? 200_000;
  const deadline = Date.now() + (opts.maxMs ?? 2_000);
  const out: DiskUsage = { path: dir, exists: true, bytes: 0, files: 0, truncated: false };
  try {
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) return { ...out, exists: st.isFile(), bytes: st.isFile() ? st.size : 0, files: st.isFile() ? 1 : 0 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...out, exists: false };
    throw toFoxError(err, dir);
  }
  const stack = [dir];
  let seen = 0;
  while (stack.length > 0) {
    throwIfAborted(opts.signal, 'disk usage');
    const current = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch (err) {
      // A directory removed while we walk (a CAS gc, a tmp upload) is simply gone.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw toFoxError(err, current);
    }
    for (const e of entries) {
      if (++seen > maxEntries || Date.now() > deadline) {
        out.truncated = true;
        return out;
      }
      const full = path.join(current, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile()) {
        try {
          out.bytes += (await fs.lstat(full)).size;
          out.files++;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFoxError(err, full);
        }
      }
    }
  }
  return out;
}
