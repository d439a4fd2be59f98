import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';
import type { EntrySink } from './archive-reader.js';

/** A sink that writes an entry to a new file, and whose close flushes it to disk when `sync` is set. */
export async function fileSink(file: string, opts: { sync: boolean }): Promise<EntrySink> {
  let fh: fs.promises.FileHandle;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    fh = await fs.promises.open(file, 'wx', 0o600);
  } catch (err) {
    throw toFoxError(err, file);
  }
  return {
    async write(chunk) {
      try {
        await fh.write(chunk);
      } catch (err) {
        throw toFoxError(err, file);
      }
    },
    async close() {
      try {
        if (opts.sync) await fh.sync();
      } catch (err) {
        throw toFoxError(err, file);
      } finally {
        await fh.close();
      }
    },
  };
}
