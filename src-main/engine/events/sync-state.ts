import type { SqliteDb } from '../db/sqlite.js';
import { nowRfc3339 } from '../util/time.js';

/** The syncer's bookkeeping for one NDJSON file, as stored in studio_event_sync_files. */
export interface SyncFileState {
  file: string;
  offset: number;
  dev: string | null;
  ino: string | null;
  head_len: number;
  head_hash: string | null;
  synced_total: number;
  duplicate_total: number;
  rejected_total: number;
  resets: number;
  last_reset: string | null;
  registered_by: string;
  updated_at: string;
}

/** A line the syncer could not ingest. */
export interface RejectInput {
  offset: number;
  length: number;
  error: string;
  excerpt: string;
}

/** What one batch commit writes besides the rows. */
export interface CommitState {
  offset: number;
  dev: string;
  ino: string;
  head_len: number;
  head_hash: string | null;
  inserted: number;
  duplicates: number;
  rejects: readonly RejectInput[];
  reset: string | null;
}

/** Typed access to the syncer's tables (prepared once per connection). */
export class SyncStateStore {
  private readonly getStmt;
  private readonly allStmt;
  private readonly registerStmt;
  private readonly upsertStmt;
  private readonly rejectStmt;

  constructor(readonly db: SqliteDb) {
    this.getStmt = db.prepare('SELECT * FROM studio_event_sync_files WHERE file = ?');
    this.allStmt = db.prepare('SELECT * FROM studio_event_sync_files ORDER BY file');
    this.registerStmt = db.prepare('INSERT OR IGNORE INTO studio_event_sync_files (file, registered_by, updated_at) VALUES (?, ?, ?)');
    this.upsertStmt = db.prepare(`INSERT INTO studio_event_sync_files
      (file, offset, dev, ino, head_len, head_hash, synced_total, duplicate_total, rejected_total, resets, last_reset, registered_by, updated_at)
      VALUES (@file, @offset, @dev, @ino, @head_len, @head_hash, @inserted, @duplicates, @rejected, @reset_n, @reset, 'default', @now)
      ON CONFLICT (file) DO UPDATE SET offset = @offset, dev = @dev, ino = @ino, head_len = @head_len, head_hash = @head_hash,
        synced_total = synced_total + @inserted, duplicate_total = duplicate_total + @duplicates,
        rejected_total = rejected_total + @rejected, resets = resets + @reset_n,
        last_reset = coalesce(@reset, last_reset), updated_at = @now`);
    this.rejectStmt = db.prepare('INSERT INTO studio_event_rejects (file, offset, length, error, excerpt, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** The state of one file, or undefined before its first sync. */
  get(file: string): SyncFileState | undefined {
    return this.getStmt.get(file) as SyncFileState | undefined;
  }

  /** Every file the syncer knows (synced before, or registered by a Hybrid emit). */
  all(): SyncFileState[] {
    return this.allStmt.all() as SyncFileState[];
  }

  /** Remembers a file so that later ticks, in any process, sync it. */
  register(file: string, by: string): void {
    this.registerStmt.run(file, by, nowRfc3339());
  }

  /** Writes a batch's bookkeeping; call inside the transaction that inserted its rows. */
  commit(file: string, s: CommitState): void {
    const now = nowRfc3339();
    this.upsertStmt.run({
      file, offset: s.offset, dev: s.dev, ino: s.ino, head_len: s.head_len, head_hash: s.head_hash, inserted: s.inserted,
      duplicates: s.duplicates, rejected: s.rejects.length, reset_n: s.reset ? 1 : 0, reset: s.reset ? `${now} ${s.reset}` : null, now,
    });
    for (const r of s.rejects) this.rejectStmt.run(file, r.offset, r.length, r.error, r.excerpt, now);
  }
}
