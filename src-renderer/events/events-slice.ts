import type { StateCreator } from 'zustand';
import type { CallOutput, EventFilterInput, EventRecord, EventSourceInfo, RejectRecordOutput, SyncerStatus, TraceTreeOutput } from '../../src-preload/contract';
import { startDownload } from '../shared/download';
import { call, onEvent } from '../shared/bridge';
import type { StudioState } from '../store';
import { sortQuery, type EventSort } from './url-state';

/** Time range presets of the filter bar (durations back from now, as the CLI's --since takes them). */
export const TIME_PRESETS = ['15m', '1h', '24h', '7d', 'all'] as const;

/** A preset, or a custom range typed or dragged on the histogram. */
export type TimePreset = (typeof TIME_PRESETS)[number] | 'custom';

/** Facets shown beside the table, in order. */
export const EVENT_FACETS = ['status', 'operation', 'command', 'session_id', 'agent_id', 'workspace_id'] as const;

/** Counts per value of one field, as events.facets returns them. */
export type FacetValues = CallOutput<'events.facets'>[number]['values'];

/** One histogram bucket. */
export type HistogramBucket = CallOutput<'events.histogram'>[number];

/** An NDJSON event not yet synced into events.db. */
export type PendingEvent = CallOutput<'events.pending'>['events'][number];

/** The Events view's data: syncer status, the filtered table, facets, histogram, detail, trace, live tail. */
export interface EventsSlice {
  syncer: SyncerStatus | null;
  /** The sync pass started with Sync now, to follow as a job. */
  syncJobId: string | null;
  loadSyncer(): Promise<void>;
  syncNow(): Promise<void>;
  /** Applies `syncer` events as they arrive; returns the unsubscribe. */
  watchSyncer(): () => void;

  evFilter: EventFilterInput;
  evPreset: TimePreset;
  /** Newest first (-time, the default) or oldest first (time). */
  evSort: EventSort;
  /** Another events.db opened read-only, or null for the home's. */
  evSource: EventSourceInfo | null;
  evRows: EventRecord[] | null;
  evCursor: string | null;
  /**
   * Pages of the result beyond the rows paged in from the top (evRows), by page number (rows
   * page × EVENTS_PAGE on): what a drag of the scrollbar into the middle loaded by offset.
   */
  evBlocks: Record<number, EventRecord[]>;
  evCount: number | null;
  evHistogram: HistogramBucket[] | null;
  evFacets: Partial<Record<string, FacetValues>>;
  evSelected: EventRecord | null;
  evTrace: TraceTreeOutput | null;
  evLive: boolean;
  evPending: PendingEvent[];
  evPendingLines: number;
  /** span_ids that arrived while the live tail was on (highlighted in the table). */
  evFresh: Record<string, true>;
  evRejects: RejectRecordOutput[] | null;
  /** Events in the home's events.db whatever the filter (0: the view shows how to get some). */
  evHomeTotal: number | null;

  /** Loads the syncer, the home's total and (first time) the table. */
  initEvents(): Promise<void>;
  /** Applies a filter (replacing the current one) and reloads table, count, histogram and facets. */
  loadEvents(filter?: EventFilterInput, preset?: TimePreset, sort?: EventSort): Promise<void>;
  loadMoreEvents(): Promise<void>;
  /** Loads the page holding row `index` of the result when neither evRows nor evBlocks has it. */
  loadEventsAt(index: number): Promise<void>;
  selectEvent(e: EventRecord | null): void;
  openTrace(traceId: string): Promise<void>;
  closeTrace(): void;
  setLive(on: boolean): void;
  openEventsFile(path: string): Promise<boolean>;
  closeEventsFile(): Promise<void>;
  loadRejects(): Promise<void>;
  /** The last export: a download started (browser) or a file being written by a job (desktop). */
  evExport: { format: ExportFormat; download: boolean; jobId: string | null; path: string | null } | null;
  /** Exports every event of the current filter and sort in a format. */
  exportEvents(format: ExportFormat): Promise<void>;
}

/** The formats the table exports to. */
export const EXPORT_FORMATS = ['ndjson', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows per page of the table: a screenful several times over, small enough to validate and parse fast. */
export const EVENTS_PAGE = 100;
const PAGE = EVENTS_PAGE;
/** Pages loaded by offset kept at once (the nearest to the last one asked for stay). */
const MAX_BLOCKS = 40;
/** Pages being loaded by offset, by page number (one request each). */
const blockLoads = new Set<number>();
/** How often the live tail looks for new rows and pending lines. */
const LIVE_MS = 1500;

/** Controls of the load in flight: a newer filter cancels the older one's requests. */
let inflight: AbortController | null = null;
let liveTimer: ReturnType<typeof setInterval> | null = null;
let liveOff: (() => void) | null = null;

/** A request of a superseded load: its cancellation is not an error to show. */
function quiet<T>(signal: AbortSignal, p: Promise<T>): Promise<T | undefined> {
  return p.catch((err: unknown) => {
    if (signal.aborted) return undefined;
    throw err;
  });
}

/** Removes empty fields so the filter, the requests and the CLI line stay minimal. */
export function cleanFilter(f: EventFilterInput): EventFilterInput {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))) as EventFilterInput;
}

/** Creates the events slice. */
export const createEventsSlice: StateCreator<StudioState, [], [], EventsSlice> = (set, get) => {
  const sourceArg = (): { source?: string } => {
    const s = get().evSource;
    return s ? { source: s.source } : {};
  };

  /** New rows at the top of the current filter, merged in front of what is shown (live tail). */
  const refreshTop = async (): Promise<void> => {
    const { evFilter: f, evRows: rows } = get();
    // New rows go on top only when the top is the newest.
    if (!rows || get().evSort !== '-time') return;
    try {
      const page = await call('events.query', { filter: f, limit: PAGE, ...sourceArg() });
      if (get().evFilter !== f) return;
      const known = new Set(rows.map((r) => r.id));
      const fresh = page.rows.filter((r) => !known.has(r.id));
      if (fresh.length === 0) return;
      const marks = { ...get().evFresh };
      for (const r of fresh) marks[r.span_id] = true;
      // New rows on top move every row below them: pages loaded by offset are not where they were.
      set({ evRows: [...fresh, ...rows].sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : b.id - a.id)), evFresh: marks, evBlocks: {} });
      const count = await call('events.count', { filter: f, ...sourceArg() });
      if (get().evFilter === f) set({ evCount: count.count });
    } catch {
      // The next tick tries again; errors of the live tail do not replace the table's.
    }
  };

  const refreshPending = async (): Promise<void> => {
    if (get().evSource) return set({ evPending: [], evPendingLines: 0 });
    try {
      const [p, syncer] = await Promise.all([call('events.pending', { limit: 100 }), call('syncer.status', {})]);
      // Lines written by other processes change no syncer state, so no `syncer` event tells of them.
      set({ evPending: p.events, evPendingLines: p.pendingLines, syncer });
    } catch {
      // As above: shown again on the next tick.
    }
  };

  return {
    syncer: null,
    syncJobId: null,
    loadSyncer: async () => {
      const syncer = await get().track('syncer', () => call('syncer.status', {}));
      if (syncer) set({ syncer });
    },
    syncNow: async () => {
      const r = await get().track('syncer.syncNow', () => call('syncer.syncNow', {}));
      if (r) set({ syncJobId: r.jobId });
    },
    watchSyncer: () =>
      onEvent('syncer', (syncer) => {
        const before = get().syncer;
        set({ syncer });
        // A pass just ended: what it synced belongs in the table (and leaves the pending list).
        if (before?.syncing && !syncer.syncing && get().view === 'events') {
          void refreshTop();
          void refreshPending();
        }
      }),

    evFilter: { since: '24h' },
    evPreset: '24h',
    evSort: '-time',
    evSource: null,
    evRows: null,
    evCursor: null,
    evBlocks: {},
    evCount: null,
    evHistogram: null,
    evFacets: {},
    evSelected: null,
    evTrace: null,
    evLive: false,
    evPending: [],
    evPendingLines: 0,
    evFresh: {},
    evRejects: null,
    evHomeTotal: null,
    evExport: null,

    initEvents: async () => {
      void get().loadSyncer();
      const total = await get().track('events.total', () => call('events.count', {}));
      if (total) set({ evHomeTotal: total.count });
      if (get().evRows === null || get().evSource === null) await get().loadEvents();
    },
    loadEvents: async (filter, preset, sort) => {
      const f = cleanFilter(filter ?? get().evFilter);
      const order = sortQuery(sort ?? get().evSort);
      inflight?.abort();
      const ctrl = new AbortController();
      inflight = ctrl;
      const { signal } = ctrl;
      blockLoads.clear();
      set({ evFilter: f, evPreset: preset ?? get().evPreset, evSort: sort ?? get().evSort, evCount: null, evFresh: {}, evBlocks: {} });
      const src = sourceArg();
      // The page first: the server answers in order, so the table never waits for facets.
      const pageP = get().track('events.query', () => quiet(signal, call('events.query', { filter: f, limit: PAGE, ...order, ...src }, { signal })));
      const countP = get().track('events.count', () => quiet(signal, call('events.count', { filter: f, ...src }, { signal })));
      const histP = get().track('events.histogram', () => quiet(signal, call('events.histogram', { filter: f, buckets: 60, ...src }, { signal })));
      const page = await pageP;
      if (get().evFilter !== f) return;
      if (page) set({ evRows: page.rows, evCursor: page.next_cursor });
      const [count, hist] = await Promise.all([countP, histP]);
      if (get().evFilter !== f) return;
      if (count) set({ evCount: count.count });
      if (hist) set({ evHistogram: hist });
      // One facet per call, so a scroll's page request can be answered between two of them.
      for (const field of EVENT_FACETS) {
        if (signal.aborted) return;
        const r = await get().track('events.facets', () => quiet(signal, call('events.facets', { filter: f, fields: [field], top: 8, ...src }, { signal })));
        if (get().evFilter !== f) return;
        if (r?.[0]) set((s) => ({ evFacets: { ...s.evFacets, [field]: r[0]!.values } }));
      }
    },
    loadMoreEvents: async () => {
      const { evCursor: cursor, evFilter: f } = get();
      if (!cursor || get().requests['events.more']?.loading) return;
      const order = sortQuery(get().evSort);
      const page = await get().track('events.more', () => call('events.query', { filter: f, limit: PAGE, cursor, ...order, ...sourceArg() }));
      if (page && get().evFilter === f && get().evCursor === cursor) set((s) => ({ evRows: [...(s.evRows ?? []), ...page.rows], evCursor: page.next_cursor }));
    },
    loadEventsAt: async (index) => {
      const { evFilter: f, evRows: rows, evSort: sort } = get();
      const block = Math.floor(index / PAGE);
      if (!rows || index < rows.length || get().evBlocks[block] || blockLoads.has(block)) return;
      blockLoads.add(block);
      try {
        const page = await get().track('events.at', () => call('events.query', { filter: f, limit: PAGE, offset: block * PAGE, ...sortQuery(sort), ...sourceArg() }));
        if (!page || get().evFilter !== f || get().evSort !== sort) return;
        set((s) => {
          const blocks: Record<number, EventRecord[]> = { ...s.evBlocks, [block]: page.rows };
          // The farthest from this one go first.
          const keys = Object.keys(blocks).map(Number).sort((a, b) => Math.abs(a - block) - Math.abs(b - block));
          for (const k of keys.slice(MAX_BLOCKS)) delete blocks[k];
          return { evBlocks: blocks };
        });
      } finally {
        blockLoads.delete(block);
      }
    },
    exportEvents: async (format) => {
      const args = { filter: get().evFilter, format, ...sortQuery(get().evSort), ...sourceArg() };
      set({ evExport: null });
      if (get().info?.mode === 'electron') {
        // Main asks where in its own save dialog and writes the file as a job (progress, cancel).
        const r = await get().track('events.export', () => call('events.saveExport', args));
        if (r?.saved) set({ evExport: { format, download: false, jobId: r.jobId, path: r.path } });
        return;
      }
      // Browser mode: a one-time link whose route streams every page; the browser shows the download.
      const link = await get().track('events.export', () => call('events.exportLink', args));
      if (!link) return;
      startDownload(link.url, link.name);
      set({ evExport: { format, download: true, jobId: null, path: link.name } });
    },
    selectEvent: (e) => set({ evSelected: e }),
    openTrace: async (traceId) => {
      set({ evTrace: null });
      const t = await get().track('events.trace', () => call('events.trace', { traceId, ...sourceArg() }));
      if (t) set({ evTrace: t });
    },
    closeTrace: () => {
      set({ evTrace: null });
      get().clearError('events.trace');
    },
    setLive: (on) => {
      if (liveTimer) clearInterval(liveTimer);
      liveOff?.();
      liveTimer = null;
      liveOff = null;
      set({ evLive: on, evPending: on ? get().evPending : [] });
      if (!on) return;
      void refreshPending();
      void refreshTop();
      // An event emitted in the studio's own process arrives at once; others come with the file.
      // A burst of events asks once per 300 ms, not once per event.
      let queued = false;
      liveOff = onEvent('event', () => {
        if (queued) return;
        queued = true;
        setTimeout(() => {
          queued = false;
          void refreshPending();
        }, 300);
      });
      liveTimer = setInterval(() => {
        if (get().view !== 'events') return;
        void refreshPending();
        void refreshTop();
      }, LIVE_MS);
    },
    openEventsFile: async (path) => {
      const info = await get().track('events.open', () => call('events.open', { path }));
      if (!info) return false;
      const old = get().evSource;
      if (old) void call('events.close', { source: old.source }).catch(() => undefined);
      get().setLive(false);
      // A file from elsewhere has its own time range: start from all of it.
      set({ evSource: info, evSelected: null, evTrace: null, evFacets: {}, evHistogram: null, evRows: null, evRejects: null });
      await get().loadEvents({}, 'all');
      return true;
    },
    closeEventsFile: async () => {
      const old = get().evSource;
      set({ evSource: null, evSelected: null, evTrace: null, evFacets: {}, evHistogram: null, evRows: null, evRejects: null });
      if (old) void call('events.close', { source: old.source }).catch(() => undefined);
      await get().loadEvents({ since: '24h' }, '24h');
    },
    loadRejects: async () => {
      const r = await get().track('events.rejects', () => call('events.rejects', { limit: 100, ...sourceArg() }));
      if (r) set({ evRejects: r.rows });
    },
  };
};
