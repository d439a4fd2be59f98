import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FoxError, toFoxError } from '../errors.js';
import { processAlive } from './fs-util.js';

/** The lock file of restores into one home (or one --target). */
export const RESTORE_LOCK = '.restore.lock';

interface LockRecord {
  pid: number;
  host: string;
  started_at: string;
  backup: string;
}

/**
 * Takes the restore lock of `root` (the home, or a --target): one restore at a time, across
 * processes (the studio and the CLI). The lock is a file created with O_EXCL holding the owner's
 * pid; one left by a process of this machine that is gone is taken over. `root` must exist.
 * Returns the release.
 */
export function acquireRestoreLock(root: string, backup: string): () => void {
  const file = path.join(root, RESTORE_LOCK);
  const mine: LockRecord = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), backup };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          const now = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockRecord>;
          if (now.pid === mine.pid && now.started_at === mine.started_at) fs.rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toFoxError(err, file);
    }
    let owner: Partial<LockRecord> = {};
    try {
      owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockRecord>;
    } catch {
      // Half-written by a process that died at once: treat it as stale below.
    }
    const stale = owner.host === undefined || (owner.host === os.hostname() && (typeof owner.pid !== 'number' || !processAlive(owner.pid)));
    if (!stale) {
      throw new FoxError(
        'CONFLICT',
        `another restore is running into ${root} (backup ${owner.backup ?? '?'}, process ${owner.pid ?? '?'}${owner.host && owner.host !== os.hostname() ? ` on ${owner.host}` : ''}, since ${owner.started_at ?? '?'}); wait for it to finish`,
        { subject: file },
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new FoxError('CONFLICT', `could not take the restore lock ${file}: other restores keep starting`, { subject: file });
}
