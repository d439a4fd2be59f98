import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RowInserter } from './insert.js';
import { completeLines } from './line-reader.js';
import type { EventRow } from './model.js';
import { excerptOf, parseLine } from './parse-line.js';
import type { SyncStateStore, RejectInput } from './sync-state.js';
import type { SyncResult } from './syncer.js';

const HEAD_MAX = 4096;
const YIELD_EVERY_MS = 25;
/**
 * A backlog drains in larger transactions than `batch`: each commit writes every page it dirtied
 * to the WAL, and with timestamps out of order that is about one page per index per row (nine
 * indexes, the text index), so small commits spent most of a drain writing the same pages again
 * (measured on 200,000 shuffled lines: 2000-row commits take half the CPU of 100-row ones, and
 * 20,000-row ones, with the rows sorted by time and the cache of BACKLOG_CACHE_KIB, half again).
 * While more than BACKLOG_BYTES remain to be read, a transaction takes BACKLOG_TX_ROWS rows
 * (about a second of write lock at most; other writers wait up to their 5 s busy timeout).
 */
const BACKLOG_TX_ROWS = 20_000;
/** Only a backlog larger than this commits in BACKLOG_TX_ROWS; a live stream commits every `batch` rows. */
export const BACKLOG_BYTES = 8 << 20;
/**
 * The page cache of events.db while a backlog drains (KiB): a 20,000-row transaction out of time
 * order dirties pages all over ten B-trees, and a cache smaller than them spills and re-reads
 * pages in mid-transaction. The syncer gives it back when the pass ends.
 */
export const BACKLOG_CACHE_KIB = 256 << 10;

/** Thrown inside a pass when another syncer moved the same file's offset meanwhile. */
export class Raced extends Error {}

/** What syncing one file needs from the syncer. */
export interface SyncFileDeps {
  /** The events directory. */
  dir: string;
  store: SyncStateStore;
  insert: RowInserter;
  /** Rows (and rejects) per transaction (more while a large backlog drains, see BACKLOG_TX_ROWS). */
  batch: number;
  /** Longer lines are rejected without being held in memory. */
  maxLineBytes: number;
}

/**
 * Syncs one NDJSON file from its saved offset: detects a replaced, truncated or rewritten file
 * (and starts again at 0), reads complete lines only, and commits each batch's rows, rejects and
 * the new offset + identity in one transaction, compare-and-set against the stored offset (Raced
 * when another syncer moved it). Yields to the event loop between batches; returns at a batch
 * boundary once `signal` aborts.
 */
export async function syncFile(deps: SyncFileDeps, file: string, result: SyncResult, signal: AbortSignal | undefined, progress: (done: number) => void): Promise<void> {
  const full = path.join(deps.dir, file);
  let fd: number;
  try {
    fd = fs.openSync(full, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const { store, insert } = deps;
    const st = fs.fstatSync(fd, { bigint: true });
    const dev = String(st.dev);
    const ino = String(st.ino);
    const size = Number(st.size);
    const saved = store.get(file);
    // What the stored row must still say when we commit (compare-and-set against other syncers).
    let expect = { offset: saved?.offset ?? 0, dev: saved?.dev ?? null, ino: saved?.ino ?? null };
    let headLen = saved?.head_len ?? 0;
    let headHash = saved?.head_hash ?? null;
    let reset: string | null = null;
    if (saved?.dev != null && (saved.dev !== dev || saved.ino !== ino)) reset = 'replaced (rename + create)';
    else if (saved && size < saved.offset) reset = `truncated (${size} bytes, offset was ${saved.offset})`;
    else if (saved && headLen > 0 && hashHead(fd, headLen) !== headHash) reset = 'rewritten (its first bytes changed)';
    let offset = reset ? 0 : (saved?.offset ?? 0);
    if (reset) {
      headLen = 0;
      headHash = null;
      result.resets.push({ file, reason: reset });
    }
    result.files++;
    const startOffset = offset;
    const maxLine = deps.maxLineBytes;
    let rows: EventRow[] = [];
    // Where each row's line is, to record it if its span_id turns out to be stored with other content.
    let rowLines: { start: number; length: number }[] = [];
    /** Each row's text-index message, found while its line was parsed. */
    let messages: (string | null)[] = [];
    let rejects: RejectInput[] = [];
    let end = offset;
    let lastYield = Date.now();
    const backlogRows = Math.max(deps.batch, BACKLOG_TX_ROWS);

    const commit = (): void => {
      const newHeadLen = Math.min(HEAD_MAX, end);
      if (newHeadLen !== headLen) {
        headLen = newHeadLen;
        headHash = hashHead(fd, headLen);
      }
      const tx = store.db.transaction(() => {
        const now = store.get(file);
        if ((now?.offset ?? 0) !== expect.offset || (now?.dev ?? null) !== expect.dev || (now?.ino ?? null) !== expect.ino) throw new Raced();
        const conflicts: RejectInput[] = [];
        const inserted = insert(rows, (i, columns) => conflicts.push(conflictReject(fd, rows[i]![0], rowLines[i]!, columns)), messages);
        const all = conflicts.length > 0 ? [...rejects, ...conflicts] : rejects;
        const duplicates = rows.length - inserted - conflicts.length;
        store.commit(file, { offset: end, dev, ino, head_len: headLen, head_hash: headHash, inserted, duplicates, rejects: all, reset });
        return { inserted, duplicates, rejected: all.length };
      });
      const { inserted, duplicates, rejected } = tx.immediate();
      result.inserted += inserted;
      result.duplicates += duplicates;
      result.rejected += rejected;
      result.bytes += end - offset;
      expect = { offset: end, dev, ino };
      offset = end;
      reset = null;
      rows = [];
      rowLines = [];
      messages = [];
      rejects = [];
    };

    for (const line of completeLines(fd, offset, size, maxLine)) {
      if (line.bytes === null) {
        rejects.push({ offset: line.start, length: line.next - line.start - 1, error: `line of ${line.next - line.start - 1} bytes is over the ${maxLine}-byte limit`, excerpt: excerptOf(line.head!) });
      } else {
        const p = parseLine(line.bytes);
        if ('row' in p) {
          rows.push(p.row);
          messages.push(p.message);
          rowLines.push({ start: line.start, length: line.bytes.length });
        }
        else if ('error' in p) rejects.push({ offset: line.start, length: line.bytes.length, error: p.error, excerpt: excerptOf(line.bytes) });
      }
      end = line.next;
      if (rows.length + rejects.length >= (size - end > BACKLOG_BYTES ? backlogRows : deps.batch)) {
        commit();
        progress(end - startOffset);
        if (Date.now() - lastYield >= YIELD_EVERY_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = Date.now();
        }
        if (signal?.aborted) return;
      }
    }
    if (end > offset || reset) commit();
    progress(end - startOffset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The reject of a line whose span_id is stored with other content: the first event stays in
 * events.db, this line is kept here for the user to see (it is still in the NDJSON file too).
 */
function conflictReject(fd: number, spanId: string, at: { start: number; length: number }, columns: string[]): RejectInput {
  const head = Buffer.alloc(Math.min(at.length, 256));
  const n = fs.readSync(fd, head, 0, head.length, at.start);
  return {
    offset: at.start,
    length: at.length,
    error: `${DUPLICATE_SPAN_ID} (span_id ${spanId}: ${columns.join(', ')} differ from the event in events.db)`,
    excerpt: excerptOf(head.subarray(0, n)),
  };
}

/** The reason recorded for a line whose span_id is already stored with other content. */
export const DUPLICATE_SPAN_ID = 'duplicate span_id with different content';

/** SHA-256 of a file's first `len` bytes: detects a file truncated and refilled past our offset. */
function hashHead(fd: number, len: number): string {
  const buf = Buffer.alloc(len);
  const n = fs.readSync(fd, buf, 0, len, 0);
  return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
}
