import type { FoxConfig } from '../config/resolve.js';
import type { SqliteDb } from '../db/sqlite.js';
import { FoxError, toFoxError } from '../errors.js';
import { prepareInserter, type RowInserter } from './insert.js';
import { completeEvent, eventToRow, PERSIST_MODES, type EventInput, type FoxEvent, type PersistMode } from './model.js';
import { appendLines, MAX_LINE_BYTES } from './ndjson-writer.js';
import { DEFAULT_STREAM, streamFileName, streamPath } from './streams.js';
import { onceMoreAfterIoError } from '../db/sqlite-holders.js';

/** Where an emitted event goes. */
export interface EmitOptions {
  /** default (NDJSON), ndjson, sql (events.db), hybrid (NDJSON, then the syncer), none. */
  persist?: PersistMode;
  /** A stream name for the NDJSON modes (default `foxcular_events`). */
  file?: string;
}

/** What live-tail subscribers receive: the event and where it went. */
export interface EmittedEvent {
  event: FoxEvent;
  persist: PersistMode;
  /** The stream file it was appended to (null for sql and none). */
  file: string | null;
}

/** A live-tail listener; called synchronously after the event is persisted. */
export type EventListener = (e: EmittedEvent) => void;

/** What the emitter needs from the service. */
export interface EmitterDeps {
  config: FoxConfig;
  db: () => SqliteDb;
  /** Replaces that connection after a SQLite I/O error; the insert then runs once more. */
  reopen?: () => void;
  /** Remembers a file a Hybrid event went to (the syncer's state). */
  registerHybrid: (file: string) => void;
}

/**
 * The five persist modes of the SPEC. NDJSON modes append whole lines with one write(2) each
 * (see appendLines); SQL inserts through the same idempotent path as the syncer; every emitted
 * event, whatever the mode, reaches in-process subscribers for the live tail.
 */
export class EventEmitter {
  private readonly listeners = new Set<EventListener>();
  private readonly hybridKnown = new Set<string>();
  private inserter: { db: SqliteDb; insert: RowInserter } | null = null;

  constructor(private readonly deps: EmitterDeps) {}

  /** Subscribes to every emitted event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emits one event; returns it completed (ts, ids, status filled in). */
  emit(input: EventInput, opts: EmitOptions = {}): FoxEvent {
    return this.emitMany([input], opts)[0]!;
  }

  /**
   * Emits several events at once: NDJSON modes write whole lines in as few write(2) calls as
   * fit 1 MiB, SQL inserts them in one transaction. All are validated before anything is written.
   */
  emitMany(inputs: readonly EventInput[], opts: EmitOptions = {}): FoxEvent[] {
    const persist = opts.persist ?? 'default';
    if (!(PERSIST_MODES as readonly string[]).includes(persist)) {
      throw new FoxError('INVALID_INPUT', `unknown persist mode "${String(persist)}"; modes: ${PERSIST_MODES.join(', ')}`, { subject: 'event' });
    }
    const ndjson = persist === 'default' || persist === 'ndjson' || persist === 'hybrid';
    if (opts.file !== undefined && !ndjson) {
      throw new FoxError('INVALID_INPUT', `a file applies only to the default, ndjson and hybrid persist modes, not ${persist}`, { subject: 'event' });
    }
    const file = ndjson ? streamFileName(opts.file ?? DEFAULT_STREAM) : null;
    const events = inputs.map((i) => completeEvent(i));
    if (file !== null) {
      const lines = events.map((ev) => {
        const line = `${JSON.stringify(ev)}\n`;
        if (line.length > MAX_LINE_BYTES / 4 && Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
          throw new FoxError('INVALID_INPUT', `event ${ev.span_id} is over ${MAX_LINE_BYTES} bytes as a line; the syncer would reject it`, { subject: 'event' });
        }
        return line;
      });
      if (persist === 'hybrid' && !this.hybridKnown.has(file)) {
        this.deps.registerHybrid(file);
        this.hybridKnown.add(file);
      }
      appendLines(streamPath(this.deps.config, file), lines);
    } else if (persist === 'sql') {
      const rows = events.map(eventToRow);
      try {
        // Inserts are idempotent by span_id, and a failed transaction did not commit: safe to rerun.
        onceMoreAfterIoError(
          () => {
            const db = this.deps.db();
            if (this.inserter?.db !== db) this.inserter = { db, insert: prepareInserter(db) };
            const insert = this.inserter.insert;
            db.transaction(() => insert(rows)).immediate();
          },
          this.deps.reopen,
          'events.db',
        );
      } catch (err) {
        throw toFoxError(err, 'events.db');
      }
    }
    for (const event of events) this.publish({ event, persist, file });
    return events;
  }

  private publish(e: EmittedEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        // A broken subscriber (a closed window) must not fail the emitter: drop it, loudly.
        this.listeners.delete(l);
        process.emitWarning(`events: a live-tail subscriber threw and was removed: ${(err as Error).message}`);
      }
    }
  }
}
