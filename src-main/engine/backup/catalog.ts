import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, isFoxError, throwIfAborted, toFoxError } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
import { scanArchive } from './archive-reader.js';
import { safeEntryPath, storeOfEntry } from './entry-paths.js';
import { fsyncDir } from './fs-util.js';
import { isGoManifest } from './manifest.js';
import { nameOfArchive, resolveArchive } from './names.js';
import { COUNT_RULES, planRetention, type CountRule, type RetentionRules } from './retention.js';
import { repoPaths } from './repo/layout.js';
import { pruneRepo } from './repo/prune-repo.js';
import { snapshotRepoRoot } from './resolve-backup.js';
import type { BackupSummary, Manifest, PruneOptions, PruneResult } from './types.js';
import { CACHE_DIR, forgetVerify, readVerify } from './verify-record.js';
import { listSnapshots } from './snapshot-catalog.js';

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
    format: 'tar',
    file: path.basename(archive),
    path: archive,
    created_at: manifest?.created_at ?? st.mtime.toISOString(),
    size: st.size,
    added_bytes: st.size,
    referenced_bytes: manifest?.stats.total_size ?? 0,
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
 * Every archive in the backups dir and every snapshot of its repository, newest first. A damaged
 * archive or snapshot file is listed with its problem (and its file time) rather than hidden, so
 * a broken backup is noticed before it is needed.
 */
export async function listBackups(config: FoxConfig, signal?: AbortSignal): Promise<BackupSummary[]> {
  const all = [...(await listArchives(config, signal)), ...(await listSnapshots(config, signal))];
  return all.sort((a, b) => parseRfc3339(b.created_at) - parseRfc3339(a.created_at) || (a.name < b.name ? 1 : a.name > b.name ? -1 : a.format < b.format ? 1 : -1));
}

/** Every archive in the backups dir, in no particular order. */
async function listArchives(config: FoxConfig, signal?: AbortSignal): Promise<BackupSummary[]> {
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
  return out;
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

/** The count rules with their CLI flags, for messages. */
const RULE_FLAGS: Record<CountRule, string> = { keepLast: '--keep-last', keepDaily: '--keep-daily', keepWeekly: '--keep-weekly', keepMonthly: '--keep-monthly' };

/** Checks prune's rules (at least one, whole numbers, a positive age) and returns them for planRetention. */
export function retentionRulesOf(opts: PruneOptions): RetentionRules {
  const rules: RetentionRules = {};
  const keepLast = opts.keepLast ?? opts.keepLatest;
  if (opts.keepLast !== undefined && opts.keepLatest !== undefined && opts.keepLast !== opts.keepLatest) {
    throw new FoxError('INVALID_INPUT', `--keep-last and --keep-latest are the same rule (got ${opts.keepLast} and ${opts.keepLatest})`);
  }
  const given: Record<CountRule, number | undefined> = { keepLast, keepDaily: opts.keepDaily, keepWeekly: opts.keepWeekly, keepMonthly: opts.keepMonthly };
  for (const rule of COUNT_RULES) {
    const n = given[rule];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0) throw new FoxError('INVALID_INPUT', `${RULE_FLAGS[rule]} must be a whole number (got ${n})`);
    rules[rule] = n;
  }
  if (opts.olderThanMs !== undefined) {
    if (!(opts.olderThanMs >= 0)) throw new FoxError('INVALID_INPUT', '--older-than must be a positive duration');
    rules.olderThanMs = opts.olderThanMs;
  }
  if (Object.keys(rules).length === 0) throw new FoxError('INVALID_INPUT', 'prune needs --keep-last N and/or --older-than DURATION (or --keep-daily/--keep-weekly/--keep-monthly N)');
  return rules;
}

/**
 * Deletes old backups, archives and snapshots alike, by the rules of planRetention: only clean
 * backups fill the rules' places, and the newest clean backup is never deleted. The snapshots
 * to go are removed by a repository prune (two-phase, exclusive lock, so refused with CONFLICT
 * while a backup is writing to it) which then frees every pack no remaining snapshot uses;
 * archives are deleted after it. Dry run lists, with the bytes that would be freed, and deletes
 * nothing.
 */
export async function pruneBackups(config: FoxConfig, opts: PruneOptions): Promise<PruneResult> {
  const rules = retentionRulesOf(opts);
  const all = await listBackups(config, opts.signal);
  const plan = planRetention(all, rules);
  const result: PruneResult = { dry_run: opts.dryRun === true, ...plan, bytes_freed: 0, repository: null, notes: [] };
  const goneSnapshots = plan.deleted.filter((b) => b.format === 'snapshot').map((b) => b.name);
  if (fs.existsSync(path.join(snapshotRepoRoot(config), 'config.json'))) {
    try {
      const r = await pruneRepo(repoPaths(snapshotRepoRoot(config)), goneSnapshots, { dryRun: opts.dryRun === true, ...(opts.signal ? { signal: opts.signal } : {}) });
      result.repository = { deleted_snapshots: r.deletedSnapshots, deleted_packs: r.deletedPacks, repacked_packs: r.repackedPacks, orphans: r.orphans, freed_bytes: r.freedBytes, kept_bytes: r.keptBytes };
      result.bytes_freed += r.freedBytes;
    } catch (err) {
      // With no snapshot to delete, a running backup only postpones freeing space: the archives still go.
      if (goneSnapshots.length > 0 || !isFoxError(err, 'CONFLICT')) throw err;
      result.notes.push(`the snapshot repository was not pruned: ${err.message}`);
    }
  }
  for (const b of result.deleted) {
    if (b.format !== 'tar') continue;
    throwIfAborted(opts.signal, 'backup prune');
    if (!opts.dryRun) deleteBackup(config, b.path);
    result.bytes_freed += b.size;
  }
  return result;
}
