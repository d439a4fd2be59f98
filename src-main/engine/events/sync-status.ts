import fs from 'node:fs';
import path from 'node:path';
import { countNewlines } from './line-reader.js';
import type { SyncResult } from './syncer.js';
import type { SyncStateStore } from './sync-state.js';

/** One synced file in the status. */
export interface SyncFileStatus {
  file: string;
  exists: boolean;
  size: number;
  offset: number;
  lag_bytes: number;
  synced_total: number;
  rejected_total: number;
  resets: number;
  last_reset: string | null;
  registered_by: string;
  updated_at: string | null;
}

/** The syncer's status, as the app's status bar and `foxctl events status` show it. */
export interface SyncStatus {
  /** start() is in effect (a timer runs passes every interval_ms). */
  running: boolean;
  /** A pass is in progress right now. */
  syncing: boolean;
  /** End of the last pass in this process, else the last commit recorded in events.db. */
  last_run: string | null;
  last_result: SyncResult | null;
  /** Bytes not yet synced, over every file. */
  lag_bytes: number;
  /** Complete lines not yet synced (counted over at most 8 MiB per file; see pending_lines_exact). */
  pending_lines: number;
  pending_lines_exact: boolean;
  synced_total: number;
  rejected_total: number;
  last_error: { code: string; message: string } | null;
  interval_ms: number;
  batch: number;
  /** Bytes done / total of the pass in progress. */
  progress: { done: number; total: number; file: string } | null;
  files: SyncFileStatus[];
}

/** The in-memory part of the status the syncer passes in. */
export type LiveStatus = Pick<SyncStatus, 'running' | 'syncing' | 'last_run' | 'last_result' | 'last_error' | 'interval_ms' | 'batch' | 'progress'>;

const COUNT_CAP = 8 << 20;

/** Builds the status from the state table and the files on disk (no writes). */
export function computeSyncStatus(store: SyncStateStore, files: string[], dir: string, live: LiveStatus): SyncStatus {
  const out: SyncStatus = { ...live, lag_bytes: 0, pending_lines: 0, pending_lines_exact: true, synced_total: 0, rejected_total: 0, files: [] };
  let lastCommit: string | null = null;
  for (const file of files) {
    const s = store.get(file);
    let fd: number | null = null;
    try {
      fd = fs.openSync(path.join(dir, file), 'r');
    } catch {
      fd = null;
    }
    let size = 0;
    let offset = s?.offset ?? 0;
    if (fd !== null) {
      try {
        const st = fs.fstatSync(fd, { bigint: true });
        size = Number(st.size);
        // A replaced or truncated file will be read again from 0.
        if ((s?.dev != null && (s.dev !== String(st.dev) || s.ino !== String(st.ino))) || size < offset) offset = 0;
        const c = countNewlines(fd, offset, size, COUNT_CAP);
        out.pending_lines += c.lines;
        if (!c.exact) out.pending_lines_exact = false;
      } finally {
        fs.closeSync(fd);
      }
    }
    const lag = Math.max(0, size - offset);
    out.lag_bytes += lag;
    out.synced_total += s?.synced_total ?? 0;
    out.rejected_total += s?.rejected_total ?? 0;
    if (s?.updated_at && (lastCommit === null || s.updated_at > lastCommit)) lastCommit = s.updated_at;
    out.files.push({
      file, exists: fd !== null, size, offset, lag_bytes: lag, synced_total: s?.synced_total ?? 0, rejected_total: s?.rejected_total ?? 0,
      resets: s?.resets ?? 0, last_reset: s?.last_reset ?? null, registered_by: s?.registered_by ?? 'default', updated_at: s?.updated_at ?? null,
    });
  }
  out.last_run ??= lastCommit;
  return out;
}
