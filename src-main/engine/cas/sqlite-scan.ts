// The scan of the cas_objects / studio_cas_* layout, shared by the sqlite and turso backends
// (same tables, two client libraries): three read queries, run in one read transaction.
import { isHex } from './digest.js';
import type { CasDamage, CasScan } from './types.js';

/** Every object's digest, in order. */
export const SCAN_STORED_SQL = "SELECT digest FROM cas_objects WHERE digest LIKE 'sha256:%' ORDER BY digest";

/**
 * Rows that record bytes but hold none: no inline content and no chunks (a row copied without
 * its chunk tables, or chunks deleted by hand). length() reads a blob's size from its record
 * header, not its pages, so this stays cheap on large stores.
 */
export const SCAN_MISSING_SQL = `
SELECT o.digest AS digest, o.size AS size, o.pinned AS pinned, b.blob_id AS blob_id
FROM cas_objects o LEFT JOIN studio_cas_blobs b ON b.digest = o.digest
WHERE o.digest LIKE 'sha256:%' AND o.size > 0 AND COALESCE(length(o.content), 0) = 0
  AND (b.blob_id IS NULL OR NOT EXISTS (SELECT 1 FROM studio_cas_chunks c WHERE c.blob_id = b.blob_id))
ORDER BY o.digest`;

/**
 * Chunked bytes whose cas_objects row is gone. The Go foxctl removes an object with
 * `DELETE FROM cas_objects` only (it knows no other table), which leaves these behind.
 */
export const SCAN_ORPHAN_SQL = `
SELECT b.digest AS digest, COUNT(c.seq) AS chunks, COALESCE(SUM(length(c.data)), 0) AS bytes
FROM studio_cas_blobs b LEFT JOIN studio_cas_chunks c ON c.blob_id = b.blob_id
WHERE b.digest LIKE 'sha256:%' AND NOT EXISTS (SELECT 1 FROM cas_objects o WHERE o.digest = b.digest)
GROUP BY b.blob_id ORDER BY b.digest`;

/** A row of SCAN_MISSING_SQL. */
export interface MissingRow {
  digest: unknown;
  size: unknown;
  pinned: unknown;
  blob_id: unknown;
}

/** A row of SCAN_ORPHAN_SQL. */
export interface OrphanRow {
  digest: unknown;
  chunks: unknown;
  bytes: unknown;
}

const hexOf = (digest: unknown): string => String(digest).slice('sha256:'.length);

/** Builds the scan from the three queries' rows. */
export function scanFromRows(stored: unknown[], missing: MissingRow[], orphans: OrphanRow[]): CasScan {
  const damage: CasDamage[] = [];
  const lost = new Set<string>();
  for (const r of missing) {
    const hex = hexOf(r.digest);
    if (!isHex(hex)) continue;
    lost.add(hex);
    const where = r.blob_id === null ? 'no inline content and no chunks' : `its chunks in studio_cas_chunks (blob ${Number(r.blob_id)}) are gone`;
    damage.push({ hex, kind: 'missing_bytes', detail: `the cas_objects row records ${Number(r.size)} bytes but holds none: ${where}`, size_bytes: Number(r.size), pinned: Number(r.pinned) === 1 });
  }
  for (const r of orphans) {
    const hex = hexOf(r.digest);
    if (!isHex(hex)) continue;
    damage.push({ hex, kind: 'orphan_bytes', detail: `${Number(r.chunks)} chunks (${Number(r.bytes)} bytes) in studio_cas_chunks have no cas_objects row`, size_bytes: Number(r.bytes) });
  }
  damage.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  // Orphan chunks cannot be read through read() (it starts from the row): they are not re-hashed.
  return { stored: stored.map(hexOf).filter((h) => isHex(h) && !lost.has(h)), damage };
}

/** How many bytes an object's row holds inline and in chunks (a put compares them with its own size). */
export const STORED_BYTES_SQL = `
SELECT COALESCE(length(o.content), 0) AS inline,
  (SELECT COALESCE(SUM(length(c.data)), 0) FROM studio_cas_blobs b JOIN studio_cas_chunks c ON c.blob_id = b.blob_id WHERE b.digest = o.digest) AS chunked
FROM cas_objects o WHERE o.digest = ?`;

/** Removes the chunks filed under a digest: lost in part, or left without a row, and about to be replaced by a verified upload. */
export const DROP_CHUNKS_SQL = ['DELETE FROM studio_cas_chunks WHERE blob_id IN (SELECT blob_id FROM studio_cas_blobs WHERE digest = ?)', 'DELETE FROM studio_cas_blobs WHERE digest = ?'] as const;

/** Whether a row's stored bytes are all there: as many as the upload that hashed to its digest. */
export function storedWhole(r: { inline: unknown; chunked: unknown } | undefined, size: number): boolean {
  return r !== undefined && (Number(r.inline) === size || Number(r.chunked) === size);
}
