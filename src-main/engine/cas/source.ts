import fs from 'node:fs';
import { FoxError, toFoxError } from '../errors.js';
import { heldByThisProcess } from '../db/sqlite-holders.js';

/** Chunk size of file sources: large reads keep the hash busy while writes run in the I/O pool. */
const READ_CHUNK = 4 << 20;

/**
 * Reads a file through a small pool of reusable buffers, one read ahead of the consumer.
 * Reusing buffers avoids allocating (and page-faulting) fresh memory for every chunk, which on a
 * busy machine costs as much as the hashing. The consumer hands each chunk back with release()
 * once it is done with it (pump does, after the chunk's write resolved); memory stays at
 * `buffers` × chunk size whatever the file's size.
 */
export class PooledFileReader implements AsyncIterable<Buffer> {
  private readonly free: Buffer[] = [];
  private readonly owners = new Map<ArrayBufferLike, Buffer>();
  private waiter: (() => void) | null = null;
  private made = 0;

  constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly size: number,
    private readonly buffers = 7,
  ) {}

  /** Returns a chunk's buffer to the pool. */
  release(chunk: Buffer): void {
    const buf = this.owners.get(chunk.buffer);
    if (!buf) return;
    this.free.push(buf);
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async acquire(): Promise<Buffer> {
    for (;;) {
      const b = this.free.pop();
      if (b) return b;
      if (this.made < this.buffers) {
        this.made++;
        // Its own memory (not the shared slab), so release() can find it from any subarray.
        const buf = Buffer.allocUnsafeSlow(Math.max(1, Math.min(READ_CHUNK, this.size + 1)));
        this.owners.set(buf.buffer, buf);
        return buf;
      }
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  private async readAt(buf: Buffer, pos: number): Promise<{ buf: Buffer; n: number }> {
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
    return { buf, n: bytesRead };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    let pos = 0;
    let next: Promise<{ buf: Buffer; n: number }> | null = this.readAt(await this.acquire(), 0);
    try {
      for (;;) {
        const { buf, n } = await next;
        next = null;
        if (n === 0) {
          this.release(buf);
          return;
        }
        pos += n;
        next = this.readAt(await this.acquire(), pos);
        next.catch(() => undefined);
        yield buf.subarray(0, n);
      }
    } finally {
      await next?.catch(() => undefined);
      await this.fh.close().catch(() => undefined);
    }
  }

  /** Closes the file (when the iteration never started or was abandoned). */
  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Opens a file to put: a pooled reader and its size; a missing file or a directory is a clear error. */
export async function openFileSource(file: string): Promise<{ reader: PooledFileReader; size: number }> {
  if (typeof file !== 'string' || file.length === 0 || file.includes('\0')) throw new FoxError('INVALID_INPUT', `invalid file name ${JSON.stringify(file)}`);
  const held = heldByThisProcess(file);
  if (held !== null) {
    // Opening and closing it here would drop the locks of our own connection to it (and another
    // process could then delete its -wal under that connection).
    throw new FoxError(
      'CONFLICT',
      `${file} is a database this process has open (${held}); reading it as a plain file would break that connection's locks. ` +
        'Put a consistent copy instead: foxctl backup create, or sqlite3 FILE ".backup COPY.db"',
      { subject: file },
    );
  }
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
  return { reader: new PooledFileReader(fh, st.size), size: st.size };
}
