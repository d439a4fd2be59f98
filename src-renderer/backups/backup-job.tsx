import type { ReactNode } from 'react';
import type { Job } from '../../src-preload/contract';
import { ERROR_TEXT } from '../shared/errors';
import { useStudio } from '../store';
import { isFinal } from '../jobs/jobs-slice';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';

/** "Show CLI equivalent": the `foxctl backup ...` line that does what the action did. */
export function CliEquivalent({ cli }: { cli: string }): ReactNode {
  return (
    <details className="small" data-testid="cli-equivalent">
      <summary>Show CLI equivalent</summary>
      <code className="command mono">{cli}</code>
    </details>
  );
}

/**
 * A job started from the Backups view, followed live: the Jobs panel's progress (bytes, rate,
 * ETA) and Cancel while it runs, then `done(result)` or its error.
 */
export function BackupJob({ jobId, done, words = (m) => m }: { jobId: string; done: (result: unknown, job: Job) => ReactNode; words?: (message: string) => string }): ReactNode {
  const job = useStudio((s) => s.jobs[jobId]);
  if (!job) return <p className="muted">Starting…</p>;
  if (isFinal(job.state)) {
    if (job.state === 'ok') return <div data-testid="backup-job-done" data-job-id={jobId}>{done(job.result, job)}</div>;
    return (
      <p className={job.state === 'canceled' ? 'muted' : 'error-text'} data-testid="backup-job-failed" data-state={job.state}>
        {job.state === 'canceled' ? `Canceled: ${job.error?.message ?? ''}` : `${job.error ? `${ERROR_TEXT[job.error.code].title}: ${words(job.error.message)}` : 'Failed'}`}
      </p>
    );
  }
  return (
    <div className="job job-running" data-testid="backup-job-running" data-job-id={jobId}>
      <div className="job-head">
        <div className="job-title">{job.title}</div>
        <JobCancelButton job={job} />
      </div>
      <JobProgressFigures job={job} />
    </div>
  );
}
