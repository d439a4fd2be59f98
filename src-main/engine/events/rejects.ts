import type { SqliteDb } from '../db/sqlite.js';
import { FoxError } from '../errors.js';

/** A line the syncer could not ingest. */
export interface RejectRecord {
  id: number;
  file: string;
  offset: number;
  length: number;
  error: string;
  /** The line's first bytes (at most 256), control characters replaced. */
  excerpt: string;
  created_at: string;
}

/** A page of rejects, newest first. */
export interface RejectPage {
  rows: RejectRecord[];
  next_cursor: string | null;
}

/** Lists rejected lines newest first with keyset pagination on id. */
export function listRejects(db: SqliteDb, opts: { limit?: number; cursor?: string | null; file?: string } = {}): RejectPage {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to 1000 (got ${limit})`);
  let before = Number.MAX_SAFE_INTEGER;
  if (opts.cursor) {
    before = Number(opts.cursor);
    if (!Number.isInteger(before) || before < 0) throw new FoxError('INVALID_INPUT', `invalid rejects cursor "${opts.cursor}"`);
  }
  const rows = db
    .prepare(`SELECT * FROM studio_event_rejects WHERE id < ? ${opts.file ? 'AND file = ?' : ''} ORDER BY id DESC LIMIT ?`)
    .all(...(opts.file ? [before, opts.file, limit + 1] : [before, limit + 1])) as RejectRecord[];
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { rows, next_cursor: more ? String(rows[rows.length - 1]!.id) : null };
}
