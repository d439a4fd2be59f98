import { useState, type ReactNode } from 'react';
import type { PruneResult } from '../../src-preload/contract';
import { formatBytes, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from './backup-job';
import { ErrorNotice } from '../shared/error-notice';

/** Prune: keep the newest N and/or delete older than a duration, previewed before anything is deleted. */
export function PrunePanel({ onClose }: { onClose: () => void }): ReactNode {
  const prune = useStudio((s) => s.pruneBackups);
  const req = useStudio((s) => s.requests['backups.prune'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [keepLast, setKeepLast] = useState('5');
  const [olderThan, setOlderThan] = useState('');
  const [result, setResult] = useState<PruneResult | null>(null);
  const input = (dryRun: boolean) => ({
    ...(keepLast.trim() !== '' ? { keepLast: Number(keepLast) } : {}),
    ...(olderThan.trim() !== '' ? { olderThan: olderThan.trim() } : {}),
    dryRun,
  });
  const run = async (dryRun: boolean): Promise<void> => {
    const r = await prune(input(dryRun));
    if (r) setResult(r);
  };
  return (
    <section className="card" role="region" aria-label="Prune backups" data-testid="prune-panel">
      <header className="card-header">
        <h2>Prune backups</h2>
        <button type="button" className="btn btn-quiet" onClick={onClose}>
          Close
        </button>
      </header>
      <p>
        A backup is kept when any rule keeps it. Only clean backups count toward the newest N: one with problems, damaged or failed by a verify is kept while it is newer than the Nth clean one, and the
        newest clean backup is never deleted.
      </p>
      <p>
        <label>
          Keep the newest <input type="number" min={0} value={keepLast} onChange={(e) => { setKeepLast(e.target.value); setResult(null); }} aria-label="Keep last" style={{ width: '5em' }} />
        </label>{' '}
        <label>
          and delete older than <input value={olderThan} placeholder="168h" onChange={(e) => { setOlderThan(e.target.value); setResult(null); }} aria-label="Older than" style={{ width: '7em' }} />
        </label>{' '}
        <button type="button" className="btn" onClick={() => void run(true)} disabled={req.loading} data-testid="prune-preview">
          Preview
        </button>
      </p>
      {result ? (
        <div data-testid="prune-result" data-dry-run={result.dry_run}>
          <p>
            {result.deleted.length === 0
              ? 'Nothing to prune.'
              : `${result.dry_run ? 'Would delete' : 'Deleted'} ${result.deleted.length} backup${result.deleted.length === 1 ? '' : 's'} (${formatBytes(result.bytes_freed)}); ${result.kept.length} kept.`}
          </p>
          <ul>
            {result.deleted.map((b) => (
              <li key={b.file} className="mono">
                {b.name} <span className="muted">({timeAgo(b.created_at)}, {formatBytes(b.size)})</span>
              </li>
            ))}
          </ul>
          {result.not_counted.length > 0 ? (
            <p className="muted small" data-testid="prune-not-counted">
              Kept but not counted (not clean): <span className="mono">{result.not_counted.join(', ')}</span>
            </p>
          ) : null}
          {result.protected ? (
            <p className="muted small" data-testid="prune-protected">
              Kept <span className="mono">{result.protected}</span>: the newest clean backup is never deleted.
            </p>
          ) : null}
          <CliEquivalent cli={result.cli} />
          {result.dry_run && result.deleted.length > 0 ? (
            <button type="button" className="btn btn-danger" onClick={() => void run(false)} disabled={req.loading} data-testid="prune-confirm">
              Delete {result.deleted.length} backup{result.deleted.length === 1 ? '' : 's'}
            </button>
          ) : null}
        </div>
      ) : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('backups.prune')} /> : null}
    </section>
  );
}
