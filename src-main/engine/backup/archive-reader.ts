import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { canceled, FoxError, toFoxError } from '../errors.js';
import { safeEntryPath } from './entry-paths.js';
import { goEntryAliases, withAliases } from './go-entry-aliases.js';
import { MANIFEST_ENTRY, parseManifest } from './manifest.js';
import type { Manifest } from './types.js';

/** One entry as read from an archive, with the sha256 of its bytes. */
export interface ScannedEntry {
  /** The name as stored in the tar. */
  name: string;
  /** The normalised safe path; undefined when the entry is unsafe. */
  path: string | undefined;
  type: string;
  size: number;
  sha256: string;
  /** Why the entry is refused (a link, a device, `..`, an absolute path). */
  unsafe?: string;
}

/** Where the bytes of one entry go while they are hashed (a temp file of a restore or verify). */
export interface EntrySink {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Options of scanArchive. */
export interface ScanOptions {
  signal?: AbortSignal | undefined;
  /** Compressed bytes read so far, of the archive's size. */
  onProgress?: (read: number, total: number, entry: string) => void;
  /** Returns a sink for a safe regular file entry to receive its bytes, or undefined to only hash it. */
  sinkFor?: (path: string, size: number) => Promise<EntrySink | undefined>;
}

/** Internal options of one pass: the Go aliases known so far, and whether only aliased entries get sinks. */
interface PassOptions extends ScanOptions {
  aliases?: ReadonlyMap<string, string>;
  onlyAliased?: boolean;
}

/** What a scan found: every entry, the manifest, and problems of the archive as a whole. */
export interface ScanResult {
  entries: ScannedEntry[];
  manifest: Manifest | undefined;
  /** Archive-level problems: not gzip, truncated, no manifest, manifest not last, invalid manifest. */
  problems: string[];
  archiveSize: number;
}

const MAX_MANIFEST = 256 << 20;

/**
 * Reads a backup archive start to end: hashes every entry, refuses unsafe ones (links, devices,
 * `..`, absolute names) without writing them anywhere, hands safe files to `sinkFor`, and parses
 * manifest.json. A damaged archive is reported in `problems`, never thrown; a cancel or a failing
 * sink (disk full) is thrown. A Go archive whose manifest maps climbing names (go-entry-aliases)
 * gets them renamed in entries and manifest; as the manifest comes last, their bytes are read in
 * a second pass when a sink wants them.
 */
export async function scanArchive(file: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const first = await scanPass(file, opts);
  const aliases = first.manifest ? goEntryAliases(first.manifest) : new Map<string, string>();
  if (aliases.size === 0) return first;
  const manifest = withAliases(first.manifest!, aliases);
  if (!opts.sinkFor) {
    for (const e of first.entries) {
      const alias = aliases.get(e.name);
      if (alias === undefined || e.type !== 'file') continue;
      e.path = alias;
      delete e.unsafe;
    }
    return { ...first, manifest };
  }
  const second = await scanPass(file, { ...opts, aliases, onlyAliased: true });
  return { ...second, manifest: second.manifest ? withAliases(second.manifest, aliases) : manifest };
}

/** One read of the archive (see scanArchive). */
async function scanPass(file: string, opts: PassOptions): Promise<ScanResult> {
  // Loaded here, before any stream exists: commands that never read an archive do not parse tar-stream.
  const { default: tar } = await import('tar-stream');
  let archiveSize: number;
  try {
    archiveSize = fs.statSync(file).size;
  } catch (err) {
    throw toFoxError(err, `backup ${file}`);
  }
  const entries: ScannedEntry[] = [];
  const problems: string[] = [];
  let manifest: Manifest | undefined;
  let manifestSeen = false;
  let read = 0;
  let current = '';
  let sinkError: unknown;
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      opts.onProgress?.(read, archiveSize, current);
      cb(null, chunk);
    },
  });
  const extract = tar.extract();
  const onAbort = (): void => {
    source.destroy(canceled(opts.signal, 'reading the backup'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // 1 MiB output chunks: the default 16 KiB makes gunzip four times slower through stream overhead.
  // A 16 MiB buffer after gunzip lets it run ahead while entries are hashed and written, as
  // `gzip -d | tar -x` overlaps in two processes; without it the two stages take turns.
  const piped = pipeline(source, counter, zlib.createGunzip({ chunkSize: 1 << 20 }), new PassThrough({ highWaterMark: 16 << 20 }), extract);
  piped.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = h.name;
      current = name;
      const type = h.type ?? 'file';
      const rec: ScannedEntry = { name, path: undefined, type, size: h.size ?? 0, sha256: '' };
      entries.push(rec);
      if (manifestSeen) problems.push(`entry "${name}" comes after manifest.json (the manifest must be last)`);
      const alias = opts.aliases?.get(name);
      try {
        rec.path = alias ?? safeEntryPath(name);
      } catch (err) {
        rec.unsafe = (err as Error).message;
      }
      if (type !== 'file' && type !== 'contiguous-file' && type !== 'directory') {
        rec.unsafe = `entry "${name}" is a ${type}${h.linkname ? ` to "${h.linkname}"` : ''}: links and special files are refused`;
      }
      const hash = createHash('sha256');
      const isManifest = rec.path === MANIFEST_ENTRY;
      const wanted = !rec.unsafe && !isManifest && type !== 'directory' && (!opts.onlyAliased || alias !== undefined);
      const sink = wanted && opts.sinkFor ? await opts.sinkFor(rec.path!, rec.size) : undefined;
      const manifestChunks: Buffer[] = [];
      let manifestBytes = 0;
      try {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          if (sink) {
            try {
              await sink.write(chunk);
            } catch (err) {
              sinkError = err;
              throw err;
            }
          }
          if (isManifest && manifestBytes <= MAX_MANIFEST) {
            manifestChunks.push(chunk);
            manifestBytes += chunk.length;
          }
        }
      } finally {
        try {
          await sink?.close();
        } catch (err) {
          sinkError ??= err;
        }
      }
      if (sinkError !== undefined) throw sinkError;
      rec.sha256 = hash.digest('hex');
      if (isManifest && !rec.unsafe) {
        manifestSeen = true;
        if (manifestBytes > MAX_MANIFEST) problems.push('manifest.json is larger than 256 MiB');
        else {
          try {
            manifest = parseManifest(Buffer.concat(manifestChunks), file);
          } catch (err) {
            problems.push((err as Error).message);
          }
        }
      }
    }
    await piped;
  } catch (err) {
    if (opts.signal?.aborted) throw canceled(opts.signal, 'reading the backup');
    // A destination that failed (disk full) is the caller's error, not the archive's.
    if (sinkError !== undefined) throw toFoxError(sinkError);
    const where = current ? ` while reading entry "${current}"` : '';
    problems.push(`the archive is damaged or truncated${where}: ${(err as Error).message}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    source.destroy();
  }
  if (!manifestSeen && !problems.some((p) => p.startsWith('manifest.json'))) problems.push('manifest.json is missing: this is not a complete foxctl backup');
  return { entries, manifest, problems, archiveSize };
}

/** Throws CORRUPT naming the first problem when a scan found the archive unusable. */
export function assertScanUsable(scan: ScanResult, file: string): Manifest {
  if (scan.manifest === undefined || scan.problems.length > 0) {
    throw new FoxError('CORRUPT', `${file}: ${scan.problems[0] ?? 'manifest.json is missing'}`, { subject: file });
  }
  return scan.manifest;
}
