import fs from 'node:fs/promises';
import path from 'node:path';
import { ulid } from 'ulid';

/** Makes a directory's entries (renames, creates, unlinks) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Whether a path exists (false only for ENOENT; other errors are thrown). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Whether `err` is a file-system error with this errno code. */
export function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** A unique temp file name in `dir` (same file system as the target, so rename is atomic). */
export function tempName(dir: string, suffix: string): string {
  return path.join(dir, `${ulid()}${suffix}`);
}

/**
 * Writes `data` to `target` crash-safely: a temp file in `tmpDir` (same file system), fdatasync,
 * rename over the target. The caller fsyncs the target's directory (once for several renames).
 */
export async function writeFileAtomic(target: string, data: string | Buffer, tmpDir: string, mode = 0o644): Promise<void> {
  const tmp = await writeTemp(data, tmpDir, mode);
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Writes `data` to a new temp file in `tmpDir` and fdatasyncs it; returns its path (rename it into place). */
export async function writeTemp(data: string | Buffer, tmpDir: string, mode = 0o644): Promise<string> {
  const tmp = tempName(tmpDir, '.meta.tmp');
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Group commit of a directory's fsync: callers that ask while one runs share the next one, which
 * starts after it (it must start after their renames). N concurrent puts cost ~2 fsyncs, not N.
 */
export class DirSyncer {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly dir: string) {}

  /** Resolves once an fsync of the directory that started after this call has finished. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running.catch(() => undefined).then(() => {
        this.queued = null;
        return this.sync();
      });
      return this.queued;
    }
    const run = fsyncDir(this.dir).finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }
}
