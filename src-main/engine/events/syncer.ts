import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SqliteDb } from '../db/sqlite.js';
import { canceled, FoxError, toFoxError, type OpOptions } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import { catchUpFts } from './fts-index.js';
import { prepareInserter, type RowInserter } from './insert.js';
import { completeLines } from './line-reader.js';
import type { EventRow } from './model.js';
import { excerptOf, parseLine } from './parse-line.js';
import { SyncStateStore, type RejectInput } from './sync-state.js';
import { computeSyncStatus, type SyncStatus } from './sync-status.js';

/** How a syncer runs. */
export interface SyncerOptions {
  /** The events directory holding the NDJSON files. */
  dir: string;
  /** The file always synced (the default stream). */
  defaultFile: string;
  /** The events.db connection (opened lazily on first use). */
  db: () => SqliteDb;
  intervalMs: number;
  /** Rows (and rejects) per transaction. */
  batch: number;
  /** Longer lines are rejected without being held in memory (default 1 MiB). */
  maxLineBytes?: number;
}

/** What one sync pass did. */
export interface SyncResult {
  files: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  bytes: number;
  resets: { file: string; reason: string }[];
  duration_ms: number;
  /** True when stop() ended the pass at a batch boundary before the backlog was drained. */
  stopped: boolean;
}

/** Progress of a pass: bytes of backlog consumed out of the backlog seen at its start. */
export type SyncProgress = (done: number, total: number, file: string) => void;

/** Listener of syncer status changes. */
export type SyncStatusListener = (status: SyncStatus) => void;

const HEAD_MAX = 4096;
const YIELD_EVERY_MS = 25;

/** Thrown inside a pass when another syncer moved the same file's offset meanwhile. */
class Raced extends Error {}

/**
 * Copies event lines from NDJSON files into events.db. Each batch's rows, rejects and the file's
 * new offset and identity commit in one transaction, so a crash at any point neither loses nor
 * duplicates; a compare-and-set on the stored offset lets several syncers (the app and a CLI
 * `events sync`) run at once. A pass drains the whole backlog, yielding to the event loop between
 * batches so a host process (the app's main) stays responsive, and stop() ends it at a batch
 * boundary.
 */
export class EventSyncer {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private chain: Promise<unknown> = Promise.resolve();
  private passes = 0;
  private stopController: AbortController | null = null;
  private readonly listeners = new Set<SyncStatusListener>();
  private lastRun: string | null = null;
  private lastResult: SyncResult | null = null;
  private lastError: { code: string; message: string } | null = null;
  private progress: { done: number; total: number; file: string } | null = null;
  private lastPublish = 0;
  private state: SyncStateStore | null = null;
  private inserter: RowInserter | null = null;

  constructor(private readonly opts: SyncerOptions) {
    if (!Number.isInteger(opts.batch) || opts.batch < 1) throw new FoxError('INVALID_INPUT', `events sync batch must be a positive whole number (got ${opts.batch})`);
    if (!(opts.intervalMs > 0)) throw new FoxError('INVALID_INPUT', `events sync interval must be positive (got ${opts.intervalMs} ms)`);
  }

  private store(): SyncStateStore {
    const db = this.opts.db();
    if (this.state?.db !== db) {
      this.state = new SyncStateStore(db);
      this.inserter = prepareInserter(db);
    }
    return this.state;
  }

  /** Remembers a file a Hybrid event went to, in events.db, so every later pass syncs it. */
  registerFile(file: string): void {
    this.store().register(file, 'hybrid');
  }

  /** Starts syncing every intervalMs (a first pass at once). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    const loop = (): void => {
      this.timer = null;
      if (!this.running) return;
      void this.enqueue(this.stopController?.signal, undefined, true).finally(() => {
        if (this.running) this.timer = setTimeout(loop, this.opts.intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
    this.publish(true);
  }

  /** Stops the timer and ends a pass in progress at its next batch boundary; resolves when it has. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wasRunning = this.running;
    this.running = false;
    this.stopController?.abort();
    this.stopController = null;
    await this.chain.catch(() => undefined);
    if (wasRunning) this.publish(true);
  }

  /** Whether start() is in effect. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Runs one pass now, after any pass in progress, so every line complete before the call is
   * synced when it resolves. Rejects with CANCELED (state consistent) when `signal` aborts.
   */
  syncNow(opts: OpOptions & { onProgress?: SyncProgress } = {}): Promise<SyncResult> {
    return this.enqueue(opts.signal, opts.onProgress, false);
  }

  private enqueue(signal: AbortSignal | undefined, onProgress: SyncProgress | undefined, background: boolean): Promise<SyncResult> {
    const run = this.chain.catch(() => undefined).then(() => this.pass(signal, onProgress, background));
    this.chain = run;
    return run;
  }

  /** Subscribes to status changes (start/stop, progress during a pass, the end of each pass). */
  onStatus(listener: SyncStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The syncer's status: lag and pending lines of every synced file, totals, last run and error. */
  async status(): Promise<SyncStatus> {
    return computeSyncStatus(this.store(), this.files(), this.opts.dir, {
      running: this.running, syncing: this.passes > 0, last_run: this.lastRun, last_result: this.lastResult,
      last_error: this.lastError, interval_ms: this.opts.intervalMs, batch: this.opts.batch, progress: this.progress,
    });
  }

  private files(): string[] {
    const names = new Set([this.opts.defaultFile, ...this.store().all().map((s) => s.file)]);
    return [...names];
  }

  private publish(force = false): void {
    if (this.listeners.size === 0) return;
    const now = Date.now();
    if (!force && now - this.lastPublish < 100) return;
    this.lastPublish = now;
    void this.status().then(
      (s) => {
        for (const l of this.listeners) l(s);
      },
      () => undefined,
    );
  }

  private async pass(signal: AbortSignal | undefined, onProgress: SyncProgress | undefined, background: boolean): Promise<SyncResult> {
    const t0 = Date.now();
    const result: SyncResult = { files: 0, inserted: 0, duplicates: 0, rejected: 0, bytes: 0, resets: [], duration_ms: 0, stopped: false };
    this.passes++;
    let firstError: FoxError | null = null;
    try {
      const store = this.store();
      // Rows other tools inserted since the last pass become searchable first.
      catchUpFts(store.db);
      const files = this.files();
      let total = 0;
      for (const f of files) {
        const st = statOrNull(path.join(this.opts.dir, f));
        total += st ? Math.max(0, st.size - (store.get(f)?.offset ?? 0)) : 0;
      }
      let doneBefore = 0;
      for (const file of files) {
        if (signal?.aborted) break;
        try {
          for (let attempt = 0; ; attempt++) {
            try {
              await this.syncFile(file, result, signal, (d) => {
                this.progress = { done: doneBefore + d, total: Math.max(total, doneBefore + d), file };
                onProgress?.(this.progress.done, this.progress.total, file);
                this.publish();
              });
              break;
            } catch (err) {
              // Raced means another syncer committed progress on this file: pick up from its offset.
              // Every retry follows someone's progress, so this ends; the cap is a guard only.
              if (!(err instanceof Raced) || attempt >= 100_000) throw err;
              await new Promise<void>((r) => setImmediate(r));
            }
          }
        } catch (err) {
          firstError ??= err instanceof Raced ? new FoxError('CONFLICT', `events file ${file}: another syncer keeps moving its offset`) : toFoxError(err, `events sync of ${file}`);
        }
        doneBefore = this.progress?.done ?? doneBefore;
      }
      if (signal?.aborted) {
        result.stopped = true;
        if (!background) throw canceled(signal, 'events sync');
      }
      if (firstError) throw firstError;
      this.lastError = null;
      return result;
    } catch (err) {
      const fe = toFoxError(err, 'events sync');
      if (fe.code !== 'CANCELED') this.lastError = { code: fe.code, message: fe.message };
      throw fe;
    } finally {
      result.duration_ms = Date.now() - t0;
      this.passes--;
      this.progress = null;
      this.lastRun = nowRfc3339();
      this.lastResult = result;
      this.publish(true);
    }
  }

  private async syncFile(file: string, result: SyncResult, signal: AbortSignal | undefined, progress: (done: number) => void): Promise<void> {
    const full = path.join(this.opts.dir, file);
    let fd: number;
    try {
      fd = fs.openSync(full, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const store = this.store();
      const insert = this.inserter!;
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
      const maxLine = this.opts.maxLineBytes ?? 1 << 20;
      let rows: EventRow[] = [];
      let rejects: RejectInput[] = [];
      let end = offset;
      let lastYield = Date.now();

      const commit = (): void => {
        const newHeadLen = Math.min(HEAD_MAX, end);
        if (newHeadLen !== headLen) {
          headLen = newHeadLen;
          headHash = hashHead(fd, headLen);
        }
        const tx = store.db.transaction(() => {
          const now = store.get(file);
          if ((now?.offset ?? 0) !== expect.offset || (now?.dev ?? null) !== expect.dev || (now?.ino ?? null) !== expect.ino) throw new Raced();
          const inserted = insert(rows);
          store.commit(file, { offset: end, dev, ino, head_len: headLen, head_hash: headHash, inserted, duplicates: rows.length - inserted, rejects, reset });
          return inserted;
        });
        const inserted = tx.immediate();
        result.inserted += inserted;
        result.duplicates += rows.length - inserted;
        result.rejected += rejects.length;
        result.bytes += end - offset;
        expect = { offset: end, dev, ino };
        offset = end;
        reset = null;
        rows = [];
        rejects = [];
      };

      for (const line of completeLines(fd, offset, size, maxLine)) {
        if (line.bytes === null) {
          rejects.push({ offset: line.start, length: line.next - line.start - 1, error: `line of ${line.next - line.start - 1} bytes is over the ${maxLine}-byte limit`, excerpt: excerptOf(line.head!) });
        } else {
          const p = parseLine(line.bytes);
          if ('row' in p) rows.push(p.row);
          else if ('error' in p) rejects.push({ offset: line.start, length: line.bytes.length, error: p.error, excerpt: excerptOf(line.bytes) });
        }
        end = line.next;
        if (rows.length + rejects.length >= this.opts.batch) {
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
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** SHA-256 of a file's first `len` bytes: detects a file truncated and refilled past our offset. */
function hashHead(fd: number, len: number): string {
  const buf = Buffer.alloc(len);
  const n = fs.readSync(fd, buf, 0, len, 0);
  return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
}
