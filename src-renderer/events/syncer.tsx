import { useState, type ReactNode } from 'react';
import type { SyncerStatus } from '../../src-preload/contract';
import { exactTime, formatBytes, formatCount, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { isFinal } from '../jobs/jobs-slice';
import { IDLE } from '../shared/requests-slice';
import { ErrorNotice } from '../shared/error-notice';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';
import { Card } from '../shared/page';

/** The sync pass started with Sync now: its progress and Cancel while it runs, then what it did. */
function SyncJob({ jobId }: { jobId: string }): ReactNode {
  const job = useStudio((s) => s.jobs[jobId]);
  if (!job) return <p className="muted small">Starting…</p>;
  if (!isFinal(job.state)) {
    return (
      <div className="job job-running" data-testid="events-sync-job" data-state={job.state}>
        <div className="job-head">
          <div className="job-title">{job.title}</div>
          <JobCancelButton job={job} />
        </div>
        <JobProgressFigures job={job} />
      </div>
    );
  }
  const r = job.result as { inserted?: number; duplicates?: number; rejected?: number } | null;
  return (
    <p className={`small ${job.state === 'ok' ? 'good-text' : job.state === 'error' ? 'error-text' : 'muted'}`} data-testid="events-sync-job" data-state={job.state}>
      {job.state === 'ok'
        ? `Synced ${formatCount(r?.inserted ?? 0)} new event(s), ${formatCount(r?.duplicates ?? 0)} already present, ${formatCount(r?.rejected ?? 0)} rejected.`
        : job.state === 'canceled'
          ? 'Sync canceled: nothing half-written.'
          : `Sync failed: ${job.error?.message ?? ''}`}
    </p>
  );
}

/** The rejected lines, loaded when opened. */
function Rejects({ total }: { total: number }): ReactNode {
  const rejects = useStudio((s) => s.evRejects);
  const load = useStudio((s) => s.loadRejects);
  const req = useStudio((s) => s.requests['events.rejects'] ?? IDLE);
  const [open, setOpen] = useState(false);
  if (total === 0) return null;
  return (
    <details
      className="events-rejects"
      data-testid="events-rejects"
      onToggle={(e) => {
        const isOpen = (e.target as HTMLDetailsElement).open;
        setOpen(isOpen);
        if (isOpen) void load();
      }}
    >
      <summary>View {formatCount(total)} rejected line{total === 1 ? '' : 's'}</summary>
      {req.error ? <ErrorNotice error={req.error} /> : null}
      {open && rejects ? (
        <ul className="events-reject-list">
          {rejects.map((r) => (
            <li key={r.id} data-testid="events-reject">
              <div className="small">
                <span className="mono">{r.file}</span> at byte {formatCount(r.offset)} · <span className="error-text">{r.error}</span>
              </div>
              <code className="mono small events-reject-excerpt">{r.excerpt}</code>
            </li>
          ))}
        </ul>
      ) : open ? (
        <p className="muted small">Loading…</p>
      ) : null}
    </details>
  );
}

/** The syncer: state, last run, lag, pending and rejected lines, and Sync now as a job. */
export function EventsSyncer({ s }: { s: SyncerStatus }): ReactNode {
  const syncNow = useStudio((st) => st.syncNow);
  const jobId = useStudio((st) => st.syncJobId);
  const running = useStudio((st) => (st.syncJobId ? st.jobs[st.syncJobId] && !isFinal(st.jobs[st.syncJobId]!.state) : false));
  const req = useStudio((st) => st.requests['syncer.syncNow'] ?? IDLE);
  const clear = useStudio((st) => st.clearError);
  return (
    <Card
      title="Syncer"
      className="events-syncer"
      aside={
        <button type="button" className="btn" onClick={() => void syncNow()} disabled={req.loading || s.syncing || running === true}>
          Sync now
        </button>
      }
    >
      <dl className="facts" data-testid="syncer-panel">
        <div>
          <dt>State</dt>
          <dd data-testid="syncer-panel-state" title={`a pass every ${Math.round(s.intervalMs / 1000)} s`}>{s.lastError ? 'Failing' : s.syncing ? 'Syncing' : s.running ? `Running (${Math.round(s.intervalMs / 1000)} s)` : 'Stopped'}</dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd title={s.lastRunAt ? exactTime(s.lastRunAt) : undefined}>{s.lastRunAt ? timeAgo(s.lastRunAt) : 'never'}</dd>
        </div>
        <div>
          <dt>Synced</dt>
          <dd data-testid="syncer-synced">{formatCount(s.syncedTotal)} events</dd>
        </div>
        <div>
          <dt>Lag</dt>
          <dd data-testid="syncer-pending">
            {formatCount(s.pendingLines)}
            {s.pendingExact ? '' : '+'} {s.pendingLines === 1 ? 'line' : 'lines'} · {formatBytes(s.lagBytes)}
          </dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd>{formatCount(s.rejectedTotal)} lines</dd>
        </div>
      </dl>
      {s.lastError ? <p className="warn-text">{`${s.lastError.code}: ${s.lastError.message}`}</p> : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('syncer.syncNow')} /> : null}
      {jobId ? <SyncJob jobId={jobId} /> : null}
      <Rejects total={s.rejectedTotal} />
    </Card>
  );
}
