import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { toFoxError } from '../../errors.js';
import { ensureDir } from '../../util/ensure-dir.js';
import { fsyncDir, tempName } from '../../cas/fs-util.js';
import type { BlobType, IndexBlob, IndexFrame, IndexPack } from './index-file.js';
import { packPath, sha256Hex, type RepoPaths } from './layout.js';

const gzip = promisify(zlib.gzip);

/** Sizes of frames and packs (docs/snapshot-repository.md "Packs and frames"). */
export interface PackSizes {
  /** Uncompressed bytes per frame (one gzip member). */
  frame: number;
  /** Compressed bytes after which a pack is closed. */
  pack: number;
  /** Frames compressed at once. */
  concurrency: number;
}

/** The sizes a backup uses. */
export const DEFAULT_PACK_SIZES: PackSizes = { frame: 1024 * 1024, pack: 16 * 1024 * 1024, concurrency: 4 };

/** What a writer added, for a snapshot's stats. */
export interface PackWriterStats {
  newBlobs: number;
  newBytes: number;
  /** Compressed bytes written to packs. */
  storedBytes: number;
  reusedBlobs: number;
  reusedBytes: number;
}

interface OpenFrame {
  parts: Buffer[];
  blobs: IndexBlob[];
  raw: number;
}

interface OpenPack {
  tmp: string;
  fh: fs.FileHandle;
  hash: crypto.Hash;
  size: number;
  frames: IndexFrame[];
}

/**
 * Writes new blobs into packs: each blob is appended to a frame, a full frame is gzipped (several
 * at once, on zlib's thread pool) and appended to the current pack in order, a full pack is
 * fsynced and renamed to the SHA-256 of its bytes. Blobs already in the repository (`known`) or
 * added earlier by this writer are counted, not stored again. Nothing is visible to a reader until
 * the caller writes an index of `packs()`: a crash leaves unindexed packs that prune reclaims.
 */
export class PackWriter {
  private frame: OpenFrame = { parts: [], blobs: [], raw: 0 };
  private pack: OpenPack | null = null;
  private readonly done: IndexPack[] = [];
  /** Frames being compressed, in the order they must be written. */
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly added = new Set<string>();
  private failed: unknown;
  readonly stats: PackWriterStats = { newBlobs: 0, newBytes: 0, storedBytes: 0, reusedBlobs: 0, reusedBytes: 0 };

  constructor(
    private readonly paths: RepoPaths,
    private readonly known: (id: string) => boolean,
    private readonly sizes: PackSizes = DEFAULT_PACK_SIZES,
  ) {}

  /** Adds a blob (its id is the SHA-256 of `bytes`); returns the id. Copies `bytes` when it stores them. */
  async add(bytes: Buffer, type: BlobType): Promise<string> {
    this.throwIfFailed();
    const id = sha256Hex(bytes);
    if (this.known(id) || this.added.has(id)) {
      this.stats.reusedBlobs++;
      this.stats.reusedBytes += bytes.length;
      return id;
    }
    this.added.add(id);
    this.stats.newBlobs++;
    this.stats.newBytes += bytes.length;
    this.frame.blobs.push({ id, type, offset: this.frame.raw, length: bytes.length });
    this.frame.parts.push(Buffer.from(bytes));
    this.frame.raw += bytes.length;
    if (this.frame.raw >= this.sizes.frame) await this.closeFrame();
    return id;
  }

  /** Closes the open frame: it is compressed in the background and written in order. */
  private async closeFrame(): Promise<void> {
    if (this.frame.blobs.length === 0) return;
    const frame = this.frame;
    this.frame = { parts: [], blobs: [], raw: 0 };
    const compressed = gzip(Buffer.concat(frame.parts, frame.raw), { level: 6 });
    compressed.catch(() => undefined); // Awaited in order below; never unhandled meanwhile.
    this.inFlight++;
    this.queue = this.queue.then(async () => {
      try {
        await this.writeFrame(await compressed, frame);
      } catch (err) {
        this.failed ??= err;
      } finally {
        this.inFlight--;
      }
    });
    // Bounded memory: at most `concurrency` frames wait for the thread pool or the disk.
    if (this.inFlight >= this.sizes.concurrency) await this.queue;
    this.throwIfFailed();
  }

  private async writeFrame(gz: Buffer, frame: OpenFrame): Promise<void> {
    if (this.failed !== undefined) return;
    const pack = this.pack ?? (this.pack = await this.openPack());
    await pack.fh.write(gz, 0, gz.length, pack.size);
    pack.hash.update(gz);
    pack.frames.push({ offset: pack.size, length: gz.length, raw: frame.raw, blobs: frame.blobs });
    pack.size += gz.length;
    this.stats.storedBytes += gz.length;
    if (pack.size >= this.sizes.pack) await this.closePack();
  }

  private async openPack(): Promise<OpenPack> {
    await ensureDir(this.paths.packs, 'the snapshot repository');
    const tmp = tempName(this.paths.packs, '.pack.tmp');
    const fh = await fs.open(tmp, 'wx', 0o644);
    return { tmp, fh, hash: crypto.createHash('sha256'), size: 0, frames: [] };
  }

  /** Fsyncs the open pack and renames it to its hash. */
  private async closePack(): Promise<void> {
    const pack = this.pack;
    if (!pack) return;
    this.pack = null;
    const id = pack.hash.digest('hex');
    const target = packPath(this.paths, id);
    try {
      await pack.fh.sync();
      await pack.fh.close();
      await ensureDir(path.dirname(target), 'the snapshot repository');
      await fs.rename(pack.tmp, target);
      await fsyncDir(path.dirname(target));
    } catch (err) {
      await pack.fh.close().catch(() => undefined);
      await fs.rm(pack.tmp, { force: true });
      throw toFoxError(err, target);
    }
    this.done.push({ pack: id, size: pack.size, frames: pack.frames });
  }

  /** Writes what is still open; returns the packs written (for the index file). */
  async finish(): Promise<IndexPack[]> {
    await this.closeFrame();
    await this.queue;
    this.throwIfFailed();
    await this.closePack();
    return [...this.done];
  }

  /** Gives up: the open pack's temp file is removed (closed packs stay until a prune). */
  async abort(): Promise<void> {
    await this.queue.catch(() => undefined);
    const pack = this.pack;
    this.pack = null;
    if (pack) {
      await pack.fh.close().catch(() => undefined);
      await fs.rm(pack.tmp, { force: true });
    }
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw toFoxError(this.failed, this.paths.packs);
  }
}
