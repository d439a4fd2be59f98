import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';
import type { EntrySink } from './archive-reader.js';

/** Bytes written between background flushes of a synced sink. */
const FLUSH_EVERY = 32 << 20;

/**
 * A sink that writes an entry to a new file. With `sync`, close flushes it to disk; a large file
 * is also flushed in the background every 32 MiB while it is written, so the final fsync has
 * little left to do and the disk works while gunzip does.
 */
export async function fileSink(file: string, opts: { sync: boolean }): Promise<EntrySink> {
  let fh: fs.promises.FileHandle;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    fh = await fs.promises.open(file, 'wx', 0o600);
  } catch (err) {
    throw toFoxError(err, file);
  }
  let sinceFlush = 0;
  let flushing: Promise<void> | undefined;
  return {
    async write(chunk) {
      try {
        await fh.write(chunk);
      } catch (err) {
        throw toFoxError(err, file);
      }
      sinceFlush += chunk.length;
      if (opts.sync && sinceFlush >= FLUSH_EVERY && flushing === undefined) {
        sinceFlush = 0;
        flushing = fh.datasync().finally(() => {
          flushing = undefined;
        });
        // Its failure is seen by the final sync below; never unhandled.
        flushing.catch(() => undefined);
      }
    },
    async close() {
      try {
        if (opts.sync) {
          await flushing?.catch(() => undefined);
          await fh.sync();
        }
      } catch (err) {
        throw toFoxError(err, file);
      } finally {
        await fh.close();
      }
    },
  };
}
