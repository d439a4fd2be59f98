import { useEffect, useState, type ReactNode } from 'react';
import type { Backup, CallOutput, Job } from '../../src-preload/contract';
import { BackupJob, CliEquivalent } from './backup-job';
import { BrowsePanel } from './browse';
import { OptionsPanel } from './options';
import { PrunePanel } from './prune';
import { RehearseResults, VerifyResults } from './results';
import { RestoreWizard } from './restore-wizard';
import { SchedulePanel, ScheduleSummary } from './schedule';
import { BackupStatusBadge, CreateResult, ProblemList, TransferResult } from './status';
import { BucketPanel } from './bucket';
import { FormatBadge, RepoSummary, SizeCell } from './repo-figures';
import { Command, EmptyState } from '../shared/empty-state';
import { ErrorNotice } from '../shared/error-notice';
import { Loadable } from '../shared/loadable';
import { RefreshButton } from '../shared/refresh-button';
import { Card, Page } from '../shared/page';
import { exactTime, formatBytes, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import type { BackupActionRef } from './backups-slice';
import { describeProblem } from './health';
import { isFinal, sortJobs } from '../jobs/jobs-slice';
import { IDLE } from '../shared/requests-slice';
import './backups.css';

/** The class policy in one line, shown next to Back up now. */
const POLICY =
  'Sync-critical and sync-useful stores are always included; local-only stores are rebuildable or device-local and skipped unless you include them; external stores are never backed up.';

/** The newest verify job of a backup, from the jobs slice (kept across restarts in jobs.db). */
function lastVerify(jobs: Job[], name: string): Job | undefined {
  return jobs.find((j) => j.kind === 'backup.verify' && j.title === `backup verify ${name}`);
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

function ActionPanel({ action }: { action: BackupActionRef }): ReactNode {
  const title = { create: 'Backup', verify: 'Verify', rehearse: 'Test restore', restore: 'Restore', schedule: 'Nightly backup', push: 'Push', pull: 'Pull' }[action.kind];
  return (
    <Card title={`${title}${action.name ? ` ${action.name}` : ''}`}>
      <div data-testid={`backup-action-${action.kind}`}>
        <BackupJob
          jobId={action.jobId}
          done={(result) =>
            action.kind === 'verify' ? (
              <VerifyResults result={result} />
            ) : action.kind === 'rehearse' ? (
              <RehearseResults result={result} />
            ) : action.kind === 'push' || action.kind === 'pull' ? (
              <TransferResult kind={action.kind} result={result} />
            ) : (
              <CreateResult result={result} />
            )
          }
        />
        <CliEquivalent cli={action.cli} />
      </div>
    </Card>
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

function BackupRow({ b, verify, onRestore, onBrowse }: { b: Backup; verify: Job | undefined; onRestore: () => void; onBrowse: () => void }): ReactNode {
  const verifyBackup = useStudio((s) => s.verifyBackup);
  const push = useStudio((s) => s.pushBackup);
  const rehearse = useStudio((s) => s.rehearseBackup);
  const del = useStudio((s) => s.deleteBackup);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [open, setOpen] = useState(false);
  const requests = useStudio((s) => s.requests);
  const clear = useStudio((s) => s.clearError);
  // Failures of this row's calls (a verify refused, a delete that found no file) show under it.
  const failed = (['verify', 'rehearse', 'delete', 'push'] as const).map((k) => `backups.${k}:${b.name}`).filter((k) => requests[k]?.error);
  const bad = b.status === 'damaged' || b.status === 'completed_with_problems' || b.verified?.ok === false;
  return (
    <>
      <tr data-backup={b.name} data-format={b.format} data-status={b.status} data-clean={b.clean} className={bad ? 'row-bad' : undefined}>
        <th scope="row">
          <div className="mono">{b.name}</div>
          {b.go_format ? <span className="tag">Go foxctl</span> : null} <BackupStatusBadge b={b} />
          {b.problem ? <div className="error-text small">{b.problem}</div> : null}
          {b.problems.length > 0 ? (
            <div className="error-text small" data-testid="backup-problem-summary">
              {describeProblem(b.problems[0]!)}
              {b.problems.length > 1 ? ` (+${b.problems.length - 1} more in Details)` : ''}
            </div>
          ) : null}
        </th>
        <td>
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
        <td>
          <button type="button" className="btn btn-quiet" onClick={() => void verifyBackup(b.name)} disabled={!!b.problem}>
            Verify
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => void rehearse(b.name)} disabled={!!b.problem}>
            Test restore
          </button>
          <button type="button" className="btn btn-quiet" onClick={onRestore} disabled={!!b.problem}>
            Restore…
          </button>
          <button type="button" className="btn btn-quiet" onClick={onBrowse} disabled={!!b.problem} data-testid="browse-open">
            Browse
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => void push(b.name)} disabled={!!b.problem} aria-label={`Push ${b.name} to the backup bucket`}>
            Push
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
            Details
          </button>
          {confirmDelete ? (
            <button type="button" className="btn btn-danger" onClick={() => void del(b.name)} data-testid="confirm-delete">
              Delete {b.name}?
            </button>
          ) : (
            <button type="button" className="btn btn-quiet" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
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
            <Details name={b.name} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Backups: the archives of this home, Back up now with progress, verify, test restore, restore, delete and prune. */
export function BackupsView(): ReactNode {
  const backups = useStudio((s) => s.backups);
  const load = useStudio((s) => s.loadBackups);
  const loadJobs = useStudio((s) => s.loadJobs);
  const loading = useStudio((s) => s.requests.backups?.loading ?? false);
  const jobs = useStudio((s) => s.jobs);
  const actions = useStudio((s) => s.backupActions);
  const start = useStudio((s) => s.startBackup);
  const createReq = useStudio((s) => s.requests['backups.create'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [showOptions, setShowOptions] = useState(false);
  const [showPrune, setShowPrune] = useState(false);
  const [showSchedule, setShowSchedule] = useState(false);
  const loadSchedule = useStudio((s) => s.loadBackupSchedule);
  const [restoring, setRestoring] = useState<{ backup: Backup; stores?: string[] } | null>(null);
  const [browsing, setBrowsing] = useState<string | null>(null);
  // Closing the Browse panel gives focus back to the row's Browse button.
  const closeBrowse = (): void => {
    const name = browsing;
    setBrowsing(null);
    if (name) requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`tr[data-backup="${CSS.escape(name)}"] [data-testid="browse-open"]`)?.focus());
  };
  // A restore asked for from the Overview opens the wizard on that backup, the store chosen.
  const ask = useStudio((s) => s.restoreAsk);
  const askRestore = useStudio((s) => s.askRestore);
  useEffect(() => {
    const b = ask && backups?.find((x) => x.name === ask.backup);
    if (!ask || !b) return;
    setRestoring({ backup: b, stores: [ask.store] });
    askRestore(null);
  }, [ask, backups, askRestore]);
  const repoStats = useStudio((s) => s.repoStats);
  useEffect(() => {
    void load();
    void loadJobs();
  }, [load, loadJobs]);
  // The list changes when a backup or restore (its safety backup) ends: reload then.
  // A verify's end changes the backup's recorded verify (and whether it counts for retention).
  const endedActions = actions.filter((a) => a.kind !== 'rehearse' && jobs[a.jobId] && isFinal(jobs[a.jobId]!.state)).length;
  useEffect(() => {
    if (endedActions > 0) void load();
  }, [endedActions, load]);
  // A push or pull's end changes what the bucket holds and what this home has.
  const loadRemote = useStudio((s) => s.loadRemoteBackups);
  const endedTransfers = actions.filter((a) => (a.kind === 'push' || a.kind === 'pull') && jobs[a.jobId] && isFinal(jobs[a.jobId]!.state)).length;
  useEffect(() => {
    if (endedTransfers > 0) void loadRemote();
  }, [endedTransfers, loadRemote]);
  // A scheduled run's end (and its retention) changes the schedule's last run.
  const endedScheduled = actions.filter((a) => a.kind === 'schedule' && jobs[a.jobId] && isFinal(jobs[a.jobId]!.state)).length;
  useEffect(() => {
    if (endedScheduled > 0) void loadSchedule();
  }, [endedScheduled, loadSchedule]);
  const sorted = sortJobs(jobs);
  const shown = actions.slice(-3).reverse();
  return (
    <Page
      id="backups"
      title="Backups"
      subtitle="Backups of your stores, CAS and events: snapshots in a deduplicated repository, or archives in the Go foxctl's format."
      actions={
        <>
          <RefreshButton onRefresh={() => void load()} busy={loading} />
          <button type="button" className="btn btn-quiet" onClick={() => setShowSchedule((s) => !s)} aria-expanded={showSchedule} data-testid="schedule-open">
            Schedule…
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setShowPrune((s) => !s)} aria-expanded={showPrune}>
            Prune…
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setShowOptions((s) => !s)} aria-expanded={showOptions} data-testid="backup-options">
            Options…
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void start({})} disabled={createReq.loading} data-testid="backup-now">
            Back up now
          </button>
        </>
      }
    >
      <div>
        <p className="muted small" data-testid="backup-policy">
          {POLICY}
        </p>
        <ScheduleSummary onOpen={() => setShowSchedule(true)} />
      </div>
      {createReq.error ? <ErrorNotice error={createReq.error} onDismiss={() => clear('backups.create')} /> : null}
      {showOptions ? <OptionsPanel onStart={(opts) => void start(opts)} /> : null}
      {showSchedule ? <SchedulePanel onClose={() => setShowSchedule(false)} /> : null}
      {showPrune ? <PrunePanel onClose={() => setShowPrune(false)} /> : null}
      {browsing ? <BrowsePanel key={browsing} name={browsing} onClose={closeBrowse} /> : null}
      {restoring ? <RestoreWizard key={restoring.backup.file} backup={restoring.backup} initialStores={restoring.stores} onClose={() => setRestoring(null)} /> : null}
      {shown.filter((a) => a.kind !== 'restore').map((a) => (
        <ActionPanel key={a.jobId} action={a} />
      ))}
      <Loadable request="backups" data={backups} retry={() => void load()}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon="backups" title="No backups yet" testId="backups-empty">
              <p>Each backup will be listed here with its age, size and the stores it holds. {POLICY}</p>
              <p>
                Click Back up now, or from a terminal: <Command>foxctl backup create</Command>
              </p>
            </EmptyState>
          ) : (
            <Card title={`${list.length} backup${list.length === 1 ? '' : 's'}`}>
              <RepoSummary stats={repoStats} />
              <table className="table" data-testid="backups-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Format</th>
                    <th scope="col">Created</th>
                    <th scope="col">Contents</th>
                    <th scope="col" className="num">
                      Size
                    </th>
                    <th scope="col">Verified</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((b) => (
                    <BackupRow key={b.file} b={b} verify={lastVerify(sorted, b.name)} onRestore={() => setRestoring({ backup: b })} onBrowse={() => setBrowsing(b.name)} />
                  ))}
                </tbody>
              </table>
            </Card>
          )
        }
      </Loadable>
      <BucketPanel />
    </Page>
  );
}
