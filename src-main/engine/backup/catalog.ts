import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
import { scanArchive } from './archive-reader.js';
import { safeEntryPath, storeOfEntry } from './entry-paths.js';
import { fsyncDir } from './fs-util.js';
import { isGoManifest } from './manifest.js';
import { nameOfArchive, resolveArchive } from './names.js';
import { planRetention } from './retention.js';
import type { BackupSummary, Manifest, PruneOptions, PruneResult } from './types.js';
import { CACHE_DIR, forgetVerify, readVerify } from './verify-record.js';

/** A cached manifest, valid while the archive's size, mtime and inode are unchanged. */
interface CacheRecord {
  size: number;
  mtimeMs: number;
  ino: number;
  manifest: Manifest | null;
  problems: string[];
  /** How the manifest was read: a record of an older reader (before Go's `../` names were mapped) is read again. */
  reader?: number;
}

/** Bumped whenever scanArchive reads the same archive into a different manifest. */
const CACHE_READER = 2;


function cacheFile(archive: string): string {
  return path.join(path.dirname(archive), CACHE_DIR, `${path.basename(archive)}.json`);
}

/** Records an archive's manifest beside it, so list and info need not decompress it again. */
export function writeManifestCache(archive: string, manifest: Manifest | null, problems: string[]): void {
  try {
    const st = fs.statSync(archive);
    const rec: CacheRecord = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, manifest, problems, reader: CACHE_READER };
    const file = cacheFile(archive);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec));
    fs.renameSync(tmp, file);
  } catch {
    // The cache only saves time; without it list reads the archive again.
  }
}

/**
 * The manifest of an archive (and any problem reading it), from the cache when it still
 * describes the file, else by reading the archive once (the manifest is its last entry).
 */
export async function readManifest(archive: string, signal?: AbortSignal): Promise<{ manifest: Manifest | undefined; problems: string[] }> {
  let st: fs.Stats;
  try {
    st = fs.statSync(archive);
  } catch (err) {
    throw toFoxError(err, `backup ${archive}`);
  }
  try {
    const rec = JSON.parse(fs.readFileSync(cacheFile(archive), 'utf8')) as CacheRecord;
    if (rec.reader === CACHE_READER && rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.ino === st.ino) return { manifest: rec.manifest ?? undefined, problems: rec.problems };
  } catch {
    // No cache, or a stale or damaged one: read the archive.
  }
  const scan = await scanArchive(archive, { signal });
  writeManifestCache(archive, scan.manifest ?? null, scan.problems);
  return { manifest: scan.manifest, problems: scan.problems };
}

/** A list entry from an archive and its manifest. */
export function summarize(archive: string, manifest: Manifest | undefined, problems: string[]): BackupSummary {
  const st = fs.statSync(archive);
  const stores = new Set<string>();
  for (const f of manifest?.files ?? []) {
    try {
      const s = f.store ?? storeOfEntry(safeEntryPath(f.path))?.store;
      if (s) stores.add(s);
    } catch {
      // An unsafe path is reported by verify; it names no store.
    }
  }
  const out: BackupSummary = {
    name: nameOfArchive(archive),
    file: path.basename(archive),
    path: archive,
    created_at: manifest?.created_at ?? st.mtime.toISOString(),
    size: st.size,
    components: manifest?.components ?? [],
    stores: [...stores].sort(),
    skipped_stores: (manifest?.skipped_stores ?? []).map((sk) => sk.store).sort(),
    files: manifest?.files.length ?? 0,
    total_size: manifest?.stats.total_size ?? 0,
    go_format: manifest ? isGoManifest(manifest) : false,
    status: problems.length > 0 || !manifest ? 'damaged' : (manifest.status ?? 'unchecked'),
    problems: manifest?.problems ?? [],
    verified: readVerify(archive, st),
    clean: false,
  };
  if (problems.length > 0) out.problem = problems[0]!;
  // Clean: something checked it and nothing found a problem since.
  out.clean = out.verified?.ok !== false && (out.status === 'ok' || (out.status === 'unchecked' && out.verified?.ok === true));
  return out;
}

/**
 * Every archive in the backups dir, newest first. A damaged archive is listed with its problem
 * (and its file time) rather than hidden, so a broken backup is noticed before it is needed.
 */
export async function listBackups(config: FoxConfig, signal?: AbortSignal): Promise<BackupSummary[]> {
  let names: string[];
  try {
    names = fs.readdirSync(config.backupsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toFoxError(err, config.backupsDir);
  }
  const out: BackupSummary[] = [];
  for (const n of names) {
    if (n.startsWith('.') || !n.endsWith('.tar.gz')) continue;
    const p = path.join(config.backupsDir, n);
    if (!fs.statSync(p).isFile()) continue;
    throwIfAborted(signal, 'backup list');
    const { manifest, problems } = await readManifest(p, signal);
    out.push(summarize(p, manifest, problems));
  }
  return out.sort((a, b) => parseRfc3339(b.created_at) - parseRfc3339(a.created_at) || (a.name < b.name ? 1 : -1));
}

/** Deletes one backup archive (and its cached manifest). */
export function deleteBackup(config: FoxConfig, nameOrPath: string): { name: string; path: string; size: number } {
  const { name, path: file } = resolveArchive(config, nameOrPath);
  const size = fs.statSync(file).size;
  try {
    fs.rmSync(file);
  } catch (err) {
    throw toFoxError(err, `backup ${name}`);
  }
  fs.rmSync(cacheFile(file), { force: true });
  forgetVerify(file);
  fsyncDir(path.dirname(file));
  return { name, path: file, size };
}

/**
 * Deletes old backups by the rules of planRetention: only clean backups count toward keepLast,
 * and the newest clean backup is never deleted. Dry run lists without deleting.
 */
export async function pruneBackups(config: FoxConfig, opts: PruneOptions): Promise<PruneResult> {
  if (opts.keepLast === undefined && opts.olderThanMs === undefined) {
    throw new FoxError('INVALID_INPUT', 'prune needs --keep-last N and/or --older-than DURATION');
  }
  if (opts.keepLast !== undefined && (!Number.isInteger(opts.keepLast) || opts.keepLast < 0)) {
    throw new FoxError('INVALID_INPUT', `--keep-last must be a whole number (got ${opts.keepLast})`);
  }
  if (opts.olderThanMs !== undefined && !(opts.olderThanMs >= 0)) throw new FoxError('INVALID_INPUT', '--older-than must be a positive duration');
  const all = await listBackups(config, opts.signal);
  const plan = planRetention(all, { ...(opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {}), ...(opts.olderThanMs !== undefined ? { olderThanMs: opts.olderThanMs } : {}) });
  const result: PruneResult = { dry_run: opts.dryRun === true, ...plan, bytes_freed: 0 };
  for (const b of result.deleted) {
    throwIfAborted(opts.signal, 'backup prune');
    if (!opts.dryRun) deleteBackup(config, b.path);
    result.bytes_freed += b.size;
  }
  return result;
}
