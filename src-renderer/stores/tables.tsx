import { useState, type ReactNode } from 'react';
import type { DbTable } from '../../src-preload/contract';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import type { BrowseSort, BrowseState } from './stores-slice';
import { ErrorNotice } from '../shared/error-notice';
import { ColumnsMenu, StoreGrid } from './grid';
import { useGridLayout } from './grid-layout';
import { StoreExportControl, StoreExportStatus } from './export-control';

/** Page sizes the browser offers. */
const PAGE_SIZES = [50, 100, 250, 500, 1000] as const;

/** A row count as shown: "12,345", "≥ 50,000" when counting stopped at its time budget, "view". */
export function rowCount(t: DbTable): string {
  if (t.rows === null) return 'view';
  return `${t.rows_exact ? '' : '≥ '}${formatCount(t.rows)}`;
}

/** The tables of the store with their row counts; the selected one is browsed. */
function TableList({ tables, selected, onPick }: { tables: DbTable[]; selected: string | null; onPick: (t: DbTable) => void }): ReactNode {
  if (tables.length === 0) return <p className="muted">This database has no tables.</p>;
  return (
    <ul className="store-table-list" data-testid="store-table-list" aria-label="Tables">
      {tables.map((t) => (
        <li key={t.name}>
          <button
            type="button"
            className={`store-table-item${selected === t.name ? ' store-table-item-selected' : ''}`}
            aria-current={selected === t.name ? 'true' : undefined}
            data-table={t.name}
            onClick={() => onPick(t)}
            title={`${t.name}: ${t.columns} columns${t.without_rowid ? ', WITHOUT ROWID' : ''}${t.type !== 'table' ? `, ${t.type}` : ''}`}
          >
            <span className="store-table-name">{t.name}</span>
            <span className="store-table-rows" data-testid="store-table-rows" data-exact={t.rows_exact}>
              {rowCount(t)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** First / previous / next / last, the shown range of rows, a page size and "go to row". */
function Pager({ b, total }: { b: BrowseState; total: DbTable | undefined }): ReactNode {
  // Sorted or filtered, the count is of the table, not of the matching rows.
  const browse = useStudio((s) => s.browseTable);
  const loading = useStudio((s) => s.requests['db.browse']?.loading ?? false);
  const [goto, setGoto] = useState('');
  const shown = b.page?.rows.length ?? 0;
  const filtered = b.where !== '';
  const known = filtered ? null : (total?.rows ?? null);
  const exact = filtered ? false : (total?.rows_exact ?? false);
  // Without an exact count, a full page means there may be more.
  const more = exact && known !== null ? b.offset + b.limit < known : shown === b.limit;
  const last = exact && known !== null ? Math.max(0, Math.floor((known - 1) / b.limit) * b.limit) : null;
  const go = (offset: number, limit = b.limit, focus?: number): void => void browse(b.table, Math.max(0, offset), limit, focus);
  return (
    <div className="store-pager" data-testid="store-pager">
      <button type="button" className="btn" onClick={() => go(0)} disabled={b.offset === 0} aria-label="First page" title="First page">
        «
      </button>
      <button type="button" className="btn" onClick={() => go(b.offset - b.limit)} disabled={b.offset === 0} aria-label="Previous page">
        ‹ Prev
      </button>
      <span className="store-pager-range" data-testid="store-pager-range" aria-live="polite">
        {shown === 0 ? 'no rows' : `rows ${formatCount(b.offset + 1)}–${formatCount(b.offset + shown)}`}
        {known !== null ? ` of ${exact ? '' : '≥ '}${formatCount(known)}` : ''}
        {filtered && shown > 0 ? ' matching' : ''}
        {loading ? <span className="spinner store-pager-spinner" aria-label="Loading" /> : null}
      </span>
      <button type="button" className="btn" onClick={() => go(b.offset + b.limit)} disabled={!more} aria-label="Next page">
        Next ›
      </button>
      <button type="button" className="btn" onClick={() => last !== null && go(last)} disabled={last === null || b.offset >= last} aria-label="Last page" title={last === null ? 'the row count is a lower bound: page on, or go to a row' : 'Last page'}>
        »
      </button>
      <span className="store-spacer" />
      <form
        className="store-goto"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(goto.replace(/[,_\s]/g, ''));
          if (Number.isInteger(n) && n >= 1) go(Math.floor((n - 1) / b.limit) * b.limit, b.limit, n);
        }}
      >
        <label>
          Go to row{' '}
          <input className="input" inputMode="numeric" value={goto} onChange={(e) => setGoto(e.target.value)} aria-label="Go to row" size={9} />
        </label>
      </form>
      <label>
        <select className="input" value={b.limit} onChange={(e) => go(Math.floor(b.offset / Number(e.target.value)) * Number(e.target.value), Number(e.target.value))} aria-label="Rows per page">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n} rows
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** The next sort of a header click: up, then down, then the table's own order. */
function nextSort(sort: BrowseSort | null, column: string): BrowseSort | null {
  if (sort?.column !== column) return { column, desc: false };
  return sort.desc ? null : { column, desc: true };
}

/** The WHERE box: an SQL expression as in the console; Enter applies it, Escape clears it. */
function WhereFilter({ b, tools }: { b: BrowseState; tools?: ReactNode }): ReactNode {
  const filter = useStudio((s) => s.filterBrowse);
  const [draft, setDraft] = useState(b.where);
  const apply = (where: string): void => void filter(b.sort, where);
  return (
    <form
      className="store-where"
      data-testid="store-where"
      onSubmit={(e) => {
        e.preventDefault();
        apply(draft);
      }}
    >
      <label className="store-where-label mono" htmlFor="store-where-input">
        WHERE
      </label>
      <input
        id="store-where-input"
        className="input mono store-where-input"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && (draft !== '' || b.where !== '')) {
            e.preventDefault();
            setDraft('');
            if (b.where !== '') apply('');
          }
        }}
        placeholder="an SQL condition, e.g. n > 10 AND name LIKE 'a%'"
        aria-label="Filter rows: WHERE"
        aria-describedby="store-where-help"
        spellCheck={false}
        autoComplete="off"
      />
      <button type="submit" className="btn" disabled={draft.trim() === b.where}>
        Filter
      </button>
      {b.where !== '' || b.sort ? (
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => {
            setDraft('');
            void filter(null, '');
          }}
        >
          Clear
        </button>
      ) : null}
      {tools}
      <span id="store-where-help" className="visually-hidden">
        Read-only, like the SQL console. Enter filters, Escape clears.
      </span>
    </form>
  );
}

/** The paged table browser: the tables with their counts beside a grid of the selected one's rows. */
export function StoreTables(): ReactNode {
  const tables = useStudio((s) => s.storeTables);
  const b = useStudio((s) => s.storeBrowse);
  const browse = useStudio((s) => s.browseTable);
  const filter = useStudio((s) => s.filterBrowse);
  const ref = useStudio((s) => s.storeSelected);
  // Widths and hidden columns, kept per store table.
  const layout = useGridLayout(ref && b ? `${ref.name}${ref.key ? `[${ref.key}]` : ''}/${b.table}` : undefined);
  const error = useStudio((s) => s.requests['db.browse'] ?? IDLE).error;
  const clear = useStudio((s) => s.clearError);
  if (tables === null) return null;
  const current = tables.find((t) => t.name === b?.table);
  return (
    <div className="store-browser">
      <TableList tables={tables} selected={b?.table ?? null} onPick={(t) => void browse(t.name, 0, b?.limit ?? 100)} />
      <div className="store-browser-main" data-testid="store-browser" data-table={b?.table ?? ''} data-offset={b?.offset ?? 0}>
        {b ? (
          <>
            <div className="store-browser-title">
              <h3 className="mono">{b.table}</h3>
              {current ? (
                <span className="muted small">
                  {current.columns} columns{current.without_rowid ? ' · WITHOUT ROWID' : ''}
                  {b.sort ? ` · sorted by ${b.sort.column} ${b.sort.desc ? 'descending' : 'ascending'}` : current.type === 'view' ? ' · view (rows in its own order)' : ' · rowid order'}
                </span>
              ) : null}
            </div>
            {/* A new table starts with an empty box: keyed on it. */}
            <WhereFilter
              key={b.table}
              b={b}
              tools={
                <>
                  {b.page ? (
                    <ColumnsMenu columns={b.page.columns} hidden={layout.layout.hidden.filter((c) => b.page?.columns.includes(c))} onHide={layout.setHidden} onShowAll={layout.showAll} />
                  ) : null}
                  <StoreExportControl
                    scope="table"
                    what={{ table: b.table, ...(b.sort ? { sort: b.sort } : {}), ...(b.where !== '' ? { where: b.where } : {}) }}
                    title={`every row of ${b.table}${b.where !== '' ? ' matching the filter' : ''}${b.sort ? `, sorted by ${b.sort.column}` : ''}: all pages, whole values`}
                  />
                </>
              }
            />
            <StoreExportStatus scope="table" />
            <Pager b={b} total={current} />
            {error ? <ErrorNotice error={error} onDismiss={() => clear('db.browse')} /> : null}
            {b.page ? (
              <StoreGrid
                columns={b.page.columns}
                rows={b.page.rows}
                firstRow={b.page.offset + 1}
                focusRow={b.page.offset === b.offset ? b.focusRow : null}
                testId="store-browse-grid"
                sort={b.sort}
                onSort={(column) => void filter(nextSort(b.sort, column), b.where)}
                layout={layout}
              />
            ) : error ? null : (
              <div className="loading" role="status" data-testid="loading">
                <span className="spinner" aria-hidden="true" /> Loading rows…
              </div>
            )}
            {b.page?.sql ? (
              <p className="muted small store-where-sql" data-testid="store-browse-sql">
                Ran <code className="mono">{b.page.sql}</code>
              </p>
            ) : null}
            <p className="muted small">Click a cell to see its whole value. BLOBs show their size and first bytes; long text its length and a head.</p>
          </>
        ) : (
          <p className="muted">Pick a table to browse its rows.</p>
        )}
      </div>
    </div>
  );
}
