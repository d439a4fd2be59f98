import { useEffect, type ReactNode } from 'react';
import type { RemoteBackupRow } from '../../src-preload/contract';
import { ErrorNotice } from '../shared/error-notice';
import { exactTime, formatBytes, timeAgo } from '../shared/format';
import { Card } from '../shared/page';
import { RefreshButton } from '../shared/refresh-button';
import { IDLE } from '../shared/requests-slice';
import { useStudio } from '../store';

/** What a pushed backup is, in words: its format and what its size counts. */
function sizeOf(b: RemoteBackupRow): string {
  return b.format === 'snapshot' ? `${formatBytes(b.size)} of home` : formatBytes(b.size);
}

function RemoteRow({ b, here }: { b: RemoteBackupRow; here: boolean }): ReactNode {
  const pull = useStudio((s) => s.pullBackup);
  const req = useStudio((s) => s.requests[`backups.pull:${b.name}`] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  return (
    <>
      <tr data-remote-backup={b.name} data-format={b.format}>
        <th scope="row">
          <div className="mono">{b.name}</div>
          <span className="tag">{b.format === 'snapshot' ? 'Snapshot' : 'Archive'}</span>
          {b.problem ? <div className="error-text small">{b.problem}</div> : null}
        </th>
        <td title={b.created_at ? exactTime(b.created_at) : undefined}>{b.created_at ? timeAgo(b.created_at) : '—'}</td>
        <td className="num">{sizeOf(b)}</td>
        <td className="muted">{b.pushed_from || '—'}</td>
        <td>
          {here ? (
            <span className="muted small">In this home</span>
          ) : (
            <button type="button" className="btn btn-quiet" onClick={() => void pull(b.name)} disabled={!!b.problem || req.loading} aria-label={`Pull ${b.name} into this home`}>
              Pull
            </button>
          )}
        </td>
      </tr>
      {req.error ? (
        <tr>
          <td colSpan={5}>
            <ErrorNotice error={req.error} onDismiss={() => clear(`backups.pull:${b.name}`)} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * The backup bucket: what was pushed there (archives and snapshots), with Pull for those this
 * home lacks. When no bucket is set it says which settings are missing instead of failing.
 */
export function BucketPanel(): ReactNode {
  const remote = useStudio((s) => s.remoteBackups);
  // Whether this home has it follows the local list as it changes (a delete, a pull), not the last bucket read.
  const local = useStudio((s) => s.backups);
  const load = useStudio((s) => s.loadRemoteBackups);
  const req = useStudio((s) => s.requests['backups.remote'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  useEffect(() => void load(), [load]);
  return (
    <Card title="Backup bucket" aside={<RefreshButton onRefresh={() => void load()} busy={req.loading} />} testId="bucket-panel">
      <div>
        {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('backups.remote')} /> : null}
        {!remote ? (
          req.error ? null : <p className="muted">Reading the bucket…</p>
        ) : !remote.configured ? (
          <p className="muted" data-testid="bucket-not-configured">
            No bucket to push to: {remote.reason} Set one under Settings → Connections (S3), then Push copies a backup off this machine.
          </p>
        ) : remote.backups.length === 0 ? (
          <p className="muted" data-testid="bucket-empty">
            Nothing pushed to <span className="mono">{remote.location}</span> yet: use Push on a backup above.
          </p>
        ) : (
          <>
            <p className="muted small">
              In <span className="mono">{remote.location}</span>. A snapshot push sends only the chunks the bucket lacks.
            </p>
            <table className="table" data-testid="bucket-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Pushed from</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {remote.backups.map((b) => (
                  <RemoteRow key={`${b.format}:${b.name}`} b={b} here={local ? local.some((l) => l.name === b.name) : b.local} />
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </Card>
  );
}
