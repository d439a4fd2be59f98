import { useState, type ReactNode } from 'react';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { StoreGrid } from './grid';

/** Time limits the console offers, in ms. */
const TIMEOUTS = [1000, 5000, 30_000, 120_000] as const;

/** "5 s", "2 min". */
function limitLabel(ms: number): string {
  return ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/**
 * The read-only SQL console: one statement runs in a child process on a read-only connection,
 * stopped at its row cap and time limit; writes, ATTACH and PRAGMA settings are refused with the
 * engine's message. Ctrl/Cmd+Enter runs; Cancel kills the query.
 */
export function StoreConsole({ initialSql }: { initialSql: string }): ReactNode {
  const run = useStudio((s) => s.runStoreQuery);
  const cancel = useStudio((s) => s.cancelStoreQuery);
  const result = useStudio((s) => s.storeQuery);
  const req = useStudio((s) => s.requests['db.query'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [sql, setSql] = useState(initialSql);
  const [limit, setLimit] = useState(500);
  const [timeoutMs, setTimeoutMs] = useState<number>(5000);
  const go = (): void => {
    if (sql.trim() && !req.loading) void run(sql, limit, timeoutMs);
  };
  return (
    <div className="store-console" data-testid="store-console">
      <p className="muted small">
        Read-only: SELECT, WITH, VALUES, EXPLAIN and PRAGMAs that only read. The query runs in its own process on a read-only connection, so it never locks or changes
        the store; it stops at the row cap and the time limit.
      </p>
      <textarea
        className="input store-sql"
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            go();
          }
        }}
        spellCheck={false}
        rows={5}
        aria-label="SQL statement"
        data-testid="store-sql"
        placeholder="SELECT * FROM table LIMIT 100"
      />
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
      </div>
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
