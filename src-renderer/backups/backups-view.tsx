import { useEffect, useState, type ReactNode } from 'react';
import type { Backup } from '../../src-preload/contract';
import { BackupJob, CliEquivalent } from './backup-job';
import { BackupRow } from './backup-row';
import { BrowsePanel } from './browse';
import { OptionsPanel } from './options';
import { PrunePanel } from './prune';
import { RehearseResults, VerifyAllResults, VerifyResults } from './results';
import { RestoreWizard } from './restore-wizard';
import { SchedulePanel, ScheduleSummary } from './schedule';
import { CreateResult, TransferResult } from './status';
import { BucketPanel } from './bucket';
import { RepoSummary } from './repo-figures';
import { useAnnouncement } from './announce';
import { Command, EmptyState } from '../shared/empty-state';
import { Dialog, LiveRegion } from '../shared/dialog';
import { ErrorNotice } from '../shared/error-notice';
import { Loadable } from '../shared/loadable';
import { RefreshButton } from '../shared/refresh-button';
import { Card, Page } from '../shared/page';
import { useStudio } from '../store';
import type { BackupActionRef } from './backups-slice';
import { isFinal, sortJobs } from '../jobs/jobs-slice';
import { IDLE } from '../shared/requests-slice';
import type { Job } from '../../src-preload/contract';
import './backups.css';

/** The class policy in one line, shown next to Back up now. */
const POLICY =
  'Sync-critical and sync-useful stores are always included; local-only stores are rebuildable or device-local and skipped unless you include them; external stores are never backed up.';

/** The newest verify job of a backup, from the jobs slice (kept across restarts in jobs.db). */
function lastVerify(jobs: Job[], name: string): Job | undefined {
  return jobs.find((j) => j.kind === 'backup.verify' && j.title === `backup verify ${name}`);
}

const TITLES: Record<BackupActionRef['kind'], string> = { create: 'Backup', verify: 'Verify', verifyAll: 'Verify every backup', rehearse: 'Test restore', restore: 'Restore', schedule: 'Nightly backup', push: 'Push', pull: 'Pull' };

/** An action's job followed live, then its result, and the `foxctl backup` line. */
function ActionBody({ action }: { action: BackupActionRef }): ReactNode {
  return (
    <div data-testid={`backup-action-${action.kind}`}>
      <BackupJob
        jobId={action.jobId}
        done={(result) =>
          action.kind === 'verify' ? (
            <VerifyResults result={result} />
          ) : action.kind === 'verifyAll' ? (
            <VerifyAllResults result={result} />
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
  );
}

/** The name calls use for a backup: `snapshot:NAME` when an archive has the same name. */
function refNameOf(b: Backup, list: Backup[]): string {
  return b.format === 'snapshot' && list.some((x) => x !== b && x.name === b.name) ? `snapshot:${b.name}` : b.name;
}

/** Which dialog is open (one at a time). */
type DialogState =
  | { kind: 'options' }
  | { kind: 'prune' }
  | { kind: 'schedule' }
  | { kind: 'restore'; backup: Backup; refName: string; stores?: string[] }
  | { kind: 'job'; action: BackupActionRef; row: string }
  | { kind: 'delete'; backup: Backup; refName: string };

/** The row's menu button, where focus goes back when the element that opened a dialog is gone. */
const rowMenu = (name: string) => (): HTMLElement | null => document.querySelector<HTMLElement>(`tr[data-backup="${CSS.escape(name)}"] [data-testid="row-menu"]`);

/** Asks before deleting one backup. */
function DeleteDialog({ backup, refName, onClose }: { backup: Backup; refName: string; onClose: () => void }): ReactNode {
  const del = useStudio((s) => s.deleteBackup);
  const req = useStudio((s) => s.requests[`backups.delete:${refName}`] ?? IDLE);
  return (
    <Dialog title={`Delete ${backup.name}?`} onClose={onClose} testId="delete-dialog" returnFocus={rowMenu(backup.name)}>
      <p>
        {backup.format === 'snapshot'
          ? 'The snapshot is removed from the list; the space its blobs take is freed by the next prune, unless other snapshots use them.'
          : 'The archive file is deleted from this home. A copy pushed to the backup bucket stays there.'}
      </p>
      <div className="dialog-actions">
        <button type="button" className="btn btn-danger" disabled={req.loading} data-testid="confirm-delete" onClick={() => void del(refName).then((r) => r && onClose())}>
          Delete {backup.name}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onClose} data-autofocus>
          Keep it
        </button>
      </div>
    </Dialog>
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
  const verifyBackup = useStudio((s) => s.verifyBackup);
  const rehearse = useStudio((s) => s.rehearseBackup);
  const verifyAll = useStudio((s) => s.verifyAllBackups);
  const verifyAllReq = useStudio((s) => s.requests['backups.verifyAll'] ?? IDLE);
  const push = useStudio((s) => s.pushBackup);
  const createReq = useStudio((s) => s.requests['backups.create'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const loadSchedule = useStudio((s) => s.loadBackupSchedule);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const closeDialog = (): void => setDialog(null);
  // Closing the Browse panel gives focus back to the row's menu, where Browse is.
  const closeBrowse = (): void => {
    const name = browsing;
    setBrowsing(null);
    if (name) requestAnimationFrame(() => rowMenu(name)()?.focus());
  };
  // A restore asked for from the Overview opens the wizard on that backup, the store chosen.
  const ask = useStudio((s) => s.restoreAsk);
  const askRestore = useStudio((s) => s.askRestore);
  useEffect(() => {
    const b = ask && backups?.find((x) => x.name === ask.backup);
    if (!ask || !b) return;
    setDialog({ kind: 'restore', backup: b, refName: refNameOf(b, backups!), stores: [ask.store] });
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
  const announcement = useAnnouncement(actions, jobs);
  const sorted = sortJobs(jobs);
  // Verify, Test restore and Restore show in their dialogs; the rest inline, newest first.
  const shown = actions
    .filter((a) => a.kind !== 'restore' && a.kind !== 'verify' && a.kind !== 'rehearse')
    .slice(-3)
    .reverse();
  const inDialog = (row: string) => (ref: BackupActionRef | undefined) => {
    if (ref) setDialog({ kind: 'job', action: ref, row });
  };
  return (
    <Page
      id="backups"
      title="Backups"
      subtitle="Backups of your stores, CAS and events: snapshots in a deduplicated repository, or archives in the Go foxctl's format."
      actions={
        <>
          <RefreshButton onRefresh={() => void load()} busy={loading} />
          {/* Inline, like Back up now: the result card shows below, and focus stays on the button. */}
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => void (verifyAllReq.loading || !backups?.length ? undefined : verifyAll())}
            aria-disabled={verifyAllReq.loading || !backups || backups.length === 0}
            title="Re-hash every file of every backup and check each database, as one job"
            data-testid="verify-all"
          >
            Verify all
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setDialog({ kind: 'schedule' })} aria-haspopup="dialog" data-testid="schedule-open">
            Schedule…
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setDialog({ kind: 'prune' })} aria-haspopup="dialog" data-testid="prune-open">
            Prune…
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => setDialog({ kind: 'options' })} aria-haspopup="dialog" data-testid="backup-options">
            Options…
          </button>
          {/* Focus stays here while the backup runs: it is disabled only while the call starts the job. */}
          <button type="button" className="btn btn-primary" onClick={() => void (createReq.loading ? undefined : start({}))} aria-disabled={createReq.loading} data-testid="backup-now">
            Back up now
          </button>
        </>
      }
    >
      <LiveRegion message={announcement} />
      <div>
        <p className="muted small" data-testid="backup-policy">
          {POLICY}
        </p>
        <ScheduleSummary onOpen={() => setDialog({ kind: 'schedule' })} />
      </div>
      {createReq.error ? <ErrorNotice error={createReq.error} onDismiss={() => clear('backups.create')} /> : null}
      {verifyAllReq.error ? <ErrorNotice error={verifyAllReq.error} onDismiss={() => clear('backups.verifyAll')} /> : null}
      {dialog?.kind === 'options' ? (
        <Dialog title="Back up with options" onClose={closeDialog} testId="options-dialog">
          <OptionsPanel
            onStart={(opts) => {
              closeDialog();
              void start(opts);
            }}
          />
        </Dialog>
      ) : null}
      {dialog?.kind === 'schedule' ? <SchedulePanel onClose={closeDialog} /> : null}
      {dialog?.kind === 'prune' ? <PrunePanel onClose={closeDialog} /> : null}
      {dialog?.kind === 'restore' ? (
        <RestoreWizard key={dialog.backup.file} backup={dialog.backup} refName={dialog.refName} initialStores={dialog.stores} onClose={closeDialog} returnFocus={rowMenu(dialog.backup.name)} />
      ) : null}
      {dialog?.kind === 'delete' ? <DeleteDialog backup={dialog.backup} refName={dialog.refName} onClose={closeDialog} /> : null}
      {dialog?.kind === 'job' ? (
        <Dialog title={`${TITLES[dialog.action.kind]} ${dialog.action.name}`} onClose={closeDialog} wide testId={`${dialog.action.kind}-dialog`} returnFocus={rowMenu(dialog.row)}>
          <ActionBody action={dialog.action} />
        </Dialog>
      ) : null}
      {browsing ? <BrowsePanel key={browsing} name={browsing} onClose={closeBrowse} /> : null}
      {shown.map((a) => (
        <Card key={a.jobId} title={`${TITLES[a.kind]}${a.name ? ` ${a.name}` : ''}`}>
          <ActionBody action={a} />
        </Card>
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
              <div className="table-scroll">
                <table className="table backups-table" data-testid="backups-table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col" className="col-format">
                        Format
                      </th>
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
                    {list.map((b) => {
                      const refName = refNameOf(b, list);
                      return (
                        <BackupRow
                          key={b.file}
                          b={b}
                          refName={refName}
                          verify={lastVerify(sorted, b.name)}
                          actions={{
                            verify: () => void verifyBackup(refName).then(inDialog(b.name)),
                            rehearse: () => void rehearse(refName).then(inDialog(b.name)),
                            restore: () => setDialog({ kind: 'restore', backup: b, refName }),
                            browse: () => setBrowsing(refName),
                            push: () => void push(refName),
                            remove: () => setDialog({ kind: 'delete', backup: b, refName }),
                          }}
                        />
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </Card>
          )
        }
      </Loadable>
      <BucketPanel />
    </Page>
  );
}
