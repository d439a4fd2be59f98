import type { ReactNode } from 'react';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';

/**
 * The integrity check: quick_check or the full integrity_check on a read-only connection in a
 * child process (a writer is never blocked), with Cancel while it runs and every problem listed.
 */
export function StoreCheck(): ReactNode {
  const run = useStudio((s) => s.runStoreCheck);
  const cancel = useStudio((s) => s.cancelStoreCheck);
  const result = useStudio((s) => s.storeCheck);
  const req = useStudio((s) => s.requests['db.check'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  return (
    <div className="store-check" data-testid="store-check">
      <p className="muted small">
        <strong>Quick check</strong> reads every page and row (PRAGMA quick_check); the <strong>full check</strong> also cross-checks every index against its table
        (PRAGMA integrity_check) and takes longer on big files. On PostgreSQL both run amcheck&apos;s bt_index_check where the extension is installed. Both read only: the
        store keeps working meanwhile.
      </p>
      <div className="store-console-bar">
        <button type="button" className="btn btn-primary" onClick={() => void run(false)} disabled={req.loading} data-testid="store-check-full">
          Run full integrity check
        </button>
        <button type="button" className="btn" onClick={() => void run(true)} disabled={req.loading} data-testid="store-check-quick">
          Quick check
        </button>
        {req.loading ? (
          <>
            <span className="muted small" role="status">
              <span className="spinner" aria-hidden="true" /> Checking…
            </span>
            <button type="button" className="btn btn-danger" onClick={cancel}>
              Cancel
            </button>
          </>
        ) : null}
      </div>
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('db.check')} /> : null}
      {result && !result.available ? (
        // Neither a clean bill nor a failure: the server offers no check (PostgreSQL without amcheck).
        <div className="store-check-result" data-testid="store-check-result" data-ok="unavailable">
          <p>
            <span className="state-badge">not checked</span> {result.note ?? 'This server offers no integrity check.'}
          </p>
          <CliEquivalent cli={result.cli} />
        </div>
      ) : result ? (
        <div className={`store-check-result ${result.ok ? 'store-check-ok' : 'store-check-bad'}`} data-testid="store-check-result" data-ok={result.ok}>
          {result.ok ? (
            <p>
              <span className="state-badge state-ok">ok</span> {result.mode} found no problems{result.note ? ` (${result.note})` : ''} in {result.duration_ms} ms.
            </p>
          ) : (
            <>
              <p>
                <span className="state-badge state-error">{formatCount(result.problems.length)} problem{result.problems.length === 1 ? '' : 's'}</span> found by{' '}
                {result.mode}. Restore the store from a backup (Backups view) or rebuild it if it is rebuildable.
              </p>
              <ul className="store-problems">
                {result.problems.map((p, i) => (
                  <li key={i} className="mono small">
                    {p}
                  </li>
                ))}
              </ul>
            </>
          )}
          <CliEquivalent cli={result.cli} />
        </div>
      ) : null}
    </div>
  );
}
