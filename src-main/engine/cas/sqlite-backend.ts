import path from 'node:path';
import { Readable } from 'node:stream';
import { applyMigrations } from '../db/migrate.js';
import { openSqlite, type SqliteDb } from '../db/sqlite.js';
import { digestOf } from './digest.js';
import { ensureDir } from '../util/ensure-dir.js';
import { gcTimeMs, mergeTags, tagsColumn, tagsFromStored } from './meta.js';
import { FoxError } from '../errors.js';
import { assembleChunks, MAX_SQLITE_OBJECT_BYTES, moveChunkedIntoContent, tooLargeError } from './sqlite-inline.js';
import { CAS_MIGRATIONS } from './sqlite-migrations.js';
import { DROP_CHUNKS_SQL, SCAN_MISSING_SQL, SCAN_ORPHAN_SQL, SCAN_STORED_SQL, scanFromRows, STORED_BYTES_SQL, storedWhole, type MissingRow, type OrphanRow } from './sqlite-scan.js';
import { DEFAULT_TMP_SAFE_AGE_MS } from './file-backend.js';
import type { CasBackend, CasBackendOptions, CasObject, CasScan, CasStats, CasWriter, CommitMeta, CommitResult, RawRead, RemoveGuard, RemoveOutcome } from './types.js';

/** Options of the sqlite backend: its database file and chunk size. */
export interface SqliteBackendOptions extends CasBackendOptions {
  file: string;
  /** Bytes per staged chunk of an upload in progress (default 1 MiB); every object is filed whole in content. */
  chunkSize?: number;
  /** The largest object stored (default and ceiling MAX_SQLITE_OBJECT_BYTES); tests lower it. */
  maxObjectBytes?: number;
  /** Busy timeout in ms (default 5000). */
  timeoutMs?: number;
}

interface Row {
  digest: string;
  size: number;
  kind: string | null;
  tags: string | null;
  pinned: number | null;
  created_at: string;
  updated_at: string | null;
  last_put_at: string | null;
}

const COLS = 'digest, size, kind, tags, pinned, created_at, updated_at, last_put_at';

function toObject(r: Row): CasObject {
  return {
    digest: r.digest,
    size_bytes: r.size,
    kind: r.kind || 'application/octet-stream',
    tags: tagsFromStored(r.tags),
    created_at: r.created_at,
    ...(r.last_put_at ? { last_put_at: r.last_put_at } : {}),
    pinned: r.pinned === 1,
    pinned_at: null,
  };
}

/**
 * The sqlite backend: `cas_objects` as the Go foxctl writes it, every object whole in `content`
 * (uploads are staged in chunk tables while they stream in, so a slow upload holds one chunk in
 * memory; the commit assembles them: memory up to ~3x the object, see sqlite-inline.ts). Objects
 * over the row limit are refused. Each commit and removal is one BEGIN IMMEDIATE transaction, so
 * concurrent processes serialise on SQLite's write lock. synchronous=FULL: an acknowledged put
 * survives a power cut, as the file backend's fsyncs promise.
 */
class SqliteBackend implements CasBackend {
  readonly name = 'sqlite';
  private db: SqliteDb | null = null;

  constructor(
    readonly location: string,
    private readonly chunkSize: number,
    private readonly tmpSafeAgeMs: number,
    private readonly timeoutMs: number,
    private readonly maxBytes: number,
  ) {}

  private get conn(): SqliteDb {
    if (!this.db) throw new Error('the sqlite CAS backend is not open');
    return this.db;
  }

  async open(): Promise<void> {
    // Before SQLite creates anything: a place that cannot hold a database is named, not looped on.
    await ensureDir(path.dirname(this.location), 'the sqlite CAS database ($FOXCTL_CAS_DB_PATH)');
    const db = openSqlite(this.location, { subject: `cas sqlite (${this.location})`, timeoutMs: this.timeoutMs });
    try {
      db.pragma('synchronous = FULL');
      applyMigrations(db, 'store CAS', CAS_MIGRATIONS);
      // Uploads abandoned by a crashed process (digest still NULL) older than the safe age.
      const cutoff = Date.now() - this.tmpSafeAgeMs;
      db.transaction(() => {
        db.prepare('DELETE FROM studio_cas_chunks WHERE blob_id IN (SELECT blob_id FROM studio_cas_blobs WHERE digest IS NULL AND started_ms <= ?)').run(cutoff);
        db.prepare('DELETE FROM studio_cas_blobs WHERE digest IS NULL AND started_ms <= ?').run(cutoff);
      }).immediate();
      // Objects of our earlier versions, chunked with content empty, which the Go foxctl reads as 0 bytes.
      await moveChunkedIntoContent(db, this.maxBytes);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  async createWriter(): Promise<CasWriter> {
    const db = this.conn;
    const size = this.chunkSize;
    const maxBytes = this.maxBytes;
    let total = 0;
    let blobId: number | null = null;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const insertChunk = db.prepare('INSERT INTO studio_cas_chunks (blob_id, seq, data) VALUES (?, ?, ?)');
    const flush = (final: boolean): void => {
      while (pendingBytes >= size || (final && pendingBytes > 0)) {
        const all = Buffer.concat(pending, pendingBytes);
        const take = Math.min(size, all.length);
        if (blobId === null) {
          blobId = Number(db.prepare('INSERT INTO studio_cas_blobs (digest, chunk_size, started_ms) VALUES (NULL, ?, ?)').run(size, Date.now()).lastInsertRowid);
        }
        insertChunk.run(blobId, seq++, all.subarray(0, take));
        pending = take < all.length ? [all.subarray(take)] : [];
        pendingBytes = all.length - take;
      }
    };
    const dropStaging = (): void => {
      if (blobId === null) return;
      const id = blobId;
      blobId = null;
      db.transaction(() => {
        db.prepare('DELETE FROM studio_cas_chunks WHERE blob_id = ?').run(id);
        db.prepare('DELETE FROM studio_cas_blobs WHERE blob_id = ?').run(id);
      }).immediate();
    };
    return {
      // better-sqlite3 is synchronous; chunks arrive in order, so offset is implied.
      write: async (chunk) => {
        total += chunk.length;
        // Refused before it is staged: a 5 GB stream fails at 1 GB, not after.
        if (total > maxBytes) throw tooLargeError(total, maxBytes, `the sqlite CAS (${this.location})`);
        // Copied: the caller reuses the chunk's memory once this resolves.
        pending.push(Buffer.from(chunk));
        pendingBytes += chunk.length;
        flush(false);
      },
      commit: async (hex, m) => {
        // One chunk or less: inline in content, exactly as the Go tool stores objects.
        const inline = blobId === null ? Buffer.concat(pending, pendingBytes) : null;
        if (!inline) flush(true);
        try {
          return this.commit(hex, m, inline, blobId);
        } catch (err) {
          try {
            dropStaging();
          } catch {
            // The commit error is the one to report; open() cleans what is left after the safe age.
          }
          throw err;
        }
      },
      abort: async () => {
        pending = [];
        try {
          dropStaging();
        } catch {
          // Left for open() to clean after the safe age.
        }
      },
    };
  }

  private commit(hex: string, m: CommitMeta, inline: Buffer | null, blobId: number | null): CommitResult {
    const db = this.conn;
    const digest = digestOf(hex);
    const dropChunks = (): void => DROP_CHUNKS_SQL.forEach((sql) => db.prepare(sql).run(digest));
    const dropStaged = (): void => {
      if (blobId === null) return;
      db.prepare('DELETE FROM studio_cas_chunks WHERE blob_id = ?').run(blobId);
      db.prepare('DELETE FROM studio_cas_blobs WHERE blob_id = ?').run(blobId);
    };
    /** This upload's bytes, whole (its staged chunks assembled, then dropped): what content must hold. */
    const whole = (): Buffer => {
      if (inline) return inline;
      const bytes = assembleChunks(db, blobId as number, m.size);
      if (!bytes) throw new FoxError('IO', `the staged upload of ${digest} in ${this.location} does not add up to ${m.size} bytes`);
      dropStaged();
      return bytes;
    };
    return db.transaction((): CommitResult => {
      const old = db.prepare(`SELECT ${COLS} FROM cas_objects WHERE digest = ?`).get(digest) as Row | undefined;
      if (old) {
        // created_at stays the first put's (the Go gc counts from it); last_put_at gives our gc its grace.
        const tags = mergeTags(tagsFromStored(old.tags), m.tags);
        const pinned = old.pinned === 1 || m.pin ? 1 : 0;
        db.prepare('UPDATE cas_objects SET tags = ?, pinned = ?, last_put_at = ?, updated_at = ? WHERE digest = ?').run(tagsColumn(tags), pinned, m.now, m.now, digest);
        const stored = db.prepare(STORED_BYTES_SQL).get(digest) as { inline: number; chunked: number } | undefined;
        if (Number(stored?.inline) !== m.size) {
          // Bytes lost, cut short, or chunked by an earlier version of ours: this upload hashed to the digest, so it files them whole.
          const bytes = whole();
          dropChunks();
          db.prepare('UPDATE cas_objects SET content = ?, size = ? WHERE digest = ?').run(bytes, m.size, digest);
        } else dropStaged();
        return { existed: storedWhole(stored, m.size), object: toObject({ ...old, size: m.size, tags: tagsColumn(tags), pinned, updated_at: m.now, last_put_at: m.now }) };
      }
      // Chunks left without a row (the Go foxctl's rm deletes only cas_objects) give way to this upload.
      dropChunks();
      // Go's SQLiteStore.Put binds NULL tags when there are none; so do we.
      db.prepare('INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        digest,
        m.size,
        m.kind,
        tagsColumn(m.tags),
        m.pin ? 1 : 0,
        whole(),
        m.now,
        m.now,
      );
      const row: Row = { digest, size: m.size, kind: m.kind, tags: tagsColumn(m.tags), pinned: m.pin ? 1 : 0, created_at: m.now, updated_at: m.now, last_put_at: null };
      return { existed: false, object: toObject(row) };
    }).immediate();
  }

  async head(hex: string): Promise<CasObject | null> {
    const row = this.conn.prepare(`SELECT ${COLS} FROM cas_objects WHERE digest = ?`).get(digestOf(hex)) as Row | undefined;
    return row ? toObject(row) : null;
  }

  async read(hex: string): Promise<RawRead | null> {
    const db = this.conn;
    const digest = digestOf(hex);
    const row = db.prepare('SELECT size, length(content) AS clen FROM cas_objects WHERE digest = ?').get(digest) as { size: number; clen: number | null } | undefined;
    if (!row) return null;
    // Content first: chunks under the digest are only read for rows of an earlier version of ours still left there.
    const blob = (row.clen ?? 0) > 0 ? undefined : (db.prepare('SELECT blob_id FROM studio_cas_blobs WHERE digest = ?').get(digest) as { blob_id: number } | undefined);
    if (!blob) {
      // The whole content, as it was stored (one buffer: the row limit bounds it).
      const inline = (db.prepare('SELECT content FROM cas_objects WHERE digest = ?').get(digest) as { content: Buffer | null }).content;
      return { size: row.size, stream: Readable.from(inline && inline.length > 0 ? [inline] : []) };
    }
    const chunk = db.prepare('SELECT data FROM studio_cas_chunks WHERE blob_id = ? AND seq = ?').pluck();
    let seq = 0;
    // One chunk per read(): a statement iterator held open across awaits would block the connection.
    const stream = new Readable({
      highWaterMark: 1,
      objectMode: false,
      read() {
        try {
          const data = chunk.get(blob.blob_id, seq++) as Buffer | undefined;
          this.push(data ?? null);
        } catch (err) {
          this.destroy(err as Error);
        }
      },
    });
    return { size: row.size, stream };
  }

  async all(): Promise<CasObject[]> {
    return (this.conn.prepare(`SELECT ${COLS} FROM cas_objects`).all() as Row[]).map(toObject);
  }

  async scan(): Promise<CasScan> {
    const db = this.conn;
    // One read transaction: the three queries see the same snapshot.
    return db.transaction(() =>
      scanFromRows(db.prepare(SCAN_STORED_SQL).pluck().all(), db.prepare(SCAN_MISSING_SQL).all() as MissingRow[], db.prepare(SCAN_ORPHAN_SQL).all() as OrphanRow[]),
    )();
  }

  async names(after: string | null, limit: number): Promise<string[]> {
    const rows = this.conn
      .prepare("SELECT digest FROM cas_objects WHERE digest > ? AND digest LIKE 'sha256:%' ORDER BY digest LIMIT ?")
      .pluck()
      .all(after === null ? '' : digestOf(after), limit) as string[];
    return rows.map((d) => d.slice('sha256:'.length));
  }

  async setPin(hex: string, pinnedAt: string | null): Promise<boolean> {
    const r = this.conn
      .prepare('UPDATE cas_objects SET pinned = ?, updated_at = COALESCE(?, updated_at) WHERE digest = ?')
      .run(pinnedAt === null ? 0 : 1, pinnedAt, digestOf(hex));
    return r.changes > 0;
  }

  async remove(hex: string, guard: RemoveGuard): Promise<RemoveOutcome> {
    const db = this.conn;
    const digest = digestOf(hex);
    return db.transaction((): RemoveOutcome => {
      const row = db.prepare(`SELECT ${COLS} FROM cas_objects WHERE digest = ?`).get(digest) as Row | undefined;
      if (!row) return { outcome: 'missing', size_bytes: 0 };
      if (guard.unpinnedOnly && row.pinned === 1) return { outcome: 'pinned', size_bytes: row.size };
      if (guard.createdBeforeMs !== undefined && !(gcTimeMs(row) < guard.createdBeforeMs)) return { outcome: 'fresh', size_bytes: row.size };
      db.prepare('DELETE FROM cas_objects WHERE digest = ?').run(digest);
      db.prepare('DELETE FROM studio_cas_chunks WHERE blob_id IN (SELECT blob_id FROM studio_cas_blobs WHERE digest = ?)').run(digest);
      db.prepare('DELETE FROM studio_cas_blobs WHERE digest = ?').run(digest);
      return { outcome: 'removed', size_bytes: row.size };
    }).immediate();
  }

  async stats(): Promise<CasStats> {
    const r = this.conn
      .prepare('SELECT count(*) AS objects, COALESCE(sum(size), 0) AS bytes, COALESCE(sum(pinned = 1), 0) AS pinned, COALESCE(sum(CASE WHEN pinned = 1 THEN size ELSE 0 END), 0) AS pinned_bytes FROM cas_objects')
      .get() as CasStats;
    return { objects: r.objects, bytes: r.bytes, pinned: r.pinned, pinned_bytes: r.pinned_bytes };
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}

/** Creates the sqlite backend over `opts.file` (call open() before use). */
export function createSqliteBackend(opts: SqliteBackendOptions): CasBackend {
  return new SqliteBackend(opts.file, opts.chunkSize ?? 1 << 20, opts.tmpSafeAgeMs ?? DEFAULT_TMP_SAFE_AGE_MS, opts.timeoutMs ?? 5000, Math.min(opts.maxObjectBytes ?? MAX_SQLITE_OBJECT_BYTES, MAX_SQLITE_OBJECT_BYTES));
}
