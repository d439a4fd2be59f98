import fs from 'node:fs';
import path from 'node:path';
import type { SqliteDb } from '../db/sqlite.js';
import { FoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { completeLines } from './line-reader.js';
import { normalizeTs, tsFromMs } from './model.js';
import { TS_KEY } from './ts-key.js';
import { listStreams } from './streams.js';
import type { SyncStateStore } from './sync-state.js';

/** What prune did (or, with dryRun, would do). */
export interface PruneResult {
  dry_run: boolean;
  /** Events older than this were removed. */
  cutoff: string;
  rows_deleted: number;
  files: { file: string; lines_removed: number; lines_kept: number; bytes_before: number; bytes_after: number }[];
}

/** Options of prune(). */
export interface PruneOptions extends OpOptions {
  /** Remove events older than now minus this many ms. */
  olderThanMs: number;
  dryRun?: boolean;
}

const DELETE_BATCH = 5000;

/** Deletes rows of events.db older than `cutoff`, in batches so the syncer is never blocked long. */
function pruneRows(db: SqliteDb, cutoff: string, dryRun: boolean, signal: AbortSignal | undefined): number {
  // Compared as instants (TS_KEY): a Go row's ts text does not sort as time.
  if (dryRun) return (db.prepare(`SELECT count(*) AS n FROM foxcular_events WHERE ${TS_KEY} < ?`).get(cutoff) as { n: number }).n;
  const del = db.prepare(`DELETE FROM foxcular_events WHERE id IN (SELECT id FROM foxcular_events WHERE ${TS_KEY} < ? LIMIT ${DELETE_BATCH})`);
  let total = 0;
  for (;;) {
    throwIfAborted(signal, 'events prune');
    const n = db.transaction(() => del.run(cutoff).changes).immediate();
    total += n;
    if (n < DELETE_BATCH) return total;
  }
}

/** True when a line is an object with a ts older than cutoff; unparseable lines are kept. */
function isOld(bytes: Buffer, cutoff: string): boolean {
  let o: unknown;
  try {
    o = JSON.parse(bytes.toString('utf8'));
  } catch {
    return false;
  }
  if (o === null || typeof o !== 'object' || typeof (o as { ts?: unknown }).ts !== 'string') return false;
  const ts = normalizeTs((o as { ts: string }).ts);
  return ts !== null && ts < cutoff;
}

function copyRange(src: number, dst: number, from: number, to: number): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = from; pos < to; ) {
    const n = fs.readSync(src, buf, 0, Math.min(buf.length, to - pos), pos);
    if (n === 0) break;
    let off = 0;
    while (off < n) off += fs.writeSync(dst, buf, off, n - off);
    pos += n;
  }
}

/**
 * Rewrites one NDJSON file without its old lines: temp file in the same directory, fsync, rename,
 * fsync the directory. Lines appended while it ran are copied over before the rename (writers
 * open the file per write, so after the rename they append to the new file). The syncer's state
 * is moved to the new file in the same events.db transaction, with its offset mapped to the kept
 * bytes, so nothing is re-read or re-rejected.
 */
function pruneFile(full: string, file: string, cutoff: string, dryRun: boolean, state: SyncStateStore | null): PruneResult['files'][number] | null {
  const src = fs.openSync(full, 'r');
  let tmp: string | null = null;
  try {
    const size = fs.fstatSync(src).size;
    const keep: [number, number][] = [];
    let removed = 0;
    let kept = 0;
    let linesEnd = 0;
    for (const line of completeLines(src, 0, size, 8 << 20)) {
      const old = line.bytes !== null && isOld(line.bytes, cutoff);
      if (old) removed++;
      else {
        kept++;
        const last = keep[keep.length - 1];
        if (last && last[1] === line.start) last[1] = line.next;
        else keep.push([line.start, line.next]);
      }
      linesEnd = line.next;
    }
    if (removed === 0) return null;
    const keptBytes = keep.reduce((s, [a, b]) => s + (b - a), 0) + (size - linesEnd);
    const info = { file, lines_removed: removed, lines_kept: kept, bytes_before: size, bytes_after: keptBytes };
    if (dryRun) return info;
    tmp = path.join(path.dirname(full), `.${file}.prune-${process.pid}.tmp`);
    const dst = fs.openSync(tmp, 'wx', 0o644);
    let written = 0;
    try {
      for (const [a, b] of keep) copyRange(src, dst, a, b);
      const mapOffset = (off: number): number => {
        let out = 0;
        for (const [a, b] of keep) out += Math.max(0, Math.min(b, off) - a);
        return out;
      };
      const swap = (): void => {
        // Copy what writers appended meanwhile (and a trailing partial line), then swap.
        const now = fs.fstatSync(src).size;
        copyRange(src, dst, linesEnd, now);
        fs.fsyncSync(dst);
        written = keptBytes + (now - size);
        const saved = state?.get(file);
        const old = fs.fstatSync(src, { bigint: true });
        fs.renameSync(tmp!, full);
        tmp = null;
        // Only a state that describes this very file can be carried over; any other is reset by the syncer.
        if (state && saved && saved.dev === String(old.dev) && saved.ino === String(old.ino) && saved.offset <= now) {
          const st = fs.fstatSync(dst, { bigint: true });
          const offset = mapOffset(Math.min(saved.offset, linesEnd)) + Math.max(0, saved.offset - linesEnd);
          state.db.prepare('UPDATE studio_event_sync_files SET offset = ?, dev = ?, ino = ?, head_len = 0, head_hash = NULL WHERE file = ?')
            .run(offset, String(st.dev), String(st.ino), file);
        }
      };
      // Holding the events.db write lock keeps the syncer from committing an offset of the old file meanwhile.
      if (state) state.db.transaction(swap).immediate();
      else swap();
    } finally {
      fs.closeSync(dst);
    }
    const dir = fs.openSync(path.dirname(full), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
    return { ...info, bytes_after: written };
  } finally {
    fs.closeSync(src);
    if (tmp) fs.rmSync(tmp, { force: true });
  }
}

/** Removes events older than `olderThanMs` from events.db and from every NDJSON stream. */
export function pruneEvents(db: SqliteDb, state: SyncStateStore, config: Parameters<typeof listStreams>[0], opts: PruneOptions): PruneResult {
  if (typeof opts.olderThanMs !== 'number' || !Number.isFinite(opts.olderThanMs) || opts.olderThanMs <= 0) {
    throw new FoxError('INVALID_INPUT', `prune needs a positive age (got ${String(opts.olderThanMs)} ms); e.g. --older-than 720h`, { subject: 'events prune' });
  }
  const cutoff = tsFromMs(Date.now() - opts.olderThanMs);
  const dryRun = opts.dryRun === true;
  const result: PruneResult = { dry_run: dryRun, cutoff, rows_deleted: 0, files: [] };
  try {
    result.rows_deleted = pruneRows(db, cutoff, dryRun, opts.signal);
    for (const s of listStreams(config)) {
      throwIfAborted(opts.signal, 'events prune');
      const r = pruneFile(s.path, s.file, cutoff, dryRun, state);
      if (r) result.files.push(r);
    }
  } catch (err) {
    throw toFoxError(err, 'events prune');
  }
  return result;
}
