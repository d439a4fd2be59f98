import type { ReactNode } from 'react';
import type { Backup, RepoStats } from '../../src-preload/contract';
import { formatBytes } from '../shared/format';

/** Archive or snapshot, as a badge: a snapshot shares its blobs with the others. */
export function FormatBadge({ b, testId = 'backup-format-badge' }: { b: Backup; testId?: string }): ReactNode {
  return (
    <span className={`tag tag-${b.format}`} data-testid={testId} title={b.format === 'snapshot' ? 'Snapshot in the deduplicated repository' : 'One full archive in the Go foxctl format'}>
      {b.format === 'snapshot' ? 'Snapshot' : 'Archive'}
    </span>
  );
}

/** The size cell: an archive's bytes; a snapshot's added bytes over what it holds. */
export function SizeCell({ b }: { b: Backup }): ReactNode {
  if (b.format !== 'snapshot') return <span data-testid="backup-size">{formatBytes(b.size)}</span>;
  return (
    <span data-testid="backup-size" title={`${formatBytes(b.added_bytes)} of new compressed data; the other ${formatBytes(Math.max(0, b.referenced_bytes - b.added_bytes))} held are shared with other snapshots or compressed away`}>
      <span data-testid="backup-added" data-bytes={b.added_bytes}>+{formatBytes(b.added_bytes)}</span>
      <div className="muted small" data-testid="backup-referenced" data-bytes={b.referenced_bytes}>
        of {formatBytes(b.referenced_bytes)}
      </div>
    </span>
  );
}

/** One line on the repository: its size on disk against the sum of the homes its snapshots hold. */
export function RepoSummary({ stats }: { stats: RepoStats | null }): ReactNode {
  if (!stats || !stats.exists || stats.snapshots === 0) return null;
  const ratio = stats.size > 0 ? stats.referenced_bytes / stats.size : 0;
  return (
    <p className="small" data-testid="repo-summary">
      Snapshot repository: <strong data-testid="repo-size" data-bytes={stats.size}>{formatBytes(stats.size)}</strong> on disk for {stats.snapshots} snapshot{stats.snapshots === 1 ? '' : 's'} holding{' '}
      <strong data-testid="repo-referenced" data-bytes={stats.referenced_bytes}>{formatBytes(stats.referenced_bytes)}</strong> of homes{ratio >= 1.1 ? ` (${ratio.toFixed(1)}× less)` : ''}, in {stats.packs} pack{stats.packs === 1 ? '' : 's'}.
    </p>
  );
}
