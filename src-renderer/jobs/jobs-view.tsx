import { useEffect, type ReactNode } from 'react';
import type { Job } from '../../src-preload/contract';
import { Command, EmptyState } from '../shared/empty-state';
import { ErrorNotice } from '../shared/error-notice';
import { Loadable } from '../shared/loadable';
import { RefreshButton } from '../shared/refresh-button';
import { Card, Page } from '../shared/page';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';
import { ERROR_TEXT } from '../shared/errors';
import { exactTime, formatBytes, formatCount, formatSeconds, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { isFinal, sortJobs } from './jobs-slice';
import { IDLE } from '../shared/requests-slice';

const STATE_LABELS: Record<Job['state'], string> = { queued: 'Queued', running: 'Running', ok: 'Done', error: 'Failed', canceled: 'Canceled' };

/** Fields already shown elsewhere (the title names it) or too long for one line. */
const RESULT_SKIP = new Set(['name', 'path', 'file', 'created_at', 'id']);

/** A job's result in one line: the few figures a person wants, each in its unit, not a JSON dump. */
export function summarizeResult(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result !== 'object') return String(result);
  return Object.entries(result as Record<string, unknown>)
    .filter(([k, v]) => !RESULT_SKIP.has(k) && (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 40)))
    .slice(0, 4)
    .map(([k, v]) => {
      const label = k.replace(/_(ms|bytes)$/, '').replace(/_/g, ' ');
      if (typeof v === 'number' && /(_size|_bytes|^bytes|^size)$/.test(k)) return `${label} ${formatBytes(v)}`;
      if (typeof v === 'number' && k.endsWith('_ms')) return `${label} ${formatSeconds(v / 1000)}`;
      return `${label} ${typeof v === 'number' ? formatCount(v) : String(v)}`;
    })
    .join(' · ');
}

function RunningJob({ job }: { job: Job }): ReactNode {
  const req = useStudio((s) => s.requests[`jobs.cancel:${job.id}`] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  return (
    <li className="job job-running" data-testid="job-running" data-job-id={job.id} data-state={job.state}>
      <div className="job-head">
        <div>
          <div className="job-title">{job.title}</div>
          <div className="job-kind">
            {job.kind} · started {job.started_at ? timeAgo(job.started_at) : 'soon'}
          </div>
        </div>
        <JobCancelButton job={job} />
      </div>
      <JobProgressFigures job={job} />
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear(`jobs.cancel:${job.id}`)} /> : null}
    </li>
  );
}

function FinishedJob({ job }: { job: Job }): ReactNode {
  return (
    <li className={`job job-${job.state}`} data-testid="job-finished" data-job-id={job.id} data-state={job.state}>
      <span className={`state-badge state-${job.state}`}>{STATE_LABELS[job.state]}</span>
      <div className="job-body">
        <div className="job-title">{job.title}</div>
        {job.error ? (
          <div className={job.state === 'canceled' ? 'muted' : 'error-text'}>
            {job.state === 'canceled' ? job.error.message : `${ERROR_TEXT[job.error.code].title}: ${job.error.message}`}
          </div>
        ) : (
          <div className="muted">{summarizeResult(job.result) || 'Finished'}</div>
        )}
      </div>
      <div className="job-when" title={job.finished_at ? exactTime(job.finished_at) : undefined}>
        {job.finished_at ? timeAgo(job.finished_at) : ''}
      </div>
    </li>
  );
}

/** Jobs: running work with progress, rate, ETA and Cancel; finished work with its result. */
export function JobsView(): ReactNode {
  const jobs = useStudio((s) => s.jobs);
  const loaded = useStudio((s) => s.jobsLoaded);
  const load = useStudio((s) => s.loadJobs);
  const loading = useStudio((s) => s.requests.jobs?.loading ?? false);
  useEffect(() => void load(), [load]);
  const all = sortJobs(jobs);
  const running = all.filter((j) => !isFinal(j.state));
  const finished = all.filter((j) => isFinal(j.state));
  return (
    <Page
      id="jobs"
      title="Jobs"
      subtitle="Long work of this device: backups, uploads, verifies. Progress is live."
      actions={
        <RefreshButton onRefresh={() => void load()} busy={loading} />
      }
    >
      <Loadable request="jobs" data={loaded ? all : null} retry={() => void load()}>
        {() =>
          all.length === 0 ? (
            <EmptyState icon="jobs" title="No jobs yet" testId="jobs-empty">
              <p>Backups, CAS uploads, garbage collection and verifies run as jobs. Each appears here with a progress bar, its speed and time left, and a Cancel button.</p>
              <p>
                Start one from Backups or CAS, or from a terminal: <Command>foxctl backup create</Command>
              </p>
            </EmptyState>
          ) : (
            <>
              <Card title={`Running (${running.length})`}>
                {running.length === 0 ? (
                  <p className="muted" data-testid="no-running-jobs">
                    Nothing running right now.
                  </p>
                ) : (
                  <ul className="job-list">
                    {running.map((j) => (
                      <RunningJob key={j.id} job={j} />
                    ))}
                  </ul>
                )}
              </Card>
              <Card title={`Finished (${finished.length})`}>
                {finished.length === 0 ? (
                  <p className="muted">Finished jobs appear here with their result or error.</p>
                ) : (
                  <ul className="job-list">
                    {finished.map((j) => (
                      <FinishedJob key={j.id} job={j} />
                    ))}
                  </ul>
                )}
              </Card>
            </>
          )
        }
      </Loadable>
    </Page>
  );
}
