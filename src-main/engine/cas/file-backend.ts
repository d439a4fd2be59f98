import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ulid } from 'ulid';
import { parseRfc3339 } from '../util/time.js';
import { digestOf, isHex } from './digest.js';
import { ensureDir } from '../util/ensure-dir.js';
import { removeDangling } from './file-dangling.js';
import { scanFileStore } from './file-scan.js';
import { DirSyncer, exists, fsyncDir, isErrno, tempName, writeFileAtomic, writeTemp } from './fs-util.js';
import { mapLimit } from './map-limit.js';
import { gcTimeMs, mergeTags, tagsFromStored } from './meta.js';
import { metaText, OBJECT_MODE, pinText, type GcTimes, type MetaFile } from './file-meta.js';
import {
  DEFAULT_KIND,
  type CasBackend,
  type CasBackendOptions,
  type CasObject,
  type CasScan,
  type CasStats,
  type CasWriter,
  type CommitMeta,
  type CommitResult,
  type RawRead,
  type RemoveGuard,
  type RemoveOutcome,
} from './types.js';

/** Options of the file backend: its directory (`paths.cas`). */
export interface FileBackendOptions extends CasBackendOptions {
  dir: string;
}

/** Default age after which a temp file is surely abandoned (an upload of hours is unusual). */
export const DEFAULT_TMP_SAFE_AGE_MS = 3_600_000;
const READ_CHUNK = 4 << 20;
/** Start writeback every so many bytes so the final fsync of a large upload has little left. */
const SYNC_EVERY = 64 << 20;
const GC_CLAIM_RE = /^gc-([0-9a-f]{64})-[0-9A-Z]{26}(\.json)?$/;

/**
 * The file backend: the Go foxctl's layout under `paths.cas` — `sha256/<hex>` bytes,
 * `sha256/<hex>.json` metadata, `pins/<hex>` holding the pin time, `tmp/` for uploads.
 *
 * Ordering that makes it safe against concurrent processes without locks: a put writes the
 * metadata (refreshing created_at) before renaming its bytes into place; a removal first claims
 * the bytes, then the metadata, by renaming them into tmp/, and re-reads the claimed metadata
 * and the pin: if a put or pin happened meanwhile it puts both back.
 */
class FileBackend implements CasBackend {
  readonly name = 'file';
  private readonly objDir: string;
  private readonly pinDir: string;
  private readonly tmpDir: string;
  private readonly objSync: DirSyncer;
  private readonly pinSync: DirSyncer;

  constructor(
    readonly location: string,
    private readonly tmpSafeAgeMs: number,
  ) {
    this.objDir = path.join(location, 'sha256');
    this.pinDir = path.join(location, 'pins');
    this.tmpDir = path.join(location, 'tmp');
    this.objSync = new DirSyncer(this.objDir);
    this.pinSync = new DirSyncer(this.pinDir);
  }

  private blob(hex: string): string {
    return path.join(this.objDir, hex);
  }
  private meta(hex: string): string {
    return path.join(this.objDir, `${hex}.json`);
  }
  private pin(hex: string): string {
    return path.join(this.pinDir, hex);
  }

  async open(): Promise<void> {
    for (const d of [this.location, this.objDir, this.pinDir, this.tmpDir]) await ensureDir(d, 'the file CAS (paths.cas, $FOXCTL_PATHS_CAS)');
    await this.cleanTmp();
  }

  /** Removes abandoned uploads and finishes removals a crashed gc left half done (conservatively: restoring). */
  private async cleanTmp(): Promise<void> {
    const now = Date.now();
    const names = await fs.readdir(this.tmpDir);
    const old: string[] = [];
    for (const n of names) {
      try {
        const st = await fs.lstat(path.join(this.tmpDir, n));
        if (now - st.mtimeMs >= this.tmpSafeAgeMs) old.push(n);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    // Claimed metadata first, so that a claimed blob whose metadata comes back is restored too.
    old.sort((a, b) => Number(b.endsWith('.json')) - Number(a.endsWith('.json')));
    for (const n of old) {
      const file = path.join(this.tmpDir, n);
      const m = GC_CLAIM_RE.exec(n);
      if (m) {
        const hex = m[1] as string;
        if (m[2] && !(await exists(this.meta(hex)))) await fs.link(file, this.meta(hex)).catch((e: unknown) => ignore(e, 'EEXIST'));
        else if (!m[2] && (await exists(this.meta(hex))) && !(await exists(this.blob(hex)))) {
          await fs.rename(file, this.blob(hex));
          continue;
        }
      } else if (n.endsWith('.upload') && (await this.finishInterruptedCommit(file))) continue;
      await fs.rm(file, { force: true, recursive: true });
    }
    if (old.length > 0) await fsyncDir(this.objDir);
  }

  /**
   * A commit files the metadata first, then renames the upload into place (see file()): a crash
   * between the two leaves metadata without bytes, and the whole upload still in tmp/. Such an
   * upload is finished here instead of removed: when its bytes hash to a digest whose metadata
   * is there without bytes, it becomes that blob. Anything else is an abandoned upload.
   */
  private async finishInterruptedCommit(upload: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(upload, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    } catch {
      return false;
    }
    const hex = hash.digest('hex');
    if (!(await exists(this.meta(hex))) || (await exists(this.blob(hex)))) return false;
    const meta = await this.readMeta(hex, null).catch(() => null);
    const st = await fs.stat(upload);
    if (meta && !meta.error && meta.size_bytes !== st.size) return false;
    await fs.rename(upload, this.blob(hex));
    return true;
  }

  async createWriter(): Promise<CasWriter> {
    const file = tempName(this.tmpDir, '.upload');
    const fh = await fs.open(file, 'wx', OBJECT_MODE);
    let unsynced = 0;
    let syncing: Promise<void> | null = null;
    let syncError: unknown = null;
    const abort = async (): Promise<void> => {
      await syncing?.catch(() => undefined);
      await fh.close().catch(() => undefined);
      await fs.rm(file, { force: true });
    };
    return {
      write: async (chunk, offset) => {
        await fh.write(chunk, 0, chunk.length, offset);
        unsynced += chunk.length;
        if (unsynced >= SYNC_EVERY && syncing === null) {
          unsynced = 0;
          syncing = fh.datasync().then(
            () => void (syncing = null),
            (err: unknown) => void ((syncError = err), (syncing = null)),
          );
        }
      },
      commit: async (hex, meta) => {
        try {
          await syncing;
          if (syncError) throw syncError;
          // The upload's fdatasync runs alongside the metadata's: concurrent syncs share a journal commit.
          const durable = fh.datasync().then(() => fh.close());
          durable.catch(() => undefined);
          return await this.file(hex, file, meta, durable);
        } catch (err) {
          await abort();
          throw err;
        }
      },
      abort,
    };
  }

  /**
   * Files a finished upload: metadata first (last_put_at refreshed, created_at kept as the Go
   * foxctl keeps it), then the bytes, then the pin.
   */
  private async file(hex: string, upload: string, m: CommitMeta, durable: Promise<void>): Promise<CommitResult> {
    const existed = await exists(this.blob(hex));
    // Metadata whose bytes were lost (verify's missing_bytes) keeps its kind and tags: this upload restores the bytes.
    const old = existed ? await this.readMeta(hex, null) : await this.readMeta(hex, null).catch(() => null);
    const kept = old && !old.error ? old : null;
    const meta: MetaFile = {
      digest: digestOf(hex),
      size_bytes: m.size,
      kind: kept ? kept.kind : m.kind,
      tags: kept ? mergeTags(kept.tags, m.tags) : m.tags,
      created_at: kept ? kept.created_at : m.now,
      ...(kept ? { last_put_at: m.now } : {}),
    };
    const metaTmp = writeTemp(metaText(meta), this.tmpDir, OBJECT_MODE);
    metaTmp.catch(() => undefined);
    try {
      await durable;
      await fs.rename(await metaTmp, this.meta(hex));
    } catch (err) {
      await metaTmp.then((t) => fs.rm(t, { force: true }), () => undefined);
      throw err;
    }
    // Same name, same bytes: replacing an existing blob is harmless and re-creates one a gc just claimed.
    await fs.rename(upload, this.blob(hex));
    const pinnedAt = m.pin ? await this.writePin(hex, m.now) : await this.readPin(hex);
    await this.objSync.sync();
    return { existed, object: { ...meta, pinned: pinnedAt !== null, pinned_at: pinnedAt } };
  }

  private async readPin(hex: string): Promise<string | null> {
    try {
      return (await fs.readFile(this.pin(hex), 'utf8')).trim();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
  }

  private async writePin(hex: string, now: string): Promise<string> {
    const current = await this.readPin(hex);
    if (current !== null) return current;
    const text = pinText(now);
    await writeFileAtomic(this.pin(hex), text, this.tmpDir);
    await this.pinSync.sync();
    return text;
  }

  /** Reads metadata; when missing or unreadable, describes the object from its bytes and says why. */
  private async readMeta(hex: string, st: Stats | null): Promise<MetaFile & { error?: string }> {
    let error: string;
    try {
      const raw = JSON.parse(await fs.readFile(this.meta(hex), 'utf8')) as Partial<Record<keyof MetaFile, unknown>>;
      if (raw && typeof raw === 'object' && typeof raw.created_at === 'string' && Number.isFinite(parseRfc3339(raw.created_at))) {
        return {
          digest: digestOf(hex),
          size_bytes: typeof raw.size_bytes === 'number' ? raw.size_bytes : (st?.size ?? 0),
          kind: typeof raw.kind === 'string' && raw.kind ? raw.kind : DEFAULT_KIND,
          tags: tagsFromStored(raw.tags),
          created_at: raw.created_at,
          ...(typeof raw.last_put_at === 'string' && raw.last_put_at ? { last_put_at: raw.last_put_at } : {}),
        };
      }
      error = `metadata ${this.meta(hex)} has no valid created_at`;
    } catch (err) {
      error = isErrno(err, 'ENOENT') ? `metadata ${this.meta(hex)} is missing` : `metadata ${this.meta(hex)} is unreadable: ${(err as Error).message}`;
    }
    const s = st ?? (await fs.stat(this.blob(hex)));
    return { digest: digestOf(hex), size_bytes: s.size, kind: DEFAULT_KIND, tags: [], created_at: s.mtime.toISOString(), error };
  }

  async head(hex: string, pins?: ReadonlySet<string>): Promise<CasObject | null> {
    let st: Stats;
    try {
      st = await fs.stat(this.blob(hex));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
    // With the pins directory already read (all()), only pinned objects need their pin file.
    const [meta, pinnedAt] = await Promise.all([this.readMeta(hex, st), pins && !pins.has(hex) ? null : this.readPin(hex)]);
    const { error, ...rest } = meta;
    return { ...rest, pinned: pinnedAt !== null, pinned_at: pinnedAt, ...(error ? { meta_error: error } : {}) };
  }

  async read(hex: string): Promise<RawRead | null> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.blob(hex), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
    const st = await fh.stat();
    return { size: st.size, stream: fh.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true }) };
  }

  async localPath(hex: string): Promise<string | null> {
    return (await exists(this.blob(hex))) ? this.blob(hex) : null;
  }

  private async allNames(): Promise<string[]> {
    return (await fs.readdir(this.objDir)).filter(isHex);
  }

  async all(): Promise<CasObject[]> {
    const pins = new Set(await fs.readdir(this.pinDir));
    const found = await mapLimit(await this.allNames(), 32, (hex) => this.head(hex, pins));
    return found.filter((o): o is CasObject => o !== null);
  }

  async scan(): Promise<CasScan> {
    return scanFileStore(this.location);
  }

  async names(after: string | null, limit: number): Promise<string[]> {
    const names = (await this.allNames()).sort();
    return names.filter((n) => after === null || n > after).slice(0, limit);
  }

  async setPin(hex: string, pinnedAt: string | null): Promise<boolean> {
    if (!(await exists(this.blob(hex)))) return false;
    if (pinnedAt === null) {
      await fs.rm(this.pin(hex), { force: true });
      await this.pinSync.sync();
      return true;
    }
    await this.writePin(hex, pinnedAt);
    // A removal may have claimed the object between our check and the pin: then it is gone.
    if (!(await exists(this.blob(hex)))) {
      await fs.rm(this.pin(hex), { force: true });
      return false;
    }
    return true;
  }

  async remove(hex: string, guard: RemoveGuard): Promise<RemoveOutcome> {
    const head = await this.head(hex);
    // No bytes: what an object whose bytes are gone left behind (metadata, pin) is removed instead.
    if (!head) return (await removeDangling({ objDir: this.objDir, pinDir: this.pinDir, tmpDir: this.tmpDir }, hex, guard)) ?? { outcome: 'missing', size_bytes: 0 };
    const blocked = async (times: GcTimes): Promise<RemoveOutcome['outcome'] | null> => {
      if (guard.unpinnedOnly && (await this.readPin(hex)) !== null) return 'pinned';
      if (guard.createdBeforeMs !== undefined && !(gcTimeMs(times) < guard.createdBeforeMs)) return 'fresh';
      return null;
    };
    if (guard.unpinnedOnly && head.pinned) return { outcome: 'pinned', size_bytes: head.size_bytes };
    if (guard.createdBeforeMs !== undefined && !(gcTimeMs(head) < guard.createdBeforeMs)) return { outcome: 'fresh', size_bytes: head.size_bytes };

    const id = ulid();
    const claimedBlob = path.join(this.tmpDir, `gc-${hex}-${id}`);
    const claimedMeta = `${claimedBlob}.json`;
    try {
      await fs.rename(this.blob(hex), claimedBlob);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { outcome: 'missing', size_bytes: 0 };
      throw err;
    }
    const metaClaimed = await fs.rename(this.meta(hex), claimedMeta).then(
      () => true,
      (err: unknown) => (ignore(err, 'ENOENT'), false),
    );
    // Re-check under the claim: a put refreshes last_put_at before renaming its bytes in.
    let times: GcTimes = head;
    if (metaClaimed) {
      try {
        const raw = JSON.parse(await fs.readFile(claimedMeta, 'utf8')) as { created_at?: unknown; last_put_at?: unknown };
        if (typeof raw.created_at === 'string') times = { created_at: raw.created_at, last_put_at: typeof raw.last_put_at === 'string' ? raw.last_put_at : null };
      } catch {
        // Unreadable metadata: the first read decided; nothing newer can be learned from it.
      }
    }
    const again = await blocked(times);
    if (again) {
      if (metaClaimed) await fs.link(claimedMeta, this.meta(hex)).catch((e: unknown) => ignore(e, 'EEXIST'));
      await fs.rename(claimedBlob, this.blob(hex));
      await fs.rm(claimedMeta, { force: true });
      await this.objSync.sync();
      return { outcome: again, size_bytes: head.size_bytes };
    }
    if (!guard.unpinnedOnly) await fs.rm(this.pin(hex), { force: true });
    await fs.rm(claimedMeta, { force: true });
    await fs.rm(claimedBlob, { force: true });
    await this.objSync.sync();
    return { outcome: 'removed', size_bytes: head.size_bytes };
  }

  async stats(): Promise<CasStats> {
    const names = await this.allNames();
    const pins = new Set((await fs.readdir(this.pinDir)).filter(isHex));
    const sizes = await mapLimit(names, 32, (hex) => fs.stat(this.blob(hex)).then((s) => s.size, (e: unknown) => (ignore(e, 'ENOENT'), -1)));
    const s: CasStats = { objects: 0, bytes: 0, pinned: 0, pinned_bytes: 0 };
    sizes.forEach((size, i) => {
      if (size < 0) return;
      s.objects++;
      s.bytes += size;
      if (pins.has(names[i] as string)) {
        s.pinned++;
        s.pinned_bytes += size;
      }
    });
    return s;
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}

/** Rethrows `err` unless it is the given errno (which callers expect as a normal race). */
function ignore(err: unknown, code: string): void {
  if (!isErrno(err, code)) throw err;
}

/** Creates the file backend over `opts.dir` (call open() before use). */
export function createFileBackend(opts: FileBackendOptions): CasBackend {
  return new FileBackend(path.resolve(opts.dir), opts.tmpSafeAgeMs ?? DEFAULT_TMP_SAFE_AGE_MS);
}
