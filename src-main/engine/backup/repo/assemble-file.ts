import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { FoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import { parseList, type StoredFile } from './file-blobs.js';
import type { BlobLocation, IndexFrame } from './index-file.js';
import type { ParallelBlobReader, VerifiedFrame } from './parallel-reader.js';

/** Frames asked for ahead of the one being written, per file. */
const FRAMES_AHEAD = 6;
/** Bytes gathered into one positioned writev. */
const WRITE_BYTES = 4 * 1024 * 1024;
/** At most this many buffers per writev (IOV_MAX is 1024 on Linux). */
const WRITE_PARTS = 512;

/** A run of a file's blobs that lie in one frame, in file order. */
interface Run {
  locs: BlobLocation[];
}

/** Reports a blob that cannot be read (instead of throwing): verify goes on to name them all. */
export type OnBadBlob = (id: string, err: FoxError) => void;

/** Throws `err` unless it is a FoxError about a blob and `onBad` takes it. */
function badOrThrow(err: unknown, id: string, onBad: OnBadBlob | undefined): void {
  if (onBad && err instanceof FoxError && (err.code === 'CORRUPT' || err.code === 'NOT_FOUND')) onBad(id, err);
  else throw err;
}

/** The file's data blobs, resolved to where they are, grouped into runs of one frame each. */
async function runsOf(reader: ParallelBlobReader, entry: Pick<StoredFile, 'content'>, onBad: OnBadBlob | undefined): Promise<Run[]> {
  const runs: Run[] = [];
  let last: Run | undefined;
  for (const listId of entry.content) {
    let ids: string[];
    try {
      ids = parseList(await reader.read(listId), listId);
    } catch (err) {
      badOrThrow(err, listId, onBad);
      continue;
    }
    for (const id of ids) {
      let loc: BlobLocation;
      try {
        loc = reader.locate(id);
      } catch (err) {
        badOrThrow(err, id, onBad);
        continue;
      }
      if (last && last.locs[0]!.frame === loc.frame) last.locs.push(loc);
      else runs.push((last = { locs: [loc] }));
    }
  }
  return runs;
}

/**
 * A stored file's bytes in order, as slices of verified frames: every blob was re-hashed against
 * its id (by a frame worker) before it is handed on, the frames of the next runs are inflated
 * while the caller works on this one, and blobs that follow each other in a frame come as one
 * slice. A bad or missing blob throws CORRUPT / NOT_FOUND, or with `onBad` is reported and left
 * out (the file then comes out short: the caller knows it failed).
 */
export async function* fileSlices(reader: ParallelBlobReader, entry: Pick<StoredFile, 'content'>, opts: OpOptions & { onBad?: OnBadBlob } = {}): AsyncGenerator<Buffer> {
  const runs = await runsOf(reader, entry, opts.onBad);
  // A file a later snapshot changed here and there alternates between old frames and the few
  // new ones its changed pages went into: prefetch by distinct frames, not by runs, and hold each
  // frame until its last run in this file (so the cache never has to inflate it twice).
  const firstUse = new Map<IndexFrame, number>();
  const lastUse = new Map<IndexFrame, number>();
  runs.forEach((r, i) => {
    const f = r.locs[0]!.frame;
    if (!firstUse.has(f)) firstUse.set(f, i);
    lastUse.set(f, i);
  });
  const held = new Map<IndexFrame, Promise<VerifiedFrame>>();
  let asked = 0;
  // Frames asked for whose first run is still to come.
  let ahead = 0;
  for (let i = 0; i < runs.length; i++) {
    throwIfAborted(opts.signal);
    if (firstUse.get(runs[i]!.locs[0]!.frame) === i && i < asked) ahead--;
    for (; asked < runs.length && (asked <= i || ahead < FRAMES_AHEAD); asked++) {
      const loc = runs[asked]!.locs[0]!;
      if (held.has(loc.frame)) continue;
      held.set(loc.frame, reader.frame(loc));
      if (asked > i) ahead++;
    }
    const locs = runs[i]!.locs;
    const key = locs[0]!.frame;
    const pending = held.get(key)!;
    if (lastUse.get(key) === i) held.delete(key);
    let frame: VerifiedFrame;
    try {
      frame = await pending;
    } catch (err) {
      for (const loc of locs) badOrThrow(err, loc.blob.id, opts.onBad);
      continue;
    }
    let from = -1;
    let to = -1;
    for (const loc of locs) {
      try {
        reader.blob(loc, frame); // Throws CORRUPT for a blob that did not match its id.
      } catch (err) {
        badOrThrow(err, loc.blob.id, opts.onBad);
        if (from >= 0) yield frame.raw.subarray(from, to);
        from = -1;
        continue;
      }
      if (from >= 0 && loc.blob.offset === to) to += loc.blob.length;
      else {
        if (from >= 0) yield frame.raw.subarray(from, to);
        from = loc.blob.offset;
        to = from + loc.blob.length;
      }
    }
    if (from >= 0) yield frame.raw.subarray(from, to);
  }
}

/**
 * Writes a stored file to `dest` (a new file) from a ParallelBlobReader (fileSlices: every blob
 * verified before it is written), neighbouring slices in one writev, and checks the whole file
 * against the entry's size and SHA-256 (an end-to-end check of the assembly itself). A file that
 * would come out different, or a bad blob, is CORRUPT, and `dest` is removed. `sync: false` skips
 * the fsync (a throwaway tree).
 */
export async function assembleFile(reader: ParallelBlobReader, entry: StoredFile, dest: string, opts: OpOptions & { sync?: boolean } = {}): Promise<void> {
  const fh = await fs.open(dest, 'wx', 0o600);
  const whole = crypto.createHash('sha256');
  let size = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const out = parts;
    const n = partBytes;
    parts = [];
    partBytes = 0;
    // writev may write less than asked: go on from where it stopped.
    let at = 0;
    let bufs = out;
    while (at < n) {
      const { bytesWritten } = await fh.writev(bufs, size + at);
      at += bytesWritten;
      if (at < n) bufs = remainder(out, at);
    }
    size += n;
  };
  try {
    for await (const b of fileSlices(reader, entry, opts.signal ? { signal: opts.signal } : {})) {
      whole.update(b);
      parts.push(b);
      partBytes += b.length;
      if (partBytes >= WRITE_BYTES || parts.length >= WRITE_PARTS) await flush();
    }
    await flush();
    const sha = whole.digest('hex');
    if (size !== entry.size || sha !== entry.sha256) {
      throw new FoxError('CORRUPT', `${dest} came out as ${size} bytes with SHA-256 ${sha}; the snapshot says ${entry.size} bytes, ${entry.sha256}`, { subject: dest });
    }
    if (opts.sync !== false) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(dest, { force: true });
    throw err;
  }
  await fh.close();
}

/** The buffers of `bufs` from byte `at` on. */
function remainder(bufs: Buffer[], at: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = at;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
