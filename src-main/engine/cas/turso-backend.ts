import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createClient, type Client, type InStatement, type Row, type Transaction } from '@libsql/client';
import { migrationChecksum } from '../db/migrate.js';
import { FoxError } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import { digestOf } from './digest.js';
import { ensureDir } from '../util/ensure-dir.js';
import { DEFAULT_TMP_SAFE_AGE_MS } from './file-backend.js';
import { createKeyLock } from './key-lock.js';
import { gcTimeMs, mergeTags, tagsColumn, tagsFromStored } from './meta.js';
import { MAX_SQLITE_OBJECT_BYTES, tooLargeError } from './sqlite-inline.js';
import { CAS_MIGRATIONS } from './sqlite-migrations.js';
import { DROP_CHUNKS_SQL, SCAN_MISSING_SQL, SCAN_ORPHAN_SQL, SCAN_STORED_SQL, scanFromRows, STORED_BYTES_SQL, storedWhole, type MissingRow, type OrphanRow } from './sqlite-scan.js';
import { redactUrl, tursoError, type TursoSettings } from './turso-config.js';
import { DEFAULT_KIND, type CasBackend, type CasBackendOptions, type CasObject, type CasScan, type CasStats, type CasWriter, type CommitMeta, type CommitResult, type RawRead, type RemoveGuard, type RemoveOutcome } from './types.js';

/** Options of the turso backend: resolved settings and the chunk size (as the sqlite backend's). */
export interface TursoBackendOptions extends CasBackendOptions {
  settings: TursoSettings;
  /** Bytes per staged chunk of an upload in progress (default 1 MiB); every object is filed whole in content. */
  chunkSize?: number;
  /** The largest object stored (default and ceiling MAX_SQLITE_OBJECT_BYTES); tests lower it. */
  maxObjectBytes?: number;
}

const COLS = 'digest, size, kind, tags, pinned, created_at, last_put_at';

// Local libSQL waits for a busy lock synchronously, blocking the event loop: a second write
// from this process would then wait on a transaction that can never finish. So writes to one
// database are serialised here, across backend instances; other processes wait normally.
const serialised = createKeyLock();

function toObject(r: Row): CasObject {
  const last = r.last_put_at ? { last_put_at: String(r.last_put_at) } : {};
  return { digest: String(r.digest), size_bytes: Number(r.size), kind: (r.kind as string | null) || DEFAULT_KIND, tags: tagsFromStored(r.tags), created_at: String(r.created_at), ...last, pinned: Number(r.pinned) === 1, pinned_at: null };
}

/** The path of a `file:` URL as libSQL reads it (`file:rel.db` is relative to the working directory). */
function localFile(url: string): string {
  const rest = url.slice('file:'.length).replace(/\?.*$/, '');
  return rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : decodeURIComponent(rest);
}

function bytes(v: unknown): Buffer {
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.alloc(0);
}

/**
 * The turso backend: the sqlite backend's tables (cas_objects as the Go tool writes it, every
 * object whole in content, which the Go TursoStore.Get returns as it is; studio_cas_blobs/chunks
 * stage uploads in progress) over @libsql/client, so `file:` databases move between the two
 * backends unchanged. Commits and removals are one write transaction each.
 */
class TursoBackend implements CasBackend {
  readonly name = 'turso';
  readonly location: string;
  private readonly subject: string;
  /** One lock per database: a local file by its absolute path, however the URL spells it. */
  private readonly lockKey: string;
  private c: Client | null = null;

  constructor(
    private readonly settings: TursoSettings,
    private readonly chunkSize: number,
    private readonly tmpSafeAgeMs: number,
    private readonly maxBytes: number,
  ) {
    this.location = redactUrl(settings.url);
    this.subject = `the turso CAS (${this.location})`;
    this.lockKey = settings.url.startsWith('file:') ? path.resolve(localFile(settings.url)) : settings.url;
  }

  private get db(): Client {
    if (!this.c) throw new FoxError('UNAVAILABLE', `${this.subject} is not open`);
    return this.c;
  }

  private async run<T>(what: string, fn: (db: Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.db);
    } catch (err) {
      throw tursoError(err, this.subject, this.settings, what);
    }
  }

  /** A write outside a transaction, under the process's write lock. */
  private write<T>(what: string, fn: (db: Client) => Promise<T>): Promise<T> {
    return serialised(this.lockKey, () => this.run(what, fn));
  }

  private async tx<T>(what: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return serialised(this.lockKey, () => this.run(what, async (db) => {
      const tx = await db.transaction('write');
      try {
        const out = await fn(tx);
        await tx.commit();
        return out;
      } finally {
        tx.close();
      }
    }));
  }

  async open(): Promise<void> {
    try {
      // Like the sqlite backend: a local database's directory is created on first use.
      if (this.settings.url.startsWith('file:')) await ensureDir(path.dirname(localFile(this.settings.url)), 'the turso CAS database ($FOXCTL_CAS_DB_URL)');
      this.c ??= createClient({ url: this.settings.url, authToken: this.settings.authToken, intMode: 'number', timeout: this.settings.timeoutMs });
    } catch (err) {
      throw tursoError(err, this.subject, this.settings, 'open');
    }
    // WAL as the sqlite backend sets it: readers never wait on a writer.
    if (this.settings.url.startsWith('file:')) await this.write('open', (db) => db.execute('PRAGMA journal_mode = WAL'));
    await this.tx('open', async (tx) => {
      // The schema and its record as applyMigrations keeps them, so the sqlite backend accepts the file.
      await tx.execute('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)');
      for (const m of CAS_MIGRATIONS) {
        const done = await tx.execute({ sql: 'SELECT 1 FROM schema_migrations WHERE version = ?', args: [m.version] });
        if (done.rows.length > 0) continue;
        await tx.executeMultiple(m.sql);
        await tx.execute({ sql: 'INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)', args: [m.version, m.name, nowRfc3339(), migrationChecksum(m)] });
      }
      const cutoff = Date.now() - this.tmpSafeAgeMs;
      await tx.execute({ sql: 'DELETE FROM studio_cas_chunks WHERE blob_id IN (SELECT blob_id FROM studio_cas_blobs WHERE digest IS NULL AND started_ms <= ?)', args: [cutoff] });
      await tx.execute({ sql: 'DELETE FROM studio_cas_blobs WHERE digest IS NULL AND started_ms <= ?', args: [cutoff] });
    });
  }

  async createWriter(): Promise<CasWriter> {
    const size = this.chunkSize;
    let total = 0;
    let blobId: number | null = null;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let chain: Promise<void> = Promise.resolve();
    const flush = async (final: boolean): Promise<void> => {
      while (pendingBytes >= size || (final && pendingBytes > 0)) {
        const all = Buffer.concat(pending, pendingBytes);
        const take = Math.min(size, all.length);
        pending = take < all.length ? [all.subarray(take)] : [];
        pendingBytes = all.length - take;
        if (blobId === null) {
          const r = await this.write('put', (db) => db.execute({ sql: 'INSERT INTO studio_cas_blobs (digest, chunk_size, started_ms) VALUES (NULL, ?, ?)', args: [size, Date.now()] }));
          blobId = Number(r.lastInsertRowid);
        }
        const id = blobId;
        const n = seq++;
        await this.write('put', (db) => db.execute({ sql: 'INSERT INTO studio_cas_chunks (blob_id, seq, data) VALUES (?, ?, ?)', args: [id, n, all.subarray(0, take)] }));
      }
    };
    const dropStaging = async (): Promise<void> => {
      if (blobId === null) return;
      const id = blobId;
      blobId = null;
      await this.write('put', (db) => db.batch([{ sql: 'DELETE FROM studio_cas_chunks WHERE blob_id = ?', args: [id] }, { sql: 'DELETE FROM studio_cas_blobs WHERE blob_id = ?', args: [id] }], 'write'));
    };
    return {
      write: (chunk) => {
        total += chunk.length;
        // Refused before it is staged, as the sqlite backend does: one row holds each object.
        if (total > this.maxBytes) return Promise.reject(tooLargeError(total, this.maxBytes, this.subject));
        // Copied now (the caller reuses the memory); chained so chunks land in order.
        const copy = Buffer.from(chunk);
        chain = chain.then(async () => {
          pending.push(copy);
          pendingBytes += copy.length;
          await flush(false);
        });
        return chain;
      },
      commit: async (hex, m) => {
        await chain;
        const inline = blobId === null ? Buffer.concat(pending, pendingBytes) : null;
        try {
          if (!inline) await flush(true);
          return await this.commit(hex, m, inline, blobId);
        } catch (err) {
          await dropStaging().catch(() => undefined);
          throw err;
        }
      },
      abort: async () => {
        await chain.catch(() => undefined);
        pending = [];
        // Left for open() to clean after the safe age when this fails.
        await dropStaging().catch(() => undefined);
      },
    };
  }

  private commit(hex: string, m: CommitMeta, inline: Buffer | null, blobId: number | null): Promise<CommitResult> {
    const digest = digestOf(hex);
    const dropChunks: InStatement[] = DROP_CHUNKS_SQL.map((sql) => ({ sql, args: [digest] }));
    const dropStaged: InStatement[] = blobId === null ? [] : [{ sql: 'DELETE FROM studio_cas_chunks WHERE blob_id = ?', args: [blobId] }, { sql: 'DELETE FROM studio_cas_blobs WHERE blob_id = ?', args: [blobId] }];
    return this.tx('put', async (tx): Promise<CommitResult> => {
      /** This upload's bytes, whole (its staged chunks assembled): what content must hold. */
      const whole = async (): Promise<Buffer> => {
        if (inline) return inline;
        const rows = (await tx.execute({ sql: 'SELECT data FROM studio_cas_chunks WHERE blob_id = ? ORDER BY seq', args: [blobId] })).rows;
        const out = Buffer.allocUnsafe(m.size);
        let at = 0;
        for (const r of rows) {
          const b = bytes(r.data);
          if (at + b.length > m.size) break;
          b.copy(out, at);
          at += b.length;
        }
        if (at !== m.size || rows.length === 0) throw new FoxError('IO', `the staged upload of ${digest} in ${this.subject} does not add up to ${m.size} bytes`);
        return out;
      };
      const old = (await tx.execute({ sql: `SELECT ${COLS} FROM cas_objects WHERE digest = ?`, args: [digest] })).rows[0];
      if (old) {
        const tags = mergeTags(tagsFromStored(old.tags), m.tags);
        const pinned = Number(old.pinned) === 1 || m.pin ? 1 : 0;
        // created_at stays the first put's (the Go gc counts from it); last_put_at gives our gc its grace.
        const stmts: InStatement[] = [{ sql: 'UPDATE cas_objects SET tags = ?, pinned = ?, last_put_at = ?, updated_at = ? WHERE digest = ?', args: [tagsColumn(tags), pinned, m.now, m.now, digest] }];
        const stored = (await tx.execute({ sql: STORED_BYTES_SQL, args: [digest] })).rows[0] as unknown as { inline: number; chunked: number } | undefined;
        // Bytes lost, cut short, or chunked by an earlier version of ours: this upload hashed to the digest, so it files them whole.
        if (Number(stored?.inline) !== m.size) stmts.push(...dropChunks, { sql: 'UPDATE cas_objects SET content = ?, size = ? WHERE digest = ?', args: [await whole(), m.size, digest] });
        stmts.push(...dropStaged);
        await tx.batch(stmts);
        return { existed: storedWhole(stored, m.size), object: toObject({ ...old, size: m.size, tags: tagsColumn(tags), pinned, last_put_at: m.now } as unknown as Row) };
      }
      // Chunks left without a row (the Go foxctl's rm deletes only cas_objects) give way to this upload.
      await tx.batch([
        ...dropChunks,
        // Go's TursoStore.Put binds NULL tags when there are none; so do we.
        { sql: 'INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', args: [digest, m.size, m.kind, tagsColumn(m.tags), m.pin ? 1 : 0, await whole(), m.now, m.now] },
        ...dropStaged,
      ]);
      return { existed: false, object: { digest, size_bytes: m.size, kind: m.kind, tags: m.tags, created_at: m.now, pinned: m.pin, pinned_at: null } };
    });
  }

  async head(hex: string): Promise<CasObject | null> {
    const r = await this.run('head', (db) => db.execute({ sql: `SELECT ${COLS} FROM cas_objects WHERE digest = ?`, args: [digestOf(hex)] }));
    return r.rows[0] ? toObject(r.rows[0]) : null;
  }

  async read(hex: string): Promise<RawRead | null> {
    const digest = digestOf(hex);
    const r = await this.run('get', (db) => db.execute({ sql: 'SELECT o.size, COALESCE(length(o.content), 0) AS clen, b.blob_id FROM cas_objects o LEFT JOIN studio_cas_blobs b ON b.digest = o.digest WHERE o.digest = ?', args: [digest] }));
    const row = r.rows[0];
    if (!row) return null;
    const size = Number(row.size);
    // Content first: chunks under the digest are only read for rows an earlier version of ours left there.
    if (row.blob_id === null || Number(row.clen) > 0) {
      const c = await this.run('get', (db) => db.execute({ sql: 'SELECT content FROM cas_objects WHERE digest = ?', args: [digest] }));
      const inline = bytes(c.rows[0]?.content);
      return { size, stream: Readable.from(inline.length > 0 ? [inline] : []) };
    }
    const blobId = Number(row.blob_id);
    const run = this.run.bind(this);
    let seq = 0;
    // One chunk per read(): memory stays at one chunk whatever the object's size.
    const stream = new Readable({
      highWaterMark: 1,
      read() {
        run('get', (db) => db.execute({ sql: 'SELECT data FROM studio_cas_chunks WHERE blob_id = ? AND seq = ?', args: [blobId, seq++] })).then(
          (res) => this.push(res.rows[0] ? bytes(res.rows[0].data) : null),
          (err: unknown) => this.destroy(err as Error),
        );
      },
    });
    return { size, stream };
  }

  async all(): Promise<CasObject[]> {
    return (await this.run('list', (db) => db.execute(`SELECT ${COLS} FROM cas_objects`))).rows.map(toObject);
  }

  async scan(): Promise<CasScan> {
    // A read batch is one transaction: the three queries see the same snapshot.
    const [stored, missing, orphans] = await this.run('verify', (db) => db.batch([SCAN_STORED_SQL, SCAN_MISSING_SQL, SCAN_ORPHAN_SQL], 'read'));
    return scanFromRows(stored!.rows.map((r) => r.digest), missing!.rows as unknown as MissingRow[], orphans!.rows as unknown as OrphanRow[]);
  }

  async names(after: string | null, limit: number): Promise<string[]> {
    const r = await this.run('list', (db) => db.execute({ sql: "SELECT digest FROM cas_objects WHERE digest > ? AND digest LIKE 'sha256:%' ORDER BY digest LIMIT ?", args: [after === null ? '' : digestOf(after), limit] }));
    return r.rows.map((row) => String(row.digest).slice('sha256:'.length));
  }

  async setPin(hex: string, pinnedAt: string | null): Promise<boolean> {
    const r = await this.write(pinnedAt ? 'pin' : 'unpin', (db) => db.execute({ sql: 'UPDATE cas_objects SET pinned = ?, updated_at = COALESCE(?, updated_at) WHERE digest = ?', args: [pinnedAt === null ? 0 : 1, pinnedAt, digestOf(hex)] }));
    return r.rowsAffected > 0;
  }

  async remove(hex: string, guard: RemoveGuard): Promise<RemoveOutcome> {
    const digest = digestOf(hex);
    return this.tx('rm', async (tx): Promise<RemoveOutcome> => {
      const row = (await tx.execute({ sql: `SELECT ${COLS} FROM cas_objects WHERE digest = ?`, args: [digest] })).rows[0];
      if (!row) return { outcome: 'missing', size_bytes: 0 };
      const size = Number(row.size);
      if (guard.unpinnedOnly && Number(row.pinned) === 1) return { outcome: 'pinned', size_bytes: size };
      if (guard.createdBeforeMs !== undefined && !(gcTimeMs({ created_at: String(row.created_at), last_put_at: row.last_put_at as string | null }) < guard.createdBeforeMs)) return { outcome: 'fresh', size_bytes: size };
      await tx.batch([
        { sql: 'DELETE FROM cas_objects WHERE digest = ?', args: [digest] },
        { sql: 'DELETE FROM studio_cas_chunks WHERE blob_id IN (SELECT blob_id FROM studio_cas_blobs WHERE digest = ?)', args: [digest] },
        { sql: 'DELETE FROM studio_cas_blobs WHERE digest = ?', args: [digest] },
      ]);
      return { outcome: 'removed', size_bytes: size };
    });
  }

  async stats(): Promise<CasStats> {
    const r = await this.run('stats', (db) =>
      db.execute('SELECT count(*) AS objects, COALESCE(sum(size), 0) AS bytes, COALESCE(sum(pinned = 1), 0) AS pinned, COALESCE(sum(CASE WHEN pinned = 1 THEN size ELSE 0 END), 0) AS pinned_bytes FROM cas_objects'),
    );
    const row = r.rows[0]!;
    return { objects: Number(row.objects), bytes: Number(row.bytes), pinned: Number(row.pinned), pinned_bytes: Number(row.pinned_bytes) };
  }

  async close(): Promise<void> {
    this.c?.close();
    this.c = null;
  }
}

/** Creates the turso backend (call open() before use); settings come from resolveTursoSettings. */
export function createTursoBackend(opts: TursoBackendOptions): CasBackend {
  return new TursoBackend(opts.settings, opts.chunkSize ?? 1 << 20, opts.tmpSafeAgeMs ?? DEFAULT_TMP_SAFE_AGE_MS, Math.min(opts.maxObjectBytes ?? MAX_SQLITE_OBJECT_BYTES, MAX_SQLITE_OBJECT_BYTES));
}
