// Whole objects in cas_objects.content, the only place the Go foxctl reads (SQLiteStore.Get
// returns `content` as it is). better-sqlite3 has no incremental blob I/O (no sqlite3_blob_open),
// so an object is bound as one Buffer: memory is bounded by the size limit below, not by a chunk.
import { createHash } from 'node:crypto';
import type { SqliteDb } from '../db/sqlite.js';
import { FoxError } from '../errors.js';

/**
 * SQLite's default SQLITE_MAX_LENGTH (1e9 bytes): the largest row the Go foxctl's SQLite build
 * (and ours) can read or write. A whole row must fit, so the content limit leaves 1 MiB for the
 * other columns (tags are at most 64 × 256 characters).
 */
export const SQLITE_MAX_LENGTH = 1_000_000_000;

/** The largest object the sqlite backend stores: larger ones are refused before they are staged. */
export const MAX_SQLITE_OBJECT_BYTES = SQLITE_MAX_LENGTH - (1 << 20);

/** The refusal of an object too large for one cas_objects row. */
export function tooLargeError(bytes: number, limit: number, subject: string): FoxError {
  return new FoxError(
    'UNSUPPORTED',
    `the object is larger than ${subject} can store: more than ${limit} bytes read, and the Go foxctl's format keeps each object whole in one cas_objects.content cell (SQLite's row limit ${SQLITE_MAX_LENGTH} bytes); use the file or s3 backend for it (FOXCTL_CAS_DRIVER)`,
  );
}

/** Reads an object's staged chunks, in order, into one buffer of `size` bytes; null when they do not add up to it. */
export function assembleChunks(db: SqliteDb, blobId: number, size: number): Buffer | null {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const data of db.prepare('SELECT data FROM studio_cas_chunks WHERE blob_id = ? ORDER BY seq').pluck().iterate(blobId) as IterableIterator<Buffer>) {
    if (at + data.length > size) return null;
    data.copy(out, at);
    at += data.length;
  }
  return at === size ? out : null;
}

/** What moving our earlier chunked objects into `content` did on open. */
export interface InlineMoveResult {
  moved: number;
  /** Left chunked: larger than the limit, or chunks that do not add up to the digest (verify reports them). */
  left: number;
}

/**
 * Moves objects that earlier versions of ours stored in studio_cas_chunks (content left empty,
 * which the Go foxctl reads as 0 bytes) into cas_objects.content. One object per transaction,
 * re-checked under the write lock; only bytes that hash to the digest are filed, so nothing
 * wrong is installed and nothing is lost: anything else stays where it was.
 */
export async function moveChunkedIntoContent(db: SqliteDb, maxBytes: number): Promise<InlineMoveResult> {
  const pending = db
    .prepare(
      `SELECT o.digest AS digest, b.blob_id AS blob_id FROM cas_objects o JOIN studio_cas_blobs b ON b.digest = o.digest
       WHERE COALESCE(length(o.content), 0) = 0 AND o.size > 0 ORDER BY o.digest`,
    )
    .all() as { digest: string; blob_id: number }[];
  const result: InlineMoveResult = { moved: 0, left: 0 };
  for (const p of pending) {
    const moved = db.transaction((): boolean => {
      const row = db.prepare('SELECT size, COALESCE(length(content), 0) AS clen FROM cas_objects WHERE digest = ?').get(p.digest) as { size: number; clen: number } | undefined;
      if (!row || row.clen > 0 || row.size > maxBytes) return false;
      const bytes = assembleChunks(db, p.blob_id, row.size);
      if (!bytes || `sha256:${createHash('sha256').update(bytes).digest('hex')}` !== p.digest) return false;
      db.prepare('DELETE FROM studio_cas_chunks WHERE blob_id = ?').run(p.blob_id);
      db.prepare('DELETE FROM studio_cas_blobs WHERE blob_id = ?').run(p.blob_id);
      db.prepare('UPDATE cas_objects SET content = ? WHERE digest = ?').run(bytes, p.digest);
      return true;
    }).immediate();
    if (moved) result.moved++;
    else result.left++;
    // Other work of this process gets its turn between objects.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return result;
}
