import type { ReactNode } from 'react';
import type { Backup, BackupProblem } from '../../src-preload/contract';
import { describeProblem } from './health';
import { formatBytes } from '../shared/format';

/**
 * A backup's state as a badge: red when it completed with problems, is damaged or failed a verify;
 * "Unchecked" for one written without checks until a verify passes (then its Verified column says so).
 */
export function BackupStatusBadge({ b }: { b: Backup }): ReactNode {
  const badge: [string, string, string] | null =
    b.status === 'damaged'
      ? ['Damaged', 'state-error', b.problem ?? 'the archive cannot be read']
      : b.status === 'completed_with_problems'
        ? ['Completed with problems', 'state-error', `${b.problems.length} problem${b.problems.length === 1 ? '' : 's'}: see Details`]
        : b.verified?.ok === false
          ? ['Verify failed', 'state-error', 'a verify found the archive damaged']
          : b.status === 'unchecked' && b.verified?.ok !== true
            ? ['Unchecked', 'state-canceled', 'written without checks (Go foxctl or an older Storage Studio): verify it to count it for retention']
            : null;
  if (!badge) return null;
  const [label, cls, title] = badge;
  return (
    <span className={`state-badge ${cls}`} title={title} data-testid="backup-status" data-status={b.status}>
      {label}
    </span>
  );
}

/** The problems backup create named, one line each (store and SQLite's first messages, or the CAS digest). */
export function ProblemList({ problems, testId = 'backup-problems' }: { problems: BackupProblem[]; testId?: string }): ReactNode {
  if (problems.length === 0) return null;
  return (
    <ul className="problem-list error-text small" data-testid={testId}>
      {problems.map((p, i) => (
        <li key={`${p.path}:${p.digest ?? ''}:${i}`} className="mono">
          {describeProblem(p)}
        </li>
      ))}
    </ul>
  );
}

/** What a finished create says: ok, or red with what its checks found and what that means. */
export function CreateResult({ result }: { result: unknown }): ReactNode {
  const r = (result ?? {}) as { name?: string; format?: string; status?: string; check?: string; problems?: BackupProblem[]; added_bytes?: number; referenced_bytes?: number };
  const check = r.check === 'full' ? 'integrity_check' : 'quick_check';
  if (r.status !== 'completed_with_problems') {
    return (
      <p data-testid="create-result" data-status="ok">
        {r.format === 'snapshot' ? `Created snapshot ${r.name}: added ${formatBytes(r.added_bytes ?? 0)} for ${formatBytes(r.referenced_bytes ?? 0)} held.` : `Created backup ${r.name}.`} Every store passed {check}.
      </p>
    );
  }
  const problems = r.problems ?? [];
  return (
    <div data-testid="create-result" data-status="completed_with_problems">
      <p className="error-text">
        <strong>Backup {r.name} completed with problems</strong>: {problems.length} problem{problems.length === 1 ? '' : 's'}. It does not count as a clean backup for pruning; fix what is named and back up
        again.
      </p>
      <ProblemList problems={problems} />
    </div>
  );
}

/** The end of a push or pull: where it went, and how much travelled (a snapshot moves only missing packs). */
export function TransferResult({ kind, result }: { kind: 'push' | 'pull'; result: unknown }): ReactNode {
  const r = (result ?? {}) as { name?: string; remote?: string; path?: string; size?: number; transferred?: boolean; packs_needed?: number; packs_moved?: number };
  const where = kind === 'push' ? `to ${r.remote ?? 'the bucket'}` : 'into this home';
  const moved = r.packs_needed !== undefined ? `${r.packs_moved ?? 0} of ${r.packs_needed} packs sent, ${formatBytes(r.size ?? 0)}; the rest were there already` : formatBytes(r.size ?? 0);
  return (
    <p data-testid="transfer-result" data-transferred={r.transferred === true}>
      {r.transferred ? `${kind === 'push' ? 'Pushed' : 'Pulled'} ${r.name ?? ''} ${where} (${moved}).` : `${r.name ?? ''} was already ${kind === 'push' ? 'in the bucket' : 'here'}: nothing to send.`}
    </p>
  );
}
