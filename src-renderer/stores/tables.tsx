import { useState, type ReactNode } from 'react';
import type { DbTable } from '../../src-preload/contract';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import type { BrowseState } from './stores-slice';
import { ErrorNotice } from '../shared/error-notice';
import { StoreGrid } from './grid';

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
  const browse = useStudio((s) => s.browseTable);
  const loading = useStudio((s) => s.requests['db.browse']?.loading ?? false);
  const [goto, setGoto] = useState('');
  const shown = b.page?.rows.length ?? 0;
  const known = total?.rows ?? null;
  const exact = total?.rows_exact ?? false;
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

/** The paged table browser: the tables with their counts beside a grid of the selected one's rows. */
export function StoreTables(): ReactNode {
  const tables = useStudio((s) => s.storeTables);
  const b = useStudio((s) => s.storeBrowse);
  const browse = useStudio((s) => s.browseTable);
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
                  {current.type === 'view' ? ' · view (rows in its own order)' : ' · rowid order'}
                </span>
              ) : null}
            </div>
            <Pager b={b} total={current} />
            {error ? <ErrorNotice error={error} onDismiss={() => clear('db.browse')} /> : null}
            {b.page ? (
              <StoreGrid
                columns={b.page.columns}
                rows={b.page.rows}
                firstRow={b.page.offset + 1}
                focusRow={b.page.offset === b.offset ? b.focusRow : null}
                testId="store-browse-grid"
              />
            ) : error ? null : (
              <div className="loading" role="status" data-testid="loading">
                <span className="spinner" aria-hidden="true" /> Loading rows…
              </div>
            )}
            <p className="muted small">Click a cell to see its whole value. BLOBs show their size and first bytes; long text its length and a head.</p>
          </>
        ) : (
          <p className="muted">Pick a table to browse its rows.</p>
        )}
      </div>
    </div>
  );
}
