import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { FoxError, toFoxError } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import type { BlobLocation, RepoIndex } from './index-file.js';
import { packPath, sha256Hex, type RepoPaths } from './layout.js';

const gunzip = promisify(zlib.gunzip);

/**
 * Reads blobs by id, re-hashing every one against its id (as the CAS does on every read): a
 * flipped byte in a pack is CORRUPT naming the blob and the pack, never bytes handed on. The last
 * few decompressed frames are kept, since a file's blobs are read in the order they were written.
 */
export class BlobReader {
  private readonly frames = new Map<string, Promise<Buffer>>();
  private readonly handles = new Map<string, Promise<fs.FileHandle>>();

  constructor(
    private readonly paths: RepoPaths,
    private readonly index: RepoIndex,
    private readonly cacheFrames = 8,
  ) {}

  /** Whether the repository's index knows the blob. */
  has(id: string): boolean {
    return this.index.blobs.has(id);
  }

  /** The blob's bytes, verified. */
  async read(id: string): Promise<Buffer> {
    const loc = this.index.blobs.get(id);
    if (!loc) throw new FoxError('NOT_FOUND', `blob ${id} is in no index file of ${this.paths.root}`, { subject: this.paths.root });
    const frame = await this.frame(loc);
    const bytes = frame.subarray(loc.blob.offset, loc.blob.offset + loc.blob.length);
    if (bytes.length !== loc.blob.length || sha256Hex(bytes) !== id) {
      throw new FoxError('CORRUPT', `blob ${id} in pack ${loc.pack} does not match its id (the pack's bytes changed)`, { subject: packPath(this.paths, loc.pack) });
    }
    return bytes;
  }

  private frame(loc: BlobLocation): Promise<Buffer> {
    const key = `${loc.pack}:${loc.frame.offset}`;
    let p = this.frames.get(key);
    if (p) {
      // Most recently used last: Map keeps insertion order.
      this.frames.delete(key);
      this.frames.set(key, p);
      return p;
    }
    p = this.loadFrame(loc);
    p.catch(() => this.frames.delete(key));
    this.frames.set(key, p);
    while (this.frames.size > this.cacheFrames) this.frames.delete(this.frames.keys().next().value!);
    return p;
  }

  private async loadFrame(loc: BlobLocation): Promise<Buffer> {
    const file = packPath(this.paths, loc.pack);
    const fh = await this.handle(loc.pack, file);
    const gz = Buffer.alloc(loc.frame.length);
    const { bytesRead } = await fh.read(gz, 0, gz.length, loc.frame.offset);
    if (bytesRead !== gz.length) throw new FoxError('CORRUPT', `pack ${file} is shorter than its index says (frame at ${loc.frame.offset})`, { subject: file });
    try {
      const raw = await gunzip(gz);
      if (raw.length !== loc.frame.raw) throw new Error(`${raw.length} bytes, the index says ${loc.frame.raw}`);
      return raw;
    } catch (err) {
      throw new FoxError('CORRUPT', `pack ${file}: the frame at ${loc.frame.offset} does not decompress (${(err as Error).message})`, { subject: file, cause: err });
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

  /** Closes the pack files it opened. */
  async close(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    this.frames.clear();
    await Promise.all(hs.map(async (h) => (await h.catch(() => null))?.close()));
  }
}
