import { throwIfAborted } from '../errors.js';
import { newHasher } from './digest.js';

/** A source that lends its buffers and wants them back (see PooledFileReader). */
interface PooledSource {
  release(chunk: Buffer): void;
}

function isPooled(s: unknown): s is PooledSource {
  return typeof (s as PooledSource).release === 'function';
}

/** How pump moves bytes. */
export interface PumpOptions {
  signal?: AbortSignal | undefined;
  /** Called with the bytes moved so far (cheap; throttle downstream). */
  onProgress?: ((bytes: number) => void) | undefined;
  /** Writes in flight at once (default 4). */
  maxInflight?: number;
}

/**
 * Moves bytes from `source` to `sink`, hashing them in the same pass. Hashing runs on this
 * thread while up to `maxInflight` writes run in the I/O pool, and the source reads ahead, so
 * read, hash and write overlap and the cost approaches that of hashing alone.
 * Returns the SHA-256 (hex) and the byte count. The sink receives each chunk with its offset
 * and must copy it if it keeps it after its promise resolves (a pooled source reuses it).
 */
export async function pump(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  sink: (chunk: Buffer, offset: number) => Promise<void>,
  opts: PumpOptions = {},
): Promise<{ hex: string; size: number }> {
  const hash = newHasher();
  const max = opts.maxInflight ?? 4;
  const inflight: Promise<void>[] = [];
  let size = 0;
  try {
    for await (const piece of source) {
      throwIfAborted(opts.signal, 'the transfer');
      const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      if (chunk.length === 0) continue;
      hash.update(chunk);
      const p = sink(chunk, size);
      // Attach a handler now: a write may fail while we wait on the source. A pooled source
      // gets the buffer back once its write is done.
      const release = (): void => (isPooled(source) ? source.release(chunk) : undefined);
      p.then(release, release);
      inflight.push(p);
      size += chunk.length;
      if (inflight.length >= max) await inflight.shift();
      opts.onProgress?.(size);
    }
    await Promise.all(inflight);
  } catch (err) {
    await Promise.allSettled(inflight);
    throw err;
  }
  throwIfAborted(opts.signal, 'the transfer');
  return { hex: hash.digest('hex'), size };
}
