import fs from 'node:fs/promises';
import { FoxError, toFoxError } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import { FramePool } from './frame-pool.js';
import type { BlobLocation, IndexFrame, RepoIndex } from './index-file.js';
import { packPath, type RepoPaths } from './layout.js';

/** A decompressed frame whose blobs were all re-hashed: the ids that did not match are in `bad`. */
export interface VerifiedFrame {
  raw: Buffer;
  bad: ReadonlySet<string>;
}

/** How many decompressed bytes the cache keeps beyond what readers hold (frames are ~1 MiB). */
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Reads blobs as BlobReader does — every blob re-hashed against its id before its bytes are
 * handed on, a flipped byte CORRUPT naming the blob and the pack — but frames are decompressed and
 * hashed on a FramePool's worker threads, several at once, and kept in a cache by bytes so that a
 * frame several files share is inflated once. Callers prefetch with `frame()` and slice with
 * `blob()`.
 */
export class ParallelBlobReader {
  private readonly frames = new Map<string, { p: Promise<VerifiedFrame>; bytes: number }>();
  private cached = 0;
  private readonly handles = new Map<string, Promise<fs.FileHandle>>();
  private readonly pool: FramePool;
  private readonly ownPool: boolean;

  constructor(
    private readonly paths: RepoPaths,
    readonly index: RepoIndex,
    opts: { pool?: FramePool; cacheBytes?: number; verified?: Set<string> } = {},
  ) {
    this.pool = opts.pool ?? new FramePool();
    this.ownPool = opts.pool === undefined;
    this.cacheBytes = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.verified = opts.verified;
  }

  private readonly cacheBytes: number;
  /**
   * Blob ids this run already re-hashed and found good (verify --all shares one across
   * snapshots): a frame read again hashes only its other blobs. Restore passes none.
   */
  private readonly verified: Set<string> | undefined;

  /** Whether the repository's index knows the blob. */
  has(id: string): boolean {
    return this.index.blobs.has(id);
  }

  /** Where a blob is; NOT_FOUND when no index file names it. */
  locate(id: string): BlobLocation {
    const loc = this.index.blobs.get(id);
    if (!loc) throw new FoxError('NOT_FOUND', `blob ${id} is in no index file of ${this.paths.root}`, { subject: this.paths.root });
    return loc;
  }

  /** The blob's bytes, verified. */
  async read(id: string): Promise<Buffer> {
    const loc = this.locate(id);
    return this.blob(loc, await this.frame(loc));
  }

  /** The bytes of the blob at `loc` in its verified frame; CORRUPT when it did not match its id. */
  blob(loc: BlobLocation, frame: VerifiedFrame): Buffer {
    if (frame.bad.has(loc.blob.id)) {
      throw new FoxError('CORRUPT', `blob ${loc.blob.id} in pack ${loc.pack} does not match its id (the pack's bytes changed)`, { subject: packPath(this.paths, loc.pack) });
    }
    return frame.raw.subarray(loc.blob.offset, loc.blob.offset + loc.blob.length);
  }

  /**
   * The frame holding `loc`, decompressed and every blob of it re-hashed (on a worker). The promise
   * is shared by every caller and already has a handler, so a prefetch nobody awaits never
   * becomes an unhandled rejection.
   */
  frame(loc: BlobLocation): Promise<VerifiedFrame> {
    const key = `${loc.pack}:${loc.frame.offset}`;
    const hit = this.frames.get(key);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.frames.delete(key);
      this.frames.set(key, hit);
      return hit.p;
    }
    const p = this.loadFrame(loc.pack, loc.frame);
    const entry = { p, bytes: loc.frame.raw };
    p.catch(() => {
      if (this.frames.get(key) === entry) {
        this.frames.delete(key);
        this.cached -= entry.bytes;
      }
    });
    this.frames.set(key, entry);
    this.cached += entry.bytes;
    // Evicted frames stay alive while a reader holds them; the cache only stops keeping them.
    while (this.cached > this.cacheBytes && this.frames.size > 1) {
      const [k, e] = this.frames.entries().next().value!;
      this.frames.delete(k);
      this.cached -= e.bytes;
    }
    return p;
  }

  private async loadFrame(pack: string, frame: IndexFrame): Promise<VerifiedFrame> {
    const file = packPath(this.paths, pack);
    const fh = await this.handle(pack, file);
    // A buffer of its own: it is handed to the worker, not copied.
    const gz = Buffer.allocUnsafeSlow(frame.length);
    const { bytesRead } = await fh.read(gz, 0, gz.length, frame.offset);
    if (bytesRead !== gz.length) throw new FoxError('CORRUPT', `pack ${file} is shorter than its index says (frame at ${frame.offset})`, { subject: file });
    try {
      const known = this.verified;
      const toHash = known ? frame.blobs.filter((b) => !known.has(b.id)) : frame.blobs;
      const r = await this.pool.inflate(gz, frame.raw, toHash);
      const bad = new Set(r.bad.map((i) => toHash[i]!.id));
      if (known) for (const b of toHash) if (!bad.has(b.id)) known.add(b.id);
      return { raw: r.raw, bad };
    } catch (err) {
      if (err instanceof FoxError && err.code === 'CORRUPT') {
        throw new FoxError('CORRUPT', `pack ${file}: the frame at ${frame.offset} does not decompress (${err.message})`, { subject: file, cause: err });
      }
      throw err;
    }
  }

  private handle(pack: string, file: string): Promise<fs.FileHandle> {
    let h = this.handles.get(pack);
    if (!h) {
      h = fs.open(file, 'r').catch((err: unknown) => {
        this.handles.delete(pack);
        if (isErrno(err, 'ENOENT')) throw new FoxError('CORRUPT', `pack ${file} is missing (an index file names it)`, { subject: file, cause: err });
        throw toFoxError(err, file);
      });
      this.handles.set(pack, h);
    }
    return h;
  }

  /** Closes the pack files it opened (and its pool, unless one was passed in). */
  async close(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    this.frames.clear();
    this.cached = 0;
    await Promise.all(hs.map(async (h) => (await h.catch(() => null))?.close()));
    if (this.ownPool) await this.pool.close();
  }
}
