import fs from 'node:fs/promises';
import path from 'node:path';
import { ulid } from 'ulid';
import { FoxError } from '../errors.js';
import { digestOf } from './digest.js';
import { exists, fsyncDir, isErrno } from './fs-util.js';
import type { RemoveGuard, RemoveOutcome } from './types.js';

/** Records younger than this may belong to a put in progress (the file backend files metadata before bytes). */
export const DANGLING_MIN_AGE_MS = 3_600_000;

/** The file backend's directories. */
export interface FileDirs {
  objDir: string;
  pinDir: string;
  tmpDir: string;
}

async function statOrNull(file: string): Promise<{ mtimeMs: number } | null> {
  try {
    return await fs.stat(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
}

/**
 * Removes what an object whose bytes are gone left behind in the file backend: its metadata file
 * and its pin (verify's missing_bytes and orphan_pin), for `cas rm` when the content is not at
 * hand to put again. Null when nothing is left behind. The metadata is claimed into tmp/ first
 * (as a gc claim, so a crash restores it), and put back if the bytes came back meanwhile.
 * Records written in the last hour are refused with CONFLICT: they may be a put in progress.
 */
export async function removeDangling(dirs: FileDirs, hex: string, guard: RemoveGuard, now = Date.now()): Promise<RemoveOutcome | null> {
  const blob = path.join(dirs.objDir, hex);
  const meta = path.join(dirs.objDir, `${hex}.json`);
  const pin = path.join(dirs.pinDir, hex);
  const [metaSt, pinSt] = await Promise.all([statOrNull(meta), statOrNull(pin)]);
  if (!metaSt && !pinSt) return null;
  let size = 0;
  if (metaSt) {
    try {
      const m = JSON.parse(await fs.readFile(meta, 'utf8')) as { size_bytes?: unknown };
      if (typeof m.size_bytes === 'number') size = m.size_bytes;
    } catch {
      // Unreadable metadata of lost bytes: nothing in it is needed to remove it.
    }
  }
  if (guard.unpinnedOnly && pinSt) return { outcome: 'pinned', size_bytes: size };
  const newest = Math.max(metaSt?.mtimeMs ?? 0, pinSt?.mtimeMs ?? 0);
  if (now - newest < DANGLING_MIN_AGE_MS) {
    throw new FoxError('CONFLICT', `${digestOf(hex)} has no bytes but its metadata or pin was written ${Math.round((now - newest) / 1000)} s ago: a put may be under way; try again in an hour`);
  }
  const claimed = path.join(dirs.tmpDir, `gc-${hex}-${ulid()}.json`);
  if (metaSt) {
    try {
      await fs.rename(meta, claimed);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
  if (await exists(blob)) {
    // Stored again meanwhile: the object is whole, its metadata goes back.
    await fs.link(claimed, meta).catch((e: unknown) => (isErrno(e, 'EEXIST') || isErrno(e, 'ENOENT') ? undefined : Promise.reject(e)));
    await fs.rm(claimed, { force: true });
    throw new FoxError('CONFLICT', `${digestOf(hex)} was stored again while it was being removed: remove it again if you still mean to`);
  }
  await fs.rm(pin, { force: true });
  await fs.rm(claimed, { force: true });
  await Promise.all([fsyncDir(dirs.objDir), fsyncDir(dirs.pinDir)]);
  return { outcome: 'removed', size_bytes: size };
}
