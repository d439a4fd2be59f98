import { HTTP, type CallName } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import { assertSqliteFile } from '../engine/db/sqlite.js';
import { FoxError, isFoxError } from '../engine/errors.js';
import type { ReadonlyEvents } from '../engine/events/open-readonly.js';
import { exportMediaType, type ExportFormat } from '../engine/events/export.js';
import { readPendingEvents } from '../engine/events/pending.js';
import { eventsDir } from '../engine/events/streams.js';
import { downloadTicketsFor } from './download-tickets.js';
import type { Handler, HostInfo } from './handlers.js';

/** The Events view's calls. */
type EventsCall =
  | 'events.query' | 'events.count' | 'events.histogram' | 'events.facets' | 'events.trace' | 'events.rejects' | 'events.pending'
  | 'events.streamEvents' | 'events.open' | 'events.close' | 'events.exportLink' | 'events.saveExport';

/** The name an export is offered under: `foxctl-events-2026-12-02T07-31-05.csv` (local time of the studio). */
export function exportFileName(format: ExportFormat, now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return `foxctl-events-${stamp}.${exportMediaType(format).ext}`;
}

/** Other events.db files open at once; opening one more closes the least recently used. */
const MAX_SOURCES = 4;

/** The query API both the home's events.db and an opened file offer. */
type Source = Pick<ReadonlyEvents, 'query' | 'count' | 'histogram' | 'facets' | 'trace' | 'export'> & { rejects: ReadonlyEvents['rejects'] };

/**
 * Refuses what is not a readable SQLite file with a message naming the file and the reason. The
 * file may be the studio's own events.db, held open by the syncer: it is looked at through SQLite
 * (assertSqliteFile), never with plain file calls that would drop the syncer's locks.
 */
function checkSqliteFile(file: string): void {
  let exists: boolean;
  try {
    exists = assertSqliteFile(file);
  } catch (err) {
    // The user picked this file: one that is not SQLite is a wrong choice, not a damaged store.
    if (isFoxError(err, 'CORRUPT')) throw new FoxError('INVALID_INPUT', err.message, { subject: file, cause: err });
    throw err;
  }
  if (!exists) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject: file });
}

/**
 * Handlers of the Events view: queries over the home's events.db or over another events.db that
 * events.open opened read-only (a "source"; a read-only connection never takes the write lock,
 * so a process writing to that file is not disturbed), the syncer's rejects, and the NDJSON
 * events not yet synced, which the live tail shows as such.
 */
export function createEventsHandlers(engine: Engine, host?: Pick<HostInfo, 'mode' | 'pickSavePath'>): { [N in EventsCall & CallName]: Handler<N> } {
  const sources = new Map<string, ReadonlyEvents>();
  let counter = 0;
  const home: Source = {
    query: (f, o) => engine.events.query(f, o),
    count: (f, o) => engine.events.count(f, o),
    histogram: (f, o) => engine.events.histogram(f, o),
    facets: (f, o) => engine.events.facets(f, o),
    trace: (t, o) => engine.events.trace(t, o),
    rejects: (o) => engine.events.rejects(o),
    export: (f, k, w, o) => engine.events.export(f, k, w, o),
  };
  const source = (id: string | undefined): Source => {
    if (id === undefined) return home;
    const s = sources.get(id);
    if (!s) throw new FoxError('NOT_FOUND', `events source ${id} is not open (it was closed, or the studio restarted): open the file again`);
    // Most recently used last, so the oldest is closed first.
    sources.delete(id);
    sources.set(id, s);
    return s;
  };
  return {
    'events.query': async (input, { signal }) =>
      source(input.source).query(input.filter ?? {}, { limit: input.limit ?? 100, cursor: input.cursor ?? null, offset: input.offset ?? 0, order: input.order ?? 'desc', sort: input.sort ?? 'time', signal }),
    'events.count': async (input, { signal }) => ({ count: await source(input.source).count(input.filter ?? {}, { signal }) }),
    'events.histogram': async (input, { signal }) => source(input.source).histogram(input.filter ?? {}, { buckets: input.buckets ?? 60, signal }),
    'events.facets': async (input, { signal }) => source(input.source).facets(input.filter ?? {}, { ...(input.fields ? { fields: input.fields } : {}), top: input.top ?? 10, signal }),
    'events.trace': async (input, { signal }) => source(input.source).trace(input.traceId, { signal }),
    'events.rejects': async (input) => source(input.source).rejects({ limit: input.limit ?? 100, cursor: input.cursor ?? null }),
    'events.pending': async (input) => {
      const status = await engine.events.syncer.status();
      const r = readPendingEvents(eventsDir(engine.config), status.files, input.limit ?? 100);
      return { events: r.events, pendingLines: status.pending_lines, truncated: r.truncated };
    },
    'events.streamEvents': async (input, { signal }) => engine.events.streamEvents(input.filter ?? {}, { limit: input.limit ?? 100, cursor: input.cursor ?? null, signal }),
    'events.open': async (input, { signal }) => {
      checkSqliteFile(input.path);
      const ro = engine.events.openReadonly(input.path);
      try {
        const events = await ro.count({}, { signal });
        counter += 1;
        const id = `src-${counter.toString(36)}`;
        sources.set(id, ro);
        while (sources.size > MAX_SOURCES) {
          const [oldest, s] = sources.entries().next().value as [string, ReadonlyEvents];
          s.close();
          sources.delete(oldest);
        }
        return { source: id, file: ro.file, table: ro.table, fts: ro.fts, events };
      } catch (err) {
        ro.close();
        throw err;
      }
    },
    'events.exportLink': async (input) => {
      if (host?.mode === 'electron') throw new FoxError('UNSUPPORTED', 'the desktop app saves an export with a file dialog (events.saveExport)');
      const src = source(input.source);
      const filter = input.filter ?? {};
      // Checked now, so a bad filter is an error in the view rather than a failed download.
      await src.count(filter);
      const name = exportFileName(input.format);
      const opts = { order: input.order ?? 'desc', sort: input.sort ?? 'time' } as const;
      const ticket = downloadTicketsFor(engine).issue({
        kind: 'events',
        name,
        type: exportMediaType(input.format).type,
        run: (write, signal) => src.export(filter, input.format, write, { ...opts, signal }),
      });
      return { url: `${HTTP.download}${ticket}`, name };
    },
    'events.saveExport': async (input) => {
      if (host?.mode !== 'electron') throw new FoxError('UNSUPPORTED', 'browser mode exports through a download (events.exportLink), not a path on this machine');
      const opened = input.source === undefined ? undefined : (source(input.source) as ReadonlyEvents);
      const filter = input.filter ?? {};
      await (opened ?? engine.events).count(filter);
      // The path comes from the user's own dialog in main, never from the renderer.
      const dest = (await host.pickSavePath?.(exportFileName(input.format))) ?? null;
      if (dest === null) return { saved: false, jobId: null, path: null };
      const job = engine.events.exportJob(filter, input.format, dest, { order: input.order ?? 'desc', sort: input.sort ?? 'time', ...(opened ? { source: opened } : {}) });
      return { saved: true, jobId: job.id, path: dest };
    },
    'events.close': async (input) => {
      const s = sources.get(input.source);
      s?.close();
      return { closed: sources.delete(input.source) };
    },
  };
}
