import fs from 'node:fs';
import path from 'node:path';
import { FoxError, toFoxError } from '../errors.js';

/**
 * Writes a file whole or not at all (the exports' files): `fill` writes text into a temp file
 * beside `target`, which is flushed and renamed over it only once `fill` returns, and the folder
 * flushed after. A failure or a cancel removes the temp file and leaves `target` as it was.
 */
export async function writeWholeFile<T>(target: string, fill: (write: (text: string) => Promise<void>) => Promise<T>): Promise<{ value: T; bytes: number }> {
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) throw new FoxError('NOT_FOUND', `cannot export to ${target}: the folder ${dir} does not exist`, { subject: target });
  const tmp = path.join(dir, `.${path.basename(target)}.export-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
  const fh = await fs.promises.open(tmp, 'wx', 0o644);
  let closed = false;
  try {
    let bytes = 0;
    const value = await fill(async (text) => {
      const buf = Buffer.from(text, 'utf8');
      bytes += buf.length;
      await fh.write(buf);
    });
    await fh.sync();
    await fh.close();
    closed = true;
    await fs.promises.rename(tmp, target);
    await syncDir(dir);
    return { value, bytes };
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw toFoxError(err, target);
  }
}

/** Flushes a folder's entries (the rename), where the platform allows opening a folder. */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open a folder: the rename is as durable as the platform makes it.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
