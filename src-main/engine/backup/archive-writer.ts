import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type tar from 'tar-stream';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { fsyncDir, fsyncFile, tempNameFor } from './fs-util.js';
import { MANIFEST_ENTRY } from './manifest.js';
import { ParallelGzip } from './parallel-gzip.js';
import type { Component, Manifest, ManifestFile } from './types.js';

/** One file to archive: where to read its bytes now, and what the manifest says about it. */
export interface ArchiveItem {
  /** File to read (a staged snapshot, or the live file). */
  read: string;
  entryPath: string;
  /** The live file it stands for (the manifest's original_path). */
  originalPath: string;
  mtime: Date;
  component: Component;
  store?: string;
  /** The file is live and may vanish while we run: skip it with a warning instead of failing. */
  mayVanish: boolean;
  /** Resolves when `read` is complete (a snapshot still being taken on the worker); false: leave it out (the caller recorded why). */
  ready?: Promise<boolean | void>;
}

/** Inputs of writeArchive. */
export interface WriteArchiveOptions {
  /** Final archive path; it must not exist (never overwritten). */
  out: string;
  items: ArchiveItem[];
  /** Builds the manifest from the files written and the compressed size so far; a throw abandons the archive. */
  manifest: (files: ManifestFile[], compressedSoFar: number) => Manifest | Promise<Manifest>;
  /** Called with the bytes read so far (for progress). */
  onBytes?: (bytes: number, entryPath: string) => void;
  signal?: AbortSignal | undefined;
  /** zlib level (default BACKUP_GZIP_LEVEL). */
  level?: number;
}

const CHUNK = 1 << 20;

/**
 * zlib level of backups. Measured on SQLite stores: level 4 compresses within 0.1% of level 6
 * (gzip's default) for about 25% less CPU; compression is most of a backup's cost.
 */
export const BACKUP_GZIP_LEVEL = 4;

/** Streams one file into the tar as an entry, hashing it; returns its manifest record or undefined when it vanished. */
async function addFile(pack: tar.Pack, item: ArchiveItem, onBytes: (n: number) => void, signal: AbortSignal | undefined): Promise<ManifestFile | false | undefined> {
  if ((await item.ready) === false) return false;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(item.read, 'r');
  } catch (err) {
    if (item.mayVanish && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toFoxError(err, item.originalPath);
  }
  try {
    // The size is fixed when the file is opened: a file that only grows (NDJSON) is archived up
    // to that point, which is also after every database snapshot was taken.
    const size = (await fh.stat()).size;
    const hash = createHash('sha256');
    let settle: (err?: unknown) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    const entry = pack.entry({ name: item.entryPath, size, mode: 0o644, mtime: item.mtime, type: 'file' }, (err) => settle(err));
    // Awaited only on success; a cancel destroys the pack and must not leave an unhandled rejection.
    finished.catch(() => undefined);
    let pos = 0;
    while (pos < size) {
      throwIfAborted(signal, 'backup create');
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) {
        throw new FoxError('IO', `${item.originalPath} shrank while it was being backed up (read ${pos} of ${size} bytes); run the backup again`, { subject: item.originalPath });
      }
      const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      hash.update(chunk);
      pos += bytesRead;
      onBytes(bytesRead);
      if (!entry.write(chunk)) await once(entry, 'drain');
    }
    // streamx's end takes an optional last chunk; undefined means none.
    entry.end(undefined);
    await finished;
    const rec: ManifestFile = {
      path: item.entryPath,
      original_path: item.originalPath,
      size,
      mod_time: item.mtime.toISOString(),
      checksum: hash.digest('hex'),
      component: item.component,
    };
    if (item.store !== undefined) rec.store = item.store;
    return rec;
  } finally {
    await fh.close();
  }
}

/**
 * Writes a tar.gz in the Go foxctl's format — file entries, then manifest.json last — under a
 * temp name in the same directory, fsyncs it, and links it to the final name (a link never
 * replaces an existing file, so a concurrent create of the same name fails with CONFLICT), then
 * removes the temp name and fsyncs the directory. On any failure or cancel the temp file is
 * removed and nothing is left under the final name.
 */
export async function writeArchive(opts: WriteArchiveOptions): Promise<{ manifest: Manifest; compressedSize: number; warnings: string[] }> {
  const tmp = tempNameFor(opts.out, 'create');
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  // Loaded here: commands that never write an archive do not parse tar-stream.
  const { default: tarStream } = await import('tar-stream');
  const pack = tarStream.pack();
  // Opened here, synchronously: a stream that opens lazily could create the file after a cancel
  // already removed it, leaving a temp behind.
  const sink = fs.createWriteStream(tmp, { fd: fs.openSync(tmp, 'wx', 0o600) });
  const piped = pipeline(pack, new ParallelGzip({ level: opts.level ?? BACKUP_GZIP_LEVEL }), sink);
  piped.catch(() => undefined);
  const warnings: string[] = [];
  let read = 0;
  try {
    const files: ManifestFile[] = [];
    for (const item of opts.items) {
      throwIfAborted(opts.signal, 'backup create');
      const rec = await addFile(pack, item, (n) => {
        read += n;
        opts.onBytes?.(read, item.entryPath);
      }, opts.signal);
      if (rec) files.push(rec);
      else if (rec === undefined) warnings.push(`${item.originalPath} was removed while the backup ran; left out`);
    }
    const manifest = await opts.manifest(files, sink.bytesWritten);
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: MANIFEST_ENTRY, size: bytes.length, mode: 0o644, mtime: new Date(), type: 'file' }, bytes, (err) => (err ? reject(err) : resolve()));
    });
    pack.finalize();
    await piped;
    throwIfAborted(opts.signal, 'backup create');
    await fsyncFile(tmp);
    try {
      fs.linkSync(tmp, opts.out);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new FoxError('CONFLICT', `${opts.out} already exists; choose another name (backups are never overwritten)`, { subject: opts.out });
      }
      throw toFoxError(err, opts.out);
    }
    fs.rmSync(tmp, { force: true });
    fsyncDir(path.dirname(opts.out));
    return { manifest, compressedSize: fs.statSync(opts.out).size, warnings };
  } catch (err) {
    pack.destroy();
    sink.destroy();
    await piped.catch(() => undefined);
    fs.rmSync(tmp, { force: true });
    throw toFoxError(err, `backup ${opts.out}`);
  }
}
