import fs from 'node:fs';
import path from 'node:path';
import type { SqliteDb } from '../db/sqlite.js';
import { canceled, FoxError, toFoxError, type OpOptions } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import { buildViewerIndexes, bulkLeaseLive, shouldDrainInBulk, startBulkDrain, type BulkDrain } from './bulk-indexes.js';
import { catchUpFts } from './fts-index.js';
import { prepareInserter, type RowInserter } from './insert.js';
import { BACKLOG_BYTES, BACKLOG_CACHE_KIB, Raced, syncFile } from './sync-file.js';
import { SyncStateStore } from './sync-state.js';
import { computeSyncStatus, type SyncStatus } from './sync-status.js';
import { onceMoreAfterIoErrorAsync } from '../db/sqlite-holders.js';

/** How a syncer runs. */
export interface SyncerOptions {
  /** The events directory holding the NDJSON files. */
  dir: string;
  /** The file always synced (the default stream). */
  defaultFile: string;
  /** The events.db connection (opened lazily on first use). */
  db: () => SqliteDb;
  /** Replaces that connection after a SQLite I/O error; the pass then runs once more. */
  reopen?: () => void;
  intervalMs: number;
  /** Rows (and rejects) per transaction. */
  batch: number;
  /** Longer lines are rejected without being held in memory (default 1 MiB). */
  maxLineBytes?: number;
  /** A backlog of at least this many bytes may drain without the viewer's indexes (bulk-indexes.ts; default BULK_MIN_BYTES). */
  bulkMinBytes?: number;
  /** How long a bulk drain's lease lasts unrenewed (default BULK_LEASE_MS). */
  bulkLeaseMs?: number;
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
    // A pass is idempotent (offsets commit with their rows), so after an I/O error it runs once
    // more on a fresh connection.
    const run = this.chain.catch(() => undefined).then(() => onceMoreAfterIoErrorAsync(() => this.pass(signal, onProgress, background), this.opts.reopen, 'events sync'));
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
    let restoreCache: (() => void) | null = null;
    let bulk: BulkDrain | null = null;
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
      if (total > BACKLOG_BYTES) restoreCache = widenCache(store.db);
      // A backlog that at least doubles the table drains without the viewer's indexes, built once
      // at the end; otherwise any that a pass killed mid-drain left out are built now.
      if (shouldDrainInBulk(store.db, total, this.opts.bulkMinBytes)) bulk = startBulkDrain(store.db, this.opts.bulkLeaseMs);
      else if (!bulkLeaseLive(store.db)) await buildViewerIndexes(store.db);
      let doneBefore = 0;
      for (const file of files) {
        if (signal?.aborted) break;
        try {
          for (let attempt = 0; ; attempt++) {
            try {
              const deps = { dir: this.opts.dir, store, insert: this.inserter!, batch: this.opts.batch, maxLineBytes: this.opts.maxLineBytes ?? 1 << 20 };
              await syncFile(deps, file, result, signal, (d) => {
                bulk?.renew();
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
      if (bulk && !signal?.aborted) {
        const drained = bulk;
        bulk = null;
        const done = this.progress?.done ?? total;
        await drained.finish((name, i, n) => {
          this.progress = { done, total: Math.max(total, done), file: `events.db: index ${i + 1} of ${n} (${name})` };
          onProgress?.(this.progress.done, this.progress.total, this.progress.file);
          this.publish();
        });
      }
      this.lastError = null;
      return result;
    } catch (err) {
      const fe = toFoxError(err, 'events sync');
      if (fe.code !== 'CANCELED') this.lastError = { code: fe.code, message: fe.message };
      throw fe;
    } finally {
      // Stopped or failed mid-drain: the lease is given back and the next pass builds the indexes.
      bulk?.abandon();
      restoreCache?.();
      result.duration_ms = Date.now() - t0;
      this.passes--;
      this.progress = null;
      this.lastRun = nowRfc3339();
      this.lastResult = result;
      this.publish(true);
    }
  }

}

/**
 * Gives the connection the cache a backlog drain needs (BACKLOG_CACHE_KIB) and returns what puts
 * it back: the cache is memory of the app's main process, only worth holding while a large
 * backlog is inserted, so the pages beyond the usual size are freed at the end of the pass.
 */
function widenCache(db: SqliteDb): () => void {
  const before = db.pragma('cache_size', { simple: true }) as number;
  const usual = before < 0 ? -before : (before * (db.pragma('page_size', { simple: true }) as number)) / 1024;
  if (usual >= BACKLOG_CACHE_KIB) return () => undefined;
  db.pragma(`cache_size = -${BACKLOG_CACHE_KIB}`);
  return () => {
    // A connection replaced after an I/O error (and closed) has no cache left to give back.
    if (!db.open) return;
    db.pragma(`cache_size = ${before}`);
    db.pragma('shrink_memory');
  };
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
