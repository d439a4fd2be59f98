import type { StateCreator } from 'zustand';
import type { CallArgs, CallOutput, DbCheck, DbInfo, DbTable, Store } from '../../src-preload/contract';
import { startDownload } from '../shared/download';
import { call } from '../shared/bridge';
import type { StudioState } from '../store';

/** A store database the detail shows: a registry name and, for keyed stores, the key. */
export interface StoreRef {
  name: string;
  key: string | null;
}

/** A page of the table browser as db.browse returns it. */
export type BrowsePage = CallOutput<'db.browse'>;

/** The rows of a console query as db.query returns them. */
export type QueryRows = CallOutput<'db.query'>;

/** The CREATE statements of a store. */
export type SchemaObjects = CallOutput<'db.schema'>;

/** A sort of the table browser: one column, up or down. */
export interface BrowseSort {
  column: string;
  desc: boolean;
}

/** What the table browser shows: which table, where, sorted and filtered how, and the page once it arrives. */
export interface BrowseState {
  table: string;
  offset: number;
  limit: number;
  /** Sorted by a column (null: the table's own order). */
  sort: BrowseSort | null;
  /** The WHERE expression applied ('' for none). */
  where: string;
  /** A row number (1-based) to scroll to and mark once the page is shown ("go to row"). */
  focusRow: number | null;
  page: BrowsePage | null;
}

/** Where an export starts: the table browser (its table, sort and filter) or the console (its last statement). */
export type StoreExportScope = 'table' | 'query';

/** The formats the Stores view exports to. */
export const STORE_EXPORT_FORMATS = ['csv', 'json'] as const;
export type StoreExportFormat = (typeof STORE_EXPORT_FORMATS)[number];

/** The last export: a download started (browser mode), or the desktop job writing the file the dialog named. */
export interface StoreExport {
  scope: StoreExportScope;
  download: boolean;
  jobId: string | null;
  path: string | null;
}

/** The Stores view's data: the list, and the detail of one store (info, tables, schema, browser, console, check). */
export interface StoresSlice {
  stores: Store[] | null;
  storeSelected: StoreRef | null;
  storeInfo: DbInfo | null;
  storeTables: DbTable[] | null;
  storeSchema: SchemaObjects | null;
  storeBrowse: BrowseState | null;
  storeQuery: QueryRows | null;
  storeCheck: DbCheck | null;
  storeExport: StoreExport | null;
  loadStores(): Promise<void>;
  /** Exports every row of a table (its sort and filter) or of a statement: a download in browser mode, a save dialog and a job in the desktop app. */
  exportStore(scope: StoreExportScope, what: CallArgs<'db.exportLink'>['what'], format: StoreExportFormat): Promise<void>;
  /** Opens a store's detail (null: back to the list) and loads its info and tables. */
  openStore(ref: StoreRef | null): void;
  loadStoreDetail(): Promise<void>;
  /** Reads everything shown again (an agent may have written meanwhile): info, counts, schema, the current page. */
  refreshStore(): Promise<void>;
  loadStoreSchema(): Promise<void>;
  /** Shows a page of a table: rows offset..offset+limit, scrolled to focusRow when given; the sort and filter stay while the table does. */
  browseTable(table: string, offset: number, limit: number, focusRow?: number): Promise<void>;
  /** Sorts and filters the current table (back to its first page). */
  filterBrowse(sort: BrowseSort | null, where: string): Promise<void>;
  runStoreQuery(sql: string, limit: number, timeoutMs: number): Promise<void>;
  cancelStoreQuery(): void;
  runStoreCheck(quick: boolean): Promise<void>;
  cancelStoreCheck(): void;
  /** Starts `db migrate` (or its dry run) as a job; the job id and the CLI line, or undefined on error. */
  startStoreMigrate(input: CallArgs<'db.migrate'>): Promise<CallOutput<'db.migrate'> | undefined>;
}

/** The target part of every db.* input. */
export function targetOf(ref: StoreRef): { store: string; key?: string } {
  return ref.key === null ? { store: ref.name } : { store: ref.name, key: ref.key };
}

/** Whether two refs name the same database. */
/** Tables a store keeps for its own bookkeeping: its migrations, and an FTS5 / FTS4 index's shadow tables. */
function isBookkeeping(t: DbTable, names: ReadonlySet<string>): boolean {
  if (t.name === 'schema_migrations' || t.name.startsWith('sqlite_')) return true;
  const m = /^(.+)_(data|idx|content|docsize|config|segments|segdir|stat)$/.exec(t.name);
  return m !== null && names.has(m[1]!);
}

/**
 * The table a store opens on, as a database tool picks it: the one with the most rows among
 * its own tables (not schema_migrations, not an FTS index's shadow tables), else the first table.
 */
export function mainTable(tables: readonly DbTable[]): DbTable | undefined {
  const names = new Set(tables.map((t) => t.name));
  const own = tables.filter((t) => t.type === 'table' && !isBookkeeping(t, names));
  let best: DbTable | undefined;
  for (const t of own) if ((t.rows ?? 0) > (best?.rows ?? 0)) best = t;
  return best ?? own[0] ?? tables.find((t) => t.type === 'table');
}

function same(a: StoreRef | null, b: StoreRef | null): boolean {
  return a !== null && b !== null && a.name === b.name && a.key === b.key;
}

/** In-flight console query and check, by purpose: Cancel aborts them (not state: not data). */
const inflight = new Map<'query' | 'check', AbortController>();

function begin(what: 'query' | 'check'): AbortSignal {
  inflight.get(what)?.abort();
  const c = new AbortController();
  inflight.set(what, c);
  return c.signal;
}

/** Creates the stores slice. */
export const createStoresSlice: StateCreator<StudioState, [], [], StoresSlice> = (set, get) => {
  /** Loads a page of a table sorted and filtered so; an answer to a request since replaced is dropped. */
  const load = async (table: string, offset: number, limit: number, sort: BrowseSort | null, where: string, focusRow: number | null): Promise<void> => {
    const ref = get().storeSelected;
    if (!ref) return;
    const prev = get().storeBrowse;
    // The old page stays visible while the next one loads (no flash), unless the table changed.
    const want: BrowseState = { table, offset, limit, sort, where, focusRow, page: prev && prev.table === table ? prev.page : null };
    set({ storeBrowse: want });
    const filter = { ...(sort ? { sort } : {}), ...(where ? { where } : {}) };
    // Pages are cheap and read-only: a stale answer is dropped below rather than canceled.
    const page = await get().track('db.browse', () => call('db.browse', { ...targetOf(ref), table, offset, limit, ...filter }));
    const now = get().storeBrowse;
    if (page && same(get().storeSelected, ref) && now === want) set({ storeBrowse: { ...now, page } });
  };
  return {
  stores: null,
  storeSelected: null,
  storeInfo: null,
  storeTables: null,
  storeSchema: null,
  storeBrowse: null,
  storeQuery: null,
  storeCheck: null,
  storeExport: null,
  exportStore: async (scope, what, format) => {
    const ref = get().storeSelected;
    if (!ref) return;
    const key = `db.export.${scope}`;
    const args = { ...targetOf(ref), what, format };
    set({ storeExport: null });
    if (get().info?.mode === 'electron') {
      // Main asks where in its own save dialog and writes the file as a job (progress, cancel).
      const r = await get().track(key, () => call('db.saveExport', args));
      if (r?.saved) set({ storeExport: { scope, download: false, jobId: r.jobId, path: r.path } });
      return;
    }
    // Browser mode: a one-time link (checked first) whose route streams every row; the browser shows the download.
    const link = await get().track(key, () => call('db.exportLink', args));
    if (!link) return;
    startDownload(link.url, link.name);
    set({ storeExport: { scope, download: true, jobId: null, path: link.name } });
  },
  loadStores: async () => {
    const stores = await get().track('stores', () => call('stores.list', {}));
    if (stores) set({ stores });
  },
  openStore: (ref) => {
    for (const c of inflight.values()) c.abort();
    inflight.clear();
    set({ storeSelected: ref, storeInfo: null, storeTables: null, storeSchema: null, storeBrowse: null, storeQuery: null, storeCheck: null, storeExport: null });
    for (const k of ['db.info', 'db.tables', 'db.schema', 'db.browse', 'db.query', 'db.check', 'db.migrate', 'db.export.table', 'db.export.query']) get().clearError(k);
    if (ref) void get().loadStoreDetail();
  },
  loadStoreDetail: async () => {
    const ref = get().storeSelected;
    if (!ref) return;
    const t = targetOf(ref);
    const [info, tables] = await Promise.all([get().track('db.info', () => call('db.info', t)), get().track('db.tables', () => call('db.tables', t))]);
    if (!same(get().storeSelected, ref)) return;
    set({ ...(info ? { storeInfo: info } : {}), ...(tables ? { storeTables: tables } : {}) });
    // The store's main table opens in the browser, like a database tool does.
    if (tables && get().storeBrowse === null) {
      const first = mainTable(tables);
      if (first) void get().browseTable(first.name, 0, 100);
    }
  },
  refreshStore: async () => {
    const b = get().storeBrowse;
    const reloads: Promise<void>[] = [get().loadStoreDetail()];
    if (get().storeSchema !== null) reloads.push(get().loadStoreSchema());
    if (b) reloads.push(load(b.table, b.offset, b.limit, b.sort, b.where, null));
    await Promise.all(reloads);
  },
  loadStoreSchema: async () => {
    const ref = get().storeSelected;
    if (!ref) return;
    const schema = await get().track('db.schema', () => call('db.schema', targetOf(ref)));
    if (schema && same(get().storeSelected, ref)) set({ storeSchema: schema });
  },
  browseTable: (table, offset, limit, focusRow) => {
    const prev = get().storeBrowse;
    const kept = prev?.table === table;
    return load(table, offset, limit, kept ? prev.sort : null, kept ? prev.where : '', focusRow ?? null);
  },
  filterBrowse: (sort, where) => {
    const b = get().storeBrowse;
    return b ? load(b.table, 0, b.limit, sort, where.trim(), null) : Promise.resolve();
  },
  runStoreQuery: async (sql, limit, timeoutMs) => {
    const ref = get().storeSelected;
    if (!ref) return;
    const signal = begin('query');
    set({ storeQuery: null });
    const res = await get().track('db.query', () => call('db.query', { ...targetOf(ref), sql, limit, timeoutMs }, { signal }));
    if (res && same(get().storeSelected, ref) && !signal.aborted) set({ storeQuery: res });
  },
  cancelStoreQuery: () => inflight.get('query')?.abort(),
  runStoreCheck: async (quick) => {
    const ref = get().storeSelected;
    if (!ref) return;
    const signal = begin('check');
    set({ storeCheck: null });
    const res = await get().track('db.check', () => call('db.check', { ...targetOf(ref), quick }, { signal }));
    if (res && same(get().storeSelected, ref) && !signal.aborted) set({ storeCheck: res });
  },
  cancelStoreCheck: () => inflight.get('check')?.abort(),
  startStoreMigrate: async (input) => get().track('db.migrate', () => call('db.migrate', input)),
};
};
