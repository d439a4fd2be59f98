import fs from 'node:fs';
import { FoxError, toFoxError } from '../errors.js';

/** Read-ahead of file sources: large reads keep the hash busy while writes run in the I/O pool. */
const READ_CHUNK = 4 << 20;

/** Opens a file to put: its stream and size; a missing file or a directory is a clear error. */
export async function openFileSource(file: string): Promise<{ stream: fs.ReadStream; size: number }> {
  if (typeof file !== 'string' || file.length === 0 || file.includes('\0')) throw new FoxError('INVALID_INPUT', `invalid file name ${JSON.stringify(file)}`);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FoxError('NOT_FOUND', `file ${file} does not exist`, { subject: file, cause: err });
    throw toFoxError(err, `cannot read ${file}`);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new FoxError('INVALID_INPUT', `${file} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}: give a file to put`, { subject: file });
  }
  return { stream: fh.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true }), size: st.size };
}
