import { Suspense, lazy, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { EditorView } from '@codemirror/view';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { MenuButton } from '../shared/menu-button';
import { StoreExportControl, StoreExportStatus } from './export-control';
import { StoreGrid } from './grid';
import { defaultStorage, historyKey, pushHistory, readHistory } from './sql-history';
import { completionSchema, dialectOf } from './sql-schema';

// CodeMirror is most of the editor's weight: it loads the first time a console opens, not with the app.
const SqlEditor = lazy(() => import('./sql-editor'));

/** Time limits the console offers, in ms. */
const TIMEOUTS = [1000, 5000, 30_000, 120_000] as const;

/** "5 s", "2 min". */
function limitLabel(ms: number): string {
  return ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** A statement on one line, as a history entry shows it (the menu cuts it to its width). */
function oneLine(sql: string): string {
  const s = sql.trim().replace(/\s+/g, ' ');
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}

/**
 * The read-only SQL console: one statement runs in a child process on a read-only connection,
 * stopped at its row cap and time limit; writes, ATTACH and PRAGMA settings are refused with the
 * engine's message. The editor highlights the store's dialect and completes its tables and
 * columns; Ctrl/Cmd+Enter runs; Cancel kills the query. The last statements run on the store
 * come back from History (or Alt+Up / Alt+Down in the editor), after a reload too.
 */
export function StoreConsole({ initialSql, driver }: { initialSql: string; driver: string | null }): ReactNode {
  const run = useStudio((s) => s.runStoreQuery);
  const cancel = useStudio((s) => s.cancelStoreQuery);
  const result = useStudio((s) => s.storeQuery);
  const req = useStudio((s) => s.requests['db.query'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const ref = useStudio((s) => s.storeSelected);
  const tables = useStudio((s) => s.storeTables);
  const objects = useStudio((s) => s.storeSchema);
  const loadSchema = useStudio((s) => s.loadStoreSchema);
  const [sql, setSql] = useState(initialSql);
  const [limit, setLimit] = useState(500);
  const [timeoutMs, setTimeoutMs] = useState<number>(5000);
  /** The statement the result shown came from: Export reads it again, whole. */
  const [ran, setRan] = useState<string | null>(null);
  const hkey = ref ? historyKey(ref.name, ref.key) : null;
  const [pastFor, setPast] = useState<{ key: string | null; list: string[] }>(() => ({ key: hkey, list: hkey ? readHistory(defaultStorage(), hkey) : [] }));
  const past = pastFor.key === hkey ? pastFor.list : hkey ? readHistory(defaultStorage(), hkey) : [];
  // Where Alt+Up / Alt+Down stand in the history (-1: the statement being written, kept in draft).
  const at = useRef(-1);
  const draft = useRef('');
  const shown = useRef(sql);
  const editor = useRef<EditorView | null>(null);
  // The columns come from the CREATE statements (one db.schema call, shared with the Schema tab).
  useEffect(() => {
    if (objects === null) void loadSchema();
  }, [objects, loadSchema]);
  const schema = useMemo(() => completionSchema(tables, objects), [tables, objects]);
  const put = (text: string): void => {
    shown.current = text;
    setSql(text);
  };
  const go = (): void => {
    if (!sql.trim() || req.loading) return;
    if (hkey) setPast({ key: hkey, list: pushHistory(defaultStorage(), hkey, sql) });
    at.current = -1;
    setRan(sql);
    void run(sql, limit, timeoutMs);
  };
  const step = (dir: -1 | 1): boolean => {
    if (past.length === 0) return false;
    const next = Math.max(-1, Math.min(past.length - 1, at.current + (dir === -1 ? 1 : -1)));
    if (next === at.current) return true;
    if (at.current === -1) draft.current = sql;
    at.current = next;
    put(next === -1 ? draft.current : past[next]!);
    return true;
  };
  return (
    <div className="store-console" data-testid="store-console">
      <p className="muted small">
        Read-only: SELECT, WITH, VALUES, EXPLAIN and PRAGMAs that only read. The query runs in its own process on a read-only connection, so it never locks or changes
        the store; it stops at the row cap and the time limit.
      </p>
      <Suspense
        fallback={
          <div className="store-sql-loading loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading the editor…
          </div>
        }
      >
        <SqlEditor
          value={sql}
          dialect={dialectOf(driver)}
          schema={schema}
          ariaLabel="SQL statement"
          testId="store-sql"
          placeholder="SELECT * FROM table LIMIT 100"
          onChange={(text) => {
            // Typing leaves the history walk; the editor echoing a history pick does not.
            if (text !== shown.current) at.current = -1;
            shown.current = text;
            setSql(text);
          }}
          onRun={go}
          onHistoryStep={step}
          viewRef={(v) => {
            editor.current = v;
          }}
        />
      </Suspense>
      <div className="store-console-bar">
        {req.loading ? (
          <button type="button" className="btn btn-danger" onClick={cancel} data-testid="store-query-cancel">
            Cancel
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={go} disabled={!sql.trim()} data-testid="store-query-run">
            Run <span className="store-kbd">Ctrl+Enter</span>
          </button>
        )}
        <label>
          Row cap{' '}
          <input
            className="input"
            type="number"
            min={1}
            max={10000}
            value={limit}
            onChange={(e) => setLimit(Math.max(1, Math.min(10_000, Math.floor(Number(e.target.value)) || 1)))}
            aria-label="Row cap"
            style={{ width: 90 }}
          />
        </label>
        <label>
          Time limit{' '}
          <select className="input" value={timeoutMs} onChange={(e) => setTimeoutMs(Number(e.target.value))} aria-label="Time limit">
            {TIMEOUTS.map((t) => (
              <option key={t} value={t}>
                {limitLabel(t)}
              </option>
            ))}
          </select>
        </label>
        {req.loading ? (
          <span className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> Running…
          </span>
        ) : null}
        <span className="store-spacer" />
        {result ? (
          // Before the grid, so the keyboard reaches it without walking the result's cells.
          <StoreExportControl scope="query" what={ran !== null ? { sql: ran } : null} title="the statement's whole result (not only the rows under the cap), run again on a read-only connection" />
        ) : null}
        {past.length > 0 ? (
          <span className="store-history" data-testid="store-history">
            <MenuButton
              label={`History (${past.length})`}
              ariaLabel="Statement history"
              testId="store-history-button"
              items={past.map((stmt) => ({
                label: oneLine(stmt),
                onSelect: () => {
                  at.current = -1;
                  put(stmt);
                  editor.current?.focus();
                },
              }))}
            />
          </span>
        ) : null}
      </div>
      <StoreExportStatus scope="query" />
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('db.query')} /> : null}
      {result ? (
        <div data-testid="store-query-result">
          <StoreGrid columns={result.columns} rows={result.rows} firstRow={1} testId="store-query-grid" />
          <p className="small store-query-foot" data-testid="store-query-foot">
            {formatCount(result.rows.length)} row{result.rows.length === 1 ? '' : 's'}
            {result.truncated ? <strong className="warn-text"> · stopped at the row cap of {formatCount(result.limit)}: raise it to see more</strong> : null} ·{' '}
            {result.duration_ms} ms
          </p>
          <CliEquivalent cli={result.cli} />
        </div>
      ) : null}
    </div>
  );
}
