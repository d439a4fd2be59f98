import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import type { SqliteDb } from '../db/sqlite.js';
import { toFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/manager.js';
import { EventEmitter, type EmitOptions, type EventListener } from './emitter.js';
import type { ExportFormat, ExportOptions } from './export.js';
import { catchUpFts } from './fts-index.js';
import type { EventFilter } from './filter.js';
import type { EventInput, FoxEvent } from './model.js';
import { openEventsReadonly, type ReadonlyEvents } from './open-readonly.js';
import { pruneEvents, type PruneOptions, type PruneResult } from './prune.js';
import { EventQueries, type EventPage, type Facet, type HistogramBucket, type QueryOptions } from './queries.js';
import { listRejects, type RejectPage } from './rejects.js';
import { queryStreams, type StreamPage } from './stream-query.js';
import { DEFAULT_STREAM, eventsDir, listStreams, streamFileName, streamPath, type StreamInfo } from './streams.js';
import { SyncStateStore } from './sync-state.js';
import { EventSyncer, type SyncResult } from './syncer.js';
import { writeWholeFile } from '../util/whole-file.js';
import { tailLines, type TailResult } from './tail.js';
import type { TraceTree } from './trace-tree.js';

/**
 * The events area of the engine, as the app and the CLI call it: emit in the five persist modes,
 * a live tail, the viewer's queries over events.db (or any events.db read-only), rejects, prune
 * and the syncer, which the app's main process hosts (start/stop/onStatus).
 */
export class EventsService {
  readonly syncer: EventSyncer;
  private readonly emitter: EventEmitter;
  private readonly queries: EventQueries;

  private readonly db: () => SqliteDb;

  constructor(
    private readonly config: FoxConfig,
    storeDb: () => SqliteDb,
    private readonly jobs: JobManager,
    /** Replaces the events.db connection after a SQLite I/O error (StoreConnections.reset). */
    reopen?: () => void,
  ) {
    let tuned: SqliteDb | null = null;
    this.db = () => {
      const db = storeDb();
      if (tuned !== db) {
        // The syncer writes ~10 index pages per row in small transactions: a larger page cache
        // and fewer checkpoints (each one fsyncs) keep that I/O down; the WAL is trimmed after.
        db.pragma('cache_size = -32768');
        db.pragma('wal_autocheckpoint = 10000');
        db.pragma('journal_size_limit = 67108864');
        tuned = db;
      }
      return db;
    };
    const db = this.db;
    this.syncer = new EventSyncer({
      dir: eventsDir(config),
      defaultFile: streamFileName(DEFAULT_STREAM),
      db,
      ...(reopen ? { reopen } : {}),
      intervalMs: config.eventsSyncIntervalMs,
      batch: config.eventsSyncBatch,
    });
    this.emitter = new EventEmitter({ config, db, ...(reopen ? { reopen } : {}), registerHybrid: (f) => this.syncer.registerFile(f) });
    this.queries = new EventQueries(db, { table: 'foxcular_events', fts: true }, 'events.db', reopen);
  }

  /** Emits one event (persist default: the NDJSON stream). Resolves with the completed event. */
  async emit(event: EventInput, opts: EmitOptions & OpOptions = {}): Promise<FoxEvent> {
    throwIfAborted(opts.signal, 'events emit');
    return this.emitter.emit(event, opts);
  }

  /** Emits many events with batched writes (one write(2) per 1 MiB of whole lines). */
  async emitMany(events: readonly EventInput[], opts: EmitOptions & OpOptions = {}): Promise<FoxEvent[]> {
    throwIfAborted(opts.signal, 'events emit');
    return this.emitter.emitMany(events, opts);
  }

  /** Synchronous emit for hot paths that cannot await (same semantics as emit). */
  emitSync(event: EventInput, opts: EmitOptions = {}): FoxEvent {
    return this.emitter.emit(event, opts);
  }

  /** The live tail: every event emitted in this process, in any persist mode. */
  subscribe(listener: EventListener): () => void {
    return this.emitter.subscribe(listener);
  }

  /**
   * Before a free-text query: indexes rows other writers added since the last pass (the Go
   * foxctl's SQL mode, and its INSERT OR REPLACE, which gives a replaced event a new rowid
   * without firing our delete trigger), so they are found now rather than after the next sync.
   * Cheap when nothing is pending: one max(id) lookup.
   */
  private async searchable(filter: EventFilter | undefined): Promise<void> {
    if (filter?.text === undefined || filter.text === null || filter.text === '') return;
    try {
      catchUpFts(this.db());
    } catch (err) {
      throw toFoxError(err, 'events.db');
    }
  }

  /** A page of events.db events matching the filter (keyset pagination). */
  async query(filter: EventFilter = {}, opts: QueryOptions = {}): Promise<EventPage> {
    await this.searchable(filter);
    return this.queries.query(filter, opts);
  }

  /** How many events match the filter. */
  async count(filter: EventFilter = {}, opts: OpOptions = {}): Promise<number> {
    await this.searchable(filter);
    return this.queries.count(filter, opts);
  }

  /** Counts and error counts per time bucket. */
  async histogram(filter: EventFilter = {}, opts: OpOptions & { buckets?: number } = {}): Promise<HistogramBucket[]> {
    await this.searchable(filter);
    return this.queries.histogram(filter, opts);
  }

  /** Top-N values with counts of operation, status, command (or the given fields). */
  async facets(filter: EventFilter = {}, opts: OpOptions & { fields?: string[]; top?: number } = {}): Promise<Facet[]> {
    await this.searchable(filter);
    return this.queries.facets(filter, opts);
  }

  /** One trace as a tree of spans. */
  trace(traceId: string, opts: OpOptions = {}): Promise<TraceTree> {
    return this.queries.trace(traceId, opts);
  }

  /** Lines the syncer rejected, newest first. */
  async rejects(opts: OpOptions & { limit?: number; cursor?: string | null; file?: string } = {}): Promise<RejectPage> {
    throwIfAborted(opts.signal, 'events rejects');
    try {
      return listRejects(this.db(), opts);
    } catch (err) {
      throw toFoxError(err, 'events.db');
    }
  }

  /** Removes events older than olderThanMs from events.db and the NDJSON streams. */
  async prune(opts: PruneOptions): Promise<PruneResult> {
    const db = this.db();
    return pruneEvents(db, new SyncStateStore(db), this.config, opts);
  }

  /**
   * Writes every event of events.db matching the filter (all pages, the viewer's order) in one
   * of the export formats, from one read snapshot on a read-only connection of its own: the
   * syncer goes on writing meanwhile, and what it adds is not half in the export.
   */
  async export(filter: EventFilter, format: ExportFormat, write: (text: string) => Promise<void> | void, opts: ExportOptions = {}): Promise<{ rows: number }> {
    await this.searchable(filter);
    const ro = openEventsReadonly(this.db().name);
    try {
      return await ro.export(filter, format, write, opts);
    } finally {
      ro.close();
    }
  }

  /**
   * Exports to a file as a job (progress in rows against the filter's count, cancellable). The
   * rows go to a temp file beside `dest`, flushed and renamed over it only once complete: a
   * cancelled or failed export leaves no file, and never a truncated one under the chosen name.
   * `source` reads an events.db opened with openReadonly instead of the home's.
   */
  exportJob(filter: EventFilter, format: ExportFormat, dest: string, opts: OpOptions & { order?: 'asc' | 'desc'; sort?: 'time' | 'duration'; source?: ReadonlyEvents; onRows?: (rows: number) => void } = {}): JobHandle<{ rows: number; path: string; size_bytes: number }> {
    const target = path.resolve(dest);
    return this.jobs.start({ kind: 'events.export', title: `events export to ${path.basename(target)}`, unit: 'rows', signal: opts.signal }, async (ctx) => {
      const total = await (opts.source ?? this).count(filter, { signal: ctx.signal });
      ctx.progress(0, total);
      const run = {
        order: opts.order ?? 'desc',
        sort: opts.sort ?? 'time',
        signal: ctx.signal,
        onProgress: (n: number) => {
          ctx.progress(n, Math.max(total, n));
          opts.onRows?.(n);
        },
      } as const;
      const { value: r, bytes } = await writeWholeFile(target, (write) => (opts.source ? opts.source.export(filter, format, write, run) : this.export(filter, format, write, run)));
      return { rows: r.rows, path: target, size_bytes: bytes };
    });
  }

  /** The same query API over any events.db file, read-only (foxcular_events or wide_events). */
  openReadonly(file: string): ReadonlyEvents {
    return openEventsReadonly(file);
  }

  /**
   * The newest lines of every stream file and its rotations (`events/*.ndjson*`, `.gz` included),
   * filtered: what the Go foxctl's query reads, for the timeline and `events query --all-streams`.
   */
  streamEvents(filter: EventFilter = {}, opts: OpOptions & { limit?: number; cursor?: string | null } = {}): Promise<StreamPage> {
    return queryStreams(eventsDir(this.config), filter, opts);
  }

  /** The NDJSON streams in the events directory. */
  streams(): StreamInfo[] {
    return listStreams(this.config);
  }

  /** The last n lines of a stream (default foxcular_events). */
  tail(name: string = DEFAULT_STREAM, n = 20): TailResult {
    return tailLines(streamPath(this.config, name), n);
  }

  /** The path of a stream by name. */
  streamPath(name: string = DEFAULT_STREAM): string {
    return streamPath(this.config, name);
  }

  /** Runs one sync pass as a job (progress in bytes, cancellable): for a big backlog. */
  syncJob(opts: OpOptions = {}): JobHandle<SyncResult> {
    return this.jobs.start({ kind: 'events.sync', title: 'events sync', unit: 'bytes', signal: opts.signal }, (ctx) =>
      this.syncer.syncNow({ signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) }),
    );
  }

  /** Stops the syncer at a safe boundary. */
  async close(): Promise<void> {
    await this.syncer.stop();
  }
}

/** Builds the events service of an engine. */
export function createEventsService(config: FoxConfig, db: () => SqliteDb, jobs: JobManager, reopen?: () => void): EventsService {
  return new EventsService(config, db, jobs, reopen);
}
