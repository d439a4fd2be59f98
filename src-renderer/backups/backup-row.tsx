import { useEffect, useState, type ReactNode } from 'react';
import type { Backup, CallOutput, Job } from '../../src-preload/contract';
import { CliEquivalent } from './backup-job';
import { BackupStatusBadge, ProblemList } from './status';
import { FormatBadge, SizeCell } from './repo-figures';
import { ErrorNotice } from '../shared/error-notice';
import { MenuButton } from '../shared/menu-button';
import { exactTime, formatBytes, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { describeProblem } from './health';
import { isFinal } from '../jobs/jobs-slice';

/** Whether a backup is the safety copy a restore took of what it replaced (kept apart by prune). */
export function isSafetyBackup(b: Pick<Backup, 'name'>): boolean {
  return b.name.startsWith('pre-restore-');
}

/** The last verify: a job of this session while it runs or just ended, else the record beside the archive. */
function VerifiedState({ job, recorded }: { job: Job | undefined; recorded: Backup['verified'] }): ReactNode {
  if (job && !isFinal(job.state)) return <span className="muted">Verifying…</span>;
  const fromJob = job?.state === 'ok' ? { ok: (job.result as { ok?: boolean } | null)?.ok === true, at: job.finished_at ?? job.created_at } : null;
  const last = fromJob ?? recorded;
  if (!last) return job ? <span className="muted">Verify {job.state}</span> : <span className="muted">Not verified</span>;
  return (
    <span className={`state-badge state-${last.ok ? 'ok' : 'error'}`} title={`verified ${exactTime(last.at)}`} data-testid="verified-state" data-ok={last.ok}>
      {last.ok ? 'Verified' : 'Damaged'}
    </span>
  );
}

function Details({ name }: { name: string }): ReactNode {
  const info = useStudio((s) => s.backupInfo);
  const [data, setData] = useState<CallOutput<'backups.info'> | null>(null);
  useEffect(() => void info(name).then((d) => setData(d ?? null)), [info, name]);
  if (!data) return <p className="muted">Reading the manifest…</p>;
  return (
    <div data-testid="backup-details">
      {data.problem ? <p className="error-text">The archive cannot be read: {data.problem}</p> : null}
      {data.status === 'completed_with_problems' ? (
        <>
          <p className="error-text">
            Completed with problems: {data.problems.length} problem{data.problems.length === 1 ? '' : 's'} found when it was created. It does not count as a clean backup for pruning.
          </p>
          <ProblemList problems={data.problems} />
        </>
      ) : null}
      <p>
        Included: <span className="mono">{data.stores.join(', ') || 'no stores'}</span>
      </p>
      {data.skipped_stores.length > 0 ? <p className="muted">Skipped: {data.skipped_stores.map((s) => `${s.store} (${s.reason})`).join('; ')}</p> : null}
      <p className="muted small">Written by {data.written_by ?? 'unknown'}; {data.files} files, {formatBytes(data.total_size)} uncompressed.</p>
      <CliEquivalent cli={data.cli} />
    </div>
  );
}

/** What a row's actions do; each opens its dialog or starts its job in the view. */
export interface RowActions {
  verify: () => void;
  rehearse: () => void;
  restore: () => void;
  browse: () => void;
  push: () => void;
  remove: () => void;
}

/**
 * One backup: name and state, format, age, contents, size, last verify, and its actions: Verify
 * and Restore… always shown, the rest in a menu so a row stays on one line on a small laptop.
 * `ref` is the name the calls use (snapshot:NAME when an archive has the same name).
 */
export function BackupRow({ b, refName, verify, actions }: { b: Backup; refName: string; verify: Job | undefined; actions: RowActions }): ReactNode {
  const [open, setOpen] = useState(false);
  const requests = useStudio((s) => s.requests);
  const clear = useStudio((s) => s.clearError);
  // Failures of this row's calls (a verify refused, a delete that found no file) show under it.
  const failed = (['verify', 'rehearse', 'delete', 'push'] as const).map((k) => `backups.${k}:${refName}`).filter((k) => requests[k]?.error);
  const bad = b.status === 'damaged' || b.status === 'completed_with_problems' || b.verified?.ok === false;
  const unreadable = !!b.problem;
  return (
    <>
      <tr data-backup={b.name} data-format={b.format} data-status={b.status} data-clean={b.clean} data-safety={isSafetyBackup(b) || undefined} className={bad ? 'row-bad' : undefined}>
        <th scope="row">
          <div className="mono">{b.name}</div>
          {/* On a narrow window the Format column folds into the name. */}
          <span className="name-format">
            <FormatBadge b={b} testId="backup-format-badge-inline" />{' '}
          </span>
          {b.go_format ? <span className="tag">Go foxctl</span> : null} <BackupStatusBadge b={b} />
          {isSafetyBackup(b) ? (
            <span className="tag tag-safety" data-testid="safety-badge" title="Taken by a restore before it replaced files: restore it to undo that restore. Prune keeps it apart from its rules.">
              Safety copy
            </span>
          ) : null}
          {b.problem ? <div className="error-text small">{b.problem}</div> : null}
          {b.problems.length > 0 ? (
            <div className="error-text small" data-testid="backup-problem-summary">
              {describeProblem(b.problems[0]!)}
              {b.problems.length > 1 ? ` (+${b.problems.length - 1} more in Details)` : ''}
            </div>
          ) : null}
        </th>
        <td className="col-format">
          <FormatBadge b={b} />
        </td>
        <td title={exactTime(b.created_at)}>{timeAgo(b.created_at)}</td>
        <td className="muted">
          {b.stores.length} stores · {b.files} files
          {b.skipped_stores.length > 0 ? (
            <span title={`Left out by the class policy: ${b.skipped_stores.join(', ')}`} data-testid="backup-skipped">
              {' '}
              · {b.skipped_stores.length} skipped
            </span>
          ) : null}
          <div className="small">{b.components.join(', ')}</div>
        </td>
        <td className="num">
          <SizeCell b={b} />
        </td>
        <td>
          <VerifiedState job={verify} recorded={b.verified} />
        </td>
        <td className="row-actions">
          <button type="button" className="btn btn-quiet" onClick={actions.verify} disabled={unreadable} data-testid="row-verify">
            Verify
          </button>
          <button type="button" className="btn" onClick={actions.restore} disabled={unreadable} data-testid="row-restore">
            Restore…
          </button>
          <MenuButton
            label="More ▾"
            ariaLabel={`More actions for ${b.name}`}
            testId="row-menu"
            items={[
              { label: 'Test restore', onSelect: actions.rehearse, disabled: unreadable, testId: 'row-rehearse' },
              { label: 'Browse', onSelect: actions.browse, disabled: unreadable, testId: 'browse-open' },
              { label: 'Push to the bucket', onSelect: actions.push, disabled: unreadable, testId: 'row-push' },
              { label: open ? 'Hide details' : 'Details', onSelect: () => setOpen((o) => !o), testId: 'row-details' },
              { label: 'Delete…', onSelect: actions.remove, danger: true, testId: 'row-delete' },
            ]}
          />
        </td>
      </tr>
      {failed.map((k) => (
        <tr key={k}>
          <td colSpan={7}>
            <ErrorNotice error={requests[k]!.error!} onDismiss={() => clear(k)} />
          </td>
        </tr>
      ))}
      {open ? (
        <tr>
          <td colSpan={7}>
            <Details name={refName} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
