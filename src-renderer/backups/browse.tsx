import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { BackupBrowse, BackupBrowseRows, DbTable } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import { CliEquivalent } from './backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { Card } from '../shared/page';
import { StoreGrid } from '../stores/grid';
import { rowCount } from '../stores/tables';

/** Rows per page of the Browse panel. */
const PAGE = 50;

/**
 * Browse a backup without restoring it: its stores, a store's tables with row counts, and a
 * table's rows a page at a time, read-only. The store's database is copied out of the backup and
 * checked once, then kept for the session, so paging is quick.
 */
export function BrowsePanel({ name, onClose }: { name: string; onClose: () => void }): ReactNode {
  const track = useStudio((s) => s.track);
  const requests = useStudio((s) => s.requests);
  const clear = useStudio((s) => s.clearError);
  const [info, setInfo] = useState<(BackupBrowse & { cli: string }) | null>(null);
  const [store, setStore] = useState<string | null>(null);
  const [tables, setTables] = useState<DbTable[] | null>(null);
  const [table, setTable] = useState<string | null>(null);
  const [page, setPage] = useState<(BackupBrowseRows & { cli: string }) | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const keys = { stores: `backups.browse:${name}`, tables: `backups.browseTables:${name}`, rows: `backups.browseRows:${name}` };
  useEffect(() => {
    heading.current?.focus();
    void track(`backups.browse:${name}`, () => call('backups.browse', { name })).then((r) => r && setInfo(r));
  }, [name, track]);
  const pickStore = (path: string): void => {
    setStore(path);
    setTables(null);
    setTable(null);
    setPage(null);
    void track(keys.tables, () => call('backups.browseTables', { name, store: path })).then((r) => r && setTables(r.tables));
  };
  const rows = (t: string, offset: number): void => {
    setTable(t);
    void track(keys.rows, () => call('backups.browseRows', { name, store: store!, table: t, offset, limit: PAGE })).then((r) => r && setPage(r));
  };
  const error = (['stores', 'tables', 'rows'] as const).map((k) => keys[k]).find((k) => requests[k]?.error);
  const loadingTables = requests[keys.tables]?.loading ?? false;
  const loadingRows = requests[keys.rows]?.loading ?? false;
  const current = tables?.find((t) => t.name === table);
  const shown = page && page.table === table ? page : null;
  return (
    <Card
      title={
        <span ref={heading} tabIndex={-1}>
          Browse {name}
        </span>
      }
      aside={
        <button type="button" className="btn btn-quiet" onClick={onClose} data-testid="browse-close">
          Close
        </button>
      }
    >
      <div data-testid="backup-browse" data-backup={name}>
        <p className="muted small">Read-only: nothing is restored. A store is copied out of the backup and checked when you open it.</p>
        {error ? <ErrorNotice error={requests[error]!.error!} onDismiss={() => clear(error)} /> : null}
        {info === null ? (
          error ? null : (
            <p className="muted" role="status">
              Reading the backup…
            </p>
          )
        ) : info.stores.length === 0 ? (
          <p className="muted">This backup holds no databases.</p>
        ) : (
          <div className="browse-stores" role="group" aria-label="Stores in this backup" data-testid="browse-stores">
            {info.stores.map((s) => (
              <button
                key={s.path}
                type="button"
                className={`btn${store === s.path ? ' btn-primary' : ''}`}
                aria-pressed={store === s.path}
                data-store={s.store}
                title={`${s.path}, ${formatBytes(s.size)}`}
                onClick={() => pickStore(s.path)}
              >
                {s.store}
                {info.stores.filter((x) => x.store === s.store).length > 1 ? ` (${s.path.split('/').pop()})` : ''}
              </button>
            ))}
          </div>
        )}
        {store !== null ? (
          <div className="store-browser">
            {tables === null ? (
              loadingTables ? (
                <p className="muted" role="status">
                  <span className="spinner" aria-hidden="true" /> Copying {store} out of the backup and checking it…
                </p>
              ) : null
            ) : tables.length === 0 ? (
              <p className="muted">This database has no tables.</p>
            ) : (
              <ul className="store-table-list" aria-label="Tables" data-testid="browse-tables">
                {tables.map((t) => (
                  <li key={t.name}>
                    <button
                      type="button"
                      className={`store-table-item${table === t.name ? ' store-table-item-selected' : ''}`}
                      aria-current={table === t.name ? 'true' : undefined}
                      data-table={t.name}
                      onClick={() => rows(t.name, 0)}
                    >
                      <span className="store-table-name">{t.name}</span>
                      <span className="store-table-rows">{rowCount(t)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <div className="store-browser-main" data-testid="browse-rows" data-table={table ?? ''} data-offset={shown?.offset ?? 0}>
              {table === null ? (
                tables && tables.length > 0 ? <p className="muted">Pick a table to see its rows as they are in the backup.</p> : null
              ) : (
                <>
                  <div className="store-pager">
                    <button type="button" className="btn" onClick={() => rows(table, Math.max(0, (shown?.offset ?? 0) - PAGE))} disabled={!shown || shown.offset === 0 || loadingRows} aria-label="Previous page">
                      ‹ Prev
                    </button>
                    <span className="store-pager-range" data-testid="browse-range" aria-live="polite">
                      {shown === null ? 'Loading rows…' : shown.rows.length === 0 ? 'no rows' : `rows ${formatCount(shown.offset + 1)}–${formatCount(shown.offset + shown.rows.length)}`}
                      {current && current.rows !== null && shown ? ` of ${current.rows_exact ? '' : '≥ '}${formatCount(current.rows)}` : ''}
                    </span>
                    <button type="button" className="btn" onClick={() => rows(table, (shown?.offset ?? 0) + PAGE)} disabled={!shown?.truncated || loadingRows} aria-label="Next page">
                      Next ›
                    </button>
                  </div>
                  {shown ? <StoreGrid columns={shown.columns} rows={shown.rows} firstRow={shown.offset + 1} testId="browse-grid" /> : null}
                </>
              )}
            </div>
          </div>
        ) : null}
        <CliEquivalent cli={shown?.cli ?? info?.cli ?? `foxctl backup browse ${name}`} />
      </div>
    </Card>
  );
}
